# Deleting a global a trace reads: the next read is a NameError, exactly as
# CPython reports it (the last one is uncaught).
K = 3

def reader(n):
    s = 0
    for i in range(n):
        s += K
    return s

print(reader(500))

def killer(i):
    global K
    if i == 300:
        del K

def reader2(n):
    s = 0
    for i in range(n):
        s += K
        killer(i)
    return s

try:
    print(reader2(1000))
except NameError as e:
    print("caught", e)

K = 5
print(reader(500))

t = 0
for i in range(1000):
    t += K
    if i == 600:
        del K
print(t)
