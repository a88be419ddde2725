# Float arithmetic in tight loops: Horner evaluation of polynomials whose
# coefficients come from closures, summed over a grid.
def make_poly(scale):
    coeffs = [scale * (k + 1) / (k + 2.0) for k in range(8)]

    def evaluate(x):
        acc = 0.0
        for c in coeffs:
            acc = acc * x + c
        return acc

    return evaluate


def integrate(f, lo, hi, steps):
    h = (hi - lo) / steps
    total = 0.5 * (f(lo) + f(hi))
    i = 1
    while i < steps:
        total += f(lo + i * h)
        i += 1
    return total * h


polys = [make_poly(s * 0.25) for s in range(1, 5)]
results = []
for p in polys:
    results.append(integrate(p, -1.0, 1.0, 270000))
squares = [r * r for r in results]
checksum = sum(squares) + max(results) - min(results)
shown = ", ".join([f"{r:.6f}" for r in results])
print(f"integrals: {shown}")
print(f"checksum: {checksum:.9f}")
