# Direct links between traces (s9-link): a side trace that ends at its
# root's back edge jumps straight into the root's loop body, and linked
# exits are patched jumps. Each loop's odd branch becomes a side trace.

# Collatz: the odd step's side trace loops through the root's loop copy.
def collatz_len(n):
    steps = 0
    while n != 1:
        if n & 1:
            n = 3 * n + 1
        else:
            n >>= 1
        steps += 1
    return steps

best = 0
for n in range(1, 3000):
    s = collatz_len(n)
    if s > best:
        best = s
print("collatz", best)

# The side trace ends knowing less than the root's loop assumes (`x` is
# rebound to a float on the odd path): it must enter through the root's
# side entry, whose guards send the float case back to tier 1.
def mixed(n):
    x = 0
    total = 0
    i = 0
    while i < n:
        if i & 1:
            x = 0.5 if i % 7 == 0 else i
        else:
            x = x + 1
        total = total + x
        i += 1
    return total

print("mixed", mixed(500), mixed(501))

# The root's loop copy uses `x` as a proven small int; late in the loop
# a side trace ends with `x` a float: it must enter through the side
# entry (whose guard leaves to tier 1), never straight into the loop.
def retyped(n):
    x = 0
    total = 0
    i = 0
    while i < n:
        total = total + x * 2
        if i & 1:
            if i > 200 and i % 7 == 1:
                x = 0.5
            else:
                x = i
        else:
            x = i
        i += 1
    return total

print("retyped", retyped(400), retyped(401))

# Big ints on the odd path: the side trace's arithmetic overflows and
# leaves to tier 1 from inside the linked loop.
def grow(n):
    v = 1
    i = 0
    while i < n:
        if i & 1:
            v = v * 3 + 1
        else:
            v = v + 2
        i += 1
    return v

print("grow", grow(120) % 1000003, grow(121) % 1000003)
