# Instructions traces run through the fast generic helper (cells, subscripts,
# tuples), including the ways they raise inside a traced loop.

def make():
    state = {"n": 0}
    total = 0

    def step(k):
        nonlocal total
        state["n"] += k
        total = total + state["n"] % 7
        return (k, total)

    def get():
        return total

    return step, get


step, get = make()
acc = 0
for i in range(500):
    a, b = step(i)
    acc = (acc + a * b) % 1000003
print("cells", acc, get())

# KeyError from a dict subscript inside a traced loop.
d = {"a": 1, "b": 2}
keys = ["a", "b", "a", "c"]
s = 0
for i in range(200):
    try:
        s += d[keys[i % 4]]
    except KeyError as e:
        s -= 1
print("keyerror", s)

# Tuple index out of range and negative indices.
t = (1, 2, 3)
s = 0
for i in range(100):
    try:
        s += t[i % 5 - 2]
    except IndexError:
        s += 100
print("tuple index", s)

# STORE_SUBSCR into a tuple raises TypeError; into a dict grows it.
items = [{}, (1, 2)]
errs = 0
for i in range(100):
    try:
        items[i % 2][i % 3] = i
    except TypeError:
        errs += 1
print("store", errs, items[0])

# Unpacking something that is not a 2-tuple.
pairs = [(1, 2), [3, 4], (5, 6), (7, 8, 9)]
s = 0
for i in range(100):
    try:
        x, y = pairs[i % 4]
        s += x * y
    except ValueError as e:
        s += 1000
print("unpack", s)

# A free variable that is not bound yet when the closure runs.
def outer():
    def use():
        return late + 1

    out = []
    for i in range(50):
        try:
            out.append(use())
        except NameError as e:
            out.append(str(e))
            break
    late = 5
    for i in range(50):
        out.append(use())
    return out[0], sum(out[1:])


print("free var", outer())
