# Float uops of session 8 (`float_fuse.rs`), each with its exit or slow
# path: stores into locals known to hold floats (a shared box, a local
# rebound to an int), `lst[c] op= x` in one uop (known and checked lists,
# `+= -= *=`, items that turn into ints, a row too short, a shared item
# box), `float / int` (a zero divisor, negative and large divisors), and
# `v[j]` of a list known across an inlined call (an int item, a negative
# index, an index out of range, a local rebound to a tuple).


def shared_stores(n):
    # `d` and `t` are floats stored every iteration; every third iteration
    # the list keeps `d`'s box, so the next store must not write into it.
    keep = [0.0]
    d = 0.0
    t = 1.0
    for i in range(n):
        d = t * 0.5 + 1.0
        keep[0] = d
        t = d * 0.75 - 0.125
    return d, t, keep[0]


print(shared_stores(50))


def rebound_to_int(n):
    # `d` is an int on some iterations (another path), a float on others.
    d = 0.0
    acc = 0.0
    for i in range(n):
        if i % 7 == 3:
            d = i
        else:
            d = acc * 0.5 + 0.25
        acc = acc + d
    return d, acc


print(rebound_to_int(60))


def updates(rows, k, m):
    # The first update of a row checks the list (`_LOCAL_IDX`), the others
    # know it (`_KNOWN_IDX`); `+= -= *=` by pure float expressions.
    for r in rows:
        r[0] += k * m
        r[1] -= k
        r[2] *= m * 0.5 + 0.75
        r[1] += r[0] * 0.0
    for r in rows:
        r[2] *= k
        r[0] -= m * k
        r[1] += 0.5
    for r in rows:
        r[1] -= k * 0.5
        r[0] += m
    return rows


rows = [[float(i), i * 0.5, 1.0 + i] for i in range(40)]
print(updates(rows, 1.5, -0.25)[37])
# Items that are ints (the fused update leaves, tier 1 adds), a shared box.
rows = [[float(i), i * 0.5, 1.0 + i] for i in range(40)]
rows[20][0] = 7
rows[21][1] = 3
alias = rows[30][2]
kept = rows[31][0]
print(updates(rows, 2.0, 0.5)[20], rows[21], rows[30], alias, kept, rows[31])
# A row too short: IndexError from the first fused update that reaches it.
rows = [[float(i), i * 0.5, 1.0 + i] for i in range(40)]
rows[35] = [1.0, 2.0]
try:
    updates(rows, 1.0, 1.0)
except IndexError as e:
    print("IndexError", e, rows[34], rows[35])


def divisions(n, off):
    # `float / int`; a zero divisor raises ZeroDivisionError.
    s = 0.0
    for i in range(1, n):
        s += 1.0 / (i * i)
        s += 2.5 / (i - off)
    return s


print(divisions(200, -3))
print(divisions(200, 1000))
try:
    divisions(200, 150)
except ZeroDivisionError as e:
    print("ZeroDivisionError", e)


def big_divisors(n):
    # Divisors past 2**53 (rounded as CPython rounds them).
    s = 0.0
    for i in range(n):
        s += 3.0 / (i * 1000003 + 9007199254740993)
    return s


print(big_divisors(100))


def weight(i, j):
    return 1.0 / ((i + j) * (i + j + 1) // 2 + i + 1)


def mul_av(v, n):
    # spectral_norm's inner loop: `v` is known a list across the inlined
    # call of `weight`.
    out = [0.0] * n
    for i in range(n):
        s = 0.0
        for j in range(n):
            s += weight(i, j) * v[j]
        out[i] = s
    return out


v = [1.0 + 0.01 * i for i in range(60)]
print(sum(mul_av(v, 60)))
v[45] = 2  # an int item: the read leaves, tier 1 multiplies
print(sum(mul_av(v, 60)))


def negative(v, n):
    s = 0.0
    for j in range(n):
        s += weight(j, 1) * v[-j - 1]
    return s


print(negative([0.5 * i for i in range(50)], 50))
try:
    print(negative([0.5 * i for i in range(50)], 60))
except IndexError as e:
    print("IndexError", e)


def rebinding(vs, n):
    # `v` is rebound between reads (a list, then a tuple): each read
    # after the rebinding checks it again.
    s = 0.0
    v = vs[0]
    for j in range(n):
        s += weight(j, 2) * v[j % 3]
        v = vs[j % 2]
        s += weight(j, 3) * v[j % 3]
    return s


print(rebinding([[1.5, 2.5, 3.5], (4.0, 5.0, 6.0)], 80))


def drift(bodies, dt, steps):
    # nbody's `b[0] += dt * b[3]`: `x` reads another item of the list, so
    # every check moves to the statement's start.
    for _ in range(steps):
        for b in bodies:
            b[0] += dt * b[3]
            b[1] -= b[4] * dt
            b[2] *= b[5] * 0.5 + 1.0
    return bodies


def fresh():
    return [[0.5 * i, 1.0 - i, 2.0, 0.25 * i, -0.5, 0.001 * i] for i in range(6)]


print(drift(fresh(), 0.01, 30)[4])
# `b[4]` an int in one body (the group's check fails, tier 1 redoes the
# statement), `b[0]`'s box shared, then a body too short for `b[5]`.
bodies = fresh()
bodies[2][4] = 3
shared = bodies[3][0]
print(drift(bodies, 0.01, 30)[2], bodies[3], shared)
bodies = fresh()
bodies[5] = [1.0, 2.0, 3.0, 4.0, 5.0]
try:
    drift(bodies, 0.01, 30)
except IndexError as e:
    print("IndexError", e, bodies[4], bodies[5])


def accumulate(v, n, keep):
    # `s += ...`, `s -= ...` with `s` loaded before an inlined call (one
    # uop with the store), into `s`'s box unless `keep` holds it too; `u`
    # stores `s - ...` into another local.
    s = 0.0
    u = 0.0
    for j in range(n):
        s += weight(j, 1) * v[j]
        s -= weight(j, 2) * 0.5
        u = s - weight(j, 3)
        if keep is not None:
            keep[j % 2] = s
    return s, u


print(accumulate([0.25 * i for i in range(80)], 80, None))
kept = [0.0, 0.0]
print(accumulate([0.25 * i for i in range(80)], 80, kept), kept)
