def f(a, b=2, *args, c, d=4, **kw):
    return a, b, args, c, d, kw
print(f(1, c=3))
print(f(1, 2, 3, 4, c=5, e=6, d=7, f=8))
print(f(*[1, 2], *(3,), c=1, **{'z': 1}, y=2))
print(f(c=1, a=2, **{'b': 3}))
g = lambda *a, **k: (a, k)
print(g(), g(1, x=2), g(*range(3), **dict(q=1)))
def p(a, b, /, c, *, d):
    return a, b, c, d
print(p(1, 2, 3, d=4), p(1, 2, c=3, d=4))
def q(a, /, **kw): return a, kw
print(q(1, a=2))
def kwo(*, x, y=2): return x, y
print(kwo(x=1), kwo(y=3, x=4))
for t in [lambda: kwo(), lambda: kwo(1), lambda: kwo(1, x=2), lambda: kwo(z=1), lambda: p(1), lambda: p(1, 2), lambda: p(1,2,3), lambda: p(a=1, b=2, c=3, d=4),
          lambda: f(), lambda: f(1, 2, 3, c=1, a=1), lambda: (lambda *, a, b, c: 0)(), lambda: (lambda x, y, z, w: 0)(1), lambda: (lambda x: 0)(1, 2), lambda: (lambda: 0)(1), lambda: (lambda x=1: 0)(1, 2, 3),
          lambda: (lambda x, *, y: 0)(1, 2, y=3), lambda: (lambda x, *, y, z: 0)(1, 2, y=3, z=4), lambda: (lambda: 0)(x=1), lambda: print(**{'sep': 1}), lambda: print(1, 2, **{'sep': '-'})]:
    try:
        print(t())
    except TypeError as e:
        print("TypeError:", e)
def outer():
    def inner(*, k): return k
    return inner
try: outer()()
except TypeError as e: print(e)
print(outer()(k=5))
# Binding order and CPython's messages, checked one by one.
def f2(a, b=2, *, c, d=4): pass
def g2(a, /, b): pass
def h2(*args, **kw): return args, kw
def v2(*a, **k): pass
tests = [
    lambda: f2(),
    lambda: f2(1),
    lambda: f2(1, 2, 3),
    lambda: f2(1, 2, 3, c=1),
    lambda: f2(1, c=1, e=2),
    lambda: f2(1, a=1, c=2),
    lambda: g2(a=1, b=2),
    lambda: g2(1, 2, 3),
    lambda: f2(*1),
    lambda: f2(**1),
    lambda: f2(**{1: 2}),
    lambda: f2(**{'a': 1}, **{'a': 2}),
    lambda: f2(1, **{'a': 1}),
    lambda: h2(**{1: 2}),
    lambda: print(*1),
    lambda: print(**1),
    lambda: len(**{'a': 1}),
    lambda: f2(1, a=2, **{'a': 1}),
    lambda: v2(1, *1),
    lambda: v2(*[1], *1),
    lambda: v2(*1, 2),
    lambda: v2(a=1, **1),
    lambda: v2(**{}, **1),
    lambda: v2(**{1: 2}, **{1: 3}),
    lambda: v2(x=1, **{1: 2}),
    lambda: v2(**{'x': 1}, x=2),
    lambda: print(1, *1),
    lambda: (lambda x: x)(*1),
    lambda: (lambda a, b, c, d, e: 0)(1),
    lambda: (lambda *, a, b, c: 0)(a=1),
    lambda: (lambda a, b, /: 0)(b=1, a=2),
    lambda: "x".join(*5),
    lambda: [].append(**5),
]
for t in tests:
    try:
        print(t())
    except TypeError as e:
        print("TypeError:", e)
# Order: keywords, then positional count, then missing.
def order(a, b, *, c): return a, b, c
for t in [lambda: order(1, 2, 3, d=1), lambda: order(1, 2, 3, b=1), lambda: order(1), lambda: order(1, 2)]:
    try:
        t()
    except TypeError as e:
        print(e)
# Defaults are evaluated once, positional first, then keyword-only.
seq = []
def mark(x):
    seq.append(x)
    return x
def dflt(a=mark(1), *, b=mark(2), c=mark(3)):
    return a, b, c
print(seq, dflt(), dflt(0, c=9))
# *args is a tuple, **kwargs an insertion-ordered dict, fresh at each call.
def bag(*a, **k):
    k["n"] = len(a)
    return isinstance(a, tuple), list(k.items())
print(bag(3, 2, 1, z=1, y=2, x=3), bag(), bag(**{'b': 1, 'a': 2}))
base = {'q': 1}
print(bag(**base), base)
# Positional-only names may be keywords too when **kwargs catches them.
def po(a, b, /, **kw): return a, b, kw
print(po(1, 2, a=3, b=4))
# Calls of builtins with * and **.
print(*[1, 2], sep="-", **{'end': "!\n"})
print(max(*[3, 1, 2], **{'key': lambda v: -v}))
print(sorted(*[[3, 1, 2]], **{'reverse': True}))
