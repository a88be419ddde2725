# Starred assignment targets, in assignments and for loops; the errors.
a, *rest = [1, 2, 3, 4]
print(a, rest)
*init, last = (1, 2, 3)
print(init, last)
first, *mid, end = "abcdef"
print(first, mid, end)
x, *y = [9]
print(x, y)
*z, = range(4)
print(z)
p, q, *r, s, t = range(10)
print(p, q, r, s, t)
[h, *tl] = {5: 1, 6: 2}
print(h, tl)
for k, *vs in [(1, 2, 3), (4,), (5, 6)]:
    print(k, vs)
for *ks, v in [[1, 2, 3], "xy"]:
    print(ks, v)
(m, *n), o = [1, 2, 3], 4
print(m, n, o)
total = 0
for i in range(2000):
    u, *w = (i, i + 1, i + 2)
    total += u + len(w) + w[-1]
print(total)
g = (c * 2 for c in [1, 2, 3])
u, *w = g
print(u, w)
try:
    a, b, *c = [1]
except ValueError as e:
    print(repr(e))
try:
    *a, b, c = 7
except TypeError as e:
    print(repr(e))
try:
    a, *b, c, d = "ab"
except ValueError as e:
    print(repr(e))
for a, *b, c in [(1, 2), (3, 4, 5), (6,)]:
    print(a, b, c)
