# The JIT adds, subtracts and multiplies small ints on their tagged words;
# results exactly at the 63-bit limits must stay exact, and one past them
# must promote to big ints, in every direction and sign.
LO = -(2**62)
HI = 2**62 - 1

def edges():
    out = []
    for i in range(60):
        d = i % 3
        out.append(HI - d + d)
        out.append((HI - 2) + d)
        out.append((LO + 2) - d)
        out.append(LO + d - d)
        out.append(0 - (HI - d))
        out.append((-(2**31)) * (2**31 - d))
        out.append((2**31) * (2**31 - d))
        out.append((-(2**31)) * (-(2**31) + d))
        out.append((HI // 2 + d) * 2)
        out.append((LO // 2 - d) * 2)
        out.append((LO // 2) * (-1 - d))
        out.append(-1 * (LO + d))
        out.append(d * LO)
        out.append(LO * (1 - d))
    return out

r = edges()
print(len(r), sum(r), r[:14], r[-14:])
