# The handled exception ends on every way out of an except body (return,
# break, continue, falling off the end, raising), so a later exception has
# no stale __context__; an exception in a finally body chains to the one
# that was propagating.
def ret():
    try:
        [][0]
    except IndexError:
        return "returned"


def brk():
    for i in range(3):
        try:
            {}[i]
        except KeyError:
            break
    return "broke"


def cont():
    n = 0
    while n < 3:
        n += 1
        try:
            1 // 0
        except ZeroDivisionError:
            continue
    return "continued"


def fresh(tag):
    try:
        raise ValueError(tag)
    except ValueError as e:
        return e.__context__


for f in (ret, brk, cont):
    print(f(), fresh(f.__name__ if False else "x"))
for i in range(30):
    try:
        [0][i % 2]
    except IndexError:
        if i % 3 == 0:
            continue
    print(i, fresh("y"))


def fin():
    try:
        [][1]
    finally:
        {}["in finally"]


fin()
