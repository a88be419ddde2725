# Set iteration order under random adds, discards, pops and operators,
# driven by a fixed LCG: every printed order must equal CPython's.
seed = 12345


def rnd(n):
    global seed
    seed = (seed * 1103515245 + 12345) % 2147483648
    return seed % n


def value():
    k = rnd(6)
    if k == 0:
        return rnd(20)
    if k == 1:
        return rnd(1000) * 64
    if k == 2:
        return -rnd(50)
    if k == 3:
        return rnd(2**40) * 2**21
    if k == 4:
        return rnd(300)
    return rnd(8) * 8 + 2**61 - 8


sets = [set(), {1, 2, 3}, set(range(10)), {value() for _ in range(30)}]
for step in range(400):
    i = rnd(len(sets))
    s = sets[i]
    op = rnd(12)
    if op < 4:
        s.add(value())
    elif op < 6:
        s.discard(value())
        if s and rnd(2):
            s.discard(sorted(s)[rnd(len(s))])
    elif op == 6 and s:
        s.pop()
    elif op == 7:
        sets.append(s | sets[rnd(len(sets))])
    elif op == 8:
        sets.append(s & sets[rnd(len(sets))])
    elif op == 9:
        sets.append(s - sets[rnd(len(sets))])
    elif op == 10:
        sets.append(s ^ sets[rnd(len(sets))])
    else:
        s.update([value() for _ in range(rnd(12))])
    if len(sets) > 8:
        sets.pop(0)
    if step % 20 == 0:
        print(step, list(s))
for s in sets:
    print(len(s), s)
    print(set(s), s.copy(), set(list(s)))
    t = set(s)
    t |= {value() for _ in range(5)}
    t &= set(range(0, 20000, 64)) | s
    t -= set(sorted(s)[:3])
    t ^= {1, 2, 3, 64}
    print(t)
