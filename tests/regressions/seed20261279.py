def f7(p0):
    l8 = (int(str(0 + (K1 & 0x3ffffffffffffff))) + (-0.0))
def f10(p0):
    l11 = [((100000000000000000000 * (max(p0) & 0x1ffffffffffffffffffffffff)) % 2**100)][:30]
def make13(start, step=2):
    total = start % 10**30
def rec14(n, acc=0):
    return acc
v23 = [-10000000000000000000000000, -4611686018427387904]
v24 = [2**62, 7]
acc27 = make13(2147483648)
i28 = -1
while i28 < 299:
    i28 += 1
    v16 = v15 = (int(str(0 + pow((v23[0] % 288230376151711744), 1, 1000003)))) % 2**62
    v16 += len(str(f10(v23)))
    v24 = (list(v24[1:]) + list(v24[:1]))[:20] if i28 % 17 < 5 else (tuple(x % 6 for x in v23) or (0,))
    if (v23[-1] != v24[0]):
        v23[(len(v23) % ((v15 & 0x3ffff) or 1)) % len(v23)] = (((v15 & 0x3fffffffffff) * i28) * pow((sum(v24) >> 11), 1, 2**40)) % 2**100
