# A traceback through finally bodies, re-raises and nested try blocks
# names the line that raised, in every frame.
def inner(xs, i):
    try:
        return xs[i]
    finally:
        print("inner finally")


def middle(xs):
    try:
        try:
            return inner(xs, 7)
        except KeyError:
            print("not this one")
    finally:
        total = 0
        for v in xs:
            total += v
        print("middle finally", total)


def outer():
    try:
        middle([1, 2, 3])
    except IndexError:
        print("caught once")
        raise


outer()
