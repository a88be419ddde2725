# A hot loop rebinding a global its trace reads (and a function it calls).
def inc(x):
    return x + 1

def dbl(x):
    return x * 2

fn = inc
scale = 3
total = 0
for i in range(20000):
    total += fn(i) * scale
    if i == 7000:
        fn = dbl
    if i == 12000:
        scale = 2.5
    if i == 15000:
        del scale
        scale = -1
print(total)

def looper():
    global counter
    s = 0
    for j in range(5000):
        s += counter
        if j % 1000 == 999:
            counter = counter + 1
    return s

counter = 0
print(looper(), counter)
