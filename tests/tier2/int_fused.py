# Fused int uops (fuse.rs): compare-and-branch guards, in-place and pushed
# local updates, list stores by locals, truth tests of ints. Every fused
# exit is taken: overflow to big ints inside a fused update, operands that
# turn out not to be small ints, hot exits that grow side traces.


def bump(start, step, n):
    # `x += step` fused in place; overflows past 2**62 - 1 mid-loop.
    x = start
    k = 0
    while k < n:
        x += step
        k += 1
    return x


def drop(start, step, n):
    # `x -= step` fused in place; overflows below -2**62 mid-loop.
    x = start
    k = 0
    while k < n:
        x -= step
        k += 1
    return x


def add_locals(a, b, n):
    # `a += b` (two locals) and `c = a - b` (pushed, stored elsewhere).
    k = 0
    c = 0
    while k < n:
        a += b
        c = a - b
        k += 1
    return a, c


def count_up(i, n):
    # `while i < n`: a compare of two locals; `n` may not be a small int.
    steps = 0
    while i < n:
        i += 1
        steps += 1
    return i, steps


def every_compare(xs):
    # All six comparisons, both branch senses, locals and constants.
    t = [0] * 12
    for x in xs:
        y = x - 3
        if x < y:
            t[0] += 1
        if x <= 5:
            t[1] += 1
        if x == 7:
            t[2] += 1
        if x != y:
            t[3] += 1
        if x > 9:
            t[4] += 1
        if x >= y:
            t[5] += 1
        if not x < 4:
            t[6] += 1
        if not x <= y:
            t[7] += 1
        if not x == 2:
            t[8] += 1
        if not x != 11:
            t[9] += 1
        if not x > y:
            t[10] += 1
        if not x >= 13:
            t[11] += 1
    return t


def parity(n):
    # `if n & 1` and `if n % 3`: truth tests of ints, both hot.
    odd = 0
    threes = 0
    i = 0
    while i < n:
        if i & 1:
            odd += 1
        if i % 3:
            threes += 1
        i += 1
    return odd, threes


def hot_overflow(base, step, n):
    # The in-place update overflows on every iteration: its exit gets hot
    # and a side trace grows from it (the generic `+` of a big int).
    out = 0
    k = 0
    while k < n:
        t = base
        t += step
        out = t
        k += 1
    return out


def shift_left(xs, r):
    # `xs[i] = xs[i + 1]`: a list store by locals, a pushed `i + 1`.
    i = 0
    while i < r:
        xs[i] = xs[i + 1]
        i += 1
    return xs


def store_anything(box, i, n):
    # The container of `box[i] = k` changes kind mid-way; the index is
    # negative, then out of range.
    k = 0
    while k < n:
        box[i] = k
        k += 1
    return box


big = 2**62
print(bump(big - 1000, 7, 400))
print(bump(0, 1, 1000))
print(bump(big - 1000, 7, 400))
print(drop(-big + 1000, 9, 400))
print(add_locals(big - 100000, 123, 2000))
print(add_locals(-5, 3, 100))
print(add_locals(-big + 100000, -123, 2000))
print(count_up(0, 50))
print(count_up(0, 50.5))
print(count_up(big - 20, big + 20))
print(count_up(3, 2**70 + 3 - 2**70 + 40))
print(every_compare(list(range(20)) * 5))
print(parity(1000))
print(hot_overflow(big - 1, 1, 100))
print(hot_overflow(5, 1, 100))
print(shift_left(list(range(30)), 29))
print(store_anything([0, 0, 0], -1, 40))
print(store_anything({}, 5, 40))
try:
    store_anything([0, 0], 2, 40)
except IndexError as e:
    print("IndexError", e)
for n in [27, 97, 871]:
    steps = 0
    m = n
    while m != 1:
        m = m // 2 if m % 2 == 0 else 3 * m + 1
        steps += 1
    print(n, steps)
