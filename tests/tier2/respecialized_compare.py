# A comparison that is generic when the loop's trace is projected (its
# operands are not both small ints or both floats yet) and that tier 1
# specializes into a fused compare-and-jump later: the trace's helper must
# keep running it as the plain compare the trace was built around.

def ints():
    a = 2147483648
    t = (897, 7670116110564327424)
    chk = 0
    i = -1
    while i < 59:
        i += 1
        w = 0
        while w < 4:
            w += 1
            if a > t[i % len(t)]:
                chk += w
    return chk

def floats():
    t = (0.5, 10 ** 30)
    chk = 0
    for i in range(60):
        w = 0
        while w < 4:
            w += 1
            if 2.5 < t[i % 2]:
                chk += w
            else:
                chk -= 1
    return chk

def flips():
    big = 2 ** 80
    chk = 0
    for i in range(200):
        b = big if i < 30 else i % 7
        if b != 3:
            chk += i
        if not (b <= 2):
            chk += 1
    return chk

print(ints(), floats(), flips())
