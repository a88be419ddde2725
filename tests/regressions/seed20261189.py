K1 = 65535
K2 = -7
g3 = 9223372036854775807

def bump4(x):
    global g3
    g3 = (g3 * 5 + x) % (2**64 - 59)

def f8(p0, p1=((4611686018427387903 if (1000 != (K2 + 2147483647)) else K1) * float((K1 >> 21)))):
    l9 = (min((-3.141592653589793), round((p0 + p0), 2))) % 2147483647
    l10 = (-float('inf'))
    pass
    w11 = 0
    while w11 < 4 and (max(K1, K2) == (~(round(p0 * -1.0 % 1000.0) if p0 * -1.0 - p0 * -1.0 == 0 else 0))):
        w11 += 1
        pass
    else:
        p1 += p0
    pass
    return (((l9 + l9) + l9)) % 2**63

def make15(start, step=2):
    total = start % 97
    def inner(x):
        nonlocal total
        total = (total * 3 + x + step) % 97
        return total
    return inner

def rec16(n):
    if n < 2:
        return n
    return (rec16(n - 1) + rec16(n - 2)) % (2**62 + 1)

v17 = 255 % (2**62 - 3)
v19 = 4611686018427387904
v20 = 1e+22
v21 = 123456.789
v22 = True
v24 = False
v25 = "Hello, World"
v26 = (87, 91, 23,)
v27 = (4, 5)
v28 = {}
chk29 = 0
acc31 = make15(2)
for i32 in range(300):
    v22 = (v22 + divmod((v28.get(f"k{v19 * 3 % 5}", 4) & 0xfffffff), (i32 or 1))[1]) % 2**63
    if any(x % 5 == 0 for x in v26):
        v26 = tuple([(v24 % 2**62), (((len(v28) * (sum(v26) >> 11)) if ((v17 - chk29) <= acc31((v17 >> 44))) else min(v17, 3)) % (2**61 - 1)), ((len(v28) // 10) % (2**89 - 1)), (((divmod(v27[(-(v18 % 131072)) % len(v27)], (i32 or 1))[1] & 65535) << 47) % 1000003)])[-4:]
        v28.pop("a", None)
        v17 = ((("k1" in v28) + ((int(v21 % 1000000.0) if v21 - v21 == 0 else -1) - i32)) % (((((chk29 % 158456325028528675187087900672) & 65535) << 43) ^ (1 & (v17 >> 6))) or -7))
    else:
        v19 = (v19 + len(v26)) % 2**63
        v22 = ((v21 + v20) * v20)
    bump4((round(v21 % 1000.0) if v21 - v21 == 0 else 0))
    bump4(((v17 & 0x7ffffff) * len(v27)))
    w33 = 0
    while w33 < 7:
        w33 += 1
        v21 *= ((i32 * 0.1) or 1.0)
        v17, v18 = divmod((v27[0] >> 4), (divmod((int(v20 % 1000000.0) if v20 - v20 == 0 else -1), ((acc31((i32 // 10)) & 0x3ffffffffffffff) or 1))[1] or 1))
        v24 = (v24 and (((v22 * 4611686018427387903) > (1.5 + v24)) and ((((v17 & 0x3ffffffffffffffffffffffff) & 65535) << 23) < (len(v25) * len(v26)) <= ((v17 % 316912650057057350374175801344) >> 40))))
    for j34, v35 in enumerate(v28.values()):
        v27 = ([((int(str(0 + (ord((v25 or "?")[0]) * len(v27)))) if isinstance(v22, float) else ((int(v21 % 1000000.0) if v21 - v21 == 0 else -1) >> 31))) % 1000003 for x in v27 if v24] or [0])[:20] if i32 % 26 < 13 else tuple([((((-1.5) > i32) + v24) % 2**62), (divmod((~max(v27)), ((v25.find("z") - v28.get("zz", 7)) or 1))[0] % 2**63), ((100000000000000000000 | (K2 - v26[-1])) % 2**63)])
    w36 = 0
    while w36 < 7 and (v19 > (round(v21 % 1000.0) if v21 - v21 == 0 else 0)):
        w36 += 1
        v18, v19 = v19, (v18 + v19) % (2**64 - 59)
    v20 = (v20 * -1.5 + min((i32 * 1.25), (pow(i32, 3, 1000003) / ((len(v25) | i32) or 1)))) % 1e300
    v18 = (v18 * (("a" in v28) + (~ord((v25 or "?")[0])))) % 2**100
    v24 = (isinstance(v22, int) or (K2 % 5 != 3))
    v21 += (i32 * -2.0)
    v22 = f8(v21, v20)
    v18 = (v18 + rec16(i32 % 9)) % (2**89 - 1)
    v17 = 2147483647
    chk29 = (chk29 * 31 + v17 + v18 + v19 + chk29) % (2**61 - 1)
