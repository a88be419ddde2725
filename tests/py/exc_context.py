# Implicit chaining: an exception raised while another is handled shows
# both tracebacks, joined by CPython's "During handling" line.
def parse(s):
    try:
        return int(s)
    except ValueError:
        return {"one": 1}[s]


def main():
    print(parse("12"))
    print(parse("one"))
    try:
        parse("two")
    except KeyError as e:
        print("context:", repr(e.__context__), "cause:", e.__cause__)
    n = 0
    for i in range(40):
        try:
            n += 10 // (i % 4)
        except ZeroDivisionError:
            n -= 1
    print(n)
    parse("three")


main()
