# Float uops fused by `float_fuse.rs` (s7-float), each with the exit or the
# slow path it can take: float operations reading locals and constants in
# place, float compare-and-branch guards (NaN included), `x ** 0.5` as a
# square root (special values and values whose root `pow` rounds apart from
# `sqrt`), and float list items by a constant index, with the list checks
# skipped once proven (a local rebound to a tuple mid-loop must be checked
# again).


def escape(w, h, max_iter):
    # mandelbrot: `zr * zr`, `zi * zi` (two locals), `+ cr` (top and a
    # local), `<= 4.0` (a compare with a constant and its branch).
    inside = 0
    for y in range(h):
        ci = 2.0 * y / h - 1.0
        for x in range(w):
            cr = 3.0 * x / w - 2.0
            zr = 0.0
            zi = 0.0
            k = 0
            while k < max_iter and zr * zr + zi * zi <= 4.0:
                zr, zi = zr * zr - zi * zi + cr, 2.0 * zr * zi + ci
                k += 1
            if k == max_iter:
                inside += 1
    return inside


print(escape(24, 16, 40))


def compares(vals):
    # Each comparison on both branches, NaN and signed zeros included:
    # NaN makes every comparison but `!=` false.
    counts = [0, 0, 0, 0, 0, 0, 0]
    for a in vals:
        for b in vals:
            x = a * 1.0
            y = b * 1.0
            if x < y:
                counts[0] += 1
            if x <= y:
                counts[1] += 1
            if x == y:
                counts[2] += 1
            if x != y:
                counts[3] += 1
            if x > y:
                counts[4] += 1
            if not x >= y:
                counts[5] += 1
            if x * 2.0 < 1.5:
                counts[6] += 1
    return counts


nan = float("nan")
inf = float("inf")
print(compares([0.5, -0.0, 0.0, 1.5, nan, -2.25, inf, -inf, 0.75, nan, 3.0]))


def nan_stops_a_loop(n):
    # `while s < 100.0` on a NaN: the guard's exit, mid-loop.
    s = 0.0
    k = 0
    while s < 100.0:
        s = s + 1.5 if k != n else nan
        k += 1
        if k > 1000:
            break
    return k


print(nan_stops_a_loop(30))


def roots(vals):
    # `x ** 0.5`: positive normals (a square root, or `pow` near a rounding
    # midpoint), zeros, infinities, subnormals, and NaN (`pow` gives NaN:
    # the uop exits and tier 1 computes it).
    out = []
    for x in vals:
        out.append(x ** 0.5)
    return out


vals = [1.0 + k / 7.0 for k in range(60)]
vals += [0.0, -0.0, inf, -inf, 1e-310, 5e-324, 2.0, 1e300, 4.0, 0.25, nan, 7.0]
vals += [1.2984246749437925e+169, 9.367729822126825e-169, 3.2347607746061753e-74,
         9.433400186834362e+307]
print(roots(vals))


def root_sum(n):
    # Many doubles, some of whose roots `pow` and `sqrt` round apart:
    # every root must be `pow`'s.
    s = 0.0
    x = 0.37
    bits = []
    for k in range(n):
        x = x * 3.999 * (1.0 - x) if x < 0.999 else 0.37
        r = (x * 1e6) ** 0.5
        s += r
        if k % 97 == 0:
            bits.append(r)
    return s, bits


print(root_sum(5000))


def bodies_update(bodies, steps):
    # nbody's item reads and in-place updates by constant indices; mid-run
    # an item becomes an int, and one body a shorter list.
    for k in range(steps):
        if k == 20:
            bodies[1][3] = 2
        if k == 30:
            bodies[2] = [0.5, 0.25]
        for i in range(len(bodies)):
            b = bodies[i]
            try:
                for j in range(i + 1, len(bodies)):
                    c = bodies[j]
                    dx = b[0] - c[0]
                    dy = b[1] - c[1]
                    m = dx * dx + dy * dy
                    b[3] -= dx * m * 0.01
                    c[3] += dy * m * 0.01
            except IndexError as e:
                b.append(0.0)
    return bodies


print(bodies_update([[0.0, 1.0, 0.0, 0.5], [2.0, -1.0, 0.0, 0.25],
                     [4.5, 3.0, 0.0, -1.0]], 40))


def rebound_mid_loop(n):
    # `v[0]` proves `v` a list; `v` is then rebound (to a tuple at k == 30,
    # no branch on the way) before `v[1]`, which must check it again.
    lst = [1.5, 2.5, 3.5]
    tup = (0.5, 0.25, 0.125)
    seqs = [lst] * n
    seqs[30] = tup
    s = 0.0
    v = lst
    for k in range(n):
        s += v[0] * 2.0
        v = seqs[k]
        s += v[1] * 2.0
        v = lst
    return s


print(rebound_mid_loop(60))


def rebound_at_loop_end(n):
    # The loop reads `v` at its head and rebinds it at its end: what was
    # proven before the loop does not hold at the next iteration.
    lst = [1.5, 2.5, 3.5]
    tup = (0.5, 0.25, 0.125)
    seqs = [lst] * n
    seqs[30] = tup
    s = 0.0
    v = lst
    for k in range(n):
        s += v[0] * 2.0 + v[2]
        v = seqs[k]
    return s


print(rebound_at_loop_end(60))


def local_turns_int(n):
    # `a * b` of two float locals, until `b` becomes an int.
    a = 1.5
    b = 0.5
    s = 0.0
    for k in range(n):
        if k == 30:
            b = 3
        s += a * b - a * 0.25
    return s


print(local_turns_int(50))


def sub_forms(n):
    # `v[1] += a - b` as the first read of `v` in the iteration (the list
    # is checked), `s - 1.0`; mid-run the item becomes an int.
    a = 2.5
    b = 0.75
    lists = [[0.5, 1.5], [2.5, 3.5]]
    s = 0.0
    for k in range(n):
        v = lists[k % 2]
        v[1] += a - b
        s = s - 1.0 + v[1] * 0.5
        if k == 40:
            lists[0][1] = 7
    return s, lists


print(sub_forms(60))
