# Dict subscripts and stores, list.append / list.pop and iteration over
# tuples as native uops (_BINARY_SUBSCR_DICT, _STORE_SUBSCR_DICT,
# _LOAD_METHOD_LIST, _CALL_LIST_APPEND, _CALL_LIST_POP, _FOR_ITER_TUPLE),
# with every way out of their fast paths taken in the middle of a hot loop;
# and dict deletes (holes in the table) mixed with lookups and iteration.

# Small int keys: first-probe hits, collisions (0, 8, 16 share a slot of an
# 8-slot index), negative keys, a big int key, str keys.
d = {0: "zero", 8: "eight", 16: "sixteen", 1: "one", -1: "minus one", 2**62: "big", "s": "str"}
keys = [0, 8, 16, 1, -1, 2**62, "s", 1.0, True]
out = []
for i in range(900):
    out.append(d[keys[i % 9]])
print("lookups", out[:9], len(out))

# A missing key raises KeyError mid-loop (every 5th), exactly as CPython.
d = {1: 10, 2: 20, 3: 30}
total, misses = 0, 0
for i in range(500):
    try:
        total += d[i % 5]
    except KeyError as e:
        misses += 1
        last = repr(e)
print("keyerror", total, misses, last)

# The container stops being a dict: a list, a str, a tuple (the uop exits
# to tier 1, which subscripts them).
cs = [{0: "d0", 1: "d1"}, ["l0", "l1"], "s0", ("t0", "t1")]
got = []
for i in range(400):
    c = cs[(i // 100) % 4]
    got.append(c[i % 2])
print("containers", got[::50])

# Stores: new keys, rebinding, counting with +=, an unhashable key
# raising TypeError mid-loop, a store into a list through the same code.
counts = {}
errs = []
for i in range(600):
    k = i % 7
    if i % 97 == 0:
        k = [i]
    try:
        counts[k] = counts.get(k, 0) + 1
    except TypeError as e:
        errs.append(str(e))
print("stores", sorted(counts.items()), len(errs), errs[:1])
stats = {"sent": 0, "held": 0}
for i in range(1000):
    stats["sent"] += 1
    if i % 3 == 0:
        stats["held"] += 2
print("stats", stats)
targets = [{}, [0, 0, 0]]
for i in range(300):
    t = targets[(i // 150)]
    t[i % 3] = i
print("store targets", targets)

# list.append: growth past the capacity, appends onto a list another name
# sees, then the receiver becomes a dict (no append: AttributeError).
xs = []
alias = xs
for i in range(1000):
    xs.append(i * 2)
print("append", len(alias), alias[:5], alias[-3:])
recv = [[], [], {}]
for i in range(300):
    r = recv[i // 100]
    try:
        r.append(i)
    except AttributeError as e:
        err = str(e)
print("append receivers", len(recv[0]), len(recv[1]), err)

# list.pop: pop(0) as a queue, pop() and pop(-1), pop of an empty list and
# an index out of range (IndexError), a bool index (tier 1's path).
q = list(range(50))
popped = []
for i in range(200):
    try:
        if i % 4 == 0:
            popped.append(q.pop(0))
        elif i % 4 == 1:
            popped.append(q.pop())
        elif i % 4 == 2:
            popped.append(q.pop(-1))
        else:
            popped.append(q.pop(True))
    except IndexError as e:
        popped.append(str(e))
    if i % 60 == 59:
        q.extend(range(10))
print("pop", popped[:12], popped[-6:], q)
bad = []
lst = [1, 2, 3]
for i in range(100):
    try:
        lst.pop(7 if i % 10 == 0 else -1)
    except IndexError as e:
        bad.append(str(e))
    lst.append(i)
print("pop range", len(bad), bad[0], lst[:4])

# Iteration over tuples built before the loop and constant tuples; the
# items change type; nested; an early break.
A, B, C = 1, 2, 3
acc = 0
names = []
for r in range(2000):
    for t in (A, B, C):
        acc += t * r
    for s in ("x", "y"):
        if r == 1999:
            names.append(s)
    for v in (r, str(r), None):
        if v is None:
            break
        acc += len(str(v))
print("tuples", acc, names)

# Deletes: holes in the entries, lookups past dummies, re-inserts at the
# end, iteration order, len, equality and repr; a delete while iterating.
d = {}
for i in range(300):
    d[i] = i * i
    if i % 3:
        del d[i - 1]
print("deletes", len(d), list(d)[:6], d[299], 297 in d, d == dict(d.items()))
for i in range(0, 300, 2):
    d.pop(i, None)
    d[i] = -i
print("reinsert", len(d), list(d.items())[-3:], repr({k: d[k] for k in list(d)[:3]}))
try:
    for k in d:
        del d[k]
except RuntimeError as e:
    print("changed", e, len(d))

# Traced lookups and stores walking long probe chains: keys that all share
# their first slot, some deleted (dummies in the chain), equal keys of
# another object (1.0 and True for 1, strs built at run time), missing keys.
chain = {}
for j in range(24):
    chain[j * 1024] = j
for j in range(0, 24, 3):
    del chain[j * 1024]
chain[1] = "one"
hits, missing = 0, 0
for i in range(2000):
    k = (i % 24) * 1024
    try:
        chain[k] = chain[k] + 1
        hits += 1
    except KeyError:
        missing += 1
    chain[[1, 1.0, True][i % 3]] = i
    name = "k" + str(i % 4)
    chain[name] = chain.get(name, 0) + 1
print("chains", hits, missing, chain[1], chain[23 * 1024], [chain["k" + str(j)] for j in range(4)])
print("chain keys", list(chain)[:5], len(chain))

# dict.get natively: with and without a default, missing keys, an
# unhashable key (TypeError), a receiver that stops being a dict.
src = {"a": 1, 2: "two", (1, 2): "pair"}
found = []
for i in range(600):
    k = ["a", 2, (1, 2), "zz", 7][i % 5]
    found.append(src.get(k))
    found.append(src.get(k, -1))
    if i % 150 == 149:
        try:
            src.get([i])
        except TypeError as e:
            found.append(str(e))
print("get", found[:10], len(found), found[-1])
recvs = [{"x": 1}, {"x": 2}, "nodict"]
got = []
for i in range(300):
    try:
        got.append(recvs[i // 100].get("x", 0))
    except AttributeError as e:
        got.append(str(e))
print("get receivers", got[0], got[150], got[-1], len(got))
