import math
log = []
def trace(label):
    log.append("eval " + label)
    def deco(f):
        log.append("apply " + label)
        def w(*a, **k):
            log.append(label + " calls " + f.__name__)
            return f(*a, **k)
        return w
    return deco

@trace("outer")
@trace("inner")
def add(a, b=1, *, c=0):
    return a + b + c
print(log)
print(add(1), add(1, 2, c=3), log[-2:])

def repeat(n):
    def deco(f):
        def w(*args, **kwargs):
            return [f(*args, **kwargs) for _ in range(n)]
        return w
    return deco

@repeat(3)
def hello(name, punct="!"):
    return "hi " + name + punct
print(hello("bob"), hello("amy", punct="?"))

def identity(f):
    return f
@identity
def plain(x):
    return x * 2
print(plain(21))

def counter(f):
    calls = [0]
    def w(*a):
        calls[0] += 1
        return f(*a), calls[0]
    return w
@counter
def sq(x):
    return x * x
print(sq(3), sq(4))
not_callable = 5
try:
    @not_callable
    def g():
        pass
except TypeError as e:
    print(e)
decos = [identity, counter]
@decos[1]
def cube(x):
    return x ** 3
print(cube(2))
@lambda f: f.__name__
def named():
    pass
print(named)
def memo(f):
    cache = {}
    def w(n):
        if n not in cache:
            cache[n] = f(n)
        return cache[n]
    return w
@memo
def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)
print(fib(80))
