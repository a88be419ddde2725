import math, sys
def t(label, f):
    try:
        print(label, f())
    except Exception as e:
        print(label, type(e).__name__, e)
t("dict|", lambda: {1: 2} | {3: 4, 1: 5})
def ior():
    d = {1: 2}
    d |= {3: 4}
    d |= [(5, 6)]
    return d
t("dict|=", ior)
t("dict|list", lambda: {1: 2} | [(1, 2)])
t("id", lambda: id(1) == id(1))
t("hash int", lambda: [hash(x) for x in [0, 1, -1, -2, 2**61 - 1, 2**61, 2**64 + 5, -2**70, True, False]])
t("hash float", lambda: [hash(x) for x in [0.0, 1.0, 1.5, -2.5, 1e300, float('inf'), -float('inf'), 0.1]])
t("hash none", lambda: hash(None) == hash(None))
t("hash tuple", lambda: [hash(x) for x in [(), (1,), (1, 2)]] == [hash(x) for x in [(), (1,), (1, 2)]])
t("hash str", lambda: hash("abc") == hash("ab" + "c"))
t("hash list", lambda: hash([1]))
t("hash dict", lambda: hash({}))
t("callable", lambda: [callable(x) for x in [len, print, 1, "s", lambda: 0, int, [].append, t]])
t("getattr", lambda: getattr(math, "pi"))
t("getattr default", lambda: getattr(math, "nope", 42))
t("getattr miss", lambda: getattr(math, "nope"))
t("hasattr", lambda: (hasattr(math, "pi"), hasattr(math, "nope"), hasattr(1, "real")))
t("setattr", lambda: (setattr(sys, "myattr", 5), sys.myattr))
t("getattr str", lambda: getattr("abc", "upper")())
t("globals", lambda: "t" in globals())
t("iter next", lambda: (lambda it: (next(it), next(it), next(it, "end")))(iter([1, 2])))
t("next stop", lambda: next(iter([])))
t("enumerate start", lambda: list(enumerate("ab", start=1)))
t("enumerate pos", lambda: list(enumerate("ab", 5)))
t("print sep none", lambda: print(1, 2, sep=None, end=None))
t("print empty", lambda: print(sep="x", end="y\n"))
t("format kw", lambda: "{name} is {age}".format(name="bob", age=3))
t("format idx", lambda: "{0[1]} {1}".format([1, 2], "x"))
t("format attr", lambda: "{0.real}".format(3))
t("format mixed", lambda: "{} {x} {}".format(1, 2, x=3))
t("format missing", lambda: "{x}".format())
t("min default", lambda: (min([], default=5), max([], default=None), min([3, 1], default=0)))
t("min key", lambda: (min([3, -5, 2], key=abs), max("ab", "c", key=len), max([1, 2], key=lambda v: -v)))
t("min empty", lambda: min([]))
t("round neg", lambda: (round(1234, -2), round(1250, -2), round(1350, -2), round(1234.5, -2), round(-1550, -2), round(15, -1), round(25, -1)))
t("round float", lambda: (round(2.675, 2), round(0.5), round(1.5), round(-0.5), round(2.5, 0)))
t("divmod float", lambda: (divmod(7.5, 2), divmod(-7.5, 2), divmod(7, -2.5), divmod(1, 0.3)))
t("divmod zero", lambda: divmod(1.0, 0))
t("int base", lambda: (int("ff", 16), int("0x1f", 16), int("0b101", 0), int(" 12 ", 8), int("z", 36), int("1_000", 10)))
t("int base bad", lambda: int("9", 8))
t("int base2", lambda: int(12, 10))
t("partition", lambda: ("a=b=c".partition("="), "abc".partition("x"), "a=b=c".rpartition("="), "abc".rpartition("x")))
t("rsplit", lambda: ("a b  c".rsplit(), "a,b,c".rsplit(",", 1), "a,b,c".rsplit(",", maxsplit=1), " a b ".rsplit(None, 1)))
t("splitlines", lambda: ("a\nb\r\nc\rd\n\ne".splitlines(), "a\nb\n".splitlines(True), "".splitlines(), "x".splitlines(keepends=True)))
t("is*", lambda: [(s.isdigit(), s.isalpha(), s.isspace(), s.isalnum(), s.isupper(), s.islower()) for s in ["123", "abc", " \t", "a1", "ABC", "abc", "", "Ab", "A1"]])
def lr():
    l = [1, 2, 3, 2]
    l.remove(2)
    c = l.count(2)
    l2 = l[:]
    l.clear()
    return l, c, l2
t("list ops", lr)
t("list remove miss", lambda: [1].remove(5))
def du():
    d = {1: 2}
    d.update(a=1, b=2)
    d.update({3: 4}, c=5)
    d.update([(6, 7)])
    return d
t("dict update", du)
t("fromkeys", lambda: (dict.fromkeys("abc"), dict.fromkeys([1, 2], 0)))
def dp():
    d = {1: 2, 3: 4}
    x = d.popitem()
    c = d.copy()
    d.clear()
    return x, c, d
t("popitem", dp)
t("popitem empty", lambda: {}.popitem())
t("sorted items key", lambda: sorted({"b": 1, "a": 2}.items(), key=lambda kv: kv[1]))
t("type name", lambda: type(1).__name__)
print("{0[a]} {0[b][1]} {1.real}".format({"a": 1, "b": [5, 6]}, 2))
import math
print("{m.pi:.3f} {l[0]}".format(m=math, l=[9]))
print("{0[-1]}".format({"-1": "neg"}))
print(getattr(len, "__name__"), hasattr(math, "sqrt"))
math.x = 4; print(math.x); setattr(math, "y", 5); print(math.y)
try: "{0.nope}".format(1)
except AttributeError as e: print(e)
try: "{0[5]}".format([1])
except IndexError as e: print(e)
try: (1).x = 2
except AttributeError as e: print(e)
try: int.nope
except AttributeError as e: print(e)
print(True.real, (5).imag, 2.5.real, 2.5.imag, (2**70).numerator, (7).denominator, False.numerator)
