def make_counter():
    count = 0
    def inc(by=1):
        nonlocal count
        count += by
        return count
    return inc

c = make_counter()
print(c(), c(), c(5))

def adders():
    return [lambda x, i=i: x + i for i in range(3)]
print([f(10) for f in adders()])

def outer(a):
    def middle(b):
        def inner(c):
            return a + b + c
        return inner
    return middle
print(outer(1)(2)(3))

def fib_memo():
    memo = {}
    def fib(n):
        if n in memo:
            return memo[n]
        r = n if n < 2 else fib(n - 1) + fib(n - 2)
        memo[n] = r
        return r
    return fib(80)
print(fib_memo())

x = 10
def read_global():
    return x * 2
print(read_global())
sq = lambda v: v * v
print(sq(7), (lambda: 42)())
def varargs(a, *rest):
    return a, rest
print(varargs(1), varargs(1, 2, 3))
