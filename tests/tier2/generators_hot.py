def evens(n):
    i = 0
    while i < n:
        if i % 2 == 0:
            yield i
        i += 1

def squares(src):
    for v in src:
        yield v * v

def window(n):
    acc = 0
    for i in range(n):
        acc += i
        if i % 50 == 49:
            yield acc

def chain(*its):
    for it in its:
        yield from it

total = 0
for x in squares(evens(2000)):
    total += x
print(total)
print(sum(window(1000)))
print(list(window(200)))
print(sum(x for x in squares(range(500)) if x % 3))
t = 0
for k in range(300):
    g = evens(k)
    for v in g:
        t += v
    t += sum(y * 2 for y in range(k % 7))
print(t)
print(sum(chain(range(100), evens(100), [1, 2])))
def fl(n):
    x = 0.5
    for i in range(n):
        x = x * 1.0001 + 0.25
        if i % 100 == 0:
            yield x
print([round(v, 6) for v in fl(1000)])
def abandon(n):
    try:
        for i in range(n):
            yield i
    finally:
        pass
for v in abandon(100):
    if v > 50:
        break
print(v)


def sender():
    total = 0
    while True:
        v = yield total
        if v is None:
            return total
        total += v


def relay():
    r = yield from sender()
    yield r


s = relay()
next(s)
for i in range(200):
    s.send(i)
print(next(s))
