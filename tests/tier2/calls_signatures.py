# Hot calls of functions whose parameters are not only positional: every
# tier-2 call path (inlining with _PUSH_FRAME, native _CALL_EXECUTOR of a
# function-entry trace, the base-case leaf calls) must refuse them and
# leave the binding to tier 1, which fills keyword-only defaults, packs
# *args and **kwargs, and raises CPython's errors.


def kwonly(a, *, b=1):
    return a + b


def star(*args):
    return len(args)


def kw(**k):
    return len(k)


def required(a, *, b):
    return a * b


def rec(n, *, step=1):
    if n < 2:
        return n
    return rec(n - step) + rec(n - 2 * step)


def leaf(n, *rest):
    if n < 2:
        return n
    return leaf(n - 1) + leaf(n - 2)


def leafkw(n, **k):
    if n < 2:
        return n
    return leafkw(n - 1) + leafkw(n - 2)


def wrap(f):
    def w(*a, **k):
        return f(*a, **k)
    return w


@wrap
def wrapped(x, y=2):
    return x * y


def loop():
    total = 0
    for i in range(3000):
        total += kwonly(i)
        total += star(i, i)
        total += star()
        total += kw()
        total += kwonly(i, b=2)
        total += wrapped(i)
        total += wrapped(i, y=3)
    return total


def errors():
    s = 0
    for i in range(200):
        try:
            s += required(i)
        except TypeError as e:
            s += len(str(e))
        try:
            s += kwonly(i, i)
        except TypeError as e:
            s += len(str(e))
    return s


print(loop())
print(errors())
print(rec(16), rec(16, step=1), leaf(16), leaf(16, 0), leafkw(16), leafkw(16, z=1))
