# Function-entry traces: recursive code with no loop runs as native code
# that calls itself natively (_CALL_EXECUTOR).
def fib(n):
    if n < 2:
        return n
    return fib(n - 1) + fib(n - 2)

print(fib(20))
for k in range(12):
    print(k, fib(k))

# Mutual recursion: each function's trace calls the other's executor.
def is_even(n):
    if n == 0:
        return True
    return is_odd(n - 1)

def is_odd(n):
    if n == 0:
        return False
    return is_even(n - 1)

total = 0
for k in range(300):
    if is_even(k):
        total += k
print(total, is_even(501), is_odd(501))

# Recursion with a loop inside, and a big int growing past 63 bits.
def walk(n, acc):
    s = 0
    for i in range(3):
        s += i * n
    if n == 0:
        return acc + s
    return walk(n - 1, acc * 3 + s)

print(walk(60, 1))
for k in range(100):
    walk(k % 20, k)
print(walk(5, 7))

# Several arguments, floats, and a tree of calls with varying depths.
def ack(m, n):
    if m == 0:
        return n + 1
    if n == 0:
        return ack(m - 1, 1)
    return ack(m - 1, ack(m, n - 1))

print(ack(2, 3), ack(2, 50))

def power_sum(x, k):
    if k == 0:
        return 1.0
    return 1.0 + x * power_sum(x, k - 1)

print(power_sum(0.5, 30), power_sum(1.5, 7))
