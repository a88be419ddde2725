# Calls inlined into traces (_PUSH_FRAME / _POP_FRAME): every way out of an
# inlined frame must leave tier 1 the frames it expects.


def add(a, b):
    return a + b


def scale(x):
    if x > 50:
        return x * 2
    return x - 1


def twice(x):
    # Nested inlining: a call inside an inlined call.
    return add(scale(x), scale(x + 1))


total = 0
for i in range(200):
    total = add(total, twice(i))
print("nested", total)


# Closures: the inlined frame gets the function's cells.
def make_counter(step):
    count = [0]

    def bump(x):
        count[0] += step
        return x + count[0]

    return bump


bump = make_counter(3)
acc = 0
for i in range(300):
    acc = bump(acc) % 100003
print("closure", acc)


# The callee changes under the trace: the guard exits, tier 1 calls the new one.
def f1(x):
    return x + 1


def f2(x):
    return x * 3


g = f1
s = 0
for i in range(400):
    if i == 200:
        g = f2
    s = (s + g(i)) % 1000003
print("rebound", s)


# Polymorphic call site: two functions alternate (side traces for the other).
fs = [f1, f2]
s = 0
for i in range(400):
    s = (s + fs[i % 2](i)) % 1000003
print("polymorphic", s)


# An exception raised inside an inlined call, caught in the traced loop.
def checked_div(a, b):
    return a // b


caught = 0
s = 0
for i in range(300):
    try:
        s += checked_div(i, i % 7)
    except ZeroDivisionError:
        caught += 1
print("caught", caught, s)


# An exception raised in an inlined callee of an inlined callee, caught in the loop.
def inner_fail(x):
    if x % 50 == 49:
        raise ValueError("bad " + str(x))
    return x


def outer(x):
    return inner_fail(x) + 1


errors = []
s = 0
for i in range(300):
    try:
        s += outer(i)
    except ValueError as e:
        errors.append(str(e))
print("nested errors", s, errors)


# Side exits inside the inlined callee that grow side traces returning into the loop.
def classify(n):
    if n % 3 == 0:
        return 1
    if n % 5 == 0:
        return 2
    return 3


counts = [0, 0, 0, 0]
for i in range(3000):
    counts[classify(i)] += 1
print("classify", counts)


# A callee with a loop is not inlined but still called correctly.
def sum_to(n):
    t = 0
    for k in range(n):
        t += k
    return t


s = 0
for i in range(100):
    s += sum_to(i % 10)
print("looping callee", s)


# Recursion inside a traced loop: the recursive function calls itself.
def fact(n):
    if n <= 1:
        return 1
    return n * fact(n - 1)


s = 0
for i in range(200):
    s = (s + fact(i % 25)) % 1000000007
print("recursion", s)


# Overflow to big ints inside an inlined call.
def square(x):
    return x * x


big = 0
for i in range(100):
    big += square(3037000000 + i)
print("bigint", big)


# Unbound local inside an inlined callee (tier 1 raises UnboundLocalError).
def maybe(x):
    if x > 250:
        y = x
    return y


s = 0
try:
    for i in range(300):
        s += maybe(i + 251 if i < 280 else 0)
except UnboundLocalError as e:
    print("unbound", s, e)


# Deep recursion through an inlinable function reaches the recursion limit.
def down(n):
    return down(n + 1) + 1


for i in range(20):
    try:
        down(0)
    except RecursionError:
        pass
print("recursion limit ok")


# Floats and a return value of changing type.
def half(x):
    if x > 100:
        return x / 2
    return x // 2


t = 0
for i in range(300):
    t += half(i)
print("half", t)
