# `except E as n:` unbinds n at the end of the handler, on every way out.
try:
    1 / 0
except ZeroDivisionError as e:
    print("caught", e)
try:
    print(e)
except NameError as err:
    print(err)

e = "rebound"
try:
    raise KeyError("k")
except KeyError as e:
    pass
print("e" in globals())


def local_unbound():
    try:
        raise ValueError("v")
    except ValueError as exc:
        pass
    return exc


try:
    local_unbound()
except UnboundLocalError as err:
    print(type(err).__name__, err)


def in_loop():
    out = []
    for i in range(3):
        try:
            if i == 1:
                raise RuntimeError(i)
        except RuntimeError as r:
            out.append(str(r))
            continue
        out.append(i)
    try:
        r
    except UnboundLocalError:
        out.append("r unbound after continue")
    return out


print(in_loop())


def returns():
    try:
        raise TypeError("t")
    except TypeError as t:
        return str(t)


print(returns())


def reraised():
    try:
        try:
            raise LookupError("inner")
        except LookupError as le:
            raise ValueError("outer")
    except ValueError:
        pass
    try:
        le
    except UnboundLocalError as err:
        print(err)


reraised()


x = 1
for x in range(2):
    try:
        pass
    except Exception as x:
        pass
print(x)
