# Found by fuzz/run (seed 2048, --tier 1): CPython 3.11 words int % by zero
# "integer modulo by zero", not "integer division or modulo by zero".
x = 0
for i in range(300):
    x = (x + i) % 97
print(x)
print(7 % (len("") * 3))
