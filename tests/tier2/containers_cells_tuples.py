# Dict reads of a closure cell's dict by a local key (fused in place) and
# `for` over a tuple of constants or globals (built once by the trace),
# with every assumption broken in the middle of a hot loop.
A, B, C = 1, 2, 3
L = [10, 20]


def make():
    table = {1: "one", 2: "two", 3: "three", "k": [1, 2]}
    counts = {}

    def read(keys):
        out = []
        for k in keys:
            out.append(table[k])
        return out

    def count(keys):
        for k in keys:
            counts[k] = counts.get(k, 0) + 1
        return counts

    def swap_in(d):
        nonlocal table
        table = d

    return read, count, swap_in


read, count, swap_in = make()

# The hit path with int and str keys, then a miss (KeyError) mid-loop.
print("hits", read([1, 2, 3, "k"] * 20)[-4:])
try:
    read([1, 2, 3] * 20 + [4])
except KeyError as e:
    print("miss", repr(e))

# An unhashable key mid-loop: TypeError from tier 1.
try:
    read([1, 2] * 20 + [[1]])
except TypeError as e:
    print("unhashable", e)

# The cell is rebound to another dict, then to a list (not a dict: tier 1
# indexes it) between calls of the hot loop.
swap_in({1: "uno", 2: "dos", 3: "tres", "k": 0})
print("rebound", read([1, 2, 3] * 20)[-3:])
swap_in(["zero", "one", "two", "three"])
print("list in the cell", read([1, 2, 3] * 20)[-3:])
swap_in({i: i * i for i in range(100)})
print("grown", sum(read(list(range(100)) * 3)))
print("counts", count(["a", "b", "a"] * 30))


# An empty cell: a closure of the same code (so the same trace) whose cell
# is not bound yet enters the hot loop's trace (NameError at the load).
def make_early(early):
    def run(n):
        s = 0
        for i in range(n):
            # The first iteration (tier 1's, before the trace) reads nothing.
            if i > 0:
                s += d[i % 2]
        return s

    if early:
        try:
            run(100)
        except NameError as e:
            print("empty cell", e)
    d = {0: 5, 1: 6}
    return run


print("bound cell", make_early(False)(100))
print("bound later", make_early(True)(100))


# The dict itself changes mid-loop: keys deleted, added, values replaced.
def make_mutator():
    d = {i: i for i in range(8)}

    def run(n):
        s = 0
        for i in range(n):
            k = i % 8
            s += d[k]
            if i == 40:
                del d[3]
                d[3] = 300
            if i == 60:
                d[k] = "x" * 0 + "y"
                d[k] = 1000
        return s

    return run


print("mutated", make_mutator()(200))

# `for` over a tuple of globals: the globals are rebound in the middle of
# the loop (the trace's tuple must not outlive them), deleted, and the
# tuple holds a list that changes.
total = 0
for r in range(200):
    for t in (A, B, C):
        total += t
    if r == 100:
        A = 100
    if r == 150:
        B = "x" if r < 0 else 7
print("global tuple", total, A, B, C)

seen = []
for r in range(60):
    for t in (L, C, None, "s"):
        if t is L:
            seen.append(len(t))
    if r == 30:
        L.append(30)
    if r == 40:
        L = [1]
print("list in tuple", seen[28:34], seen[-3:])

n = 0
for r in range(100):
    for t in (1, 2.5, "a", (1, 2)):
        n += 1
print("constant tuple", n)

try:
    for r in range(100):
        for t in (A, B, C):
            pass
        if r == 70:
            del C
except NameError as e:
    print("deleted global", e)


# A tuple built from constants that escapes (not iterated) stays a fresh
# tuple each time: identity is observable.
def fresh():
    return (A, B)


keep = []
for r in range(50):
    t = (A, B)
    keep.append(t)
print("fresh tuples", len(keep), keep[0] is keep[1], fresh() is fresh())


# `cell[key] += c` in place: str and int keys, `-=`, and every way out in
# the middle of the loop: a missing key (KeyError), a float value, a None
# value (TypeError), overflow into a big int, the cell rebound to a list.
def make_counters():
    stats = {"sent": 0, "held": 0, 7: 100}
    big = {"n": 2**62 - 40}

    def tick(n, flip):
        for i in range(n):
            stats["sent"] += 1
            stats[7] -= 3
            if i == flip:
                stats["held"] = 0.5
            stats["held"] += 2
            big["n"] += 1
        return stats, big

    def rebind(d):
        nonlocal stats
        stats = d

    return tick, rebind


tick, rebind = make_counters()
print("counters", tick(100, 1000))
print("float value", tick(100, 50))
rebind({"sent": None, "held": 0, 7: 0})
try:
    tick(100, 1000)
except TypeError as e:
    print("None value", e)
rebind({"held": 0, 7: 0})
try:
    tick(100, 1000)
except KeyError as e:
    print("missing key", repr(e))
rebind({"sent": 0, "held": 0, 7: 0, 8: 1})
print("rebound", tick(50, 1000))
rebind([0] * 8)
try:
    tick(10, 1000)
except TypeError as e:
    print("list in the cell", e)


# Big deltas (not fused) and a key that is an equal but distinct int.
def make_big():
    d = {1: 0, 2**40: 0}

    def run(n):
        for i in range(n):
            d[1] += 40000
            d[2**40] += 1
        return d

    return run


print("big deltas", make_big()(100))
