# Traces bake the global functions a hot loop calls; rebinding them must
# invalidate those traces, also while they run.

def inc(x):
    return x + 1

def dbl(x):
    return x * 2

def neg(x):
    return -x

fs = [inc, dbl, neg]

# Rebinding inside the loop, every iteration, before the call in the same
# iteration: the call must see the new function at once.
f = inc
total = 0
for i in range(3000):
    f = fs[(i // 250) % 3]
    total += f(i)
print("in loop", total)

# Rebinding from a called function, in the middle of an iteration.
def swap(k):
    global g
    if k % 400 == 399:
        g = fs[(k // 400) % 3]

g = inc
total = 0
for i in range(4000):
    total += g(i)
    swap(i)
    total += g(i) * 3
print("from callee", total)

# Rebinding a plain value the loop reads, from inside the loop.
scale = 1
acc = 0
i = 0
while i < 5000:
    acc = acc + scale * i
    if i % 1000 == 999:
        scale = scale + 1
    i = i + 1
print("value", acc, scale)

# The same in a function (globals read through LOAD_GLOBAL in a frame).
def run(n):
    global h
    s = 0
    for j in range(n):
        s += h(j)
        if j == n // 2:
            h = neg
    return s

h = dbl
print("function", run(3000), run(3000))
