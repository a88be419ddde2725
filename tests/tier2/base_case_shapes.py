# Base cases a native call answers in the caller (_CALL_EXECUTOR_LEAF_1,
# _CALL_EXECUTOR_LEAF_ANY_1, _CALL_EXECUTOR_LEAF_ANY_2; s9-fib): a callee
# whose code begins with `if a OP c: return r` (OP one of < <= == > >=, the
# constant on either side, r an argument or a small int constant). Every
# argument that is not a small int (bool, float, big int, str, None) makes
# the call; so does a call at the recursion limit.


def lt(n):
    if n < 2:
        return n
    return lt(n - 1) + lt(n - 2)


def le_const(n):
    if n <= 1:
        return 1
    return n * le_const(n - 1)


def eq_const(n):
    if n == 0:
        return 0
    return 1 + eq_const(n - 1)


def const_first(n):
    if 0 >= n:
        return 7
    return const_first(n - 1) + 1


def gt(n):
    if n > 20:
        return n
    return gt(n + 1)


def ge_neg(n):
    if n >= 20:
        return -3
    return ge_neg(n + 1) + 1


def gcd(a, b):
    if b == 0:
        return a
    return gcd(b, a % b)


def paths(r, c):
    if r == 0:
        return 1
    if c == 0:
        return 1
    return paths(r - 1, c) + paths(r, c - 1)


def keep(a, b):
    if a < 1:
        return b
    return keep(a - 1, b)


def length(items, n):
    if n == 0:
        return 0
    return 1 + length(items, n - 1)


total = 0
for i in range(200):
    total += lt(i % 12) + le_const(i % 10) + eq_const(i % 20) + const_first(i % 15)
    total += gt(i % 25) + ge_neg(i % 25) + gcd(i * 7, i % 13 + 1)
    total += paths(i % 5, i % 4) + keep(i % 6, i) + length([i, str(i)], i % 7)
print("total", total)

# Arguments that are not small ints: the call is made (tier 1 or the
# callee's trace answers).
print("lt", lt(True), lt(False), lt(0.5), lt(1.5), lt(-(2 ** 70)), lt(2 ** 3))
print("le_const", le_const(True), le_const(1.0), le_const(-(2 ** 65)), le_const(5))
print("eq_const", eq_const(False), eq_const(True), eq_const(0.0), eq_const(3.0))
print("const_first", const_first(False), const_first(-(2 ** 80)), const_first(2.5))
print("gt", gt(2 ** 70), gt(21.5), gt(True), gt(100))
print("ge_neg", ge_neg(2 ** 66), ge_neg(19.5), ge_neg(20))
print("gcd", gcd(10 ** 30, 10 ** 20), gcd("x", 0), gcd(12, False), gcd(2.0, 0))
print("keep", keep(3, "s"), keep(3, [1, 2]), keep(0, 2.5), keep(True, None), keep(-(2 ** 70), 4))
print("length", length("abc", 0), length([[1]], 3), length(None, False))
try:
    eq_const("x")
except TypeError as e:
    print("TypeError", e)
try:
    gcd(None, 3)
except TypeError as e:
    print("TypeError", e)

# At the recursion limit, a base-case call raises exactly where the call
# would.
for name, f in (("eq_const", eq_const), ("const_first", const_first)):
    res = []
    for k in range(985, 1002):
        try:
            res.append(f(k))
        except RecursionError as e:
            res.append(str(e))
    print(name, res[0], res[-1], ["int" if isinstance(r, int) else "RecursionError" for r in res])
res = []
for k in range(985, 1002):
    try:
        res.append(length([k], k))
    except RecursionError as e:
        res.append(str(e))
print("length", [r if isinstance(r, int) else "RecursionError" for r in res])

# A rebound name: the caller's baked callee goes, the new function's
# answers (or none) are used.
orig = eq_const
print("before", orig(6))


def eq_const(n):
    return 100


print("rebound", orig(6), eq_const(0))
eq_const = lt
print("rebound again", orig(6), orig(1))
