# A sequence times something that is not an int: CPython's messages.
cases = [
    lambda: 1.5 * "x",
    lambda: "x" * 1.5,
    lambda: [1] * 2.0,
    lambda: (1,) * None,
    lambda: "a" * "b",
    lambda: [1] * [2],
    lambda: [1] * 2**70,
    lambda: 2**70 * "a",
    lambda: {"k": 1} * 2,
]
for f in cases:
    try:
        print(f())
    except TypeError as e:
        print("TypeError:", e)
    except OverflowError as e:
        print("OverflowError:", e)
s = "ab"
try:
    s *= 2.5
except TypeError as e:
    print("TypeError:", e)
print(3 * "ab", [0] * 3, (1, 2) * 2, True * [1], "x" * -1)
print([1, 2] * 1.5)
