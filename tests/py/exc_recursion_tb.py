# A deep recursion's traceback: the innermost 1000 entries, the repeated
# line collapsed.
def f(n):
    return f(n + 1)


def g():
    try:
        f(0)
    except RecursionError:
        print("caught")
        f(0)


g()
