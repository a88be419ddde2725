# A short loop inside a function called many times: every call enters the
# loop's executor once and leaves it once (at the loop's end, an exit to a
# `return` that gets no side trace). tests/tier2_entry.rs runs it with other
# values of `calls`.


def total(xs):
    acc = 0
    for x in xs:
        acc = acc + x
    return acc


def main(calls):
    xs = [1, 2, 3]
    s = 0
    for k in range(calls):
        s = s + total(xs)
    print(calls, s)


main(300)
