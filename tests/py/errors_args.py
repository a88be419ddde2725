def f(a, b=2):
    return a + b
print(f(1), f(1, 3), f(b=5, a=1))
f(1, 2, 3)
