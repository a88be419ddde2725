def total(n):
    s = 0
    i = 0
    while i < n:
        if i % 3 == 0:
            s = s + i * 2
        else:
            s = s - 1
        i = i + 1
    return s

print(total(3_000_000))
