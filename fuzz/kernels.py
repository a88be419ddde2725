"""Benchmark-shaped kernels for the differential fuzzer.

`gen.py`'s statement-level programs rarely make the loop shapes the tier-2
optimizer specialises most (floats kept in lists and updated in place, short
inner loops over pairs, swaps and slice reversals of int lists, counters in a
closure's dict, iteration over constant tuples, recursive functions with
different base cases, closures called in float loops, multiply-add int
recurrences). Each kernel here is one such shape, with random sizes,
constants and a random "perturbation" (an int stored where floats were, a
rebound closure or global, a float or bool argument to an int recursion) at
a random iteration, so the specialised code's guards fail mid-run.

`kernel(rng)` returns a self-contained block of source (functions, a call,
prints) that needs nothing else from the program. Validity is by
construction as in gen.py: sizes are bounded so CPython runs a kernel in
well under 0.1 s, divisors are never zero, recursions are bounded and
every loop terminates.
"""

FLOATS = ["0.5", "1.25", "-0.75", "3.0", "0.1", "2.5", "-1.5", "0.001", "7.0"]


def _f(rng):
    return rng.choice(FLOATS)


def nbody_pairs(rng, name):
    """Floats in two lists, short inner loops over pairs, `lst[i] op= x`."""
    n, m = rng.randrange(20, 80), rng.randrange(1, 6)
    flip = rng.choice([-1, rng.randrange(0, n)])
    idx = rng.randrange(0, m)
    root = rng.choice(["d2 ** 0.5", "(d2 * d2) ** 0.25", "d2"])
    return f"""def {name}(n, m):
    xs = [{_f(rng)} + k * {_f(rng)} for k in range(m)]
    vs = [0.0] * m
    for step in range(n):
        for i in range(m):
            xi = xs[i]
            for j in range(i + 1, m):
                dx = xi - xs[j]
                d2 = dx * dx + 0.01
                mag = 0.01 / (d2 * {root})
                vs[i] -= dx * mag
                vs[j] += dx * mag
        for i in range(m):
            xs[i] += 0.01 * vs[i]
        if step == {flip}:
            xs[{idx}] = {rng.choice(["3", "-2", "0", "True"])}
    return xs, vs
{name}_r = {name}({n}, {m})
print("{name}", [repr(x) for x in {name}_r[0]], repr(sum({name}_r[1])))
"""


def vector_consts(rng, name):
    """Float lists read and updated at constant indices."""
    n = rng.randrange(50, 400)
    flip = rng.choice([-1, rng.randrange(0, n)])
    return f"""def {name}(n):
    p = [{_f(rng)}, {_f(rng)}, {_f(rng)}]
    v = [{_f(rng)}, {_f(rng)}, {_f(rng)}]
    for k in range(n):
        p[0] += 0.01 * v[0]
        p[1] -= 0.02 * v[1]
        p[2] *= {rng.choice(["0.999", "1.001", "-1.0"])}
        v[0] = v[0] * 0.99 - p[0] * 0.01
        v[1] += p[1] / {rng.choice(["3.0", "7", "-2.5"])}
        v[2] = -v[2] + p[2] * 0.5
        if k == {flip}:
            v[{rng.randrange(0, 3)}] = {rng.choice(["1", "-4", "0"])}
    return p, v
print("{name}", {name}({n}))
"""


def fannkuch_swaps(rng, name):
    """Int list swaps, slice copies and reversals, `while k:` loops."""
    n, rounds = rng.randrange(3, 8), rng.randrange(5, 60)
    return f"""def {name}(n, rounds):
    perm = list(range(n))
    total = 0
    checks = 0
    for r in range(rounds):
        p = perm[:]
        k = p[0]
        flips = 0
        while k:
            p[:k + 1] = p[k::-1]
            flips += 1
            k = p[0]
        total += flips
        checks += flips if r % 2 == 0 else -flips
        i = r % n
        perm[0], perm[i] = perm[i], perm[0]
        j = (r * {rng.randrange(2, 9)}) % n
        perm[i], perm[j] = perm[j], perm[i]
        if perm[{rng.randrange(0, n)}] == {rng.randrange(0, n)}:
            perm = perm[1:] + perm[:1]
    return total, checks, perm
print("{name}", {name}({n}, {rounds}))
"""


def cell_counters(rng, name):
    """A dict in a closure cell read and counted in place."""
    n = rng.randrange(50, 600)
    words = rng.sample(["a", "b", "c", "dd", "ee", "f", "gg", "h"], rng.randrange(2, 6))
    flip = rng.choice([-1, rng.randrange(0, n)])
    return f"""def {name}_make():
    counts = {{}}
    def add(w, d):
        if w in counts:
            counts[w] += {rng.choice(["1", "3", "-1", "2.5"])}
        else:
            counts[w] = d
        return counts[w]
    def get(w):
        return counts[w]
    return add, get, counts
def {name}(n):
    add, get, counts = {name}_make()
    words = {words!r}
    s = 0
    for i in range(n):
        w = words[i % len(words)]
        s = s + add(w, i % 7)
        s = s - get(w)
        if i == {flip}:
            add, get, counts = {name}_make()
    return s, sorted(counts.items())
print("{name}", {name}({n}))
"""


