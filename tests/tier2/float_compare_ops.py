# Every float comparison operator (oparg 0..5) in a hot loop, both ways,
# with negative values, equal values and NaN: the JIT's templates must not
# assume a hole (here oparg 0, `<`) is non-zero.

def count(xs, ys):
    lt = le = eq = ne = gt = ge = 0
    for i in range(300):
        x = xs[i % len(xs)]
        y = ys[i % len(ys)]
        if x < y:
            lt += 1
        if x <= y:
            le += 1
        if x == y:
            eq += 1
        if x != y:
            ne += 1
        if x > y:
            gt += 1
        if x >= y:
            ge += 1
    return lt, le, eq, ne, gt, ge

def flags(xs, ys):
    out = []
    for i in range(100):
        x = xs[i % len(xs)]
        y = ys[i % len(ys)]
        b = x < y
        out.append(b)
    return out.count(True), out.count(False)

nan = float("nan")
print(count([-2.25, 1.0, 0.5, -0.0], [1.0, -2.25, 0.0]))
print(count([nan, 1.5, -1.5], [1.5, nan]))
print(flags([-2.25, 3.5, 0.25], [1.0, 0.25]))
