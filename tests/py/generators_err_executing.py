def g():
    yield 1
    next(me)


me = g()
print(next(me))
next(me)
