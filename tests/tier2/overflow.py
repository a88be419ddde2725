# Small-int overflow inside traces promotes to big ints, as CPython does.
x = 1
for i in range(200):
    x = x * 3 + i
print(x)
a = 2**62 - 10
for i in range(40):
    a += 1
print(a)
b = -(2**62) + 5
for i in range(40):
    b -= 1
print(b)
m = 3037000499
for i in range(5):
    m = m * m - i
print(m % 1000000007, len(str(m)))
big = 0
for i in range(100000):
    big += 4611686018427387
print(big)
