class A:
    def __init__(self, n):
        self.n = n
    def who(self):
        return "A" + str(self.n)
    def hello(self):
        return "hello from " + self.who()

class B(A):
    def __init__(self, n, m):
        super().__init__(n)
        self.m = m
    def who(self):
        return "B" + super().who()

class C(A):
    def who(self):
        return "C" + super(C, self).who()

class D(B, C):
    def __init__(self):
        super().__init__(1, 2)
    def who(self):
        return "D" + super().who()

print(B(1, 2).hello())
print(C(3).hello())
d = D()
print(d.hello(), d.n, d.m)
print([k.__name__ for k in D.__mro__])
print(issubclass(D, A), issubclass(A, D), issubclass(D, (int, C)), issubclass(B, object))
print(isinstance(d, A), isinstance(d, C))

class X: pass
class Y: pass
class Z(X, Y): pass
print([k.__name__ for k in Z.__mro__])
try:
    class Bad(X, Z): pass
except TypeError as e:
    print(e)

def outer():
    k = 5
    class Local:
        val = k
        def get(self):
            return k + self.val
    return Local()
print(outer().get())
print(type(outer()).__qualname__ if hasattr(type(outer()), "__qualname__") else "")
class Counter:
    total = 0
    def __init__(self):
        Counter.total += 1
for _ in range(5):
    Counter()
print(Counter.total)
