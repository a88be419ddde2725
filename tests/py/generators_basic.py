# Generator functions: iteration, next/iter, return values, state across
# suspensions, yield in loops and try/finally, closures.


def count(n):
    i = 0
    while i < n:
        yield i
        i += 1
    return "done"


for x in count(3):
    print("for", x)
g = count(2)
print(type(g), type(g).__name__ if False else "generator")
print(iter(g) is g)
print(next(g), next(g), next(g, "dflt"), next(g, None))
g = count(3)
print(list(g), list(g))
print(tuple(count(4)), sum(count(5)), max(count(6)), min(count(7)), sorted(count(3), reverse=True))

try:
    g = count(1)
    next(g)
    next(g)
except StopIteration as e:
    print("StopIteration", e)


def no_value():
    yield 1
    return


try:
    g = no_value()
    next(g)
    next(g)
except StopIteration as e:
    print("StopIteration repr", repr(e))


def fin():
    try:
        yield 1
        yield 2
    finally:
        print("finally ran")
    yield 3


print(list(fin()))


def in_except():
    try:
        raise ValueError("v")
    except ValueError as e:
        yield "caught " + str(e)
    yield "after"


print(list(in_except()))


def make_scaler(k):
    def scale(v):
        return v * k
    for i in range(4):
        yield scale(i)
        k += 1


print(list(make_scaler(10)))


def counter():
    total = 0

    def add(v):
        nonlocal total
        total += v
        return total

    for i in range(5):
        yield add(i)


print(list(counter()))


def fib():
    a, b = 0, 1
    while True:
        yield a
        a, b = b, a + b


out = []
for v in fib():
    if v > 100:
        break
    out.append(v)
print(out)

f = fib()
print([next(f) for _ in range(10)])


def with_args(a, b=2, *rest):
    yield a
    yield b
    yield rest


print(list(with_args(1)), list(with_args(1, 3, 5, 7)), list(with_args(b=9, a=8)))


def bad():
    yield 1
    raise KeyError("k")


try:
    for v in bad():
        print("got", v)
except KeyError as e:
    print("KeyError", e)


def nested():
    for i in range(3):
        for j in count(i):
            yield i, j


print(list(nested()))
print(dict(enumerate(count(3))), list(zip(count(3), "abc")), list(map(str, count(3))))
print(list(reversed(list(count(4)))), 2 in list(count(4)), set(count(3)) == {0, 1, 2})
a, b, c = count(3)
print(a, b, c)
first, *rest = count(5)
print(first, rest)
print(", ".join(str(v) for v in count(3)))


def gen_lambda_user():
    key = lambda v: -v
    yield from sorted(count(5), key=key)


print(list(gen_lambda_user()))
print(next(count(3).__iter__()), count(2).__next__())
print(any(v > 3 for v in count(10)), all(v < 3 for v in count(10)))


def early():
    return 5
    yield 1


print(list(early()))
print(repr(count(1)).startswith("<generator object count at 0x"))


def outer():
    def inner():
        yield 1
    return inner()


print(repr(outer()).startswith("<generator object outer.<locals>.inner at 0x"))


def c(n):
    yield from range(n)


# zip/enumerate over generators never take an element they do not use.
print(list(zip("abc", c(3))), list(zip([1, 2, 3], map(abs, [-1, -2, -3]))))
print(list(zip(c(2), enumerate(c(3)), "xyz")), list(enumerate(zip(c(2), "ab"))))
print(list(zip(map(abs, [-1, -2]), c(5), [7, 8, 9])))
print(2 in c(5), 7 in c(5), "b" in (ch for ch in "abc"))
g = c(5)
print(2 in g, list(g))
grow = [0]
grow += c(3)
grow[1:2] = (x * 10 for x in range(2))
print(grow)
