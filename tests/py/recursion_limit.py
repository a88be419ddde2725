def f(n):
    return f(n - 1) if n else 0
print(f(998))
try:
    f(999)
except RecursionError as e:
    print("limit:", e)
print(sum(map(lambda k: f(k), [10, 20])))
