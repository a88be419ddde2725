# Float list items read unboxed (`_BINARY_SUBSCR_LIST_INT_UNBOXED_FLOAT`
# and its fused `_LOCAL_CONST` / `_LOCALS` forms), float-and-small-int
# arithmetic (`_BINARY_OP_FLOAT_INT_UNBOXED`) and unboxed return values of
# inlined calls, each with the exit its guard takes: an item that is not a
# float, an index out of range, a zero int divisor, 0.0 to a negative int
# power, an int overflowing into a big int, a callee returning an int.


def body_distances(bodies, steps):
    # `b[0] - c[-3]` with `b`, `c` locals: the fused unboxed reads (a
    # negative index stays tagged); the in-place `b[3] -= ...` reads
    # through the stack form.
    total = 0.0
    for k in range(steps):
        for i in range(len(bodies)):
            b = bodies[i]
            for j in range(i + 1, len(bodies)):
                c = bodies[j]
                dx = b[0] - c[-3]
                dy = b[1] - c[1]
                d2 = dx * dx + dy * dy
                b[2] -= dx * 0.001
                c[2] += dy * 0.001
                total += d2
    return total, [b[2] for b in bodies]


print(body_distances([[0.0, 1.0, 0.5], [2.0, -1.0, 0.25], [4.5, 3.0, -1.0]], 40))


def item_becomes_int(steps):
    # Mid-loop an item turns into an int, then a str: the unboxed read
    # exits to tier 1, which redoes the subscript and the arithmetic.
    vals = [1.5, 2.5, 3.5]
    out = []
    for k in range(steps):
        if k == 25:
            vals[1] = 4
        if k == 35:
            vals[1] = 10**20
        try:
            out.append((vals[1] - 2.0) * vals[0] + vals[2])
        except TypeError as e:
            out.append(str(e))
        if k == 45:
            vals[1] = "text"
    return out[:3], out[24:28], out[34:38], out[-2:]


print(item_becomes_int(50))


def item_updates(steps):
    # `v[c] op= x` read and written in place: the item becomes an int, a
    # box shared with another list (written anew, not in place), and the
    # list shrinks under the constant index.
    v = [0.5, 1.5, 2.5, 3.5]
    kept = []
    out = []
    x = 0.25
    for k in range(steps):
        if k == 20:
            v[1] = 3
        if k == 30:
            kept.append(v[2])
        try:
            v[1] += x * 2.0
            v[2] -= x
            v[-1] *= 1.0 + x
        except IndexError as e:
            out.append((k, str(e)))
            v.append(1.0)
        if k == 40:
            v.pop()
            v.pop()
        if k % 10 == 0:
            out.append(list(v))
    return out, kept


print(item_updates(50))


def computed_index(steps):
    # `v[k % 3] += ...`: the item read through the stack (the index is
    # computed) is unboxed, and exits once the item is an int.
    v = [0.5, 1.5, 2.5]
    for k in range(steps):
        if k == 30:
            v[1] = 4
        v[k % 3] += 0.25 * k
    return v


print(computed_index(60))


def local_turns_int(vals):
    # `c`, a float from the list, is loaded unboxed by a load that checks
    # it; the last items are ints and the load exits with them.
    acc = 0.0
    x = 0.5
    for c in vals:
        acc = acc * x + c
    return acc


print(local_turns_int([0.5 * k for k in range(40)] + [3, 4.5, 7, 2**70]))


def index_out_of_range(steps):
    vals = [0.5, 1.25, 2.0, 3.5]
    s = 0.0
    i = 0
    try:
        while i < steps:
            s += vals[i] * 2.0
            i += 1
    except IndexError as e:
        return s, i, str(e)
    return s, i


print(index_out_of_range(30))


def mixed_ops(steps):
    # float and int on either side of + - * / **; the ints come from int
    # arithmetic, so the optimizer knows them.
    acc = 0.0
    x = 1.5
    for i in range(1, steps):
        n = i * 3 + 1
        acc += 1.0 / n
        acc += (n - 2) * x
        acc -= x - (n // 2)
        acc += 2.0 ** (i % 5)
        acc += (i % 7) ** 0.5
    return acc


print(mixed_ops(200))


def zero_int_divisor(steps):
    out = []
    for i in range(steps):
        d = i - 30
        try:
            out.append(3.0 / d)
        except ZeroDivisionError as e:
            out.append(str(e))
    return out[28:33]


print(zero_int_divisor(50))


def zero_power(steps):
    # 0.0 to a negative int power: the unboxed uop exits (NaN from the
    # pow helper) and tier 1 raises.
    out = []
    for i in range(steps):
        try:
            out.append(0.0 ** (i - 30) + 2.0 ** (i - 35))
        except ZeroDivisionError as e:
            out.append(str(e))
    return out[28:33]


print(zero_power(40))


def big_int_mix(steps):
    # The int grows past 63 bits: the int arithmetic exits before the
    # mixed operation sees a big int.
    n = 1
    acc = 0.0
    for i in range(steps):
        n = n * 7 + 1
        acc += 1.0 / n
    return acc, n % 1000


print(big_int_mix(40))


def inv(i, j):
    return 1.0 / ((i + j) * (i + j + 1) // 2 + i + 1)


def maybe_float(i):
    if i < 40:
        return i * 0.5
    return i


def returns(n):
    # The inlined callee's float result reaches the caller unboxed; a
    # callee that starts returning ints exits with what it returned.
    s = 0.0
    t = 0.0
    for j in range(n):
        s += inv(j, 3) * 2.0
        t += maybe_float(j) * 1.5
    return s, t


print(returns(60))
