# A loop whose exit grew a side trace (a second executor) that depends on a
# global; rebinding it invalidates the side trace, maybe while it runs, and
# the loop carries on correctly (and grows a new side trace).
W = 10

def bump(x):
    return x + W

def loop(n, rebind_at):
    global W
    s = 0
    for i in range(n):
        if i % 3 == 0:
            s += i
        else:
            s += bump(i) + W
            if i == rebind_at:
                W = W * 2
    return s

print(loop(3000, 1500))
print(loop(3000, 10**9))
W = -4
print(loop(3000, 2900))
print(W)

# The side trace calls a function that rebinds W while the side executor
# (entered through the root's linked exit) runs; both it and the root read W
# after that and must see the new value.
calls = 0

def bump2(x):
    global W, calls
    calls += 1
    if calls % 300 == 0:
        W = W + 1
    return x + W

def loop2(n):
    s = 0
    for i in range(n):
        if i % 3 == 0:
            s += i + W
        else:
            s += bump2(i) + W
    return s

print(loop2(6000), W, calls)
print(loop2(6000), W, calls)
