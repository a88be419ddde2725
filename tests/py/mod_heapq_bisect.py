# heapq and bisect: CPython's sift and bisection orders.
import heapq
import bisect
from heapq import heappush, heappop, heapify
from bisect import bisect_left, bisect_right, insort

h = []
for x in [5, 3, 8, 1, 9, 2, 7, 3, 3, 0, 6]:
    heappush(h, x)
    print(h)
print([heappop(h) for _ in range(len(h))], h)
data = [9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 5, 5, 1]
heapify(data)
print(data)
print(heapq.heapreplace(data, 4), data)
print(heapq.heappushpop(data, -1), heapq.heappushpop(data, 6), data)
big = [(i * 7919) % 1009 for i in range(3000)]
heapify(big)
print(big[:20], big[-10:])
out = []
while big:
    out.append(heappop(big))
print(out == sorted(out), out[:5], out[-5:])
t = []
for w in "the quick brown fox jumps over the lazy dog".split():
    heappush(t, (len(w), w))
print(t, [heappop(t) for _ in range(3)])
print(heapq.nlargest(3, [1, 8, 2, 9, 3, 9]), heapq.nsmallest(4, [5, 1, 4, 1, 3]), heapq.nlargest(0, [1]))
print(heapq.nlargest(2, ["aa", "b", "ccc", "dd"], key=len), heapq.nsmallest(2, ["aa", "b", "ccc", "dd", "e"], key=len))
print(heapq.nlargest(10, range(5)), heapq.nsmallest(3, {3: 1, 1: 2, 2: 3}))
# Dijkstra, the typical use (a hot loop of heap calls).
import random
random.seed(5)
n = 300
adj = [[] for _ in range(n)]
for _ in range(2000):
    a, b, w = random.randrange(n), random.randrange(n), random.randint(1, 50)
    adj[a].append((b, w))
    adj[b].append((a, w))
dist = [10**9] * n
dist[0] = 0
pq = [(0, 0)]
while pq:
    d, u = heappop(pq)
    if d > dist[u]:
        continue
    for v, w in adj[u]:
        if d + w < dist[v]:
            dist[v] = d + w
            heappush(pq, (d + w, v))
print(sum(dist), max(dist), dist[:10])

a = [1, 2, 4, 4, 4, 7, 9]
print([bisect_left(a, x) for x in range(11)], [bisect_right(a, x) for x in range(11)])
print(bisect.bisect(a, 4), bisect.bisect(a, 4, 0, 3), bisect_left(a, 4, 4), bisect_left(a, 4, hi=2), bisect_left(a, 5, lo=1, hi=None))
b = []
for x in [5, 1, 4, 1, 5, 9, 2, 6, 5, 3]:
    insort(b, x)
print(b)
bisect.insort_left(b, 5)
bisect.insort_right(b, 5.0)
print(b)
recs = [("a", 1), ("b", 3), ("c", 5)]
print(bisect_left(recs, 3, key=lambda r: r[1]), bisect_right(recs, 3, key=lambda r: r[1]))
bisect.insort(recs, ("x", 4), key=lambda r: r[1])
print(recs, bisect_left("acegi", "d"), bisect_right((1, 2, 3), 2), bisect_left(range(0, 100, 5), 42))
grades = [60, 70, 80, 90]
print(["FDCBA"[bisect.bisect(grades, s)] for s in [33, 99, 77, 70, 89, 90, 100]])
tot = 0
srt = list(range(0, 3000, 3))
for i in range(3000):
    tot += bisect_left(srt, i)
print(tot)


def err(f):
    try:
        f()
    except Exception as e:
        print(repr(e))


err(lambda: heappop([]))
err(lambda: heapq.heapreplace([], 1))
err(lambda: heappush((), 1))
err(lambda: heapify(None))
err(lambda: heappush([1, "a"], 2))
err(lambda: bisect_left([1], 1, -1))
err(lambda: bisect_left([1, "a"], 2))
err(lambda: heapq.nosuch)
