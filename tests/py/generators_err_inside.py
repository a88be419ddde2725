def source():
    yield 1
    yield [1, 2][5]


def pipeline():
    total = 0
    for v in source():
        total += v
    return total


print(pipeline())
