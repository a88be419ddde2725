# A float loop calling a small float function: tier 2 inlines the call and
# keeps floats unboxed in the caller and in the callee. Exits from inside
# the inlined callee, taken while unboxed floats are on the callee's stack,
# must box them and resume tier 1 in the callee's frame (which then returns
# into the loop's frame).

def term(x, k, ws, j):
    # x * k is unboxed while ws[j] is loaded and checked: when ws[j] is not
    # a float, the check exits with x * k unboxed under it.
    return x * k + ws[j]

def damp(v, lim):
    w = v * 0.5 + 0.25
    if w > lim:
        # A branch the hot path does not take.
        return w - lim
    return w * 1.0

ws = [0.5, 1.5, 2.5, 3.5]
acc = 0.0
x = 0.25
k = 1.5
for i in range(6000):
    if i == 3000:
        ws[2] = 7          # an int: term's float check fails from here on
    if i == 4500:
        ws[1] = True       # a bool: not a float either
    acc = acc + term(x, k, ws, i % 4)
    x = x + 0.001
print("term", acc, x)

v = 0.0
lim = 1e9
for i in range(5000):
    if i == 2500:
        lim = 3.0          # damp's other branch from here on
    v = damp(v + 2.0, lim)
print("damp", v)

# The callee's argument changes type (int instead of float) mid-loop.
def mix(a, b):
    return a * b - a

s = 0.0
y = 1.25
for i in range(4000):
    if i >= 2000 and i % 7 == 0:
        s = s + mix(i, 3)
    else:
        s = s + mix(y, 0.75)
print("mix", s)
