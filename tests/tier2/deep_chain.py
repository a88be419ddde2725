# A loop whose path changes in phases: a long chain of side traces.
def phases(n):
    acc = 0
    for i in range(n):
        k = (i // 500) % 12
        if k == 0:
            acc += 1
        elif k == 1:
            acc += 2
        elif k == 2:
            acc += 3
        elif k == 3:
            acc -= 4
        elif k == 4:
            acc += i
        elif k == 5:
            acc ^= i
        elif k == 6:
            acc += k * 7
        elif k == 7:
            acc = acc % 1000003
        elif k == 8:
            acc += 1.5
        elif k == 9:
            acc = int(acc) + 2
        elif k == 10:
            acc -= i % 7
        else:
            acc += 11
    return acc

print(phases(60000))
