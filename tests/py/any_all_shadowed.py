# A program that defines its own `any` gets it, with the generator
# expression as its argument; `all` stays the builtin (and lazy).
def check():
    return any(x > 1 for x in range(3))


def any(it):
    return "mine " + str(list(it))


print(check())
print(all(x for x in [1, 0, 1 // 0 if False else 2]))
