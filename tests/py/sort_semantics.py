# sorted() and list.sort(): stability, key calls, reverse, errors, and the
# uniform-kind fast paths (ints, strs, floats, tuples) against mixed lists.
def lcg(seed, n, m):
    out = []
    for _ in range(n):
        seed = (seed * 1103515245 + 12345) % 2147483648
        out.append(seed % m)
    return out


# Stability: equal keys keep their order, also with reverse=True.
pairs = [(k, i) for i, k in enumerate(lcg(7, 300, 10))]
by_key = sorted(pairs, key=lambda p: p[0])
print(by_key[:12], by_key[-5:])
print(sorted(pairs, key=lambda p: p[0], reverse=True)[:12])
print(all(by_key[i][1] < by_key[i + 1][1] for i in range(len(by_key) - 1) if by_key[i][0] == by_key[i + 1][0]))

# Key function called once per element, in the list's order.
calls = []
def key(x):
    calls.append(x)
    return -x
print(sorted([3, 1, 2, 5, 4], key=key), calls)
calls.clear()
print(sorted([3, 1, 2, 5, 4], key=key, reverse=True), calls)

# Uniform kinds and sizes around the run length.
for n in [0, 1, 2, 5, 63, 64, 65, 130, 1000]:
    xs = lcg(n + 1, n, 1000)
    s = sorted(xs)
    print(n, s[:3], s[-3:], sum(s), s == sorted(xs, reverse=True)[::-1])
words = ["".join("abcde"[d] for d in lcg(i, 1 + i % 4, 5)) for i in range(200)]
print(sorted(words)[:10], sorted(words, reverse=True)[:5])
print(sorted(["b", "a", "", "ab", "aa", "é", "z", "Z", "a" * 20, "a" * 19 + "b"]))
print(sorted([2.5, -1.0, 3.0, 0.0, -0.0, 1e300, -1e300]))
print(sorted([3, 2.5, True, 0, -1.5, 10 ** 20, -(10 ** 20)]))
print(sorted([(1, "b"), (1, "a"), (0, "z"), (1,), (0, "z", 1), (2, 0)]))
print(sorted([("b", 1), ("a", 2), ("b", 0), ("a", 2, 0)]))
print(sorted([(1.5, 1), (0.5, 2), (1.5, 0)]))
print(sorted([(), (1,), (0, 0), ()]))
print(sorted([[2, 1], [1, 2], [1], []]))
counts = {}
for w in words:
    counts[w] = counts.get(w, 0) + 1
print(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:8])
print(sorted(counts.items())[:5])
lst = list(words[:20])
lst.sort(key=len)
print(lst)
lst.sort(key=lambda w: w[-1], reverse=True)
print(lst)

# Errors: unorderable pairs, with CPython's message naming the types.
for bad in [[1, "a"], ["a", 1], [1, 2, None], [(1, "a"), (1, 2)], [(1, 2), ("a", 2)], [1.5, "x"], [[1], (1,)]]:
    try:
        sorted(bad)
        print("sorted", bad)
    except TypeError as e:
        print("TypeError:", e)
try:
    sorted([1, 2, 3], key=lambda x: 1 // (x - 2))
except ZeroDivisionError as e:
    print("ZeroDivisionError:", e)
lst = [3, 1, 2]
try:
    lst.sort(key=lambda x: [1, 2][x])
except IndexError as e:
    print("IndexError:", e, lst)
nan = float("nan")
print(len(sorted([nan, 1.0, 0.5, nan, 2.0])))
