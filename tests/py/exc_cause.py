# Explicit chaining: raise X from Y (a cause, "The above exception was
# the direct cause") and raise X from None (the context suppressed).
def lookup(d, k):
    try:
        return d[k]
    except KeyError as e:
        raise LookupError("no " + k) from None


def load(xs, i):
    try:
        return xs[i]
    except IndexError as e:
        raise RuntimeError("bad index " + str(i)) from e


def main():
    try:
        lookup({}, "a")
    except LookupError as e:
        print(repr(e), e.__cause__, repr(e.__context__), e.__suppress_context__)
    try:
        load([1], 3)
    except RuntimeError as e:
        print(repr(e.__cause__), e.__cause__ is e.__context__, e.__suppress_context__)
    try:
        raise ValueError("v") from TypeError
    except ValueError as e:
        print(repr(e.__cause__))
    try:
        raise ValueError("w") from 5
    except TypeError as e:
        print("TypeError:", e)
    try:
        try:
            1 / 0
        except ZeroDivisionError as z:
            raise z
    except ZeroDivisionError as e:
        print("raise e keeps no self context:", e.__context__)
    print(lookup({"a": 1}, "a"))
    load([1, 2], 5)


main()
