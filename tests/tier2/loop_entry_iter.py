# A function's entry trace runs into its list loop and leaves at the loop's
# back edge, where it is linked into the loop trace's peeled copy (whose
# iterator guard peel dropped): allowed only because the entry trace guarded
# the same loop's iterator itself. Then the iterable turns into a tuple, a
# range, an empty list and a list again, and the loop changes iterator kinds
# under both traces; the output must stay exact.
def make(xs):
    def evaluate(x):
        acc = 0.0
        for c in xs:
            acc = acc * x + c
        return acc

    return evaluate


def run(f, n):
    total = 0.0
    i = 0
    while i < n:
        total += f(i * 0.001)
        i += 1
    return total


coeffs = [1.0, 2.0, 0.5, 0.25, 3.0]
f = make(coeffs)
print(f"{run(f, 3000):.6f}")
coeffs.append(1.5)
print(f"{run(f, 3000):.6f}")
del coeffs[:]
print(f"{run(f, 500):.6f}")
for other in [(1.0, 2.0, 3.0), range(3), (1, 2.5, 4), [2.0] * 7]:
    g = make(other)
    print(f"{run(g, 2000):.6f}")
print(f"{run(make([1.0, 2.0]), 2000):.6f}")
