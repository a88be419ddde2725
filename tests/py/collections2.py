a = [3, 1, 2]
a.extend([5, 4]); a.remove(1); a.reverse()
print(a, a.count(3), a.index(5), a.copy() == a, a.copy() is a)
a[1:3] = [9, 9, 9]
print(a, a[::-2], a[-100:100], a[5:1], a[1:-1])
del a[0]
del a[1:3]
print(a)
a.clear()
print(a, len(a))
b = [[0] * 3 for _ in range(2)]
b[0][1] = 5
print(b)
words = ["pear", "fig", "banana", "kiwi"]
print(sorted(words, key=len), sorted(words, key=len, reverse=True), sorted(words, reverse=True))
words.sort(key=lambda w: w[-1])
print(words)
d = {}
d[1] = "one"; d[2.0] = "two"; d["three"] = 3; d[(1, 2)] = "tuple"
print(d, d[2], d.get(1.0), 2 in d, (1, 2) in d)
print(d.pop(1), d.pop(99, "dflt"), d.setdefault("new", []), d)
d.update({"three": 33}, extra=1)
print(d, list(d), len(d.keys()), "three" in d.keys(), 33 in d.values())
e = dict([("a", 1), ("b", 2)])
print(e, dict(x=1), e == {"b": 2, "a": 1}, e.copy())
for k in e:
    print(k, end=";")
print()
t = (1, 2, 3)
print(t[1:], t * 2, t.index(2), t.count(1), (1,) + t, t < (1, 2, 4), tuple(), (5,))
x, (y, z) = 1, (2, 3)
[p, q] = "ab"
print(x, y, z, p, q)
first, second = {"k1": 1, "k2": 2}
print(first, second)
print(list(zip("ab", [1, 2, 3], (True, False))), list(enumerate([5, 6], 1)), list(map(lambda a, b: a * b, [1, 2], [3, 4])))
print(list(reversed(range(5))), list(range(0, 10, 3)), range(5)[2], len(range(0, 10, 3)), range(3), range(1, 9, 2)[1:3])
print(list(reversed("abc")), list(reversed((1, 2))), [i for i in reversed({"a": 1, "b": 2})])
it = iter([1, 2])
print(next(it), next(it), next(it, "end"))
nested = {"a": [1, {"b": (2, 3)}]}
print(nested, str(nested), repr([None, True, 1.5, "s"]))
print([1, 2] == [1, 2], [1, [2]] == [1, [2]], (1, 2) != (1, 2), [] < [1], [2] > [1, 5], {1: 2} == {1: 2})
m = [1, 2]
m += [3]
m += (4,)
m *= 2
print(m)
