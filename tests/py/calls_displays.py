# Displays with *iterable and **mapping items (CPython 3.11's order and errors).
a = {"x": 1, "y": 2}
b = {"y": 3, "z": 4}
print({**a, **b}, {**a, "y": 9}, {"y": 9, **a}, {**{}}, {1: 2, **{1: 3}, 1: 4})
print([*range(3), *"ab", 5], [*[]], (*[1, 2], 3), (*(),), [1, *(2, 3), *{4: 0}])
print(a | b, b | a, {} | {})
c = dict(a)
c |= b
c |= [("w", 0)]
print(c)
for t in [lambda: {**1}, lambda: [*1], lambda: (*1,), lambda: {**a, **[1]}, lambda: a | [1], lambda: [1] | a]:
    try:
        print(t())
    except TypeError as e:
        print("TypeError:", e)
def merge(*dicts, **extra):
    out = {}
    for d in dicts:
        out = {**out, **d}
    return {**out, **extra}
print(merge(a, b, {"q": 0}, y=7))
total = 0
for i in range(2000):
    t = (*[i, i + 1], i)
    d = {**{"k": i}, "j": 1}
    total += sum(t) + d["k"] + len([*t, *d])
print(total)
