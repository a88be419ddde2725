# Dict lookups by identity and by value, order after deletes and
# re-inserts, and short tuples / iterators made and dropped at high rate
# (their memory is recycled: values must never leak between them).
d = {}
for i in range(50):
    d[i] = i * i
for i in range(0, 50, 3):
    del d[i]
d[0] = "back"
d[3] = "again"
print(list(d.items())[:8], len(d))
d2 = {1: "int", "a": "str", (1, 2): "tuple"}
print(d2[1.0], d2[True], d2["".join(["a"])], d2[(1, 2)], d2.get((1, 3), "none"))
word = "".join(["wo", "rd"])
d3 = {"word": 1}
d3[word] += 1
print(d3, d3.get("wor" + "d"), -1 in {-1: 0}, -2 in {-1: 0}, {-1: "m1", -2: "m2"}[-1])
big = 2 ** 61 - 1
d4 = {big: "big", big + 1: "big1", -big: "neg", 2 ** 70: "huge"}
print(d4[big], d4[big + 1], d4[-big], d4[2 ** 70], hash(-1) == hash(-2))
try:
    d4[[1]] = 2
except TypeError as e:
    print("TypeError:", e)
try:
    print(d4[5])
except KeyError as e:
    print("KeyError:", e)

keep = []
acc = 0
for i in range(3000):
    t = (i, i + 1)
    u = (i, str(i), i * 2)
    v = (t, u, i)
    w = (i,)
    acc += t[0] + t[1] + u[2] + v[2] + w[0] + len(u[1])
    if i % 97 == 0:
        keep.append((t, u, v, w))
    for x in (1, 2):
        acc += x
print(acc, keep[3], keep[-1])
pairs = [(i % 7, i) for i in range(500)]
pairs = sorted(pairs)
print(pairs[:3], pairs[-3:])
its = [iter([i, i + 1]) for i in range(10)]
print([next(it) for it in its], [next(it) for it in its])
