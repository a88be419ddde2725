# functools, operator, string and time.
import functools
import operator
import string
import time
from functools import reduce, lru_cache
from operator import add, mul, itemgetter

print(reduce(add, [1, 2, 3, 4]), reduce(mul, range(1, 10), 1), reduce(lambda a, b: a + b, ["x", "y"], "s"))
print(reduce(max, [3, 9, 2]), reduce(add, [], 0), reduce(add, [7]))
calls = 0


def fib(n):
    global calls
    calls += 1
    return n if n < 2 else fib(n - 1) + fib(n - 2)


fib = lru_cache(maxsize=None)(fib)
print(fib(80), calls)
print(fib(90), calls)


def sq(x):
    global calls
    calls += 1
    return x * x


calls = 0
sq2 = lru_cache(2)(sq)
print([sq2(x) for x in [1, 2, 1, 3, 1, 2, 4, 4]], calls)
sq3 = functools.cache(sq)
calls = 0
print([sq3(x % 3) for x in range(9)], calls)
sq4 = lru_cache(sq)
calls = 0
print(sq4(5), sq4(5), calls)


def paths(r, c):
    if r == 0 or c == 0:
        return 1
    return paths(r - 1, c) + paths(r, c - 1)


paths = lru_cache(None)(paths)
print(paths(16, 16))
print(operator.add(2, 3), operator.sub(2, 3), operator.mul("a", 3), operator.truediv(1, 4), operator.floordiv(7, 2), operator.mod(7, 3))
print(operator.pow(2, 10), operator.neg(5), operator.not_(0), operator.truth([1]), operator.lt(1, 2), operator.ge(1, 2), operator.eq("a", "a"))
print(operator.and_(6, 3), operator.or_(6, 3), operator.xor(6, 3), operator.getitem([1, 2], 1), operator.contains("abc", "b"), operator.index(7))
pairs = [("b", 2), ("a", 3), ("c", 1)]
print(sorted(pairs, key=itemgetter(1)), sorted(pairs, key=itemgetter(0)), itemgetter(0, 1)("xyz"), list(map(itemgetter(1), pairs)))
print(reduce(operator.mul, [1.5, 2, 4]), sum(map(operator.mul, [1, 2], [3, 4])))
print(string.ascii_lowercase, string.ascii_uppercase, string.digits, string.hexdigits, string.octdigits)
print(string.ascii_letters, repr(string.punctuation), repr(string.whitespace), repr(string.printable))
t0 = time.time()
p0 = time.perf_counter()
time.sleep(0.001)
print(type(t0), t0 > 1.6e9, type(p0), time.perf_counter() >= p0, type(time.time_ns()), type(time.monotonic()))
acc = 0
for i in range(3000):
    acc = operator.add(acc, i)
print(acc)


def err(f):
    try:
        f()
    except Exception as e:
        print(repr(e))


err(lambda: reduce(add, []))
err(lambda: operator.add(1, "a"))
err(lambda: time.sleep(-1))
err(lambda: operator.index(1.5))
err(lambda: string.nosuch)
