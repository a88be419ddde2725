# Branches taken at different rates: exits get hot and grow side traces.
def mix(n):
    a = b = c = 0
    for i in range(n):
        if i % 3 == 0:
            a += i
        elif i % 5 == 1:
            b += 2 * i
        else:
            c -= 1
    return a, b, c

print(mix(100000))
total = 0
i = 0
while i < 50000:
    if i & 4:
        total += i
    else:
        total -= 1
    i += 1
print(total)