def tuple_iteration(rng, name):
    """Iteration over constant tuples and tuples of globals; a global rebound."""
    n = rng.randrange(50, 500)
    flip = rng.choice([-1, rng.randrange(0, n)])
    g1, g2 = f"{name.upper()}_A", f"{name.upper()}_B"
    return f"""{g1} = {rng.randrange(1, 99)}
{g2} = {rng.choice(["3", "-5", "2**62", "1.5"])}
def {name}_set(x):
    global {g1}
    {g1} = x
def {name}(n):
    t = 0
    for i in range(n):
        for c in (1, 2, {rng.randrange(3, 9)}):
            t += c * i
        for g in ({g1}, {g2}):
            t = (t + g) % 1000003
        if i == {flip}:
            {name}_set({rng.choice(["7", "2.0", "-(2**63)"])})
    return t
print("{name}", {name}({n}), {g1})
"""


def recursions(rng, name):
    """Recursive functions with several base-case shapes and arities."""
    base = rng.choice([
        ("n < 2", "n"), ("n < 2", "1"), ("n <= 1", "n"), ("n <= 1", "1"),
        ("n < 3", "n * 2"), ("n <= 0", "-1"),
    ])
    odd = rng.choice(["5.0", "True", "2**70 % 5", "-3", "0"])
    return f"""def {name}(n):
    if {base[0]}:
        return {base[1]}
    return {name}(n - 1) + {name}(n - 2)
def {name}_gcd(a, b):
    if b == 0:
        return a
    return {name}_gcd(b, a % b)
def {name}_ack(m, n):
    if m == 0:
        return n + 1
    if n == 0:
        return {name}_ack(m - 1, 1)
    return {name}_ack(m - 1, {name}_ack(m, n - 1))
{name}_s = 0
for {name}_i in range({rng.randrange(5, 40)}):
    {name}_s += {name}({name}_i % {rng.randrange(3, 14)}) + {name}_gcd({name}_i * {rng.randrange(2, 99)}, {rng.randrange(1, 60)})
print("{name}", {name}_s, {name}({odd}), {name}_gcd({rng.randrange(100, 10**6)}, {rng.randrange(1, 999)}), {name}_ack(2, {rng.randrange(0, 4)}))
"""


def float_scalars(rng, name):
    """Float negation, powers, divisions, compares, `is None` tests."""
    n = rng.randrange(50, 800)
    return f"""def {name}(n):
    x = {_f(rng)}
    y = {rng.choice(["2.0", "10.0", "0.5"])}
    best = None
    for i in range(1, n):
        x = -x * {rng.choice(["0.5", "0.99", "1.01"])} + {_f(rng)} / i
        if x < y:
            y = y ** 0.5 if y > 0 else -y
        elif x >= y * 2:
            y = y * 1.5
        if best is None or x > best:
            best = x
        if best is not None and best > {rng.choice(["1.0", "100.0", "3.5"])}:
            best = None
    return repr(x), repr(y), best
print("{name}", {name}({n}))
"""


def closure_calls(rng, name):
    """A closure called in a float loop, rebound mid-run; a float helper."""
    n = rng.randrange(50, 600)
    flip = rng.choice([-1, rng.randrange(0, n)])
    return f"""def {name}_make(c0, c1, c2):
    def p(x):
        return (c2 * x + c1) * x + c0
    return p
def {name}_a(i, j):
    return 1.0 / ((i + j) * (i + j + 1) // 2 + i + 1)
def {name}(n):
    p = {name}_make({_f(rng)}, {_f(rng)}, {_f(rng)})
    s = 0.0
    for i in range(n):
        x = i / n
        s += p(x)
        if i == {flip}:
            p = {name}_make({rng.randrange(-3, 4)}, 2, {rng.randrange(-3, 4)})
    u = [1.0] * {rng.randrange(1, 6)}
    v = []
    for i in range(len(u)):
        t = 0.0
        for j in range(len(u)):
            t += {name}_a(i, j) * u[j]
        v.append(t)
    return repr(s), v
print("{name}", {name}({n}))
"""


def int_recurrences(rng, name):
    """Collatz steps, multiply-add in place, bit tests, local compares."""
    n = rng.randrange(20, 150)
    mul = rng.choice(["3", "3", "5"])
    return f"""def {name}(n):
    total = 0
    top = 0
    for start in range(1, n):
        k = start * {rng.choice(["1", "2**40", "2**60 + 1", "12345"])}
        steps = 0
        while k != 1 and steps < 200:
            if k & 1 == 0:
                k = k // 2
            else:
                k = {mul} * k + 1
            steps += 1
        total += steps
        d = start - steps
        total -= d
        if top != steps:
            top = max(top, steps)
    return total, top
print("{name}", {name}({n}))
"""


KERNELS = [
    nbody_pairs, vector_consts, fannkuch_swaps, cell_counters, tuple_iteration,
    recursions, float_scalars, closure_calls, int_recurrences,
]


def kernel(rng, name):
    """One random kernel's source, its functions and globals prefixed `name`."""
    return rng.choice(KERNELS)(rng, name)
