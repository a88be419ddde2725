# Locals whose types change inside traced loops: what a guard proved about a
# local must be forgotten when it is stored again, and float boxes shared by
# two names must never be updated in place.


def changes_type_mid_loop(n):
    x = 1.5
    acc = 0.0
    for i in range(n):
        acc = acc + x * x
        if i == n // 2:
            x = 3
        acc = acc + x * x
        if i == n - 5:
            x = 2.25
    return acc, x


def int_then_float(n):
    v = 0
    total = 0
    for i in range(n):
        v = v + 1
        if i > n // 3:
            v = v + 0.5
        total = total + v
    return total


def aliases(n):
    x = 1.0
    saved = []
    for i in range(n):
        y = x
        x = x * 1.5 + 0.25
        z = x - y
        x = x - z * 0.5
        if i % 7 == 0:
            saved.append(y)
    return x, saved[:3], len(saved)


def swaps(n):
    a, b = 0.5, 2.0
    for i in range(n):
        a, b = b * 0.5 + a, a - b * 0.25
        if a > 1e6:
            a = 1.0
    return a, b


def overflow_in_float_loop(n):
    big = 1
    f = 0.5
    for i in range(n):
        big = big * 3
        f = f * 1.0001 + 0.1
    return big % 1000003, f


def unbound_then_bound(n):
    out = 0.0
    for i in range(n):
        if i > 2:
            out = out + w * w
        w = i * 0.5
    return out


def mixed_compare(n):
    zr = 0.0
    k = 0
    while k < n and zr * zr <= 4.0e12:
        zr = zr * 1.01 + 1.0
        k += 1
    return k, zr


print(changes_type_mid_loop(200))
print(int_then_float(300))
print(aliases(120))
print(swaps(500))
print(overflow_in_float_loop(200))
print(unbound_then_bound(100))
print(mixed_compare(5000))


def retyped_every_iteration(n):
    # x is a float on entry, then whatever x * 0.5 of an int gives: the
    # peeled loop must not assume the preamble's float.
    x = 1.5
    t = 0.0
    for i in range(n):
        t = t + x * 2.0
        x = i
        if i % 3 == 0:
            x = x * 0.5
    return t, x


def invariant_float_until_late(n):
    c = 0.25
    acc = 0.0
    i = 0
    while i < n:
        acc = acc * 0.5 + c
        if i == n - 3:
            c = 7
        i += 1
    return acc, c


print(retyped_every_iteration(300))
print(invariant_float_until_late(400))
