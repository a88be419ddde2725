# Instructions traces run natively since session 4 (tuples built and
# unpacked, slices, unary minus and not, `is`, small int powers), in hot
# loops whose operand types change mid-loop so the guards fail, and the
# errors they raise, which must be tier 1's.

# BUILD_TUPLE + UNPACK_SEQUENCE of tuples and lists; a 3-tuple swap.
acc = 0
pairs = [(1, 2), [3, 4], (5, 6)]
for i in range(300):
    a, b = pairs[i % 3]
    t = (a, b, i)
    x, y, z = t
    x, y, z = z, x, y
    acc = (acc + x * 7 + y * 3 + z) % 1000003
print("unpack", acc)

# The sequence turns into something else mid-loop: a wrong length, a str,
# a range; each either unpacks in tier 1 or raises tier 1's error.
seqs = [(1, 2)] * 50 + ["ab"] + [(3, 4)] * 50 + [range(2)] + [[5, 6]] * 50
s = 0
for v in seqs:
    p, q = v
    s += (ord(p) if isinstance(p, str) else p) * 3 + (ord(q) if isinstance(q, str) else q)
print("mixed unpack", s)

for bad in [(1, 2, 3), (1,), 5, [1, 2, 3, 4]]:
    try:
        for i in range(60):
            v = (i, i) if i < 40 else bad
            m, n = v
    except ValueError as e:
        print("ValueError", e, "at", i)
    except TypeError as e:
        print("TypeError", e, "at", i)

try:
    for i in range(60):
        v = [i, i, i] if i < 50 else [i, i]
        m, n, o = v
except ValueError as e:
    print("ValueError", e, "at", i)

# Slices: lists, tuples, strs (tier 1), None and negative and huge bounds.
perm = list(range(10))
tup = tuple(range(12))
word = "abcdefghij"
total = 0
for i in range(200):
    k = i % 12
    a = perm[:]
    b = perm[k:]
    c = tup[-k:k + 1]
    d = perm[:-k]
    e = tup[k:10**30]
    f = word[1:k]
    total += len(a) + len(b) * 2 + len(c) * 3 + len(d) * 5 + len(e) * 7 + len(f) * 11
    total += sum(b) + sum(c)
print("slices", total)

# A bound that is not an int mid-loop: tier 1's TypeError.
try:
    for i in range(60):
        lo = 1 if i < 45 else "x"
        r = perm[lo:3]
except TypeError as e:
    print("TypeError", e, "at", i)

# Unary minus: ints, floats (-0.0 too), the small-int edge, bools, errors.
s = 0
f = 0.0
edge = -(2**62)
for i in range(300):
    s += -i
    f = -f + 0.5
    z = -0.0 * (i % 2)
    g = -(-z)
    big = -(edge + i % 3)
    s += big % 1000
print("neg", s, f, repr(-0.0), repr(z), repr(g), -True, -False)

vals = [1, 2.5, -3, 0.0, 10**20, True] * 20 + ["s"]
out = []
try:
    for v in vals:
        out.append(-v)
except TypeError as e:
    print("TypeError", e, len(out))
print(out[:6])

# Unboxed float negation in a float loop.
x = 1.0
v = 0.25
for i in range(400):
    x = -x * 0.5 + v
    v = -v
print("float neg", x, v)

# not and is / is not.
cnt = 0
none = None
objs = [None, 0, 1, True, False, "", "a", [], [0], 0.0]
for i in range(400):
    o = objs[i % 10]
    if not o:
        cnt += 1
    if o is none:
        cnt += 10
    if o is not none:
        cnt += 100
    k = not (i % 3)
    if k:
        cnt += 1000
print("not/is", cnt)

# Small int powers: overflow to a big int, negative and huge exponents.
s = 0
for i in range(200):
    s += i**2 + (i % 7) ** (i % 5) + 3 ** (i % 40)
    s += (-2) ** (i % 64) % 1000
    s = s % (10**40)
print("pow", s)
r = []
for i in range(60):
    b = 2 if i < 50 else 3
    r.append(b**62)
    r.append(b ** (i % 4 - 2))
    r.append(0**0 + 0 ** (i % 3))
print("pow edges", r[-9:], sum(x for x in r if isinstance(x, int)) % 1000003)
try:
    for i in range(60):
        e = 2 if i < 50 else -1
        q = 0**e
except ZeroDivisionError as e:
    print("ZeroDivisionError", e, "at", i)


# The same in a function: locals the optimizer knows (a float negated
# unboxed, an int negated natively), a 4-tuple built and unpacked.
def kernel(n):
    x = 1.5
    k = 0
    acc = 0
    for i in range(n):
        x = -x * 0.75 + 0.125
        k = -k + i
        a, b, c, d = i, k, i % 5, -i
        acc = (acc + a - b + c * d) % 1000003
        if not (i & 1) and x is not None:
            acc += 1
        acc += (i % 9) ** 3
    return x, k, acc


print("kernel", kernel(500))
print("kernel -0.0", repr(-(-0.0)), repr(-(0.0 * -1)))
