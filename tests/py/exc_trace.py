# Exceptions raised inside hot loops (traced and compiled by tier 2): an
# IndexError from a list subscript and a ZeroDivisionError from a division,
# caught and re-raised with chaining, give tier 1's traceback lines.
def scan(xs, n):
    total = 0
    i = 0
    while i < n:
        try:
            total += xs[i] // (i - 50)
        except ZeroDivisionError:
            total += 1000
        i += 1
    return total


def checked(xs, n):
    try:
        return scan(xs, n)
    except IndexError as e:
        raise ValueError("scan past the end") from e


def divide_all(xs):
    out = 0.0
    for x in xs:
        out += 1.0 / x
    return out


print(scan(list(range(100)), 100))
print(checked(list(range(100)), 100))
try:
    checked(list(range(80)), 100)
except ValueError as e:
    print(repr(e), repr(e.__cause__))
print(divide_all([1.0, 2.0, 4.0] * 20))
try:
    divide_all([1.0] * 30 + [0.0])
except ZeroDivisionError as e:
    print("caught", e)


def final():
    try:
        divide_all([2.0] * 40 + [0.0])
    except ZeroDivisionError:
        checked(list(range(60)), 100)


final()
