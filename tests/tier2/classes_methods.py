# Hot loops through user classes: instance attribute loads and stores,
# method calls, a property, operator methods; then every way out of tier 1's
# attribute caches (and so of the traces that run them): a class attribute
# rebound mid-loop (version tag), an instance attribute shadowing a method,
# a receiver of another class at the same site, an attribute deleted, and an
# error raised from a method inside the loop.


class Acc:
    scale = 1

    def __init__(self, start):
        self.total = start
        self.n = 0

    def add(self, v):
        self.total = self.total + v * self.scale
        self.n += 1
        return self.total

    @property
    def mean(self):
        return self.total // max(self.n, 1)


class Other:
    def __init__(self):
        self.total = 0
        self.n = 0

    def add(self, v):
        self.total -= v
        return self.total


class Pt:
    def __init__(self, x, y):
        self.x = x
        self.y = y

    def __add__(self, o):
        return Pt(self.x + o.x, self.y + o.y)


def plain(n):
    a = Acc(0)
    s = 0
    for i in range(n):
        s += a.add(i) + a.n
    return s, a.total, a.mean


def rebind_class_attr(n):
    a = Acc(0)
    for i in range(n):
        if i == n // 2:
            Acc.scale = 3
        a.add(i)
    Acc.scale = 1
    return a.total


def shadow_method(n):
    a = Acc(0)
    out = 0
    for i in range(n):
        if i == n // 2:
            a.add = lambda v: -v
        out += a.add(i)
    return out


def polymorphic(n):
    objs = [Acc(1), Other(), Acc(2)]
    s = 0
    for i in range(n):
        o = objs[i % 3] if i > n // 2 else objs[0]
        s += o.add(i)
    return s, [o.total for o in objs]


def delete_attr(n):
    a = Acc(0)
    s = 0
    for i in range(n):
        if i == n - 5:
            del a.total
            a.total = 100
        s += a.total
        a.total = i
    return s


def raises(n):
    a = Acc(0)
    try:
        for i in range(n):
            if i == n - 3:
                a.add("x")
            a.add(i)
    except TypeError as e:
        return str(e), a.n


def vectors(n):
    p = Pt(0, 0)
    d = Pt(1, 2)
    for i in range(n):
        p = p + d
        p.x = p.x % 1000
    return p.x, p.y


N = 3000
print(plain(N))
print(rebind_class_attr(N))
print(shadow_method(N))
print(polymorphic(N))
print(delete_attr(N))
print(raises(N))
print(vectors(N))
