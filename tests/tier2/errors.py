# Exceptions raised inside traced loops resume tier 1 at the exact instruction.
def f(xs):
    out = 0
    for i in range(len(xs) + 3):
        try:
            out += 100 // xs[i]
        except ZeroDivisionError:
            out -= 1
        except IndexError:
            out += 1000
    return out

print(f([1, 2, 0, 4, 5] * 40))

def g(n):
    for i in range(n):
        if i == n - 1:
            y = i
        if i > 100:
            print(y)
    return 0

try:
    g(200)
except UnboundLocalError as e:
    print("UnboundLocalError:", e)

def h():
    t = 0
    for i in range(100):
        t += [1, 2, 3][i % 4]
    return t

h()
