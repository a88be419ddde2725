# yield from (any iterable; a delegated generator's return value), send(),
# close(), __next__, iter()/next() over the builtin iterables.


def inner(n):
    for i in range(n):
        got = yield i
        if got is not None:
            print("inner got", got)
    return "inner-" + str(n)


def outer():
    r = yield from inner(2)
    print("returned", r)
    r = yield from [10, 11]
    print("list gives", r)
    yield from "ab"
    yield from range(2)
    yield from {"k": 1}
    yield from (x * 2 for x in range(2))
    yield from ()
    return "outer-done"


print(list(outer()))
g = outer()
print(next(g), g.send("hello"), g.send(None), next(g))


def echo():
    received = []
    try:
        while True:
            v = yield len(received)
            received.append(v)
    finally:
        print("echo finally", received)


e = echo()
print(next(e), e.send("a"), e.send("b"), e.__next__())
e.close()
print(next(e, "closed"))
e.close()


def accumulate():
    total = 0
    while True:
        v = yield total
        if v is None:
            return total
        total += v


def delegate():
    result = yield from accumulate()
    yield "total", result


d = delegate()
next(d)
for v in [1, 2, 3]:
    d.send(v)
print(next(d))

try:
    g = inner(1)
    next(g)
    g.send(5)
except StopIteration as e:
    print("StopIteration:", e)


def chain(*its):
    for it in its:
        yield from it


print(list(chain([1], (2, 3), range(4, 6), "7")))


def tree(n):
    if n > 0:
        yield from tree(n - 1)
        yield n
        yield from tree(n - 1)


print(list(tree(3)))

for it in ([1, 2], (3, 4), range(2), "xy", {5: 0}, {6}, zip("a", "b"), enumerate("c"), map(abs, [-1])):
    i = iter(it)
    print(next(i), next(i, "end") if not isinstance(it, (set, zip, enumerate, map)) else "-")

d = {"a": 1, "b": 2}
print(next(iter(d.items())), next(iter(d.values())), next(iter(d.keys())))
try:
    next([1])
except TypeError as e:
    print(e)
c = inner(3)
print(c.__next__(), next(c), list(c))
u = inner(3)
u.close()
print(list(u))


def yield_from_gen_err():
    yield from inner_err()


def inner_err():
    yield 1
    raise ValueError("deep")


try:
    list(yield_from_gen_err())
except ValueError as e:
    print("propagated", e)


def resilient():
    n = 0
    while True:
        try:
            yield n
        except ValueError as e:
            print("resilient caught", e)
            n += 100
        n += 1


r = resilient()
print(next(r), next(r), r.throw(ValueError("x")), r.throw(ValueError), next(r))
try:
    r.throw(KeyError("gone"))
except KeyError as e:
    print("KeyError out", e)
print(next(r, "finished"))
fresh = resilient()
try:
    fresh.throw(IndexError("early"))
except IndexError as e:
    print("early", e, next(fresh, "done"))


def one():
    yield 1


x = one()
for call in [lambda: x.send(), lambda: x.send(1, 2), lambda: x.__next__(1), lambda: x.__iter__(1), lambda: x.throw()]:
    try:
        call()
    except TypeError as e:
        print(e)
