# Exits into a loop's back edge linked to that loop's trace at the head of
# its peeled loop (s9-loops, src/vm/tier2/local_facts.rs): the outer trace
# runs the inner loop's first iteration and enters its optimised copy,
# skipping the preamble, when what it knows implies what the copy assumes.
# Inner loops of 0, 1 and many iterations; a local's type changing between
# inner-loop runs; lists resized or rebound between runs.


def pairs(bodies, dt, steps):
    # nbody's shape: the inner loop runs n-1-i times (0 for the last i).
    n = len(bodies)
    for _ in range(steps):
        for i in range(n):
            b = bodies[i]
            for j in range(i + 1, n):
                c = bodies[j]
                dx = b[0] - c[0]
                dy = b[1] - c[1]
                d2 = dx * dx + dy * dy + 0.25
                mag = dt / (d2 * d2 ** 0.5)
                bm = b[2] * mag
                cm = c[2] * mag
                b[3] -= dx * cm
                b[4] -= dy * cm
                c[3] += dx * bm
                c[4] += dy * bm
        for b in bodies:
            b[0] += dt * b[3]
            b[1] += dt * b[4]
    return sum(b[0] + b[1] for b in bodies)


def flips(perm1, rounds):
    # fannkuch's shape: the swap loop runs 0, 1 or more times per flip.
    total = 0
    n = len(perm1)
    for r in range(rounds):
        perm = perm1[:]
        k = perm[0]
        while k != 0:
            i = 0
            j = k
            while i < j:
                perm[i], perm[j] = perm[j], perm[i]
                i += 1
                j -= 1
            total += 1
            k = perm[0]
        # Next permutation: rotate the first (r % n) + 1 items.
        m = r % n + 1
        p0 = perm1[0]
        i = 0
        while i < m - 1:
            perm1[i] = perm1[i + 1]
            i += 1
        perm1[m - 1] = p0
    return total


def scaled(rows, scales):
    # `scale` is a float on most runs and an int (or a bool) on others: the
    # inner loop's trace assumed a float there; the runs entered with an
    # int must not take the loop copy (or must leave it exactly).
    out = []
    for s in scales:
        scale = s
        for row in rows:
            acc = 0.0
            for x in row:
                acc = acc + x * scale
            out.append(acc)
    return out


def resized(data, rounds):
    # The list the inner loop reads grows, shrinks and is rebound (to a
    # tuple, then to a list again) between runs: every subscript stays
    # exact, IndexError included.
    total = 0
    for r in range(rounds):
        if r % 7 == 3 and (r < 40 or r >= 60):
            data.append(r)
        elif r % 7 == 5 and len(data) > 2 and (r < 40 or r >= 60):
            data.pop()
        if r == 40:
            data = tuple(data)
        elif r == 60:
            data = list(data)
        i = 0
        n = len(data)
        while i < n:
            total += data[i] * 3 - i
            i += 1
    return total


def short_then_out_of_range(vals, rounds):
    # An inner run whose index goes past the list's end: the loop copy's
    # bounds check leaves, tier 1 raises IndexError at the right statement.
    acc = 0
    for r in range(rounds):
        j = 0
        while j < (r % 4):
            acc += vals[j]
            j += 1
    try:
        for r in range(rounds):
            j = 0
            while j < r:
                acc += vals[j]
                j += 1
    except IndexError as e:
        print("IndexError", e, acc)
    return acc


def rebinding_inside(rows):
    # A local the inner loop copy knows (a float) becomes a str in the
    # outer loop after some runs: the exit into the inner loop then knows
    # less and enters the preamble, which exits where tier 1 raises.
    out = 0.0
    scale = 0.5
    for k in range(30):
        if k == 25:
            scale = "x"
        try:
            for x in rows[k % len(rows)]:
                out = out + x * scale
        except TypeError:
            print("TypeError at", k)
            scale = 0.5
    return out


bodies = [
    [float(k), float(k * k) / 3.0, 1.0 + k, 0.01 * k, -0.02 * k]
    for k in range(5)
]
print(f"{pairs(bodies, 0.01, 60):.9f}")
print(flips([3, 1, 4, 0, 2, 6, 5], 90))
print(flips([1, 0], 30))
print(scaled([[1.5, 2.0, 0.5], [3.0], [], [0.25] * 6], [0.5, 1.25, 2, 0.75, True, 1.5] * 4))
print(resized([1, 2, 3, 4, 5], 90))
print(short_then_out_of_range([5, 7, 11, 13, 17, 19], 12))
print(rebinding_inside([[1.0, 2.0], [0.5], [3.0, 4.0, 5.0], []]))
