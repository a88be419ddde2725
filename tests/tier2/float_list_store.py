# Floats stored into lists from hot loops (`lst[i] op= x`), the case the
# optimizer keeps unboxed up to the list store: in-place writes into boxes
# only the list holds, new boxes when the old item is shared or not a float,
# the store's guards failing mid-loop, and the float free list running dry.


def accumulate(vals, steps):
    # Each store writes into the box only the list holds.
    for k in range(steps):
        for i in range(len(vals)):
            vals[i] += 0.5 * i + k * 0.25
    return vals


print(accumulate([0.0, 1.5, -2.25, 3.0], 60))


def shared_boxes(steps):
    # `keep` shares the list's boxes: the store must not write into them.
    vals = [1.0, 2.0, 3.0]
    keep = []
    for k in range(steps):
        keep.append(vals[k % 3])
        vals[k % 3] -= 0.125
    return vals, keep[:6], keep[-3:], len(keep)


print(shared_boxes(50))


def element_types_change(steps):
    # The old item becomes an int, a str, a bool: the store boxes anew and
    # releases them; reading an int back fails the float guard mid-loop.
    vals = [0.5, 1.5, 2.5]
    log = []
    for k in range(steps):
        if k == 20:
            vals[1] = 7
        if k == 30:
            vals[2] = "text"
        if k == 31:
            vals[2] = True
        vals[0] = vals[0] * 1.5 - 0.25
        if k % 10 == 0:
            log.append((k, vals[0]))
        vals[1] = vals[1] + 0.5
        if k > 30:
            vals[2] = 2.0 * k
    return vals, log


print(element_types_change(60))


def index_out_of_range(steps):
    # The store's bounds guard fails mid-loop (the list shrinks), the value
    # then raises in tier 1.
    vals = [1.0, 2.0, 3.0, 4.0]
    out = []
    try:
        for k in range(steps):
            vals[3] = vals[3] * 0.5 + 1.0
            out.append(vals[3])
            if k == 25:
                vals.pop()
    except IndexError as e:
        out.append(str(e))
    return out[-3:], vals


print(index_out_of_range(40))


def negative_indices(steps):
    vals = [1.0, 2.0, 3.0]
    for k in range(steps):
        vals[-1] += 1.0
        vals[-3] -= vals[-1] * 0.001
    return vals


print(negative_indices(40))


def many_live_floats(n):
    # More live floats than the free list holds: boxes come from the
    # allocator once it is empty and go back once it is full.
    rows = []
    for r in range(3):
        row = [0.0] * n
        for i in range(n):
            row[i] += i * 0.5 + r
        rows.append(row)
    total = 0.0
    for row in rows:
        for x in row:
            total += x
    rows = None
    again = [0.0] * n
    for i in range(n):
        again[i] += 1.0 / (i + 1)
    return total, sum(again)


print(many_live_floats(6000))


def aliased_list(steps):
    # The same list under two names, stored through both.
    a = [1.0, 2.0]
    b = a
    for k in range(steps):
        a[0] += 1.0
        b[0] *= 1.01
        b[1] = a[0] - b[1]
    return a, b is a


print(aliased_list(30))
