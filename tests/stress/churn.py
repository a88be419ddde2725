# Executor churn soak (ci/soak.sh). Hot loops whose traces bake in the
# globals F (a function) and K (an int); every round rebinds them, from the
# round loop and from inside the very trace that depends on them, so traces
# are invalidated (some while they run) and rebuilt continuously (ci/soak.sh
# sets CPJIT_GLOBAL_REBIND_LIMIT so that the VM never stops baking them in).
# Each round is checked against the same computation done with locals only;
# the program prints one line per epoch and a summary. ci/soak.sh rewrites
# EPOCHS to run for a given time.
EPOCHS = 4
ROUNDS = 50

def f0(x):
    return x + 1

def f1(x):
    return x * 3

def f2(x):
    return x - 2

FS = [f0, f1, f2]
F = f0
K = 1

def hot(n):
    # Depends on F and K; rebuilt after every rebinding.
    t = 0
    for i in range(n):
        t += F(i) + K
    return t

def hot_ref(n, f, k):
    t = 0
    for i in range(n):
        t += f(i) + k
    return t

def self_rebind(n, start):
    # Rebinds F inside the loop whose trace calls it.
    global F
    t = 0
    for i in range(n):
        t += F(i)
        if i % 40 == 39:
            F = FS[(start + i // 40) % 3]
    return t

def self_rebind_ref(n, start, f):
    t = 0
    for i in range(n):
        t += f(i)
        if i % 40 == 39:
            f = FS[(start + i // 40) % 3]
    return t, f

def epoch(e):
    global F, K
    bad = 0
    check = 0
    for r in range(ROUNDS):
        F = FS[(e + r) % 3]
        K = (e * 7 + r) % 11
        a = hot(60)
        b = hot_ref(60, F, K)
        f_before = F
        c = self_rebind(200, r)
        d, f_after = self_rebind_ref(200, r, f_before)
        if a != b or c != d or F is not f_after:
            bad += 1
        check = (check * 31 + a + c) % 1000003
    return bad, check

total_bad = 0
for e in range(EPOCHS):
    bad, check = epoch(e)
    total_bad += bad
    print("epoch", e, "mismatches", bad, "check", check)
print("churn:", EPOCHS, "epochs,", total_bad, "mismatches")
