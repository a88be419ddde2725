# try/finally: every way out of the protected part runs the finally body.
log = []


def plain():
    try:
        log.append("body")
    finally:
        log.append("finally")
    return "after"


def ret(x):
    try:
        if x:
            return "early"
        log.append("no early")
    finally:
        log.append("finally ret")
    return "late"


def ret_override():
    try:
        return 1
    finally:
        return 2


def swallow():
    try:
        raise ValueError("lost")
    finally:
        return "swallowed"


def with_except(v):
    try:
        r = 10 // v
    except ZeroDivisionError as e:
        log.append("except " + str(e))
        return "from except"
    else:
        log.append("else")
        return r
    finally:
        log.append("finally w/ except")


def nested():
    try:
        try:
            return "inner"
        finally:
            log.append("inner finally")
    finally:
        log.append("outer finally")


def inner_except_not_catching_finally():
    try:
        try:
            return "x"
        except ValueError:
            log.append("wrongly caught")
    finally:
        log.append("raising in finally")
        raise ValueError("from finally")


def loops():
    out = []
    for i in range(6):
        try:
            if i == 1:
                continue
            if i == 4:
                break
            out.append(i)
        finally:
            out.append("f%d" % i)
    j = 0
    while True:
        try:
            j += 1
            if j > 2:
                break
        finally:
            out.append("w%d" % j)
    for k in range(3):
        try:
            raise KeyError(k)
        finally:
            if k < 2:
                continue
            break
    out.append(k)
    return out


print(plain(), ret(True), ret(False), ret_override(), swallow())
print(with_except(0), with_except(5), nested())
try:
    inner_except_not_catching_finally()
except ValueError as e:
    print("caught", e)
print(loops())
print(log)
try:
    try:
        raise KeyError("k")
    finally:
        log.append("propagating")
except KeyError as e:
    print("outer caught", repr(e), log[-1])
try:
    try:
        raise KeyError("first")
    finally:
        raise IndexError("second")
except IndexError as e:
    print("replaced", repr(e))
except KeyError:
    print("wrong")


def count(n):
    total = 0
    for i in range(n):
        try:
            if i % 3 == 0:
                continue
            total += i
        finally:
            total += 1
    return total


print(count(3000))


def gen_ret():
    acc = []
    for i in range(1000):
        try:
            if i % 100 == 0:
                raise ValueError(i)
            acc.append(i)
        except ValueError:
            acc.append(-1)
        finally:
            acc.append(0)
    return len(acc), sum(acc)


print(gen_ret())
try:
    print("body ok")
finally:
    print("module finally")
try:
    x = 1 // 0
finally:
    print("finally before the traceback")
