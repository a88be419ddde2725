# Locals far into the frame (fused int, float and list uops address them by
# displacement in JIT code): every way out of such uops, in every mode.


def far_locals(n, big):
    (
        p0, p1, p2, p3, p4, p5, p6, p7, p8, p9,
        p10, p11, p12, p13, p14, p15, p16, p17, p18, p19,
        p20, p21, p22, p23, p24, p25, p26, p27, p28, p29,
        p30, p31, p32, p33, p34, p35, p36, p37, p38, p39,
    ) = range(40)
    i = 0
    total = 0
    acc = 0.5
    items = [k * 3 for k in range(20)]
    odd = 0
    while i < n:
        if i & 1:
            odd += 1
        total += items[i % 20] + p39
        acc = acc * 0.5 + p38
        if i == n - 3:
            # Guard failure: the int local becomes a float.
            total = float(total)
        items[i % 20] = i
        i += 1
    # Overflow of an in-place add: leaves for tier 1's big int.
    x = big
    k = 0
    while k < 40:
        x += big
        k += 1
    # A shift and a mask on a far local.
    m = 1 << 40
    steps = 0
    while m != 1:
        m >>= 1
        steps += 1
    return total, acc, odd, x, steps, p0 + p20


def errors(n):
    (p0, p1, p2, p3, p4, p5, p6, p7, p8, p9, p10, p11, p12, p13, p14, p15, p16, p17, p18, p19,
     p20, p21, p22, p23, p24, p25, p26, p27, p28, p29, p30, p31, p32, p33, p34, p35, p36, p37,
     p38, p39) = tuple(range(40))
    i = 0
    caught = 0
    lst = [1, 2, 3]
    while i < n:
        try:
            if i % 97 == 96:
                lst[i] = 0
            caught += p39 // (i % 50)
        except ZeroDivisionError:
            caught -= 1
        except IndexError:
            caught += 1000
        i += 1
    del p30
    try:
        return p30
    except UnboundLocalError as e:
        return caught, str(e)


def constants(n):
    # Constants past a 32-bit immediate stay unfused; small ones fuse.
    q = 0
    hits = 0
    i = 0
    while i < n:
        q += 1_500_000_000
        if q > 3_000_000_000:
            q -= 4_000_000_000
            hits += 1
        if i & 0x1FFFFFFF:
            hits += 2
        i += 1
    return q, hits


for r in range(3):
    print(far_locals(3000, 2**58))
    print(far_locals(2000, 7))
print(errors(5000))
print(constants(3000))
