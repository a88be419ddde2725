# Dict subscripts (get and set) and dict.get in hot loops, including the
# ways they raise and the guards that fail in the middle of a loop.

# Counting with str keys: get, set, insertion order.
words = ["ab", "cd", "ab", "ef", "cd", "ab", "gh"]
counts = {}
for i in range(700):
    w = words[i % 7] + str(i % 3)
    counts[w] = counts.get(w, 0) + 1
print("counts", list(counts.items()))

# 1, 1.0 and True are the same key; 2 and 2.0 too; the first key stays.
d = {}
for i in range(300):
    k = [1, 1.0, True, 2, 2.0, 3][i % 6]
    d[k] = d.get(k, 0) + i
print("numeric keys", d, [repr(k) for k in d])
s = 0
for i in range(300):
    s += d[[1, True, 1.0, 2.0, 2][i % 5]]
print("numeric lookups", s)

# KeyError inside a traced loop, caught each time.
d = {"a": 1, "b": 2, 3: 30}
misses = 0
total = 0
for i in range(400):
    k = ["a", "b", "z", 3, 4][i % 5]
    try:
        total += d[k]
    except KeyError as e:
        misses += 1
        last = e
print("keyerror", total, misses, repr(last))

# Unhashable keys raise TypeError, in get and set, inside a hot loop.
d = {"x": 1}
errs = []
for i in range(200):
    k = "x" if i % 50 else [i]
    try:
        d[k] = d[k] + 1
    except TypeError as e:
        errs.append(str(e))
    try:
        d.get(k if i % 40 else {}, 0)
    except TypeError as e:
        errs.append(str(e))
print("unhashable", d, len(errs), errs[:2])

# The key's kind changes in the middle of the loop: str, then int, then tuple.
d = {}
for i in range(600):
    if i < 200:
        k = "k" + str(i % 10)
    elif i < 400:
        k = i % 10
    else:
        k = (i % 10, "t")
    d[k] = d.get(k, 0) + 1
    d[k] += d[k] % 3
print("key kinds", len(d), sum(d.values()), list(d)[:3], list(d)[-2:])

# The container stops being a dict in the middle of the loop.
c = {0: 5, 1: 6, 2: 7}
s = 0
for i in range(300):
    if i == 150:
        c = [50, 60, 70]
    s += c[i % 3]
    c[i % 3] = c[i % 3] + 1
print("dict then list", s, c)

# Mutating a dict while iterating over it.
d = {"a": 1, "b": 2}
try:
    for k in d:
        for j in range(50):
            d[k] = d[k] + j
        d[k + "x"] = 0
except RuntimeError as e:
    print("mutation", e)
print("after mutation", d)
d = {i: i for i in range(40)}
removed = 0
try:
    for k, v in d.items():
        if k == 30:
            del d[k]
        removed += v
except RuntimeError as e:
    print("mutation in items", removed, e)
it = iter(d)
n = 0
for k in it:
    n += k
d["late"] = 1
print("exhausted", n, next(it, "done"), len(d))

# Replacing values never reorders; deleting and re-adding moves to the end.
d = {k: 0 for k in "abcde"}
for i in range(500):
    d["abcde"[i % 5]] += i
    if i == 250:
        del d["b"]
        d["b"] = -1
print("order", d)

# Nested dicts and dict values of every kind.
grid = {}
for i in range(300):
    row = grid.get(i % 4)
    if row is None:
        row = {}
        grid[i % 4] = row
    row[i % 5] = (row.get(i % 5) or 0.5) * 2 if i % 7 else None
print("nested", grid)


# Module-level globals rebound inside a called function, read in a loop.
factor = 1


def bump(n):
    global factor
    if n % 100 == 99:
        factor = factor + 1
    return n * factor


acc = 0
for i in range(500):
    acc = acc + bump(i) + factor
print("global rebound in callee", acc, factor)


def rebinder():
    global table
    table = {"v": 100}


table = {"v": 1}
acc = 0
for i in range(400):
    acc += table["v"]
    table["v"] = table["v"] + 1
    if i == 200:
        rebinder()
print("global dict replaced", acc, table)
