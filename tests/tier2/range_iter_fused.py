# `for x in range(...)` made in one step in traces (_CALL_RANGE_ITER: no
# range object; the iterator comes from the free list), and loops over lists
# and tuples whose iterators are made and dropped once per outer iteration.
# Each case runs often enough for the inner and outer loops to get traces
# and side traces.


def nested_short(n):
    # The inner loop runs 0 to 3 times per outer iteration (as in n-body).
    t = 0
    for _ in range(200):
        for i in range(n):
            for j in range(i + 1, n):
                t += i * j
    return t


print(nested_short(4), nested_short(1), nested_short(0))


def negative_and_odd_steps():
    out = []
    for k in range(60):
        s = 0
        for i in range(k, -k, -3):
            s += i
        for i in range(-k, k, 7):
            s -= i
        for i in range(k):
            s += 1
        out.append(s)
    return sum(out), out[-5:]


print(negative_and_odd_steps())


def exit_with_live_iterator():
    # A guard fails inside the loop body (an int turns into a float, then a
    # str) while the fused iterator is live: tier 1 must go on with it.
    out = []
    vals = [1] * 50 + [1.5] * 10 + ["x"] * 5 + [2] * 40
    for v in vals:
        acc = 0
        for i in range(3, 9):
            if isinstance(v, str):
                acc += len(v) * i
            else:
                acc += v * i
        out.append(acc)
    return sum(x for x in out if isinstance(x, int)), out[49:52], out[60:62]


print(exit_with_live_iterator())


def break_and_else():
    found = 0
    missed = 0
    for k in range(300):
        for i in range(k % 7, 20):
            if i * i > k:
                found += i
                break
        else:
            missed += 1
        for j in range(k % 3):
            pass
        else:
            missed += 10
    return found, missed


print(break_and_else())


def huge_bounds():
    # Bounds past the small ints (but within 64 bits, all the VM's ranges
    # take): tier 1 makes these ranges; small bounds near the limit stay exact.
    out = []
    lo = 2 ** 62 - 6
    for k in range(40):
        s = 0
        for i in range(lo, lo + 4):
            s += i - lo
        for i in range(lo + 2, lo + 10):
            s += i - lo
        for i in range(-(2 ** 62), -(2 ** 62) + 3):
            s += i + 2 ** 62
        for i in range(0, 2 ** 62 - 1, 2 ** 61):
            s += i // 2 ** 60
        out.append(s)
    return out[0], out[-1], sum(out)


print(huge_bounds())


def range_errors():
    msgs = []
    for k in range(40):
        step = k % 5 - 2 if k < 35 else 0
        try:
            for i in range(0, 10, step):
                pass
        except ValueError as e:
            msgs.append(str(e))
        try:
            for i in range(k, 2.5):
                pass
        except TypeError as e:
            msgs.append(str(e))
    return len(msgs), msgs[0], msgs[-1]


print(range_errors())


def range_rebound():
    # A user `range` shadows the builtin midway: the fused form must not
    # be used for it.
    global range
    out = []
    for k in range(100):
        t = 0
        for i in range(4):
            t += i
        out.append(t)
        if k == 60:
            range = lambda *a: [10, 20]
    del range
    return out[0], out[-1], sum(out)


print(range_rebound())


def list_mutated():
    out = []
    for k in range(80):
        xs = [1, 2, 3, 4]
        seen = []
        for x in xs:
            seen.append(x)
            if x == 2 and k % 2:
                xs.append(9)
            if x == 3 and k % 3 == 0:
                xs.pop(0)
            if x == 9:
                xs.clear()
        out.append(tuple(seen))
    return out[:4], len(out)


print(list_mutated())


def tuple_and_list_loops(polys):
    total = 0.0
    for p in polys:
        for c in p:
            total = total * 0.5 + c
        for t in (1, 2, 3):
            total += t
    return total


print(tuple_and_list_loops([[1.0, 2.0, 3.0]] * 200 + [[0.5]] * 50 + [[]] * 10))


def enumerate_and_zip():
    # Calls that precede GET_ITER but are not range.
    t = 0
    for k in range(100):
        for i, v in enumerate([k, k + 1]):
            t += i * v
        for a, b in zip(range(3), (4, 5, 6)):
            t += a * b
        for x in list(range(k % 4)):
            t += x
    return t


print(enumerate_and_zip())
