# _CALL_EXECUTOR_LEAF_1: calls of a function whose code begins with
# `if a < K: return a` answer the base case without the call, except where
# the call itself would fail (the recursion limit) or the argument is not a
# small int (s8-calls). Compared with tier 1 (the recursion limit's depth is
# the VM's own).
def down(n):
    if n < 1:
        return n
    return down(n - 1) + 1


for _ in range(50):
    down(30)
res = []
for k in range(985, 1003):
    try:
        res.append(down(k))
    except RecursionError:
        res.append("RecursionError")
print("down", res)


def le(n):
    if n <= 1:
        return n
    return le(n - 1) + le(n - 2)


print("le", le(18), le(-5), le(7.0), le(2), le(1.5))


# The base case holds for a big int argument too, which the uop leaves to
# the call.
def big(n):
    if n < 2 ** 70:
        return n
    return big(n - 2 ** 69) + 1


print("big", [big(2 ** 71 + i) for i in range(8)])
