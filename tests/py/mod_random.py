# random: CPython's Mersenne Twister and Lib/random.py algorithms, seeded.
import random
import random as rnd
from random import randint, choice, shuffle

random.seed(12345)
print([random.random() for _ in range(1000)] == [random.random() for _ in range(0)], random.random())
random.seed(42)
vals = []
for i in range(1000):
    vals.append(random.random())
print(sum(vals), vals[0], vals[999])
random.seed(42)
print([randint(1, 6) for _ in range(1000)])
print([random.randrange(10) for _ in range(200)])
print([random.randrange(3, 100, 7) for _ in range(200)])
print([random.randrange(100, 3, -7) for _ in range(100)])
print([random.randrange(-5, 5) for _ in range(100)])
print([random.getrandbits(k) for k in range(0, 130)])
print([random.randrange(2**100) for _ in range(20)])
print([random.randint(-2**70, 2**70) for _ in range(20)])
for seed in [0, 1, -1, 2**32, 2**32 - 1, 2**64 + 17, 10**40, True]:
    random.seed(seed)
    print(seed, random.random(), random.getrandbits(64), random.randint(0, 10**6))
random.seed(7)
xs = list(range(50))
for _ in range(20):
    shuffle(xs)
print(xs)
words = ["a", "bb", "ccc", "dddd", "e"]
print([choice(words) for _ in range(100)])
print([choice("hello world") for _ in range(30)], choice((1, 2, 3)), choice(range(10, 20)))
print([random.sample(range(100), 10) for _ in range(10)])
print(random.sample(range(10**6), 25))
print(random.sample(words, 5), random.sample(words, k=2), random.sample("abcdefgh", 3))
print([round(random.uniform(1, 10), 12) for _ in range(100)])
print([random.uniform(-1.5, 2.5) for _ in range(5)])
print([random.gauss(0, 1) for _ in range(100)])
print([random.gauss() for _ in range(5)], random.gauss(10, 0.5))
print([random.expovariate(2.0) for _ in range(10)])
print(random.choices(words, k=30))
print(random.choices(words, [1, 2, 3, 4, 5], k=30))
print(random.choices(words, weights=[0.1, 0.5, 0.0, 2, 1], k=30))
print(random.choices(words, cum_weights=[1, 2, 3, 4, 10], k=30), random.choices(words))
random.seed(1.5)
print(random.random())
random.seed(None)
x = random.random()
random.seed()
print(0.0 <= x < 1.0, 0 <= rnd.randrange(5) < 5, type(random.random()))
# A hot loop of module calls (tier 2 records calls of builtins).
random.seed(2024)
hits = 0
for i in range(20000):
    x = random.random()
    y = random.random()
    if x * x + y * y < 1.0:
        hits += 1
    hits += random.randint(0, 1)
print(hits)
t = 0
for i in range(5000):
    t += random.randrange(1, 1000) + rnd.getrandbits(5)
print(t)


def err(f):
    try:
        f()
    except Exception as e:
        print(repr(e))


err(lambda: random.randrange(5, 5))
err(lambda: random.randrange(0))
err(lambda: random.randrange(-3))
err(lambda: random.randrange(10, 1))
err(lambda: random.randrange(1, 10, 0))
err(lambda: random.randrange(1, 10, -1))
err(lambda: random.randint(5, 1))
err(lambda: random.choice([]))
err(lambda: random.choice(""))
err(lambda: random.sample([1, 2], 3))
err(lambda: random.sample([1, 2], -1))
err(lambda: random.sample({1, 2}, 1))
err(lambda: random.getrandbits(-1))
err(lambda: random.choices([], k=2))
err(lambda: random.choices([1, 2], [1], k=2))
err(lambda: random.choices([1, 2], [0, 0], k=2))
err(lambda: random.choices([1, 2], [1, 2], cum_weights=[1, 2]))
err(lambda: random.seed([1]))
err(lambda: random.randint(1))
err(lambda: random.shuffle((1, 2, 3)))
try:
    random.nosuch
except AttributeError as e:
    print(e)
print(random.randrange(5, 6), random.randint(3, 3))
