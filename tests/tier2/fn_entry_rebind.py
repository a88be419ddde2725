# A recursive function rebound while its native activations are running.
calls = 0

def other(n):
    return -n

def fib(n):
    global calls, fib
    calls += 1
    if calls == 5000:
        fib = other
    if n < 2:
        return n
    return fib(n - 1) + fib(n - 2)

print(fib(18))
print(fib(10), calls)

def g(n):
    if n < 2:
        return n
    return g(n - 1) + g(n - 2)

print(g(16))
saved = g

def g(n):
    return 1000 + n

print(saved(16), g(3))

# Rebinding from inside, deep, more than once (a new entry trace each time).
def h(n):
    if n == 0:
        return 0
    return h(n - 1) + 1

def h2(n):
    if n == 0:
        return 100
    return h2(n - 1) + 2

for round_ in range(4):
    total = 0
    for k in range(300):
        total += h(k % 30)
    print(round_, total)
    h, h2 = h2, h
