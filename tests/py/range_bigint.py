# range() with arbitrary-precision bounds, compared with CPython 3.11.
B = 2**70


def show(label, f):
    try:
        print(label, f())
    except Exception as e:
        print(label, repr(e))


for i in range(B, B + 3):
    print(i)
for i in range(-B, -B - 7, -3):
    print(i)
for i in range(0, 3 * B, B):
    print(i)
for i in range(2**63 - 2, 2**63 + 2):
    print(i)
for i in range(-(2**63) + 1, -(2**63) - 2, -1):
    print(i)
for i in range(9223372036854775800, 9223372036854775807, 3):
    print(i)

show("len", lambda: len(range(B, B + 3)))
show("len big", lambda: len(range(B)))
show("len neg", lambda: len(range(B, -B, -1)))
show("len word", lambda: len(range(-(2**63), 2**63 - 1)))
show("len 0", lambda: len(range(B, 0)))
show("bool", lambda: (bool(range(B)), bool(range(B, B)), bool(range(0))))

r = range(-B, B, 7)
show("idx0", lambda: r[0])
show("idx-1", lambda: r[-1])
show("idx big", lambda: r[2**66])
show("idx neg big", lambda: r[-(2**66)])
show("idx oob", lambda: r[2**80])
show("idx oob neg", lambda: r[-(2**80)])
show("small idx big", lambda: range(10)[2**70])
show("small idx neg", lambda: range(10)[-3])
show("small idx oob", lambda: range(10)[-11])
show("idx float", lambda: range(10)[1.0])
show("idx bool", lambda: range(B, B + 5)[True])

show("slice", lambda: r[1:4])
show("slice neg", lambda: r[::-1])
show("slice step", lambda: r[5 : 2**67 : 2**60])
show("slice big bounds", lambda: range(10)[-(2**80) : 2**80])
show("slice small rev", lambda: range(10)[::-1])
show("slice small", lambda: range(10)[2:100:3])
show("slice empty", lambda: range(B, B + 10)[8:2])
show("slice zero", lambda: range(10)[::0])
show("slice float", lambda: range(10)[1.5:])
show("slice list", lambda: list(range(B, B + 10)[-3:]))

show("in", lambda: (B + 14 in r, B + 13 in r, -B in r, B in r, 0 in r, 7 in r))
show("in float", lambda: (14.0 in range(0, 20, 7), 14.5 in range(20), 3.0 in range(5), float(B) in range(B, B + 1)))
show("in other", lambda: ("a" in range(B, B + 3), None in range(3)))
show("in small", lambda: (2**63 in range(10), -1 in range(10), 9 in range(10)))

show("reversed", lambda: list(reversed(range(B, B + 3))))
show("reversed neg", lambda: list(reversed(range(B, B - 9, -4))))
show("reversed edge", lambda: list(reversed(range(-(2**63), -(2**63) + 3))))
show("reversed empty", lambda: list(reversed(range(B, B))))
show("sum", lambda: sum(range(B, B + 100)))
show("list", lambda: list(range(B, B + 3)))
show("list empty", lambda: list(range(B, 0)))

show("repr", lambda: repr(range(B, B + 3)))
show("repr step", lambda: repr(range(-B, B, -5)))
show("repr small", lambda: (repr(range(3)), repr(range(1, 9, 2))))
show("eq", lambda: range(B, B + 3) == range(B, B + 3))
show("eq step", lambda: range(B, B + 1, 5) == range(B, B + 2, 7))
show("eq empty", lambda: range(B, 0) == range(0))
show("ne", lambda: range(B, B + 3) == range(B, B + 4))
show("eq mixed", lambda: range(B)[:3] == range(3))

show("zero step", lambda: range(B, 1, 0))
show("zero step small", lambda: range(1, 2, 0))
show("float", lambda: range(1.5))
show("float big", lambda: range(B, 2.0))
show("str", lambda: range("3"))
show("no args", lambda: range())
show("too many", lambda: range(1, 2, 3, 4))
show("bools", lambda: list(range(True, 4, True)))

it = iter(range(B, B + 2))
show("next", lambda: next(it))
show("next", lambda: next(it))
show("next end", lambda: next(it))
show("comprehension", lambda: [x - B for x in range(B, B + 20, 6)])
show("enumerate", lambda: list(enumerate(range(B, B + 2))))
show("max", lambda: (max(range(-B, B, 3)[-3:]), min(range(B, B + 3))))


def hot(n):
    t = 0
    for _ in range(200):
        for i in range(n, n + 3):
            t += i
    return t


print(hot(5))
print(hot(B))
print(hot(2**63 - 2))
