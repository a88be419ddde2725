# A global a loop's trace baked in is rebound while the trace runs in two
# activations of the same function (an outer call suspended in the inner
# call): both must finish correctly and the trace must be freed afterwards.
def step():
    return 1


def other():
    return 2


def walk(depth, n):
    global step
    t = 0
    i = 0
    while i < n:
        t = t + step()
        if depth > 0 and i == 3:
            t = t + walk(depth - 1, n)
        if depth == 0 and i == 5:
            step = other if step is not other else step
        i = i + 1
    return t


results = []
for k in range(40):
    results.append(walk(k % 3, 8))
    if k % 2 == 0:
        step = (lambda: 1)
print(results)
print(sum(results))
