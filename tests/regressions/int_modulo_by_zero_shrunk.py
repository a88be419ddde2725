# Shrunk by fuzz/run from seed 2048 (fuzz/gen --seed 2048), --tier 1.
print(7 % (len("") * 3))
