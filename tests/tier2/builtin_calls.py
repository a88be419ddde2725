# Specialized helpers in traces: method loads and builtin calls (list
# append/pop, dict get, len, abs, min/max), errors they raise, keyword
# arguments, global stores, iteration over tuples and fresh iterators.
def queue_work(n):
    q = []
    done = []
    for i in range(n):
        q.append(i * 3)
        if len(q) > 3:
            done.append(q.pop(0))
        if i % 7 == 0:
            done.append(q.pop())
    return len(done), sum(done), q


print(queue_work(2000))


def dict_counts(words):
    counts = {}
    for w in words:
        counts[w] = counts.get(w, 0) + 1
    return sorted(counts.items())[:5], len(counts)


print(dict_counts(["a", "b", "c", "a", "dd", "b"] * 300))


def builtins_mix(n):
    acc = 0
    for i in range(-n, n):
        acc += abs(i) + min(i, 3) + max(i, -3) + len("x" * (i % 4))
    return acc


print(builtins_mix(1500))


def errors():
    q = [1, 2]
    out = []
    for i in range(40):
        try:
            out.append(q.pop())
        except IndexError as e:
            out.append("IndexError: " + str(e))
        try:
            out.append(len(i))
        except TypeError as e:
            out.append("TypeError")
        try:
            out.append(i.append(1))
        except AttributeError as e:
            out.append("AttributeError: " + str(e))
    print(out[:8], len(out))


errors()


def keywords(items):
    out = []
    for k in range(60):
        out.append(sorted(items, reverse=k % 2 == 0)[0])
        out.append(max(items, key=lambda x: -x))
    return out[-4:]


print(keywords([3, 1, 2]))


def receivers_change():
    # The same LOAD_METHOD site sees a list, then a dict, then a str.
    objs = [[1, 2, 3]] * 20 + [{"a": 1}] * 20 + ["abc"] * 20
    out = []
    for o in objs:
        out.append(o.count(1) if isinstance(o, list) else len(o))
    try:
        for o in objs:
            out.append(o.index(2))
    except (ValueError, AttributeError) as e:
        out.append("error")
    return out[-5:]


print(receivers_change())

total = 0
step = 3
for i in range(3000):
    total = total + step
    step = step + 1 if i % 2 == 0 else step - 1
print(total, step)

tags = ("x", "y", "z")
seen = []
for r in range(500):
    for t in tags:
        seen.append(t)
    for t in (r, r + 1):
        seen.append(t)
print(len(seen), seen[-6:])

pairs = 0
for r in range(300):
    for a, b in [(r, 1), (2, r)]:
        pairs += a * b
    for c in "ab":
        pairs += len(c)
    for k in {"p": 1, "q": 2}:
        pairs += len(k)
print(pairs)


def bad_iter():
    try:
        for r in range(100):
            for x in r:
                pass
    except TypeError as e:
        print("TypeError:", e)


bad_iter()
