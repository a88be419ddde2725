# hash() of tuples (3.11's xxHash tuplehash) and floats (_Py_HashDouble) is
# CPython's, so sets and dicts keyed by them iterate in CPython's order.
print({(1, 2), (3, 4), (0, 9)})
print({0.5, 1.5, 2.25})
floats = [0.0, -0.0, 0.5, 1.5, 2.25, -1.0, -0.5, 1e300, -1e-300, 1e-320,
          float("inf"), -float("inf"), 3.141592653589793, 2.0 ** 61,
          -2.0 ** 62, 1.0 / 3, 123456789.125, -2.5e-8, 7.0, 2.0 ** 60 - 1]
for v in floats:
    finite = v not in (float("inf"), -float("inf"))
    print(v, hash(v), finite and v == int(v) and hash(v) == hash(int(v)))
tuples = [(), (1,), (1, 2), (-1,), (-2,), ((1, 2), 3), (0.5, False), (1, (2, (3, ()))),
          (2 ** 70, -5), ("",), (True, 1.0, 1), (None,) * 0, (-1, -1, -1)]
for t in tuples:
    print(t, hash(t))
x = 0
for i in range(2000):
    x = hash((x, i, i * 0.25)) % 1000003
print(x)
print({(i, i * 2) for i in range(40)})
print({(i % 7, -i): i for i in range(30)})
print({i / 8 for i in range(-20, 40)})
print({(i * 0.1, (i,)) for i in range(25)})
s = set()
for i in range(60):
    s.add((i % 5, i % 3))
    s.discard((i % 4, i % 6))
print(s)
