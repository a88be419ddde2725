# Set error paths: each message as CPython prints it; the last is uncaught.
s = {1, 2, 3}
tests = [
    lambda: {[1], 2},
    lambda: s.remove(9),
    lambda: set().pop(),
    lambda: [1] in s,
    lambda: s | [1],
    lambda: s & (1,),
    lambda: s < [1],
    lambda: hash(s),
    lambda: {s: 1},
    lambda: set(1),
    lambda: set(1, 2),
    lambda: s.add(),
    lambda: s.add({2}),
    lambda: s.pop(1),
    lambda: {x for x in [[1]]},
    lambda: s.update(5),
    lambda: s.issubset(3),
]
for t in tests:
    try:
        t()
        print("no error")
    except (TypeError, KeyError, RuntimeError) as e:
        print(repr(e))
try:
    for x in s:
        s.add(x + 10)
except RuntimeError as e:
    print("RuntimeError", e, sorted(s))
try:
    for x in s:
        s.discard(x)
except RuntimeError as e:
    print("RuntimeError", e, len(s))
t = {1, 2}
for x in t:
    t.discard(x)
    t.add(x + 100)
    break
print(t)
try:
    s.remove("x")
except KeyError as e:
    print("KeyError", e)
s.remove(42)
