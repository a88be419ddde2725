# Generator expressions are lazy generators: only the first iterable is
# evaluated when the expression is.


def noisy(v):
    print("eval", v)
    return v * 10


g = (noisy(x) for x in range(3))
print("made")
print(next(g))
print("between")
print(list(g))
print(list(g))


def consume(it):
    out = []
    for v in it:
        out.append(v)
        if len(out) == 2:
            break
    return out


print(consume(noisy(x) for x in range(5)))


def naturals():
    n = 0
    while True:
        yield n
        n += 1


evens = (n for n in naturals() if n % 2 == 0)
print([next(evens) for _ in range(5)])


def src(name, n):
    print("iter", name)
    return range(n)


g = (x * y for x in src("outer", 2) for y in src("inner", 3))
print("created")
print(list(g))

try:
    g = (x for x in 5)
except TypeError as e:
    print("at creation:", e)

g = (x for x in [1, 2] for y in 5)
print("lazy inner made")
try:
    next(g)
except TypeError as e:
    print("at first next:", e)

xs = [1, 2, 3]
g = (x for x in xs)
xs.append(4)
print(list(g))
xs = [1, 2, 3]
g = (x for x in xs)
xs = [9]
print(list(g))

print(type(x for x in []))
print(repr(x for x in []).startswith("<generator object <genexpr> at 0x"))


def f():
    return (v for v in range(2))


print(repr(f()).startswith("<generator object f.<locals>.<genexpr> at 0x"))

print(sum(noisy(x) for x in range(3)))
print(max(x % 5 for x in range(12)), min(-x for x in range(4)))
print(sorted((x for x in [3, 1, 2]), key=lambda v: -v))
print(tuple(x for x in "abc"), list(c.upper() for c in "xy"))
print("-".join(str(noisy(x)) for x in range(2)))
print(set(x % 3 for x in range(10)) == {0, 1, 2}, dict((k, k * k) for k in range(3)))

try:
    print(sum(noisy(x) if x < 2 else "s" for x in range(4)))
except TypeError as e:
    print("sum stopped:", e)

try:
    print(max(noisy(x) if x < 2 else None for x in range(4)))
except TypeError as e:
    print("max stopped:", e)

n = 3
g = (x + n for x in range(2))
n = 100
print(list(g))

m = [[1, 2], [3], []]
print(list(v for row in m for v in row if v != 2))
print(any(noisy(x) > 10 for x in range(5)), all(noisy(x) < 10 for x in range(5)))
total = 0
for v in (x * x for x in range(5)):
    total += v
print(total)
print(list(zip((a for a in "ab"), (b for b in range(5)))))
print(list(enumerate(x for x in "hi")))
print(list(map(lambda v: v + 1, (x for x in range(3)))))
