# Instances freed and made again (the instance free list reuses an
# instance's memory and its emptied dict): no attribute of a dead instance
# may show through in a new one, a dict still referenced (vars(obj)) must
# outlive its instance, and big or deleted-from dicts must behave.


class P:
    def __init__(self, x, y):
        self.x = x
        self.y = y


class Q:
    pass


class Big:
    def __init__(self, n):
        for i in range(n):
            setattr(self, "a" + str(i), i)


def churn(n):
    t = 0
    for i in range(n):
        p = P(i, i + 1)
        t += p.x + p.y
    return t


print(churn(1000))

# A fresh instance of another class after P's were freed: empty dict.
q = Q()
print(vars(q), hasattr(q, "x"), hasattr(q, "y"))
q.z = 3
print(vars(q))

# The dict kept alive past its instance.
p = P(1, 2)
d = vars(p)
del p
print(d)
p2 = P(5, 6)
print(d, vars(p2))
d["w"] = 9
print(d, vars(p2))

# Deleted attributes, then reuse.
ps = [P(i, -i) for i in range(100)]
for p in ps:
    del p.x
print(vars(ps[3]), hasattr(ps[3], "x"))
del ps
fresh = [P(i, i * 2) for i in range(100)]
print(sum(p.x for p in fresh), sum(p.y for p in fresh), vars(fresh[7]))
del fresh

# Big dicts (many attributes), freed and replaced by small ones.
bs = [Big(40) for _ in range(5)]
print(bs[2].a39, len(vars(bs[2])))
del bs
small = [Q() for _ in range(10)]
print([vars(s) for s in small[:3]])

# Attribute order after reuse follows insertion, as CPython's.
for i in range(3):
    r = P(i, i)
    r.c = 1
    r.b = 2
    print(list(vars(r)))

# Instances holding instances (freeing one frees the other inside).
class Node:
    def __init__(self, v, nxt):
        self.v = v
        self.nxt = nxt


def chain(n):
    head = None
    for i in range(n):
        head = Node(i, head)
    return head


for k in range(3):
    h = chain(200)
    s = 0
    while h is not None:
        s += h.v
        h = h.nxt
    print(s)
print(churn(500), vars(Q()))


# __init__ called directly (exact positional arguments) and generally.
class R:
    def __init__(self, a, b):
        self.s = a + b


class D:
    def __init__(self, a, b=10):
        self.s = a + b


class K:
    def __init__(self, a, *, k):
        self.s = a * k


class Cell:
    def __init__(self, a):
        self.get = lambda: self.a
        self.a = a


class BadInit:
    def __init__(self, a):
        return a


class Raises:
    def __init__(self, a):
        self.a = a
        raise ValueError("no " + str(a))


class Deep:
    def __init__(self, n):
        self.child = Deep(n - 1) if n > 0 else None


print(R(1, 2).s, R(b=3, a=4).s, D(1).s, D(1, 2).s, K(3, k=4).s, Cell(7).get())
for args in [(1,), (1, 2, 3)]:
    try:
        R(*args)
    except TypeError as e:
        print("TypeError", e)
try:
    BadInit(5)
except TypeError as e:
    print("TypeError", e)
print(BadInit(None).__class__.__name__)
for i in range(3):
    try:
        Raises(i)
    except ValueError as e:
        print("ValueError", e)
d = Deep(50)
n = 0
while d is not None:
    n += 1
    d = d.child
print(n)
try:
    Deep(100000)
except RecursionError as e:
    print("RecursionError", e)
print(churn(300), vars(Q()))


# __init__ changed after instances were made (the class's cached __init__
# must follow), on the class and on a base.
class Base:
    def __init__(self, a):
        self.a = a


class Sub(Base):
    pass


print(vars(Sub(1)), vars(Base(2)))


def init2(self, a):
    self.b = a * 2


Base.__init__ = init2
print(vars(Sub(1)), vars(Base(2)))
Sub.__init__ = lambda self, a: setattr(self, "c", a)
print(vars(Sub(3)), vars(Base(3)))
del Sub.__init__
print(vars(Sub(4)))
del Base.__init__
try:
    Sub(5)
except TypeError as e:
    print("TypeError", e)
print(vars(Sub()))
