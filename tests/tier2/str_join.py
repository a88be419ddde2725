# str.join over lists, tuples and other iterables in hot loops, and its error.
parts = ["ab", "", "cd", "é"]
out = []
for i in range(300):
    n = i % 5
    out.append("-".join(parts[:n]) + "|" + "".join(tuple(parts[n:])))
print(len(out), out[:6], out[-1])

d = {"x": 1, "yy": 2, "zzz": 3}
s = 0
for i in range(200):
    s += len(",".join(d)) + len("".join(k for k in d if len(k) > i % 3))
print("iterables", s)

bad = ["a", "b", 3, "c"]
errs = 0
for i in range(100):
    try:
        " ".join(bad if i % 10 == 0 else bad[:2])
    except TypeError as e:
        errs += 1
        msg = str(e)
print("errors", errs, msg)
