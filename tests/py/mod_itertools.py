# itertools: lazy iterators consuming their inputs as CPython's do.
import itertools
from itertools import count, repeat, cycle, chain, islice, product, permutations, combinations
from itertools import combinations_with_replacement, accumulate, groupby, zip_longest
from itertools import starmap, takewhile, dropwhile, filterfalse, compress, pairwise

print(list(islice(count(), 5)), list(islice(count(10, 3), 4)), list(islice(count(1.5, 0.5), 3)))
print(list(repeat("x", 3)), list(repeat(7, 0)), list(islice(repeat(1), 4)), list(repeat(None, times=2)))
print(list(islice(cycle("abc"), 8)), list(cycle([])))
print(list(chain([1, 2], (3,), "ab", range(2))), list(chain()), list(chain.from_iterable([[1], [2, 3], []])))
print(list(islice(range(10), 3)), list(islice(range(10), 2, 8, 2)), list(islice(range(10), 5, None)))
print(list(islice(range(10), None)), list(islice("abcdef", 1, 3)), list(islice(range(3), 10)))
it = iter(range(10))
print(list(islice(it, 3)), next(it), list(islice(it, 1, 3)), next(it))
print(list(product("ab", range(2))), list(product([1, 2], repeat=2)), list(product()), list(product([], [1])))
print(list(product("ab", "xy", repeat=2))[:5], len(list(product(range(3), repeat=3))))
print(list(permutations([1, 2, 3])), list(permutations("abcd", 2)), list(permutations([], 0)), list(permutations([1], 2)))
print(list(combinations(range(4), 2)), list(combinations("abc", 0)), list(combinations("ab", 3)), list(combinations("abcde", 3)))
print(list(combinations_with_replacement("abc", 2)), list(combinations_with_replacement([], 2)), list(combinations_with_replacement([1], 0)))
print(list(accumulate([1, 2, 3, 4])), list(accumulate([1, 2, 3], initial=100)), list(accumulate([])), list(accumulate([], initial=5)))
print(list(accumulate([3, 1, 4, 1, 5], max)), list(accumulate([1, 2, 3, 4], lambda a, b: a * b)), list(accumulate("abc")))
print([(k, list(g)) for k, g in groupby("aaabbcaa")])
print([(k, len(list(g))) for k, g in groupby([1, 3, 5, 2, 4, 7], key=lambda x: x % 2)])
print([k for k, g in groupby(sorted("mississippi"))])
gs = list(groupby("aabb"))
print([(k, list(g)) for k, g in gs])
g = groupby("xxyz")
k1, g1 = next(g)
print(k1, next(g1), next(g)[0], list(g1))
print(list(zip_longest("abc", [1])), list(zip_longest([1, 2], [3], fillvalue=0)), list(zip_longest()))
print(list(starmap(pow, [(2, 3), (3, 2)])), list(starmap(lambda a, b: a + b, [(1, 2), [3, 4]])))
print(list(takewhile(lambda x: x < 5, [1, 4, 6, 4, 1])), list(dropwhile(lambda x: x < 5, [1, 4, 6, 4, 1])))
print(list(filterfalse(lambda x: x % 2, range(10))), list(filterfalse(None, [0, 1, "", "a"])))
print(list(compress("ABCDEF", [1, 0, 1, 0, 1, 1])), list(pairwise("abcd")), list(pairwise([1])))
c = count()
print(next(c), next(c), next(c), type(c), type(iter(chain())))
# Hot loops over itertools iterators (traced for-loops).
total = 0
for i in islice(count(), 5000):
    total += i
print(total)
total = 0
for a, b in product(range(40), range(40)):
    total += a * b
print(total)
n = 0
for p in permutations(range(6)):
    n += p[0]
print(n)
n = 0
for cmb in combinations(range(15), 3):
    n += cmb[2] - cmb[0]
print(n)
s = 0
for x in chain(range(1000), [5] * 100):
    s += x
print(s)
s = 0
for x, y in zip_longest(range(300), range(200), fillvalue=-1):
    s += x * y
print(s)
acc = 0
for x in accumulate(range(2000)):
    acc ^= x
print(acc)
ws = "the cat sat on the mat the end".split()
for k, grp in groupby(sorted(ws)):
    print(k, len(list(grp)), end="; ")
print()


def err(f):
    try:
        f()
    except Exception as e:
        print(repr(e))


err(lambda: islice(range(3), -1))
err(lambda: islice(range(3), 0, 2, 0))
err(lambda: islice(range(3), "a", 2))
err(lambda: list(permutations([1], -1)))
err(lambda: combinations([1]))
err(lambda: list(chain(1, 2)))
err(lambda: next(count("a")))
err(lambda: list(starmap(pow, [1])))
err(lambda: itertools.nosuch)
