def g():
    yield 1
    return 42


it = g()
print(next(it))
next(it)
