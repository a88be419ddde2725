def g():
    yield 1


x = g()
print("start")
x.send(3)
