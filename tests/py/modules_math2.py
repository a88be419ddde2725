# The rest of math: hyperbolics, fsum, prod, comb/perm/lcm, decompositions.
import math

xs = [0.0, 0.5, -0.5, 1.0, 2.5, -3.75, 10.0, 1e-10]
print([math.sinh(x) for x in xs])
print([math.cosh(x) for x in xs])
print([math.tanh(x) for x in xs])
print([math.asinh(x) for x in xs])
print([math.acosh(x) for x in [1.0, 1.5, 2.0, 10.0, 1e10]])
print([math.atanh(x) for x in [0.0, 0.5, -0.9, 1e-10]])
print([math.expm1(x) for x in xs], [math.log1p(x) for x in [0.0, 1e-10, 0.5, 3.0]])
print(math.cbrt(-8.0), [math.exp2(x) for x in [0.5, 10, -3]])
print(math.degrees(math.pi), math.radians(180), math.degrees(1), math.radians(45))
print(math.copysign(3, -0.0), math.copysign(-2.5, 1), math.fmod(7, 3), math.fmod(-7, 3), math.fmod(7.5, -2), math.fmod(3, math.inf))
print(math.remainder(7, 3), math.remainder(8, 3), math.remainder(-7.5, 2), math.remainder(5, math.inf))
print(math.modf(3.75), math.modf(-2.5), math.modf(4.0), math.modf(-0.0), math.modf(math.inf))
print(math.frexp(8), math.frexp(0.1), math.frexp(-3.5), math.frexp(0.0), math.frexp(5e-324))
print(math.ldexp(0.5, 4), math.ldexp(1, -1074), math.ldexp(1, -1080), math.ldexp(3, 1000), math.ldexp(-0.0, 5))
print(math.fsum([0.1] * 10), sum([0.1] * 10), math.fsum([1e100, 1.0, -1e100, 1e-100, 1e50, -1.0, -1e50]), math.fsum([]))
print(math.fsum([1, 2, 3]), math.fsum([math.inf, 1.0]), math.fsum(x / 7 for x in range(100)), math.fsum([2.0**53, 1.0, 2.0**-52]))
print(math.prod([1, 2, 3, 4]), math.prod([]), math.prod([1.5, 2]), math.prod(range(1, 25)), math.prod([2, 3], start=10))
print(math.comb(10, 3), math.comb(52, 5), math.comb(3, 5), math.perm(5, 2), math.perm(5), math.perm(100, 3))
print(math.lcm(4, 6), math.lcm(), math.lcm(0, 5), math.lcm(-4, 6, 10), math.lcm(2**40, 3**20))


def err(f):
    try:
        f()
    except Exception as e:
        print(repr(e))


err(lambda: math.acosh(0.5))
err(lambda: math.atanh(1))
err(lambda: math.log1p(-1))
err(lambda: math.fmod(1, 0))
err(lambda: math.fmod(math.inf, 1))
err(lambda: math.remainder(1, 0))
err(lambda: math.ldexp(1.0, 5000))
err(lambda: math.ldexp(1.0, 1.5))
err(lambda: math.fsum([math.inf, -math.inf]))
err(lambda: math.fsum([1e308, 1e308]))
err(lambda: math.comb(-1, 2))
err(lambda: math.perm(3, -1))
err(lambda: math.sinh(1000))
err(lambda: math.cosh(1e5))
