# any()/all() of a generator expression stop at the first element that
# decides: later elements are never evaluated (their side effects and
# errors do not happen), in loops too (tier 2 traces these).
print(any(print("any sees", x) or x > 1 for x in range(5)))
print(all(print("all sees", x) or 1 // (3 - x) for x in range(5)))
print(any(x > 10 for x in range(5)), all(x < 10 for x in range(5)))
print(any(x for x in []), all(x for x in []))
print(any(x * y == 6 for x in range(5) for y in range(5) if x != y))
print(all(x + y < 7 for x in range(5) for y in range(4)))
print(any(isinstance(v, str) for v in [3, "x", 1 // 0 if False else 5]))


def squares_and_primes(n):
    t = 0
    for i in range(n):
        if any(j * j == i for j in range(i + 1)):
            t += i
        if all(i % d for d in range(2, i)):
            t += 1
    return t


print(squares_and_primes(300))


def first_negative_stops(values):
    return all(v > 0 for v in values)


print(first_negative_stops([1, 2, -1, "not comparable"]))
print(any(v > 0 for v in [0, 1, "not comparable"]))
# An element that is reached and fails raises as CPython does.
print(all(v > 0 for v in [1, "no"]))
