# frozenset: built from iterables, hashable (a dict key, a set element, in
# tuples), CPython's hash and repr, operators mixed with set (the result
# follows the left operand), comparisons and the non-mutating methods.
print(frozenset(), repr(frozenset()), frozenset([]), len(frozenset()))
a = frozenset([3, 1, 2, 3])
b = frozenset(range(2, 6))
print(a, b, len(a), 2 in a, 7 in a, sorted(a))
print(a | b, a & b, a - b, a ^ b)
s = {1, 9}
print(a | s, s | a, a & s, s & a, a - s, s - a, a ^ s, s ^ a)
print(type(a | s).__name__ if False else isinstance(a | s, frozenset), isinstance(s | a, set))
print(a == frozenset({1, 2, 3}), a == {1, 2, 3}, {1, 2, 3} == a, a != b, a <= b, a < frozenset(range(5)), a >= {1}, a > a)
print(hash(frozenset()), hash(a), hash(b), hash(frozenset({(1, 2), 0.5, -1})))
print(hash(frozenset([1, 2, 3])) == hash(frozenset([3, 2, 1])))
d = {a: "a", b: "b", frozenset(): "empty"}
print(d[frozenset({1, 2, 3})], d[frozenset()], frozenset([2, 3, 4, 5]) in d)
print({a, b, frozenset([1, 2, 3])})
print({frozenset([i, i + 1]) for i in range(12)})
nested = frozenset([frozenset([1]), frozenset([1, 2]), frozenset()])
print(nested, hash(nested))
print(a.union([7], (8,)), a.intersection({1, 2}, [2]), a.difference([1]), a.symmetric_difference([1, 10]))
print(a.issubset(range(10)), a.issuperset([1]), a.isdisjoint([5, 6]), a.copy() is a, frozenset(a) is a)
c = a
c |= {100}
print(c, a, c is a)
print(set(a), frozenset("abc") == frozenset("cba"), list(frozenset((5,))))
x = frozenset({1, 2})
print(x in {frozenset({2, 1}), 3}, (x, 1) in {(frozenset([1, 2]), 1)})
for v in frozenset([40, 10, 30]):
    print(v)
try:
    frozenset([[1]])
except TypeError as e:
    print(e)
try:
    a.add(4)
except AttributeError as e:
    print(e)
try:
    hash({1})
except TypeError as e:
    print(e)
print(frozenset({1: 2, 3: 4}), frozenset(x for x in [1, 1, 2]) if False else frozenset([1, 1, 2]))
