# Sets: displays, comprehensions, methods, operators; iteration order of
# int sets equals CPython's (same hashes and table). Str sets only in
# order-independent ways (str hashes are randomized in CPython).
a = {1, 2, 3}
b = set()
print(a, b, repr(b), len(a), len(b), bool(a), bool(b))
print({3, 1, 2}, {5, 4}, {-1, -2, -3, 7}, {100, 8, 16, 0, 32, 64})
x = 9
print({x, 1, x * 2, 17, 33, 25, -1})
print(set([5, 3, 1, 3, 5]), set(range(20, 0, -3)), set((7, 7, 8)))
print({i * 7 % 30 for i in range(40)})
print({i for i in range(100) if i % 9 == 0})
print(set({3: 1, 1: 2, 2: 3}), set("aaa"))
big = set()
for i in range(0, 200, 13):
    big.add(i * 1000003)
print(big)
print(sorted(big) == sorted(list(big)), len(big))
neg = {-5, -1, -2, 2**61 - 1, 2**61, 2**62, -2**61, 12345678901234567890}
print(neg)
s = {1, 2, 3}
print(2 in s, 4 in s, 4 not in s, "a" in s, 2.0 in s, True in s)
s.add(4)
s.add(1)
s.discard(2)
s.discard(99)
print(s)
s.remove(3)
print(s, s.pop(), s)
s.update([10, 20], (30,), {40, 50}, range(3))
print(s)
t = set(range(10))
while t:
    print(t.pop(), end=" ")
print()
u = {1, 2, 3, 4, 5}
v = {4, 5, 6, 7}
print(u | v, u & v, u - v, v - u, u ^ v, v ^ u)
print(u <= v, {4, 5} <= v, {4, 5} < v, v < v, v <= v, u >= {1, 2}, u > u, u == {5, 4, 3, 2, 1}, u != v)
print(u == [1, 2, 3, 4, 5], u.union([9, 8], {7}), u.intersection(range(3, 10)), u.difference([1], {2}))
print(u.symmetric_difference([5, 6]), u.issubset(range(10)), u.issuperset([1, 2]), u.isdisjoint({9}))
w = u.copy()
w |= {100}
w &= {1, 2, 100, 200}
print(w, u)
w -= {1}
w ^= {2, 3}
print(w)
w.clear()
print(w, len(w))
print(sorted({"pear", "apple", "fig"}), len({"a", "b", "a"}), "fig" in {"fig"})
print(sorted(set("mississippi")), list({0}), tuple({1, 2}))
print(type(a), isinstance(a, set), type(a) == set, set)
print(sum({1, 2, 3}), max({4, 9, 2}), min({4, 9, 2}), sorted({3, 1, 2}, reverse=True))
print({(1, 2), (1, 2), (3, 4)} == {(3, 4), (1, 2)}, {1.5, 1.5} == {1.5}, {1, 1.0, True})
print(f"{a}", str(a), [a, b], {"k": a})
d = {}
for w2 in "the cat the dog the end".split():
    d.setdefault(len(w2), set()).add(w2)
print(sorted((k, sorted(v)) for k, v in d.items()))
seen = set()
out = []
for n in [3, 1, 3, 2, 1, 5]:
    if n not in seen:
        seen.add(n)
        out.append(n)
print(out, seen)
r = {1, 2, 3}
for i in range(1000):
    r.add(i % 50)
    r.discard((i * 7) % 50)
print(r)
print({*[1, 2], *range(5, 8), 3}, {*{9, 8}})
