class P:
    instances = 0
    def __init__(self, r):
        self._r = r
        P.instances += 1
    @property
    def r(self):
        return self._r
    @r.setter
    def r(self, v):
        if v < 0:
            raise ValueError("negative")
        self._r = v
    @property
    def area(self):
        return 3 * self._r ** 2
    @staticmethod
    def unit():
        return P(1)
    @classmethod
    def make(cls, r):
        return cls(r)
    @classmethod
    def count(cls):
        return cls.instances

p = P(2)
print(p.r, p.area)
p.r = 5
print(p.r, p.area)
try:
    p.r = -1
except ValueError as e:
    print("err", e)
try:
    p.area = 3
except AttributeError as e:
    print(e)
try:
    del p.area
except AttributeError as e:
    print(e)
print(P.unit().r, p.unit().r, P.make(7).r, p.make(8).area, P.count())
class Q(P):
    pass
print(type(Q.make(1)).__name__, Q.count())

def deco(f):
    def w(*a):
        return f(*a) * 2
    return w
def tag(name):
    def d(f):
        def w(*a):
            return name + ":" + str(f(*a))
        return w
    return d
@tag("t")
@deco
def g(x):
    return x + 1
print(g(3))
class K:
    @deco
    def m(self, x):
        return x
print(K().m(4))
