def deco(f):
    def w(*a, **k):
        print("call", f.__name__, a[1:], k)
        return f(*a, **k)
    return w
class P:
    @deco
    def m(self, x, *, y=2):
        return x + y
    @staticmethod
    def s(*args):
        return sum(args)
    def __init__(self, *parts, **opts):
        self.parts = parts
        self.opts = opts
p = P(1, 2, k=3)
print(p.parts, p.opts, p.m(1, y=5), P.s(1, 2, 3), getattr(p, "parts"), hasattr(p, "zz"))
setattr(p, "q", 9); print(p.q, type(p).__name__, type(p.m).__name__)
def gen(*xs, **kw):
    for x in xs:
        yield x * kw.get("f", 1)
print(list(gen(1, 2, f=3)), {**{"a": 1}, "b": 2}, [*range(3), 9])
try:
    P.m(p)
except TypeError as e:
    print(e)
