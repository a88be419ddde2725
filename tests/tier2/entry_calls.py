# A short loop inside a function called many times: every call enters the
# loop's executor once and leaves it once (at the loop's end, an exit to a
# `return` that gets no side trace). tests/tier2_entry.rs runs it with other
# values of `calls`. (`acc + 0`: a plain `return acc` would return in the
# loop trace's stub, _RETURN_LOCAL_CHECKED, and take no exit at all.)


def total(xs):
    acc = 0
    for x in xs:
        acc = acc + x
    return acc + 0


def main(calls):
    xs = [1, 2, 3]
    s = 0
    for k in range(calls):
        s = s + total(xs)
    print(calls, s)


main(300)
