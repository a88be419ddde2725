# Linked exits whose target traces are invalidated (s9-link). The root
# trace (the common path) bakes SCALE; the side trace of its rare branch
# bakes ODD. Each path calls a function (not inlined: it has a loop) that
# rebinds, once per call of `loop`, what the other path baked:
# - poke_scale runs inside the side trace and invalidates the root: the
#   side trace's direct jump into the root's loop must go back to tier 1;
# - poke_odd runs inside the root and invalidates the side trace: the
#   root's patched exit to it must fall back to the cold path.
SCALE = 3
ODD = 1


def poke_scale(i, flip):
    global SCALE
    for _ in range(1):
        pass
    if i == flip:
        SCALE = SCALE + 1
    return 0


def poke_odd(i, flip):
    global ODD
    for _ in range(1):
        pass
    if i == flip:
        ODD = ODD + 2
    return 0


def loop(n, flip):
    total = 0
    i = 0
    while i < n:
        if i & 3 == 3:
            total += ODD * i + poke_scale(i, flip)
        else:
            total += SCALE * i + poke_odd(i, flip + 41)
        i += 1
    return total


for k in range(6):
    print(loop(600, 203 + 40 * k), SCALE, ODD)
