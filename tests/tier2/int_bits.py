# Integer loop uops fused by fuse.rs (s7-int): `if n & c:` as one guard,
# `n >>= c` / `n >> c` by a constant, `c * n` / `n * c` by a constant and
# `<int> + c` / `<int> - c` on the stack top. Every exit is taken: both
# branches of the bit test, products and sums that overflow to big ints
# mid-loop, locals that stop being small ints mid-loop.


def collatz(n):
    # The bit test's both branches, `n >>= 1` and `3 * n + 1`.
    steps = 0
    while n != 1:
        if n & 1:
            n = 3 * n + 1
        else:
            n >>= 1
        steps += 1
    return steps


def bits_clear(n, k):
    # `if not n & 6` (the other branch guard), `x >> 2` pushed.
    total = 0
    i = 0
    while i < k:
        if not i & 6:
            total += i >> 2
        else:
            total -= 1
        i += 1
    return total + n


def shifts(n, k):
    # Shifts by 0 and 62 (fused) and by 63 (not fused: it may exit), on
    # negative numbers too (Python floors).
    a = 0
    i = 0
    while i < k:
        x = n - i
        a += x >> 0
        a += x >> 62
        a += x >> 63
        x >>= 3
        a += x
        i += 1
    return a


def grow(n, k):
    # `n * 7` then `3 * n`, overflowing to a big int mid-loop.
    out = []
    i = 0
    while i < k:
        out.append(n * 7)
        out.append(3 * n)
        n = n * 5
        i += 1
    return out


def near_edge(n, k, c):
    # `n * 2 + 3` and `n * 2 - 3` overflow once n * 2 is at the edge; the
    # top-of-stack update then exits with the constant pushed.
    out = []
    i = 0
    while i < k:
        out.append(n * 2 + 3)
        out.append(n * 2 - 3)
        out.append((n + c) - 5)
        # Past 2**61 on every later iteration: the top update overflows.
        out.append(n * 1 + 2305843009213693952)
        out.append(n * 1 - 2305843009213693952)
        n += 1
        i += 1
    return out


def mixed(k):
    # `x & 1` and `x >> 1` on a local that turns into a big int and then a
    # bool mid-loop: the local's guard leaves before the fused uops run.
    x = 1
    s = 0
    i = 0
    while i < k:
        if x & 1:
            s += 1
        s += x >> 1
        if i == 30:
            x = 2**70 + 1
        elif i == 60:
            x = True
        else:
            x = x + 2
        i += 1
    return s


def swaps(n, k):
    # `lst[i], lst[j] = lst[j], lst[i]` as one uop: reversals, negative
    # indices, i == j; then the list becomes a dict with int keys (the
    # statement still works, through tier 1) and an index runs out of
    # range (IndexError, nothing changed by the failed swap).
    lst = list(range(n))
    rounds = 0
    while rounds < k:
        i = 0
        j = n - 1
        while i < j:
            lst[i], lst[j] = lst[j], lst[i]
            i += 1
            j -= 1
        i = -1
        j = 0
        lst[i], lst[j] = lst[j], lst[i]
        lst[j], lst[j] = lst[j], lst[j]
        rounds += 1
    d = {}
    for x in range(n):
        d[x] = x * 10
    out = [lst[0], lst[-1], lst[n // 2]]
    t = 0
    while t < 30:
        if t == 20:
            lst = d
        i = t % n
        j = (t * 7) % n
        lst[i], lst[j] = lst[j], lst[i]
        t += 1
    out.append(sorted(d.items())[:6])
    # In range for 20 swaps, then `j` runs past the end mid-loop.
    lst = list(range(n + 40))
    i = 0
    j = n + 20
    try:
        while True:
            lst[i], lst[j] = lst[j], lst[i]
            i += 1
            j += 1
    except IndexError:
        out.append(("IndexError", i, j, lst[:4]))
    return out


best = 0
for n in range(1, 3000):
    s = collatz(n)
    if s > best:
        best = s
print("collatz", best)
print("bits_clear", bits_clear(5, 500))
print("shifts", shifts(2**61 - 200, 400), shifts(-(2**61) + 200, 400), shifts(7, 400))
g = grow(3, 40)
print("grow", len(g), g[0], g[25], g[-1])
g = grow(-3, 40)
print("grow neg", g[27], g[-2])
top = 2**61 - 1
e = near_edge(top - 100, 300, 2**62 - 50)
print("near_edge", len(e), e[0], e[299], e[300], e[301], e[-1], e[-2], e[3], e[4])
e = near_edge(-(2**61) - 100, 300, -(2**62) + 50)
print("near_edge neg", e[0], e[299], e[300], e[-1], e[-2], e[3], e[4])
print("mixed", mixed(100))
print("swaps", swaps(9, 50), swaps(2, 7))
