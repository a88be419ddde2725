# Runs of identical traceback entries: more than 3 collapse into CPython's
# "[Previous line repeated N more time(s)]".
def a(n):
    if n == 0:
        return b(5)
    return a(n - 1)


def b(n):
    if n == 0:
        return c(2)
    return b(n - 1)


def c(n):
    return 1 // 0 if n == 0 else c(n - 1)


a(4)
