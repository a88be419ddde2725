# Inlined calls whose callee is rebound mid-loop. A trace that inlines a
# call of a global function baked the global in (and the globals the callee
# reads): rebinding either must be seen at once, also when the rebinding
# runs inside the inlined callee itself.

def add1(x):
    return x + 1

def sub1(x):
    return x - 1

def mul3(x):
    return x * 3

# 1. Rebound by the loop itself, between calls.
f = add1
total = 0
for i in range(2000):
    total += f(i)
    if i == 700:
        f = sub1
    if i == 1400:
        f = mul3
print("rebound in loop", total)

# 2. Rebound from inside the inlined callee: this call still finishes in
# the old function, the next one runs the new one.
def step(x):
    global step
    if x == 900:
        step = add1
    return x * 2

total = 0
for i in range(2000):
    total += step(i)
print("rebound by callee", total)

# 3. A global the inlined callee reads is rebound by another function.
K = 5

def addk(x):
    return x + K

def bump(i):
    global K
    if i % 500 == 499:
        K = K + 1

total = 0
for i in range(3000):
    total += addk(i)
    bump(i)
print("callee's global", total, K)

# 4. Closures of one code with different cells, fetched from a list.
def make(n):
    def g(x):
        return x + n
    return g

gs = [make(1), make(10), make(100)]
total = 0
for i in range(3000):
    total += gs[(i // 100) % 3](i)
print("closures", total)

# 5. In a function's loop: rebound to a function of other code, then to a
# builtin (not a Python function at all).
def neg1(x):
    return -x

def run(n):
    global h
    s = 0
    for j in range(n):
        s += h(j)
        if j == n // 3:
            h = neg1
        if j == 2 * n // 3:
            h = abs
    return s

h = add1
print("function", run(3000))
h = mul3
print("again", run(3000))
