# Closure variables in hot loops: tier 2 loads and stores cells with native
# uops (_LOAD_DEREF, _STORE_DEREF), in the loop's frame and in inlined
# callees; reading a cell that is not bound yet must leave to tier 1, which
# raises as usual.

def counter():
    n = 0

    def bump(k):
        nonlocal n
        n = n + k
        return n

    total = 0
    for i in range(3000):
        total += bump(i % 7)
    return total, n


print("counter", counter())


def scaled(factor):
    acc = [0]

    def add(x):
        acc[0] = acc[0] + x * factor
        return acc[0]

    for i in range(2500):
        add(i)
        if i == 1200:
            factor = factor + 1      # the cell changes under the trace
    return acc[0], factor


print("scaled", scaled(3))


def late():
    def get():
        return v

    hits = 0
    total = 0
    for i in range(2000):
        if i < 1500:
            try:
                total += get()
            except NameError:
                hits += 1
        else:
            total += get()
        if i == 900:
            v = 5                    # bound from here on
    return hits, total


print("late", late())


def shared():
    state = 1

    def step():
        nonlocal state
        state = (state * 31 + 7) % 1000003

    def peek():
        return state

    s = 0
    for _ in range(3000):
        step()
        s = (s + peek()) % 1000000007
    return s, state


print("shared", shared())
