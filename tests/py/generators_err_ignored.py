def stubborn():
    while True:
        try:
            yield 1
        except GeneratorExit:
            print("ignoring")


s = stubborn()
next(s)
s.close()
