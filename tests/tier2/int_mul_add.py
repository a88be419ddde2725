# `n = c1 * n + c2` in place as one uop (s8-int, fuse.rs fuse_mul_adds):
# _INPLACE_MUL_ADD_INT_CONST_LOCAL / _LOCAL_CONST. Both of its exits are
# taken here (the product overflowing, then the sum alone), with `-` and
# negative values, and the shapes it must not fuse (another destination,
# constants beyond 32 bits) run beside it.


def grow(n):
    # 3 * x + 1 from 1: the product leaves the small ints after ~38 rounds
    # and tier 1 goes on with big ints.
    x = 1
    i = 0
    out = []
    while i < n:
        x = 3 * x + 1
        out.append(x % 1000003)
        i += 1
    return x, sum(out)


def sum_edge(n):
    # x * 1 + 1000 near the largest small int: the product fits, the sum
    # does not, after ~100 rounds.
    x = 2 ** 62 - 100000
    i = 0
    while i < n:
        x = x * 1 + 1000
        i += 1
    return x


def shrink(n):
    # 2 * x - 7 from below: negative products and sums, then overflow.
    x = -5
    i = 0
    while i < n:
        x = 2 * x - 7
        i += 1
    return x


def lcg(seed, n):
    # A 31-bit linear congruential generator: fused, never overflows.
    x = seed
    i = 0
    total = 0
    while i < n:
        x = x * 1103515245 + 12345
        x = x % 2147483648
        total += x >> 16
        i += 1
    return total


def not_fused(n):
    # Another destination, and a constant beyond 32 bits.
    x = 7
    y = 0
    i = 0
    while i < n:
        y = 3 * x + 1
        x = x * 5000000000 + 1
        x = x % 1000000007
        i += 1
    return x, y


print(grow(60))
print(sum_edge(300))
print(shrink(80))
print(lcg(42, 500))
print(not_fused(200))
