# A trace that baked a builtin in must notice a global shadowing it, and
# the builtin coming back when the global is deleted.
data = [1, 2, 3, 4]

def count(n):
    s = 0
    for i in range(n):
        s += len(data) + abs(i - 50)
    return s

print(count(1000))

def my_len(x):
    return 100

len = my_len
print(count(1000))
del len
print(count(1000))

# Shadowed from inside the hot loop itself.
total = 0
for i in range(2000):
    total += len(data)
    if i == 1000:
        len = my_len
print(total)
del len

# Shadowing `abs` from a function the loop calls.
def shadow():
    global abs
    abs = lambda v: 7

def count2(n):
    s = 0
    for i in range(n):
        s += abs(-i)
        if i == n - 300:
            shadow()
    return s

print(count2(1500))
del abs
print(count2(1500))
