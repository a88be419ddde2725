g = 1
def setg(v):
    global g
    g = v
setg(5)
print(g)
a = b = c = [0]
a.append(1)
print(a, b, c, a is b)
del g
try:
    print(g)
except NameError as e:
    print(e)
x = 0
while x < 5:
    x += 1
    if x == 3:
        break
else:
    print("no")
print(x, None is None, 1 is not None, [] is [])
