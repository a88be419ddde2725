# Exceptions escaping from nested native calls of function-entry traces.
def down(n):
    if n == 0:
        return 1 // n
    return down(n - 1) + 1

def safe(n):
    try:
        return down(n)
    except ZeroDivisionError:
        return -n

total = 0
for k in range(400):
    total += safe(k % 37)
print(total)

# Exits in the middle of a function-entry trace: a type changes deep down.
def add_down(n, x):
    if n == 0:
        return x
    return add_down(n - 1, x) + 1

for k in range(300):
    add_down(10, k)
print(add_down(10, 0.5), add_down(3, 2 ** 70), add_down(20, 7))

def count(n):
    if n == 0:
        return 0
    return count(n - 1) + 1

# Deep recursion hits the limit exactly as in CPython.
def deep(n):
    return deep(n + 1) + 1

for k in range(1200):
    count(k % 50)
print(count(900))
try:
    deep(0)
except RecursionError as e:
    print("RecursionError", e)
try:
    count(5000)
except RecursionError:
    print("caught the limit")
print(count(990))
count(100000)
