# Repeated rebinding: traces depending on the globals are invalidated and
# rebuilt again and again (until the VM stops baking the global in).
def a(x):
    return x + 1

def b(x):
    return x - 1

op = a
bias = 0
total = 0
for r in range(200):
    for i in range(60):
        total += op(i) + bias
    if r % 2 == 0:
        op = b
    else:
        op = a
    bias = r % 5
print(total)

def inner(n):
    s = 0
    for i in range(n):
        s += op(i) * bias
    return s

acc = 0
for r in range(300):
    op = a if r % 3 else b
    bias = r % 7
    acc += inner(40)
print(acc)
