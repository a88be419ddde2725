def f(items):
    out = []
    for x in items:
        try:
            out.append(10 // x)
        except ZeroDivisionError:
            out.append("inf")
            continue
        finally_like = 1
    return out
print(f([1, 0, 5]))
def g():
    try:
        return int("x")
    except ValueError as e:
        return "bad: " + str(e)
print(g())
def h(n):
    try:
        if n == 0:
            raise IndexError("zero")
        return h(n - 1)
    except KeyError:
        return "key"
try:
    h(3)
except IndexError as e:
    print("caught", e, repr(e))
def reraiser():
    try:
        {}["a"]
    except KeyError:
        raise
try:
    reraiser()
except KeyError as e:
    print("reraised", e)
try:
    assert 1 == 2, "math"
except AssertionError as e:
    print("assert", e)
try:
    raise ValueError
except ValueError as e:
    print("bare class", repr(e))
try:
    undefined_name
except NameError as e:
    print(e)
try:
    [1, 2].index(5)
except ValueError as e:
    print(e)
try:
    None + 1
except TypeError as e:
    print(e)
try:
    "abc"[10]
except IndexError as e:
    print(e)
try:
    x = 1 / 0.0
except ZeroDivisionError as e:
    print(e)
try:
    print(10 ** 400 * 1.0)
except OverflowError as e:
    print(e)
print(isinstance(ValueError("x"), Exception), str(KeyError("k")), ValueError("a", 1))
def deep(n):
    return deep(n + 1)
try:
    deep(0)
except RecursionError as e:
    print("recursion:", e)
print("done")
