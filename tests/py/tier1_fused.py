# Tier 1 runs a load pair together with the instruction that consumes both
# (list subscript and store, int compare-and-jump, int add/sub/mul and the
# store and back edge after it, the swap of a swap assignment) and list
# slices without a slice object. Each fast path's guards fail here too
# (other types, big ints, overflow, bad indices), and the errors must be
# CPython's.


def reverse_prefix(perm, k):
    i = 0
    j = k
    while i < j:
        perm[i], perm[j] = perm[j], perm[i]
        i += 1
        j -= 1
    return perm


def shift(seq, r):
    i = 0
    while i < r:
        seq[i] = seq[i + 1]
        i += 1
    return seq


def total(xs, n):
    s = 0
    i = 0
    while i < n:
        s += xs[i]
        i += 1
    return s


print(reverse_prefix([0, 1, 2, 3, 4, 5], 4))
print(reverse_prefix([0, 1, 2, 3, 4, 5], -1))
# A dict and a tuple where the list was: the plain instructions run.
print(reverse_prefix({0: "a", 1: "b", 2: "c"}, 2))
try:
    reverse_prefix((1, 2, 3), 2)
except TypeError as e:
    print("TypeError:", e)
print(shift([1, 2, 3, 4], 3))
print(shift({0: 0, 1: 1, 2: 2}, 2))
try:
    shift([1, 2, 3], 3)
except IndexError as e:
    print("IndexError:", e)
print(total([1, 2, 3, 4], 4), total((1, 2, 3), 3), total("abc", 0))
print(total([1.5, 2.5], 2), total([2**62, 2**62], 2))
try:
    total([1, 2], 3)
except IndexError as e:
    print("IndexError:", e)


def indexes(xs):
    out = []
    for k in [0, 1, -1, -2, True, False]:
        out.append(xs[k])
    return out


print(indexes([10, 20, 30]), indexes((10, 20, 30)), indexes("xyz"))
try:
    indexes([1])
except IndexError as e:
    print("IndexError:", e)


def store_at(xs, k, v):
    xs[k] = v
    return xs


print(store_at([1, 2, 3], -1, "z"), store_at({}, "k", 1), store_at([0, 0], True, 5))
for bad in [5, -5, 2**70]:
    try:
        store_at([1, 2], bad, 0)
    except IndexError as e:
        print("IndexError:", e)
try:
    store_at([1, 2], "x", 0)
except TypeError as e:
    print("TypeError:", e)


def counts(a, b, n):
    out = []
    i = 0
    while i < n:
        out.append(a * i - b + i)
        i += 1
    return out


print(counts(3, 4, 4))
print(counts(2**61, 1, 3))
print(counts(-(2**62), 2**62, 2))
print(counts(1.5, 0.25, 3))
print(counts("ab", "", 0))
try:
    counts("ab", 1, 2)
except TypeError as e:
    print("TypeError:", e)


def compares(xs, ys):
    out = []
    for x in xs:
        for y in ys:
            if x < y:
                out.append("<")
            elif x == y:
                out.append("=")
            if not x >= y:
                out.append("!")
    return "".join(out)


print(compares([1, 2, 3], [2]), compares([1.0, 2.5], [2]), compares(["a", "b"], ["b"]))
print(compares([2**64, -(2**64)], [0, 2**64]))
try:
    compares([1], ["a"])
except TypeError as e:
    print("TypeError:", e)


def swaps(a, i, j):
    a[i], a[j] = a[j], a[i]
    k = a[0]
    return a, k


print(swaps([1, 2, 3], 0, 2), swaps({0: "x", 1: "y"}, 0, 1), swaps([5, 6], -1, 0))
try:
    swaps([1, 2], 0, 9)
except IndexError as e:
    print("IndexError:", e)


def slices(a):
    return [a[:], a[1:], a[:-1], a[-3:-1], a[5:2], a[:100], a[-100:], a[2:2]]


print(slices([1, 2, 3, 4]), slices([]), slices((1, 2, 3)), slices("hello"))
c = [[1], [2]]
d = c[:]
d[0].append(9)
print(c, d, c[:] == c, c[:] is c)
print([1, 2, 3][True:], [1, 2, 3][: 2**70], [1, 2, 3][-(2**70) :])
for bad in ["x", 1.5]:
    try:
        print([1, 2][bad:])
    except TypeError as e:
        print("TypeError:", e)


def floats(a, b):
    return [a + b, a - b, a * b, a / b]


print(floats(1.5, 0.5), floats(2.0, 4), floats(3, 2.0), floats(7, 2))
try:
    floats(1.0, 0.0)
except ZeroDivisionError as e:
    print("ZeroDivisionError:", e)


def update(xs, k, v):
    xs[k] += v
    xs[k] *= 2
    xs[-1] -= v
    return xs


print(update([1.0, 2.0, 3.0], 0, 0.5), update([1, 2], -2, 3), update({0: 1, -1: 2}, 0, 1))
try:
    update([[1], [2]], 1, [3])
except TypeError as e:
    print("TypeError:", e)
for bad in [3, -4]:
    try:
        update([1, 2, 3], bad, 1)
    except IndexError as e:
        print("IndexError:", e)
try:
    update((1, 2), 0, 1)
except TypeError as e:
    print("TypeError:", e)


def unbound(flag):
    x = 1
    if flag:
        y = 2
    return x + y


print(unbound(True))
try:
    unbound(False)
except UnboundLocalError as e:
    print("UnboundLocalError:", e)


def last(xs, i):
    return xs[i]


print(last([1, 2], 1))
print(last([1, 2], 2))
