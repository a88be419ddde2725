# FOR_ITER over ranges and lists as native uops: ascending, descending and
# empty ranges, ranges near the small-int limit, lists growing and shrinking
# while iterated, iterator kinds changing at one loop, nested loops.
def ranges():
    out = []
    for start, stop, step in [(0, 100, 1), (100, 0, -3), (5, 5, 1), (-50, 50, 7), (10, -10, -1)]:
        t = 0
        for i in range(start, stop, step):
            t += i
        out.append(t)
    return out


print(ranges())


def big_ranges():
    # Values past the small-int range: the guard leaves to tier 1.
    out = []
    lo = 2 ** 62 - 20
    for i in range(lo, lo + 40):
        out.append(i - lo)
    for i in range(-(2 ** 62) + 20, -(2 ** 62) - 20, -1):
        out.append(i)
    return sum(out[:40]), out[-3:]


print(big_ranges())


def lists():
    xs = [1, 2, 3]
    seen = 0
    for x in xs:
        seen += x
        if len(xs) < 200:
            xs.append(x + 1)
    ys = list(range(100))
    cut = []
    for y in ys:
        cut.append(y)
        if len(ys) > 50:
            ys.pop()
    return seen, len(xs), len(cut), cut[-1]


print(lists())


def mixed_iterables():
    out = 0
    for seq in [range(30), [1, 2, 3] * 10, (4, 5, 6) * 10, "abc" * 10, range(20), [7] * 30]:
        for v in seq:
            out += v if not isinstance(v, str) else len(v)
    return out


print(mixed_iterables())


def nested(n):
    grid = [[i * j for j in range(n)] for i in range(n)]
    t = 0
    for row in grid:
        for v in row:
            t += v
        for k in range(len(row) - 1, -1, -2):
            t -= row[k]
    return t


print(nested(60))


def early_exit():
    found = []
    for i in range(1000):
        if i * i > 500:
            found.append(i)
            break
    for x in [3, 1, 4, 1, 5, 9, 2, 6] * 20:
        if x == 9:
            found.append(x)
            break
    return found


print(early_exit())


def error_in_body():
    total = 0
    try:
        for i in range(100):
            total += 10 // (50 - i)
    except ZeroDivisionError as e:
        print("caught", e, total)


error_in_body()
