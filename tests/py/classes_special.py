class V:
    def __init__(self, x, y):
        self.x = x; self.y = y
    def __repr__(self):
        return f"V({self.x}, {self.y})"
    def __add__(self, o):
        if isinstance(o, V):
            return V(self.x + o.x, self.y + o.y)
        return NotImplemented
    def __radd__(self, o):
        if o == 0:
            return self
        return NotImplemented
    def __sub__(self, o):
        return V(self.x - o.x, self.y - o.y)
    def __mul__(self, k):
        return V(self.x * k, self.y * k)
    __rmul__ = __mul__
    def __neg__(self):
        return V(-self.x, -self.y)
    def __eq__(self, o):
        return isinstance(o, V) and self.x == o.x and self.y == o.y
    def __hash__(self):
        return hash((self.x, self.y))
    def __lt__(self, o):
        if not isinstance(o, V):
            return NotImplemented
        return (self.x, self.y) < (o.x, o.y)
    def __len__(self):
        return 2
    def __getitem__(self, i):
        return (self.x, self.y)[i]
    def __bool__(self):
        return self.x != 0 or self.y != 0
    def __iter__(self):
        return iter((self.x, self.y))

a = V(1, 2); b = V(3, 4)
print(a + b, a - b, a * 3, 3 * a, -a)
print(a == V(1, 2), a != V(1, 2), a == b, a != b, a == 5)
print(sum([a, b, V(1, 1)]))
print(sorted([b, a, V(0, 9)]))
print(max([a, b]), min(a, b))
print({a: 1, V(1, 2): 2})
print(len(a), a[0], a[1], list(a), bool(a), bool(V(0, 0)))
x, y = b
print(x, y)
print(str(a), [a], (a,), {"k": a})
print(f"{a} {a!r}")
s = {a, V(1, 2), b}
print(len(s))
try:
    a < 3
except TypeError as e:
    print(e)
try:
    a + 1
except TypeError as e:
    print(e)
try:
    1 - a
except TypeError as e:
    print(e)
if a:
    print("truthy")
class NoHash:
    def __eq__(self, o):
        return True
try:
    hash(NoHash())
except TypeError as e:
    print(e)
print(NoHash() == 3, NoHash() != 3)

class Box:
    def __init__(self):
        self.d = {}
    def __setitem__(self, k, v):
        self.d[k] = v
    def __getitem__(self, k):
        return self.d[k]
    def __contains__(self, k):
        return k in self.d
    def __delitem__(self, k):
        del self.d[k]
    def __str__(self):
        return "Box" + str(self.d)
bx = Box()
bx["a"] = 1
bx["b"] = 2
print(bx["a"], "a" in bx, "z" in bx, "z" not in bx)
del bx["a"]
print(bx, str(bx))
print(repr(bx)[:14])

class Count:
    def __init__(self, n):
        self.n = n
        self.i = 0
    def __iter__(self):
        return self
    def __next__(self):
        if self.i >= self.n:
            raise StopIteration
        self.i += 1
        return self.i
print(list(Count(3)))
for v in Count(4):
    print(v, end=" ")
print()
print(sum(Count(10)), [x * 2 for x in Count(3)])
it = iter(Count(2))
print(next(it), next(it), next(it, "done"))

class Adder:
    def __init__(self, k):
        self.k = k
    def __call__(self, x):
        return x + self.k
add5 = Adder(5)
print(add5(10), list(map(add5, [1, 2])), callable(add5), callable(a))

class Acc:
    def __init__(self):
        self.v = []
    def __iadd__(self, o):
        self.v.append(o)
        return self
acc = Acc()
acc += 1
acc += 2
print(acc.v)
class Seq:
    def __getitem__(self, i):
        if i >= 3:
            raise IndexError(i)
        return i * 10
print(list(Seq()), 20 in Seq())
