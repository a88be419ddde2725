# Native calls of baked global functions whose frames hold exactly their
# arguments (_CALL_EXECUTOR_ARGS_1/2/3), and returns of a local from an exit
# stub of the entry trace (_RETURN_LOCAL_INT): fast paths, and every way
# out of them.


def fib(n):
    if n < 2:
        return n
    return fib(n - 1) + fib(n - 2)


def fib1(n):
    # An expression, not an argument or a constant: no base case the call
    # answers itself (fib's is _CALL_EXECUTOR_LEAF_1), the fixed-shape call.
    if n < 2:
        return n * 0 + 1
    return fib1(n - 1) + fib1(n - 2)


def ack(m, n):
    if m == 0:
        return n + 1
    if n == 0:
        return ack(m - 1, 1)
    return ack(m - 1, ack(m, n - 1))


def tri(a, b, c):
    if a < 1:
        return c
    return tri(a - 1, b + 1, c + b) + tri(a - 2, b, c) - a


def quad(a, b, c, d):
    # Four arguments: no fixed form, the known call as before.
    if a < 2:
        return b + c + d
    return quad(a - 1, b, c, d) + quad(a - 2, d, c, b)


print(fib(21), fib1(20))
print(ack(2, 40), ack(3, 4))
print(tri(16, 1, 2))
print(quad(14, 1, 2, 3))


def in_loop(n):
    # `return n` inside a loop: the iterator is under the return value.
    for i in range(2):
        if n < 2:
            return n
        return in_loop(n - 1) + in_loop(n - 2) + i
    return -1


print(in_loop(18))


def tagged(n, tag):
    # Not every local a small int at the exit (`tag` is a str): the exit
    # stays an exit, and the str's reference is released as tier 1 does.
    if n < 2:
        return n
    return tagged(n - 1, tag) + tagged(n - 2, tag)


print(tagged(18, "t" * 3))


def mixed(n):
    # The returned local changes type mid-run: a float argument fails the
    # entry guard (tier 1 runs the call), a big int overflows.
    if n < 2:
        return n
    return mixed(n - 1) + mixed(n - 2)


total = 0
for k in range(3000):
    total += mixed(k % 14)
print(total, mixed(12.5), mixed(10**20 - 10**20 + 9))
print(mixed(1.5), mixed(-(10**30)))


def deep(a, b):
    if a == 0:
        return b
    return deep(a - 1, b + 1)


# The recursion limit inside native calls: the push declines and tier 1
# raises RecursionError as always.
for k in range(3):
    for m in range(1500):
        deep(m % 40, k)
    try:
        deep(5000, 0)
    except RecursionError:
        print("RecursionError", k)
print(deep(500, 7))


def rebind_me(n):
    if n < 2:
        return n
    return rebind_me(n - 1) + rebind_me(n - 2)


print(rebind_me(20))
old = rebind_me


def replacement(n):
    return 1000 + n


rebind_me = replacement
# The old function's recursive calls now call the replacement.
print(old(10), old(2), old(1))
rebind_me = old
print(rebind_me(18))


def first_over(xs, limit):
    # `return total` (a float) from exits of the entry trace: the guard
    # `x > limit` and the exhausted loop (_RETURN_LOCAL).
    total = 0.5
    for x in xs:
        if x > limit:
            return total
        total += x
    return total


data = [0.25 * k for k in range(12)]
acc = 0.0
for k in range(4000):
    acc += first_over(data, k % 5)
print(acc, first_over([], 1), first_over([3.0], 1))


def maybe(n):
    # `return y` where `y` may be unbound: the exit stays an exit and tier
    # 1 raises UnboundLocalError.
    for i in range(1):
        if n > 5:
            y = n + 0.5 + i
    if n < 8:
        return y
    return -1.0


got = []
for k in range(3000):
    try:
        got.append(maybe(k % 12))
    except UnboundLocalError:
        got.append("U")
print(got[:14], len(got), sum(x for x in got if x != "U"))
