from collections import defaultdict, Counter, deque
import random, itertools, heapq
class Node:
    def __init__(self, v): self.v = v
    def __lt__(self, o): return self.v < o.v
    def __repr__(self): return f"Node({self.v})"
random.seed(5)
h = []
for _ in range(10):
    heapq.heappush(h, Node(random.randint(1, 100)))
print([heapq.heappop(h) for _ in range(3)])
d = defaultdict(list)
for i, w in enumerate("a b a c b a".split()):
    d[w].append(i)
print(d, d.default_factory, Counter("abracadabra").most_common(2))
q = deque(maxlen=3); q.extend(range(5)); print(q, q.maxlen, type(q).__name__, type(iter(q)))
def gen():
    yield from itertools.islice(itertools.count(10, 5), 4)
print(list(gen()), frozenset({1, 2}) | {3}, type(itertools.count()).__name__)
print(sorted(Counter(x % 3 for x in range(10)).items()))
