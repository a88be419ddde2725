# Session 9 (s9-float): calls inside float loops. `lo + i * h` with `h` a
# local not known to hold a float (checked and unboxed by its load; `h`
# rebound to an int, a bool and a str mid-loop leaves through the mixed
# operation's exit); an inlined callee whose locals are all small ints
# (its frame popped without releasing them; a float argument, a big int
# and a callee that raises); a closure called in a float loop (rebound
# mid-loop to another closure and to a plain function).


def integrate(f, lo, hi, steps):
    h = (hi - lo) / steps
    total = 0.5 * (f(lo) + f(hi))
    i = 1
    while i < steps:
        total += f(lo + i * h)
        i += 1
    return total * h


def poly(x):
    return x * x * 0.5 + x


print(integrate(poly, -1.0, 1.0, 40))
print(integrate(poly, 0.0, 3.0, 41))


def rebinds(n, h):
    # `h` turns into an int, a bool, then a str (TypeError) mid-loop.
    out = []
    i = 1
    total = 0.0
    while i < n:
        total += 1.0 + i * h
        if i == 20:
            h = 3
        elif i == 30:
            h = True
        elif i == 40:
            h = 0.25
        i += 1
    out.append(total)
    try:
        i = 1
        while i < n:
            total += 1.0 + i * h
            if i == 25:
                h = "x"
            i += 1
    except TypeError as e:
        out.append(str(e))
    out.append(total)
    return out


print(rebinds(50, 0.5))


def minus_and_div(n, h):
    # The other operators with the int on the left: `i - h`, `i / h`
    # (a zero divisor mid-loop: ZeroDivisionError from tier 1), `i ** h`;
    # `float * int` (an int past 2**53 rounds as tier 1 rounds it).
    acc = 0.0
    i = 1
    while i < n:
        acc += (i - h) + (i ** h) + (i * 0.5) * i + (2 ** 53 + i) * 0.5
        i += 1
    try:
        i = 1
        while i < n:
            acc += i / h
            if i == 30:
                h = 0.0
            i += 1
    except ZeroDivisionError as e:
        print("ZeroDivisionError:", e)
    return acc, 2 ** 60 * h, (2 ** 53 + 1) * 1.0


print(minus_and_div(45, 1.5))
print(minus_and_div(45, float("inf")))
print(minus_and_div(45, float("nan")))


def a(i, j):
    return 1.0 / ((i + j) * (i + j + 1) // 2 + i + 1)


def row(v, i, n):
    # spectral_norm's inner loop: `a` is inlined, its frame pushed with
    # its two arguments and popped clean (both locals small ints).
    s = 0.0
    for j in range(n):
        s += a(i, j) * v[j]
    return s


v = [1.0 + k * 0.125 for k in range(40)]
print([row(v, i, 40) for i in range(3)])


def odd_args(n):
    # A float argument (the callee's int guard leaves inside the inlined
    # frame), a big int argument (its `+` overflows), a bool.
    s = 0.0
    for j in range(n):
        x = j
        if j == 17:
            x = 2.5
        elif j == 23:
            x = 2 ** 70
        elif j == 29:
            x = True
        s += a(x, j)
    return s


print(odd_args(40))


def inv(j):
    return 1.0 / (j - 30)


def inv3(i, j, k):
    return (i - j + k) * 0.5


def half(i):
    t = i * 0.5
    return t


def raising(n):
    # ZeroDivisionError raised inside the inlined callee, caught here.
    s = 0.0
    try:
        for j in range(n):
            s += inv(j) + inv3(j, 1, 2) + half(j)
    except ZeroDivisionError as e:
        print("ZeroDivisionError:", e, s)
    return s


print(raising(40))


def iterators(n):
    # A list loop's copy does not guard its iterator again: the body
    # advances the same iterator (`next(it)`), shrinks and grows the list
    # under it, and a tuple loop.
    xs = [k * 0.25 for k in range(n)]
    it = iter(xs)
    acc = 0.0
    for x in it:
        acc = acc * 0.5 + x
        if x == 2.5:
            next(it)
        if len(xs) > n - 5:
            xs.pop()
        elif x == 4.0:
            xs.append(100.0)
    for y in (0.5, 1.5, 2.5, 3.5, 4.5, 5.5, 6.5, 7.5, 8.5, 9.5):
        acc = acc * 0.5 + y
    return acc, len(xs)


print(iterators(40))


def make_poly(scale):
    coeffs = [scale * (k + 1) / (k + 2.0) for k in range(8)]

    def evaluate(x):
        acc = 0.0
        for c in coeffs:
            acc = acc * x + c
        return acc

    return evaluate


def plain(x):
    return x * 0.5


def as_int(x):
    return 3


def integrate_closures(fs, lo, hi, steps):
    # float_poly's shape: a closure with a loop called natively in a float
    # loop, `total += f(...)` with both operands boxed. The closure is
    # rebound to another of the same code, then to a plain function, then
    # to one returning an int; a list keeps `total`'s box for a while.
    h = (hi - lo) / steps
    total = 0.0
    keep = []
    f = fs[0]
    i = 1
    while i < steps:
        total += f(lo + i * h)
        if i == steps // 3:
            f = fs[1]
        elif i == steps // 2:
            f = fs[2]
            keep.append(total)
        elif i == steps - 5:
            f = fs[3]
        elif i == steps - 100:
            keep.clear()
        i += 1
    return total * h, keep


print(integrate_closures([make_poly(0.5), make_poly(0.75), plain, as_int], -1.0, 1.0, 1500))
