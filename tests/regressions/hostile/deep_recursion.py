# Unbounded recursion must give RecursionError, never a stack overflow.
def r(n):
    return r(n + 1)

r(0)
