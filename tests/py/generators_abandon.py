# Generators abandoned half-way are freed; one suspended inside try/finally
# runs its finally when it is destroyed (GeneratorExit at its yield).


def plain(n):
    for i in range(n):
        yield [i]


g = plain(10)
print(next(g), next(g))
del g
for v in plain(100):
    if v[0] == 3:
        break
print("broke at", v)


def guarded(name):
    try:
        for i in range(10):
            yield i
    finally:
        print("finally", name)


g = guarded("a")
print(next(g))
del g
print("after del")
for v in guarded("b"):
    if v == 2:
        break
print("after break")


def loop_abandon():
    for v in guarded("c"):
        if v == 1:
            return v


print(loop_abandon())


def catches():
    try:
        yield 1
    except GeneratorExit:
        print("saw GeneratorExit")
        raise


c = catches()
next(c)
c.close()
print("closed")


def except_only():
    try:
        yield 1
    except ValueError:
        print("not this")
    yield 2


e = except_only()
next(e)
del e
print("except_only gone")

h = guarded("d")
next(h)
h = None
print("rebound")

never = guarded("never started")
del never
print("end")
k = guarded("at exit")
next(k)
