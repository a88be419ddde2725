# Sorting by the keys the comparison fast paths decide (small ints, strs,
# tuples of them) and by keys they leave to the general comparison.
words = ["pear", "fig", "apple", "fig", "kiwi", "date", "apple", "é", "Z", ""]
counts = {}
for i in range(400):
    w = words[(i * 7) % len(words)] + words[i % 3]
    counts[w] = counts.get(w, 0) + 1
print(sorted(counts.items())[:6])
print(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:6])
print(sorted(counts, key=len, reverse=True)[:6])

# Equal keys keep their order (stability), also reversed.
pairs = [(i % 4, "abcd"[i % 3] * (i % 5)) for i in range(60)]
print(sorted(pairs, key=lambda p: p[0])[:8])
print(sorted(pairs, key=lambda p: p[0], reverse=True)[:8])

# Prefixes, different lengths, big ints, floats, bools, nested tuples.
mixed = [(1, 2), (1,), (1, 2, 0), (0, 9), (True, 1), (1.5,), (10**20,), (-(10**20), 1),
         (1.0, 2, -1), ((1, "a"), 2), ((1, "a"), 1), ((0, "b"), 3)]
print(sorted(mixed[:9]))
print(sorted(mixed[9:]))
print(sorted([3, 1.5, True, -2, 10**19, 2.0, 0]))
print(sorted(["b", "a", "é", "B", "", "ab", "a\\x00"]))

# Keys that cannot be ordered raise, as in CPython.
for keys in ([1, "a"], [(1, "a"), (1, 2)], [("x", 1), ("x", None)]):
    try:
        print(sorted(keys))
    except TypeError as e:
        print("TypeError", e)

items = list(range(50))
items.sort(key=lambda x: (x % 7, -x))
print(items[:10])
