# LOAD_DEREF / STORE_DEREF in traces: closures reading and rebinding
# cells, a cell read before assignment (NameError), cells holding lists.
def counter():
    count = 0

    def bump(k):
        nonlocal count
        for i in range(k):
            count = count + i
        return count

    return bump


b = counter()
print(b(1000), b(500))


def make_rng(seed):
    state = [seed]

    def next_int(n):
        state[0] = (state[0] * 1103515245 + 12345) % 2147483648
        return state[0] % n

    return next_int


r = make_rng(7)
print([r(100) for _ in range(200)][-5:])


def scale_all(xs, f):
    out = []

    def go():
        for x in xs:
            out.append(x * f)

    go()
    return out


print(sum(scale_all(list(range(300)), 3)))


def late():
    total = 0

    def use(n):
        acc = 0
        for i in range(n):
            if i == 40:
                # `later` is still unbound here: NameError from the trace's exit.
                acc += later
            acc += i
        return acc

    try:
        print(use(100))
    except NameError as e:
        print("NameError:", e)
    later = 5
    print(use(100))
    return total


late()


def unbound_local():
    def inner():
        return 1

    for i in range(50):
        if i == 30:
            try:
                print(x)
            except NameError as e:
                print("caught", e)
        if i == 45:
            x = i

        y = lambda: x if i > 45 else 0
    return y()


print(unbound_local())


def rebinding(n):
    v = 1.5

    def step():
        nonlocal v
        v = v * 1.0001 + 0.5
        return v

    last = 0.0
    for _ in range(n):
        last = step()
    return last, v


print(rebinding(3000))
