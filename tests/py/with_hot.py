# A hot loop with a with statement inside (tier 2 traces exit at BEFORE_WITH),
# with suppressed exceptions (t is KeyError: the builtin type object) and continue.
class CM:
    def __init__(self):
        self.n = 0
    def __enter__(self):
        self.n += 1
        return self.n
    def __exit__(self, t, v, tb):
        return t is KeyError
def f():
    c = CM()
    s = 0
    for i in range(20000):
        with c as k:
            s += k
            if i % 7 == 0:
                raise KeyError(i)
            if i % 1000 == 3:
                continue
            s += 1
    return s
print(f())
