# collections: deque, defaultdict, Counter as CPython prints them.
import collections
from collections import deque, defaultdict, Counter

d = deque([1, 2, 3])
d.append(4)
d.appendleft(0)
print(d, len(d), d[0], d[-1], 3 in d, 9 in d, bool(d), bool(deque()))
print(d.pop(), d.popleft(), d)
d.extend([5, 6])
d.extendleft("ab")
print(d, list(d), d.count(5), d.index(5), d.index(2, 1))
d.rotate(2)
print(d)
d.rotate(-3)
print(d)
d.rotate()
print(d)
d[0] = "x"
del d[1]
print(d, d == deque(d), d == list(d), deque() == deque())
d.remove(5)
d.reverse()
d.insert(1, "ins")
print(d, d.copy(), sorted(deque([3, 1, 2])), list(reversed(deque([1, 2, 3]))))
d.clear()
print(d, len(d))
m = deque(range(10), maxlen=3)
print(m, m.maxlen, deque().maxlen)
m.append(10)
m.appendleft(-1)
print(m)
m.extend(range(20, 25))
print(m)
m.extendleft([7, 8])
print(m, deque([1, 2], 0), deque("hello", maxlen=2))
print(type(d), type(d) == deque, isinstance(d, deque), isinstance([], deque))
print(repr(deque([deque([1]), "s", 1.5])))
q = deque()
total = 0
for i in range(3000):
    q.append(i)
    if len(q) > 10:
        total += q.popleft()
print(total, len(q), sum(q))
tot = 0
for x in deque(range(100)):
    tot += x
print(tot)
# BFS, the typical use.
graph = {0: [1, 2], 1: [3], 2: [3, 4], 3: [5], 4: [5], 5: []}
seen = {0}
order = []
work = deque([0])
while work:
    n = work.popleft()
    order.append(n)
    for nb in graph[n]:
        if nb not in seen:
            seen.add(nb)
            work.append(nb)
print(order)

dd = defaultdict(int)
for w in "the quick brown fox jumps over the lazy dog the end".split():
    dd[w] += 1
print(dd)
print(dd["the"], dd["missing"], len(dd), "missing" in dd, "nope" in dd)
print(sorted(dd.items()), list(dd.keys())[:3], sum(dd.values()))
dl = defaultdict(list)
for i in range(10):
    dl[i % 3].append(i)
print(dl, dl[0], dict(dl))
ds = defaultdict(set)
ds["a"].add(1)
ds["a"].add(1)
ds["b"].add(2)
print(ds)
dlam = defaultdict(lambda: "default")
dlam["x"] = "set"
print(dlam["x"], dlam["y"], len(dlam), sorted(dlam))
dnone = defaultdict(None, {"a": 1})
print(dnone, dnone.default_factory, dl.default_factory)
try:
    dnone["b"]
except KeyError as e:
    print("KeyError", e)
print(defaultdict(int, {"a": 1}) == {"a": 1}, type(dd), isinstance(dd, dict), isinstance(dd, defaultdict))
print(defaultdict(int, [("a", 1), ("b", 2)]), defaultdict(float), dd.get("the"), dd.get("zz", 0))
dc = dd.copy()
dc["new"] += 5
print(type(dc), dc["new"], "new" in dd)
for k in dd:
    dd[k] *= 2
print(dd.pop("the"), dd.setdefault("q", 7), dd)
hot = defaultdict(int)
for i in range(5000):
    hot[i % 7] += i
print(hot)
nested = defaultdict(lambda: defaultdict(int))
nested["a"]["b"] += 1
nested["a"]["c"] += 2
print(dict(nested["a"]), len(nested))

c = Counter("abracadabra")
print(c)
print(c["a"], c["z"], c.most_common(2), c.most_common(), len(c))
c.update("aaz")
print(c, c.total())
c.subtract({"a": 10})
print(c)
print(Counter([3, 1, 2, 3, 1, 3]), Counter({"x": 2, "y": 5}), Counter(a=1, b=3), Counter())
words = "one two three two three three four four four four".split()
wc = Counter(words)
print(wc.most_common(3), sorted(wc.elements()), type(wc), isinstance(wc, Counter), isinstance(wc, dict))
print(Counter("aab") + Counter("abc"), Counter("aaab") - Counter("ab"), Counter("ab") - Counter("aab"))
cc = wc.copy()
cc["one"] += 10
print(cc["one"], wc["one"], "five" in wc, wc["five"], "five" in wc)
ties = Counter("dcba" * 2 + "e")
print(ties.most_common(), ties)
hotc = Counter()
for i in range(4000):
    hotc[i % 5] += 1
print(hotc)
print(Counter(i % 3 for i in range(10)))


def err(f):
    try:
        f()
    except Exception as e:
        print(repr(e))


err(lambda: deque().pop())
err(lambda: deque().popleft())
err(lambda: deque([1])[5])
err(lambda: deque([1]).index(7))
err(lambda: deque([1]).remove(7))
err(lambda: deque(maxlen=-1))
err(lambda: deque([1], 1).insert(0, 2))
err(lambda: defaultdict(5))
err(lambda: {deque(): 1})
err(lambda: collections.nosuch)


def mutate():
    dq = deque([1, 2, 3])
    for x in dq:
        dq.append(x)


err(mutate)
