def outer():
    items = []
    def add(x):
        items.append(x)
        return len(items)
    add(1); add(2)
    return items
print(outer())
def counter():
    n = 0
    def step():
        nonlocal n
        n += 1
        return n
    return step
s = counter()
for _ in range(3):
    s()
print(s())
def kw(a, b=10, c=20):
    return a + b * c
print(kw(1), kw(1, c=2), kw(a=3, b=1, c=1))
def fact(n):
    return 1 if n <= 1 else n * fact(n - 1)
print(fact(30), fact(0))
def hanoi(n, a, b, c, moves):
    if n == 0:
        return moves
    hanoi(n - 1, a, c, b, moves)
    moves.append((a, c))
    hanoi(n - 1, b, a, c, moves)
    return moves
print(len(hanoi(10, "A", "B", "C", [])), hanoi(2, 1, 2, 3, []))
def gcd(a, b):
    while b:
        a, b = b, a % b
    return a
print(gcd(1071, 462), gcd(2 ** 100, 6 ** 50))
def is_pal(s):
    s = "".join(c.lower() for c in s if c.isalpha())
    return s == s[::-1]
print(is_pal("A man, a plan, a canal: Panama"), is_pal("abc"))
def bubble(xs):
    xs = xs[:]
    n = len(xs)
    for i in range(n):
        for j in range(n - 1 - i):
            if xs[j] > xs[j + 1]:
                xs[j], xs[j + 1] = xs[j + 1], xs[j]
    return xs
print(bubble([5, 3, 8, 1, 9, 2]))
def fizz(n):
    out = []
    for i in range(1, n + 1):
        if i % 15 == 0:
            out.append("FizzBuzz")
        elif i % 3 == 0:
            out.append("Fizz")
        elif i % 5 == 0:
            out.append("Buzz")
        else:
            out.append(str(i))
    return out
print(fizz(15))
print([x for x in [1, 2, 3] if x != 2], {k: v for k, v in zip("ab", [1, 2])})
print(any([]), all([]), min(1, 2, 3), max((1, "b"), (1, "a")))
def collatz(n):
    seq = [n]
    while n != 1:
        n = n // 2 if n % 2 == 0 else 3 * n + 1
        seq.append(n)
    return seq
print(collatz(6))
print(pow(2, 0.5), pow(10, -1), 2 ** -1, (-8) ** 2, -8 ** 2, 0 ** 0)
print(sorted([(1, "b"), (1, "a"), (0, "z")]), sorted([[2, 1], [1, 2]]), [1, 2] < [1, 2, 0])
print(10 ** 20 // 3, 10 ** 20 % 3, -(10 ** 20) // 3, (10 ** 20) >> 3, 1 << 100, (1 << 64) - 1 & 0xFF)
vals = [0.1 * i for i in range(5)]
print(vals, [round(v, 1) for v in vals])
print(str(0.1 + 0.2), format(0.5, ".0%"), format(1234567.891, ",.2f"), format(255, "#x"), format(3, "03d"))
