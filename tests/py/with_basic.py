# The with statement: enter/exit order, targets, suppression, re-raise,
# return/break/continue out of the body, nesting, several items.
log = []


class CM:
    def __init__(self, name, suppress=False, value=None):
        self.name = name
        self.suppress = suppress
        self.value = value

    def __enter__(self):
        log.append("enter " + self.name)
        return self if self.value is None else self.value

    def __exit__(self, t, v, tb):
        log.append("exit %s %s %r" % (self.name, t.__name__ if t else t, v))
        return self.suppress


def flush():
    print(log)
    log.clear()


with CM("a") as a:
    log.append("body " + a.name)
flush()

with CM("b"):
    log.append("body")
flush()

with CM("c") as c, CM("d", value=(1, 2)) as (x, y):
    log.append("body %s %d %d" % (c.name, x, y))
flush()

with CM("e"):
    with CM("f"):
        log.append("inner")
    log.append("outer")
flush()

try:
    with CM("g"):
        raise ValueError("boom")
except ValueError as e:
    log.append("caught %r" % e)
flush()

with CM("h", suppress=True):
    raise KeyError("k")
    log.append("not reached")
log.append("after")
flush()

try:
    with CM("i", suppress=True), CM("j"):
        1 / 0
except ZeroDivisionError:
    log.append("not caught here")
flush()


def ret():
    with CM("r"):
        return "value"


log.append(ret())
flush()


def ret_nested():
    with CM("r1"):
        with CM("r2") as r2:
            try:
                return r2.name
            finally:
                log.append("finally")


log.append(ret_nested())
flush()

for i in range(4):
    with CM("loop%d" % i):
        if i == 1:
            continue
        if i == 2:
            break
        log.append("body %d" % i)
flush()

total = 0
for i in range(1000):
    with CM("hot", value=i) as v:
        total += v
    log.clear()
print(total)


class Truthy:
    def __init__(self, v):
        self.v = v

    def __bool__(self):
        return self.v


class Ret:
    def __init__(self, r):
        self.r = r

    def __enter__(self):
        return None

    def __exit__(self, *a):
        return self.r


for r in (0, 1, "", "x", [], [0], None, Truthy(True), Truthy(False)):
    try:
        with Ret(r) as none:
            print("enter gave", none)
            raise RuntimeError("x")
        print("suppressed by", type(r).__name__)
    except RuntimeError:
        print("propagated by", type(r).__name__)


class Swallow:
    def __enter__(self):
        return self

    def __exit__(self, t, v, tb):
        if t is StopIteration:
            return True
        return False


def gen():
    with CM("gen"):
        yield 1
        yield 2


for v in gen():
    log.append(v)
flush()


class Nop:
    def __enter__(self):
        return 5

    def __exit__(self, *args):
        print("exit args", args[:2])


with Nop() as n:
    pass
print(n)

try:
    with Nop():
        raise TypeError("t")
except TypeError as err:
    print("TypeError", err)

try:
    with CM("unpack", value=(1, 2, 3)) as (p, q):
        pass
except ValueError as err:
    log.append(str(err))
flush()

for bad in (5, None, "s", [1]):
    try:
        with bad:
            pass
    except TypeError as err:
        print(err)


class OnlyEnter:
    def __enter__(self):
        print("should not be called")


class OnlyExit:
    def __exit__(self, *a):
        print("should not be called")


for k in (OnlyEnter, OnlyExit):
    try:
        with k() as z:
            print("no")
    except TypeError as err:
        print(err)


class EnterFails:
    def __enter__(self):
        raise LookupError("enter failed")

    def __exit__(self, *a):
        print("exit must not run")


try:
    with EnterFails():
        print("no")
except LookupError as err:
    print("LookupError", err)
