import math
vals = [1, 2**80, 1.5, "s", True, None, [1], (1,), {1: 2}, {1}, range(3), iter([]), iter(()), iter({}), iter(range(2)), {}.keys(), {}.values(), {}.items(), zip(), enumerate([]), map(abs, []), reversed([]), len, print, "".join, [].append, lambda: 0, ValueError("x"), KeyError, int, math]
for v in vals:
    print(type(v).__name__, type(v))
def f(): pass
def outer():
    def inner(): pass
    return inner
print(f.__name__, f.__qualname__, outer().__name__, outer().__qualname__, (lambda: 0).__name__, f.__module__)
print(len.__name__, len.__qualname__, "".join.__name__, int.__name__, ValueError.__name__, type(f).__name__, type(print).__name__)
print(type(1) == int, type(iter([])) == type(iter([])), isinstance(1, int))
try:
    f.__nope__
except AttributeError as e:
    print(e)
try:
    type(iter([]))()
except TypeError as e:
    print(e)
