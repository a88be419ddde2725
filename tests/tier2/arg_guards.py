# An argument checked once as a small int at its first use (_GUARD_LOCAL_INT):
# hot calls with small ints, then other types, big ints and type errors
# reaching the guards of `n < 2`, `2 > n`, `n - 1` and `1 + n`.


def fib(n):
    if n < 2:
        return n
    return fib(n - 1) + fib(n - 2)


def rev(n):
    if 2 > n:
        return n
    return rev(n - 1) + 1


def bump(x):
    return 1 + x


print(fib(18))
print(rev(400))
total = 0
for i in range(3000):
    total += bump(i)
print(total)
# Other types reach the guards of traces made for small ints.
print(fib(7.5))
print(rev(30.25))
print(bump(2.5), bump(True), bump(2**62), bump(-(2**62)))
print(fib(2**62 - 1 - 2**62 + 12))
print(rev(10**20 - 10**20 + 40))
print(fib(False), fib(True))
try:
    bump("s")
except TypeError as e:
    print("TypeError", e)
try:
    fib("s")
except TypeError as e:
    print("TypeError", e)
# And small ints again after the exits.
print(fib(15), rev(300), bump(41))
