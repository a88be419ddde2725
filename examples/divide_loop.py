def f(n):
    t = 0
    i = 0
    while i < n:
        t = t + i / 2
        i = i + 1
    return t

print(f(100))
