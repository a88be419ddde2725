# Native calls of baked global functions (_CALL_EXECUTOR_KNOWN) and returns
# of frames whose locals are all small ints (_RETURN_CLEAN): fast paths,
# and every way out of them.


def fib(n):
    if n < 2:
        return n
    return fib(n - 1) + fib(n - 2)


def tak(x, y, z):
    if y < x:
        return tak(tak(x - 1, y, z), tak(y - 1, z, x), tak(z - 1, x, y))
    return z


def with_locals(n):
    # More locals than arguments: the push empties them.
    if n < 1:
        return 0
    a = n - 1
    b = a * 2
    c = b + 1
    return with_locals(a) + c - b


def text_depth(n):
    # Small int locals, a heap return value.
    if n == 0:
        return "x"
    return text_depth(n - 1) + "y"


def find(n):
    # A return inside a loop (a traced side exit of the entry trace): the
    # loop's iterator is under the return value, so the locals stay.
    if n == 0:
        return 0
    for i in range(3):
        if i == 1:
            return find(n - 1) + i
    return -1


print(fib(22))
print(tak(12, 8, 4))
print(sum(with_locals(k % 25) for k in range(3000)))
print(len(text_depth(300)))
t = 0
for k in range(3000):
    t += find(k % 30)
print(t)

# Big ints: the argument guards fail and tier 1 makes the call.
big = 10**20
total = 0
for k in range(2000):
    total += fib(k % 12)
print(total, fib(big - big + 15))


def deep(n):
    if n == 0:
        return 0
    return deep(n - 1) + 1


# The recursion limit, reached inside native calls: the push declines and
# tier 1 raises RecursionError as it always does.
for k in range(3):
    for m in range(1500):
        deep(m % 40)
    try:
        deep(5000)
    except RecursionError:
        print("RecursionError", k)
print(deep(500))


def rebind_me(n):
    if n < 2:
        return n
    return rebind_me(n - 1) + rebind_me(n - 2)


print(rebind_me(20))
old = rebind_me


def replacement(n):
    return 1000 + n


rebind_me = replacement
# The old function's recursive calls now call the replacement.
print(old(10), old(2))
rebind_me = old
print(rebind_me(18))


# Inlined calls of baked globals (_PUSH_FRAME_KNOWN): a plain function and
# a closure (its free variable's cell is copied in).
def sq(x):
    return x * x


def make_adder(k):
    def add(x):
        return x + k

    return add


add3 = make_adder(3)
s = 0
for i in range(5000):
    s += sq(i % 100) + add3(i)
print(s)


def rec_loop(n):
    if n == 0:
        t = 0
        for i in range(60):
            t += sq(i) + add3(i)
        return t
    return rec_loop(n - 1)


# Near the recursion limit the inlined push declines and tier 1 raises.
out = []
for n in list(range(10)) + list(range(980, 1000)):
    try:
        out.append(rec_loop(n))
    except RecursionError:
        out.append("RE")
print(out)
# Rebinding the inlined function invalidates the trace.
sq = add3
s = 0
for i in range(500):
    s += sq(i)
print(s)
