def f(a, b, c=3):
    return a + b + c
xs = [1, 2]
print(f(*xs), f(*xs, 10), f(*xs, c=100), *xs, sep="-")
print(*[1, 2, 3])
print(*"abc", end="!\n")
print(list(zip(*[[1, 2], [3, 4]])), list(filter(None, [0, 1, 2])), list(filter(lambda v: v > 1, [1, 2, 3])))
print(max(*[4, 9, 2]), min(*(7, 3)))
def g(*args):
    return len(args), args
print(g(), g(1), g(*range(4)))
