# Executor churn soak (ci/soak.sh): a hot loop whose trace loads the global K,
# rebound every round to a value of another type, and deleted and re-added
# (which changes the globals keys version), so guards fail, side exits warm
# up and side traces are built over and over.
K = 1

def step(n):
    t = 0
    i = 0
    while i < n:
        t = t + K
        i = i + 1
    return t

def churn(rounds):
    global K
    total = 0
    r = 0
    while r < rounds:
        m = r % 4
        if m == 0:
            K = r % 7
        elif m == 1:
            K = 0.5
        elif m == 2:
            del K
            K = 2
        else:
            K = True
        total = total + step(40)
        r = r + 1
    return total

acc = 0
j = 0
while j < 60:
    acc = acc + churn(2000)
    j = j + 1
print(acc)
