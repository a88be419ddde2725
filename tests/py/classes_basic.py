class C:
    """doc"""
    count = 0
    def __init__(self, x, y=2):
        self.x = x
        self.y = y
    def total(self):
        return self.x + self.y
    def scale(self, k=2):
        return C(self.x * k, y=self.y * k)

c = C(1)
print(c.x, c.y, c.total())
d = c.scale()
print(d.total(), d.scale(k=3).total())
m = c.total
print(m())
print(C.count, c.count)
C.count += 1
print(C.count, c.count)
c.count = 10
print(C.count, c.count)
print(type(c).__name__, type(c) is C, c.__class__ is C)
print(isinstance(c, C), isinstance(c, (int, C)), isinstance(3, C), isinstance(c, object))
print(C)
print(repr(c)[:20])
try:
    c.nope
except AttributeError as e:
    print(e)
try:
    C.nope
except AttributeError as e:
    print(e)
del c.x
try:
    print(c.x)
except AttributeError as e:
    print(e)
print(vars(d))
print(d.__dict__)
class E:
    pass
e = E()
e.a = 1
print(e.a)
try:
    E(1)
except TypeError as ex:
    print(ex)
# Attribute errors, exactly as CPython words them.
class F:
    def __init__(self):
        self.a = 1
f = F()
for name in ("b", "__x"):
    try:
        getattr(f, name)
    except AttributeError as ex:
        print(ex)
print(getattr(f, "zz", "default"), hasattr(f, "a"), hasattr(f, "q"))
setattr(f, "q", 5)
print(f.q, hasattr(f, "q"))
try:
    del f.nothere
except AttributeError as ex:
    print(ex)
try:
    F.missing
except AttributeError as ex:
    print(ex)
try:
    F(1, 2)
except TypeError as ex:
    print(ex)
class G:
    def __init__(self, a, b=2):
        self.s = a + b
try:
    G()
except TypeError as ex:
    print(ex)
try:
    G(1, 2, 3)
except TypeError as ex:
    print(ex)
try:
    G(1, c=3)
except TypeError as ex:
    print(ex)
print(G(1).s, G(1, b=10).s, G(b=1, a=2).s)
class R:
    def __init__(self):
        return 3
try:
    R()
except TypeError as ex:
    print(ex)
try:
    f()
except TypeError as ex:
    print(ex)
try:
    f + 1
except TypeError as ex:
    print(ex)
try:
    len(f)
except TypeError as ex:
    print(ex)
try:
    f[0]
except TypeError as ex:
    print(ex)
try:
    for _ in f:
        pass
except TypeError as ex:
    print(ex)
try:
    -f
except TypeError as ex:
    print(ex)
print(f == f, f != F(), f is f, bool(f), hash(f) == hash(f))
print(F.__name__, F.__qualname__)
bm = f.__init__
print(bm.__self__ is f, bm.__func__ is F.__init__)
print(str(F.__init__).startswith("<function F.__init__ at"))
print(str(f.__init__).startswith("<bound method F.__init__ of <__main__.F object at"))
class Shadow:
    def m(self):
        return "method"
sh = Shadow()
print(sh.m())
sh.m = lambda: "instance attr"
print(sh.m())
del sh.m
print(sh.m())
Shadow.m = lambda self: "patched"
print(sh.m())
f.undefined_method_call_at_end()
