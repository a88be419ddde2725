# Session 7's container uops, each fast path and each exit mid-loop:
# `len(x)` (_CALL_LEN: lists and tuples inline, str/dict/range through the
# helper, an int raising TypeError), `if q:` on lists and tuples (inline in
# _TO_BOOL) and on other objects, `[...]` (_BUILD_LIST), unpacking tuples
# nothing else holds (their items move) and shared ones (kept intact), and
# `for` over a tuple or list made in the loop.
things = [[1, 2, 3], (4, 5), "héllo", {"a": 1, "b": 2}, range(7), [], ()]
total = 0
errors = 0
for i in range(400):
    x = things[i % len(things)]
    total += len(x)
    if i % 97 == 96:
        try:
            total += len(i)
        except TypeError as e:
            errors += 1
            msg = str(e)
print("len", total, errors, msg)

# Truth of lists and tuples (inline) and of other objects (the helper),
# the kind changing mid-loop.
queue = []
truth = []
values = [[], [0], (), (0,), "", "x", {}, {1: 2}, None, 0, 3, 0.0, 2.5]
for i in range(520):
    v = values[i % len(values)]
    if v:
        truth.append(1)
    else:
        truth.append(0)
    if queue:
        queue.pop(0)
    if i % 3 == 0:
        queue.append(i)
print("truth", sum(truth), truth[:13], len(queue))

# Lists built in the loop: empty, short, from mixed values.
made = []
for i in range(300):
    a = []
    b = [i, "s", None]
    c = [a, b, (i,)]
    a.append(len(c))
    made.append(c)
print("lists", len(made), made[0], made[-1], made[5][1] is made[5][2])

# Unpacking: fresh tuples (moved out), shared tuples (still intact after),
# lists, and a wrong length raising mid-loop.
pairs = [(k, str(k)) for k in range(10)]
d = {str(k): k * k for k in range(12)}
acc = 0
for i in range(400):
    for key, val in d.items():
        acc += val + len(key)
    p = pairs[i % 10]
    n, s = p
    acc += n + len(s)
    q, r = divmod(i, 7)
    acc += q - r
print("unpack", acc, pairs[3], pairs[9])
bad = 0
for i in range(60):
    t = (1, 2, 3) if i % 20 == 19 else (i, i + 1)
    try:
        a, b = t
        acc += a * b
    except ValueError as e:
        bad += 1
        emsg = str(e)
print("unpack errors", acc, bad, emsg)

# `for` over a tuple or a list built in the loop (GET_ITER's direct path).
IDLE, BUSY = 0, 1
seen = 0
for i in range(300):
    for t in (IDLE, BUSY, i):
        seen += t
    for t in [i, IDLE]:
        seen -= t
print("iter", seen)

# list.pop inline (short moves, negative indices, pop()) and through the
# helper (long lists), leaving mid-loop on an empty list or a bad index.
short = []
long_q = list(range(40))
popped = 0
perr = 0
for i in range(600):
    short.append(i)
    if len(short) > 5:
        popped += short.pop(0)
    if i % 4 == 0 and len(short) > 2:
        popped += short.pop(-2)
    if i % 9 == 0:
        popped -= short.pop()
    long_q.append(i)
    popped += long_q.pop(0) + long_q.pop(len(long_q) // 2)
    long_q.append(-i)
    try:
        if i % 50 == 49:
            popped += [].pop()
        if i % 70 == 69:
            popped += short.pop(99)
    except IndexError as e:
        perr += 1
        pmsg = str(e)
print("pop", popped, perr, pmsg, short, len(long_q), long_q[:3], long_q[-3:])
