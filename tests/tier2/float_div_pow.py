# Float `/` and `**` in traces (boxed and unboxed), generic `+ - * / **`
# on mixed floats and ints, their guard misses and their errors.
def norm(n):
    # nbody's shape: d2 ** 0.5 and dt / (d2 * mag) on known floats.
    x = 0.5
    acc = 0.0
    for i in range(n):
        d2 = x * x + 1.0
        mag = 0.01 / (d2 * d2 ** 0.5)
        acc = acc + mag
        x = x + 0.001
    return acc


print(norm(3000))


def mixed(n, h):
    # int * float, float / int, int ** float, float ** int.
    total = 0.0
    for i in range(n):
        total += i * h
        total = total - 2.0 * i / 7
        total += (i % 5) ** 0.5
        total -= h ** 2
    return total


print(mixed(2000, 0.25))


def pow_cases():
    out = []
    # (Negative bases with fractional exponents give complex numbers in
    # CPython, which this VM does not have: not tested here.)
    bases = [2.0, 0.5, 1.0, 1e300, 3, 0.0, 1e-300]
    exps = [0.5, 2, 3.0, -1, -2.0, 0.0, 1.5, 2.5]
    for b in bases:
        for e in exps:
            for _ in range(3):
                try:
                    r = b ** e
                except ZeroDivisionError as ex:
                    r = "ZeroDivisionError: " + str(ex)
                except OverflowError as ex:
                    r = "OverflowError"
                except ValueError as ex:
                    r = "ValueError"
            out.append(r)
    return out


print(pow_cases())


def div_zero(vals):
    # The divisor becomes zero mid-loop: the trace exits, tier 1 raises.
    acc = 0.0
    try:
        for v in vals:
            acc = acc + 1.0 / v
    except ZeroDivisionError as e:
        print("caught:", e, acc)
    return acc


div_zero([1.0, 2.0, 4.0] * 20 + [0.0, 5.0])
div_zero([1.5] * 40 + [0])


def unboxed_div_zero(n):
    # Unboxed operands when the divisor is zero: exits box them first.
    x = 3.0
    y = 1.0 * n
    r = 0.0
    try:
        for i in range(2 * n):
            r = (x * x) / (y - 1.0 * i)
    except ZeroDivisionError as e:
        print("unboxed caught:", e, r)


unboxed_div_zero(30)


def type_changes():
    # Operands that are not numbers (str, list, big int): the mixed uop
    # exits and a side trace runs the generic form.
    items = [1.5, 2, "ab", [1], 10 ** 30, 2.5, True, -1]
    out = []
    for k in range(40):
        a = items[k % len(items)]
        try:
            out.append(a * 2)
            out.append(a / 2)
            out.append(a - 1)
        except TypeError as e:
            out.append("TypeError")
    print(len(out), out[:12], out[-6:])


type_changes()


def neg_base():
    out = []
    for b in [-2.0, -0.5, -1.0, -3, -1e300]:
        for e in [2, 3.0, -1, -2.0, 0.0, 7]:
            for _ in range(3):
                try:
                    r = b ** e
                except OverflowError:
                    r = "OverflowError"
            out.append(r)
    return out


print(neg_base())


def inplace(n):
    v = 1.0
    for i in range(1, n):
        v /= 1.0001
        v **= 1.0
        v *= i / i
    return v


print(inplace(5000))


def neg_zero():
    r = []
    for i in range(30):
        r.append(-0.0 ** 0.5)
        r.append((-0.0) / 3)
        r.append(0.0 * -1)
    print(r[:3], len(r))


neg_zero()
print(7 / 2, 2 ** -1, 10 / 4.0, 2.0 ** 0.5)
