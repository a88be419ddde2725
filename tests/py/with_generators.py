# with in generators (abandoned and closed while suspended in the body: __exit__
# sees GeneratorExit) and in a class body.
class CM:
    def __enter__(self):
        print("enter")
    def __exit__(self, t, v, tb):
        print("exit", t.__name__ if t else t)
def gen():
    with CM():
        yield 1
        yield 2
for v in gen():
    print(v)
    break
print("after")
g = gen()
next(g)
g.close()
print("closed")
class K:
    with CM():
        x = 1
print(K.x)
def gen2():
    try:
        yield 1
    finally:
        print("finally")
for v in gen2():
    break
print("end")
