g = (x for x in range(3))
print(next(g))
print(g[0])
