# Float arithmetic and comparisons in traces, mixed with ints.
def walk(n):
    x = 0.0
    y = 1.0
    hits = 0
    for i in range(n):
        x = x * 0.5 + y
        y = y - x * 0.25
        if x * x + y * y <= 4.0:
            hits += 1
        if i % 1000 == 0:
            x = x + i
    return x, y, hits

print(walk(50000))
vals = [1.5, 2.5, -3.25]
acc = 0.0
for i in range(3000):
    acc += vals[i % 3] * i
    vals[i % 3] = vals[i % 3] / 1.0001
print(acc, vals)
nan = float("nan")
c = 0
for i in range(100):
    if nan != nan:
        c += 1
    if nan < 1.0:
        c += 1000
print(c)
