# _GET_ITER_LIST and the inline free of exhausted iterators (s8-calls).
def make(scale):
    coeffs = [scale * (k + 1) for k in range(6)]

    def evaluate(x):
        acc = 0
        for c in coeffs:
            acc = acc * x + c
        return acc

    return evaluate


total = 0
f = make(3)
for i in range(200):
    total += f(i % 7)
print("sum", total)


# The iterable changes kind mid-run: a list, then a tuple (the uop's exit),
# then a str, then a list again.
def walk(xs):
    n = 0
    for x in xs:
        n += len(str(x))
    return n


out = []
for i in range(120):
    if i < 40:
        xs = [i, i + 1, i + 2]
    elif i < 60:
        xs = (i, i * 2)
    elif i < 80:
        xs = "abc" * (i % 3)
    else:
        xs = [i] * (i % 4)
    out.append(walk(xs))
print("walk", sum(out), out[38:42], out[58:62], out[78:82], out[-3:])


# Many list iterators live at once (one per recursion level): the free list
# runs empty on the way down and overflows on the way up.
def deep(lst, d):
    s = 0
    for v in lst:
        if d > 0 and v == 1:
            s += deep(lst, d - 1)
        s += v
    return s


for r in range(6):
    print("deep", r, deep([1, 2, 3], 150 + r))


# A list of iterators whose last reference goes with an exhausted iterator.
def nested(k):
    its = [iter([j, j + 1]) for j in range(k)]
    t = 0
    for it in its:
        for v in it:
            t += v
    return t


print("nested", [nested(k) for k in range(0, 90, 7)])
