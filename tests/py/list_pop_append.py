# list.pop and list.append: indexes, queues, and the argument errors.
l = [1, 2, 3, 4, 5]
print(l.pop(0), l.pop(), l.pop(-2), l.pop(True), l)
for bad in [lambda: [].pop(), lambda: [1].pop(5), lambda: [1].pop("x"), lambda: [1].pop(1, 2), lambda: [1].append(), lambda: [1].append(1, 2)]:
    try:
        bad()
    except (IndexError, TypeError) as e:
        print("error:", e)
q = []
for i in range(100):
    q.append((i, i))
    if i % 3 == 0:
        q.pop(0)
print(len(q), q[0], q[-1])
