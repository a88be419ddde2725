def gen_primes(n):
    sieve = [True] * n
    out = []
    for i in range(2, n):
        if sieve[i]:
            out.append(i)
            for j in range(i * i, n, i):
                sieve[j] = False
    return out
print(gen_primes(50))
matrix = [[1, 2, 3], [4, 5, 6]]
transposed = [[row[i] for row in matrix] for i in range(3)]
print(transposed)
s = "hello world"
freq = {}
for c in s:
    if c != " ":
        freq[c] = freq.get(c, 0) + 1
print(sorted(freq.items(), key=lambda kv: (-kv[1], kv[0])))
print(f"{len(s)=}", f"{s!r:>20}", f"{3.14159:.2f}", f"{42:08b}", f"{'x':^7}|")
print("%-10s|%5.1f|%+d" % ("name", 3.14159, 7))
def apply_n(f, n, x):
    for _ in range(n):
        x = f(x)
    return x
print(apply_n(lambda v: v * 2, 10, 1))
print(max([3, 1, 4, 1, 5], key=lambda v: -v), min("hello", key=ord), max([], default=0))
print(list(map(str, range(3))), list(filter(None, [0, 1, 2])) if False else 0)
x = [1, 2, 3]
y = x
y.append(4)
print(x, x is y, x == [1, 2, 3, 4])
print(divmod(-7, 2), 7 // -2, -7 % 3, round(-2.5), round(0.5), round(1.5))
big = 10 ** 30
print(big, big + 1, big * big, big // 7, big % 7, -big, str(big)[:5], len(str(big)))
print(int("123456789012345678901234567890") + 1, float(big), big / 3)
print(True and "yes", None or 0, [] or {} or "last")
t = 1, 2, 3
print(t, type(t) == tuple, isinstance(t, tuple))
a, b, c = range(3)
print(a, b, c)
for i, (k, v) in enumerate({"x": 1, "y": 2}.items()):
    print(i, k, v)
print(sum([1.5, 2.5]), sum(range(10), 100), abs(-0.0), -0.0 == 0.0)
print(str(1e-10), 1.0e100, 12345.6789e-3, 0.1 + 0.7, 1 / 3 * 3, 2 ** 0.5 * 2 ** 0.5)
print(repr(""), repr("'"), repr("\\"), "a\tb", "\u00e9", len("\u00e9"))
print([i for i in range(3)] + [j * 2 for j in range(3)])
print(chr(9731), ord("€"), "€uro"[0], "abc".encode if False else "")
d = {i: i * i for i in range(5)}
del d[2]
print(d, list(d.values()), 4 in d, 2 in d)
nums = [5, 2, 9, 1]
nums.sort(reverse=True)
print(nums, sorted("banana"), sorted([3, 1, 2], key=lambda v: v % 2))
print(" ".join(w.capitalize() for w in "the end".split()))
w = 0
while w < 10:
    w += 3
print(w)
print(list(range(10))[::3], list(range(10))[-3:], list(range(10))[8:2:-2])
