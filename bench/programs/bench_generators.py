# Generator pipelines: a counting generator feeding two generator stages,
# summed by the builtin; a generator expression over a range; a windowed
# running total delegated with yield from; send() into a coroutine-style
# accumulator.
def numbers(n):
    i = 0
    while i < n:
        yield i
        i += 1


def squares(xs):
    for x in xs:
        yield x * x


def evens(xs):
    for x in xs:
        if x % 2 == 0:
            yield x


def windows(n, size):
    acc = 0
    for i in range(n):
        acc += i
        if i % size == size - 1:
            yield acc
            acc = 0


def all_windows(n):
    yield from windows(n, 10)
    yield from windows(n, 100)


def accumulator():
    total = 0
    while True:
        v = yield total
        total += v


total = 0
for r in range(5):
    total += sum(evens(squares(numbers(100000 + r))))
print(total)
print(sum(x * 3 for x in range(300000) if x % 7 == 1))
print(max(all_windows(200000)), len(list(all_windows(50000))))
acc = accumulator()
next(acc)
last = 0
for i in range(200000):
    last = acc.send(i % 13)
print(last)
