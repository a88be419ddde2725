# Frames pushed and popped inline by JIT code (_CALL_EXECUTOR, _PUSH_FRAME,
# _POP_FRAME): the recursion limit reached from native calls, exceptions
# unwinding through native and inlined frames, closures called natively.
def down(n):
    if n == 0:
        return 0
    return down(n - 1) + 1

for i in range(60):
    down(40)
try:
    down(5000)
except RecursionError:
    print("RecursionError from native calls")
# Every frame was popped and counted back: the full depth is there again.
print(down(900))
for depth in (990, 995, 996, 997, 998, 999, 1000):
    try:
        down(depth)
        print(depth, "fits")
    except RecursionError:
        print(depth, "RecursionError")


def boom(n):
    if n == 0:
        raise ValueError("bottom")
    return boom(n - 1) + 1


caught = 0
for k in range(1500):
    try:
        boom(k % 9)
    except ValueError as e:
        caught += len(str(e))
print("caught", caught)


# Inlined callees (loop-free, called from a hot loop) that raise.
def div(a, b):
    return a // b


def g(a, b):
    return div(a, b) + 1


acc = 0
for i in range(4000):
    try:
        acc += g(i, i % 50)
    except ZeroDivisionError:
        acc -= 1
print("inlined", acc)


# Closures: free variables only, and a parameter that is a cell.
def make_poly(scale):
    coeffs = [scale * (k + 1) for k in range(4)]

    def evaluate(x):
        acc = 0
        for c in coeffs:
            acc = acc * x + c
        return acc

    return evaluate


def cell_param(x):
    def inner():
        return x * 2

    y = 0
    for i in range(3):
        y += i
    return inner() + y


def integrate(f, n):
    total = 0
    i = 0
    while i < n:
        total += f(i % 7) + cell_param(i)
        i += 1
    return total


polys = [make_poly(s) for s in range(1, 5)]
print("closures", [integrate(p, 3000) for p in polys])


# Values released when a native frame returns: the last reference to a
# local dies with the frame.
def keep(n):
    box = [n] * 3
    if n == 0:
        return len(box)
    return keep(n - 1) + box[0]


print("released", sum(keep(k % 20) for k in range(3000)))
