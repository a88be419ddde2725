# import math / sys: values and errors as CPython prints them.
import math
import math as m
from math import sqrt, pi, floor as fl
import sys

print(math.sqrt(2), sqrt(16), m.pi, pi, math.e, math.tau, math.inf, -math.inf, math.nan)
print(math.floor(2.7), math.floor(-2.5), fl(3), math.ceil(2.1), math.ceil(-2.1), math.trunc(-2.9), math.trunc(7))
print(math.fabs(-3), math.pow(2, 10), math.pow(2.5, 0.5), math.exp(1), math.exp(0))
print(math.log(math.e), math.log(8, 2), math.log(100, 10), math.log2(1024), math.log10(1000), math.log10(2))
print(math.log(10**400), math.log2(2**300), math.log10(10**50))
print(math.sin(0.5), math.cos(0.5), math.tan(0.5), math.atan(1), math.atan2(1, -1), math.hypot(3, 4), math.hypot(1, 2, 2))
print(math.gcd(12, 18), math.gcd(0, 5), math.gcd(-4, 6), math.gcd(), math.gcd(2**70, 2**65 * 3))
print(math.isqrt(99), math.isqrt(10**30), math.factorial(10), math.factorial(25))
print(math.isclose(0.1 + 0.2, 0.3), math.isclose(1, 1.1), math.isclose(1, 1.05, rel_tol=0.1), math.isclose(0, 1e-10, abs_tol=1e-9))
print(math.isnan(math.nan), math.isnan(1.0), math.isinf(math.inf), math.isinf(-1e308 * 10), math.isinf(5), math.isfinite(2.0))
print(type(math.floor(2.5)), type(math.sqrt(4)), math.sqrt(4) == 2)
total = 0.0
for i in range(1, 2000):
    total += math.sqrt(i) * math.sin(i) + math.floor(i / 7)
print(round(total, 6))
print(sys, m is math, type(math) == type(sys))
print(len(sys.argv), sys.maxsize, sys.getrecursionlimit())
sys.stdout.write("written\n")
n = sys.stdout.write("abc")
print("", n)
sys.setrecursionlimit(3000)
print(sys.getrecursionlimit())


def deep(n):
    return 0 if n == 0 else 1 + deep(n - 1)


print(deep(2500))
errs = [
    lambda: math.sqrt(-1),
    lambda: math.log(0),
    lambda: math.log(-5, 2),
    lambda: math.log2(0),
    lambda: math.log10(-1),
    lambda: math.log(5, 1),
    lambda: math.exp(1000),
    lambda: math.pow(0, -1),
    lambda: math.pow(-8, 1 / 3),
    lambda: math.pow(10.0, 400),
    lambda: math.sin(math.inf),
    lambda: math.floor(math.inf),
    lambda: math.ceil(math.nan),
    lambda: math.isqrt(-1),
    lambda: math.factorial(-1),
    lambda: math.factorial(2.0),
    lambda: math.sqrt("x"),
    lambda: math.gcd(1.5, 2),
    lambda: math.nosuch,
    lambda: sys.setrecursionlimit(0),
]
for f in errs:
    try:
        print(f())
    except (ValueError, OverflowError, TypeError, ZeroDivisionError, AttributeError) as e:
        print(repr(e))
try:
    from math import nosuch
except ImportError as e:
    print(str(e).startswith("cannot import name 'nosuch' from 'math' ("))
try:
    import nosuchmodule
except ModuleNotFoundError as e:
    print(repr(e))
try:
    sys.exit(3)
except SystemExit as e:
    print("caught", repr(e))
print(math.sqrt(-4))
