class Tree:
    def __init__(self, items):
        self.items = items
    def __iter__(self):
        for x in self.items:
            yield x * 2
    def evens(self):
        return (x for x in self.items if x % 2 == 0)
t = Tree([1, 2, 3, 4])
print(list(t), list(t.evens()), sum(t))
class Counter:
    def __init__(self, n): self.n = n
    def gen(self):
        i = 0
        while i < self.n:
            yield i
            i += 1
total = 0
for k in range(2000):
    for v in Counter(5).gen():
        total += v
print(total)
