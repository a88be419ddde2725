# Recursion through functions whose loops are traced.
def rec(n):
    s = 0
    for i in range(4):
        s += i
    if n == 0:
        return s
    return rec(n - 1) + s

print(rec(900))
for k in range(30):
    rec(200)

def deep(n):
    total = 0
    for i in range(2):
        total += i
    return deep(n + 1) + total

try:
    deep(0)
except RecursionError as e:
    print("RecursionError")
print(rec(10))
