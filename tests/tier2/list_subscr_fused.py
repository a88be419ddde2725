# List subscripts whose list and index come straight from locals or a
# constant (`xs[i]`, `xs[2]`): the optimizer fuses the loads into the
# subscript. Their guards fail mid-loop here: the local stops being a list,
# the index stops being a small int or leaves the bounds; each exit must
# leave the list and the index on the stack exactly as tier 1 expects.


def sum_items(xs, n):
    total = 0
    for i in range(n):
        total += xs[i] + xs[0] + xs[-1]
    return total


print(sum_items([3, 1, 4, 1, 5, 9, 2, 6], 8))


def container_changes(steps):
    xs = [10, 20, 30]
    out = []
    for k in range(steps):
        if k == 20:
            xs = (7, 8, 9)
        if k == 30:
            xs = {0: "a", 1: "b", 2: "c"}
        if k == 40:
            xs = "xyz"
        if k == 45:
            xs = [1.5, 2.5, 3.5]
        out.append(xs[1])
        out.append(xs[2])
    return out[::7]


print(container_changes(60))


def index_changes(steps):
    xs = list(range(100))
    d = {}
    out = []
    i = 0
    for k in range(steps):
        if k == 20:
            i = True
        if k == 25:
            i = 3.0
        if k == 26:
            i = -2
        if k == 30:
            i = 2**70
        if k < 25 or 26 <= k < 30:
            out.append(xs[i])
            i = i + 1 if isinstance(i, int) and not isinstance(i, bool) else i
        else:
            try:
                out.append(xs[i])
            except (TypeError, IndexError) as e:
                name = "TypeError" if isinstance(e, TypeError) else "IndexError"
                d[name] = d.get(name, 0) + 1
                i = 0 if k < 40 else i
    return out[-8:], sorted(d.items())


print(index_changes(50))


def shrinking(steps):
    xs = list(range(40))
    got = []
    try:
        for k in range(steps):
            got.append(xs[k] * 2 + xs[3])
            if k % 5 == 4:
                xs.pop()
    except IndexError as e:
        got.append(str(e))
    return got[-4:], len(xs)


print(shrinking(60))


def object_index(steps):
    # The index local holds an object the failure path must keep alive.
    xs = [1, 2, 3]
    key = [0]
    errors = 0
    for k in range(steps):
        idx = k % 3 if k < 20 else key
        try:
            xs[0] = xs[idx]
        except TypeError:
            errors += 1
    return xs, errors, key


print(object_index(30))


def floats_in_lists(steps):
    a = [0.5, 1.5, 2.5, 3.5]
    for k in range(steps):
        j = k % 4
        a[j] = a[j] * 0.5 + a[3 - j] * 0.25 + a[0]
    return a


print(floats_in_lists(80))
