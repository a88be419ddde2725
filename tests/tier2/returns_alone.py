# Returns whose value is alone on the stack (_RETURN_CLEAN_ALONE,
# _RETURN_LOCAL_INT_ALONE) next to returns under a loop's iterator, which
# must keep the tested forms (s8-calls).
def fib(n):
    if n < 2:
        return n
    return fib(n - 1) + fib(n - 2)


print("fib", [fib(k) for k in range(20)])


# `return n` with a range iterator under it: an `_ALONE` form here would
# drop the iterator's reference (the leak check sees it).
def first_small(n, m):
    for i in range(m):
        if n < 2:
            return n
        n = n - 1 - i % 2
    return n + m


print("first_small", [first_small(k, 5) for k in range(300)][-12:])


# A `return` of a sum with a list iterator under it.
def inside(n):
    for v in [1, 2, 3]:
        if v == 2:
            return n + v
    return 0


t = 0
for k in range(400):
    t += inside(k)
print("inside", t)


# The returned value is a big int or a float at times: the stubs' and the
# clean return's guards leave, tier 1 returns.
def g(n):
    if n < 2:
        return n
    return g(n - 1) + g(n - 2)


print("g", g(22), g(2 ** 70 + 3) if False else 0, g(12.0))
