#!/usr/bin/env python3
"""Generate golden test cases for src/vm/num and src/vm/fmt from CPython.

Run with CPython 3.11 (the reference):
    python3 src/vm/num/testdata/gen_cases.py > src/vm/num/testdata/cases.txt

One case a line: `op|arg|arg|...=>result`. Values are tagged:
  i:<hex int, e.g. -1f>   f:<16 hex digits: IEEE-754 bits>   s:<hex of UTF-8>
  t:<n>  (a tuple of the next n values, for % formatting)   N (None)
Results: `ok|value|value...` or `err|<ExceptionName>|<hex of UTF-8 message>`.
"""
import math
import random
import struct
import sys

sys.set_int_max_str_digits(4300)
rng = random.Random(20261123)
out = []


def enc(v):
    if v is None:
        return "N"
    if isinstance(v, bool):
        return f"i:{int(v):x}"
    if isinstance(v, int):
        return f"i:{v:x}"
    if isinstance(v, float):
        return "f:" + struct.pack(">d", v).hex()
    if isinstance(v, str):
        return "s:" + v.encode("utf-8", "surrogatepass").hex()
    if isinstance(v, tuple):
        return "|".join([f"t:{len(v)}"] + [enc(x) for x in v])
    raise TypeError(type(v))


def case(op, fn, *args):
    try:
        r = fn(*args)
        res = "ok|" + (enc(r) if not isinstance(r, tuple) else "|".join(enc(x) for x in r))
    except (ZeroDivisionError, ValueError, OverflowError, TypeError, MemoryError, IndexError, KeyError) as e:
        res = f"err|{type(e).__name__}|{str(e).encode('utf-8', 'surrogatepass').hex()}"
    out.append("|".join([op] + [enc(a) for a in args]) + "=>" + res)


# ---------------------------------------------------------------- values
SMALL = [0, 1, -1, 2, -2, 3, -3, 7, -7, 10, -10, 255, -256, 2**31, -2**31,
         2**62 - 1, -2**62, 2**63 - 1, -2**63, 2**63, -2**63 - 1, 2**64, 10**18]
BIG = [10**30, -10**30, 2**100 + 12345, -(2**127) + 1, 3**200, -(7**150),
       10**308, 2**1024, 2**1023 * 3, 10**400]


def rand_int():
    k = rng.random()
    if k < 0.4:
        return rng.randint(-1000, 1000)
    if k < 0.7:
        return rng.randint(-2**63, 2**63 - 1)
    if k < 0.9:
        return rng.randint(-2**130, 2**130)
    return rng.choice(SMALL + BIG)


FLOATS = [0.0, -0.0, 1.0, -1.0, 0.5, -0.5, 1.5, 2.5, -2.5, 0.1, 0.2, 0.3,
          1 / 3, 2 / 3, 100.0, 1e16, 1e15, 9999999999999998.0, 1e17, 1e22,
          1e-4, 1e-5, 1.5e-7, 1e-07, 1.5e300, 1e308, 1.7976931348623157e308,
          5e-324, 2.2250738585072014e-308, 123456789.0, 0.30000000000000004,
          2.675, 1.005, 0.125, 0.375, 1234.5, -1234.5, 12345.6789, 3.14159,
          math.inf, -math.inf, math.nan, 2.0**53, 2.0**63, -2.0**63, 2.0**64,
          1e100, 123e-20, 0.001, 0.0001, 0.00001, 9.5, 10.5, 99.99, 999.9999,
          0.05, 0.15, 0.25, 0.35, 1e-10, 4.35, 2**-1074 * 3,
          # shortest-repr ties: dtoa picks the even candidate
          1593918513496416.25, 248303641522679.625, 13836152086330.3125, -837371681958149.25]


def rand_float():
    k = rng.random()
    if k < 0.3:
        return rng.choice(FLOATS)
    if k < 0.5:
        return rng.uniform(-1000, 1000)
    if k < 0.6:
        return round(rng.uniform(-1000, 1000), rng.randint(0, 4))
    if k < 0.85:
        return struct.unpack(">d", rng.getrandbits(64).to_bytes(8, "big"))[0]
    return rng.uniform(-1, 1) * 10 ** rng.randint(-30, 30)


# ---------------------------------------------------------------- num
ints = SMALL + BIG + [rand_int() for _ in range(120)]
pairs = [(a, b) for a in SMALL[:12] for b in SMALL[:12]]
pairs += [(rand_int(), rand_int()) for _ in range(400)]
pairs += [(rand_int(), rng.choice([0, 1, -1, 3, -7, 10**20])) for _ in range(60)]
pairs += [(rng.choice(BIG), rng.choice(BIG)) for _ in range(60)]
for a, b in pairs:
    case("floordiv", lambda a, b: a // b, a, b)
    case("mod", lambda a, b: a % b, a, b)
    case("divmod", divmod, a, b)
    case("truediv", lambda a, b: a / b, a, b)
    case("and", lambda a, b: a & b, a, b)
    case("or", lambda a, b: a | b, a, b)
    case("xor", lambda a, b: a ^ b, a, b)
# true division near the float limits, subnormals, ties
for _ in range(150):
    a = rng.getrandbits(rng.randint(1, 1200)) * rng.choice([1, -1])
    b = rng.getrandbits(rng.randint(1, 1200)) or 1
    case("truediv", lambda a, b: a / b, a, b)
for a, b in [(1, 2**1074), (1, 2**1075), (3, 2**1076), (1, 3 * 2**1073), (2**1024, 1),
             (2**1024 - 2**970, 1), (2**1024 - 2**971, 1), (2**53 + 1, 1), (2**54 + 3, 2),
             (10**400, 10**100), (-(10**400), 10**92), (0, -5), (0, 10**30), (-7, 2**1080)]:
    case("truediv", lambda a, b: a / b, a, b)
for a in ints + [2**1024 - 2**970, 2**1024 - 2**971 - 1, 2**53 + 1, -(2**64 + 2**11)]:
    case("tofloat", float, a)
    case("invert", lambda a: ~a, a)
    case("hash", hash, a)
    case("str", str, a)
    case("hex", hex, a)
    case("oct", oct, a)
    case("bin", bin, a)
for n in [10**4299, 10**4300, -(10**4299), 2**14284, 2**14300]:
    case("str", str, n)
for a in SMALL + BIG[:4] + [rand_int() for _ in range(40)]:
    for e in [0, 1, 2, 3, 5, 10, 31, 63, 64, 100, -1, -2, -5]:
        if abs(a) < 2**64 or e <= 10:
            case("pow", pow, a, e)
for a, e in [(0, -1), (2, -1074), (2, -1075), (10, -400), (10**400, -1), (3, 200), (-3, 201), (2, 10**20 * 0 + 4000)]:
    case("pow", pow, a, e)
for _ in range(150):
    m = rng.choice([rng.randint(-50, 50), rand_int()])
    case("pow3", pow, rand_int(), rng.choice([0, 1, 2, 3, 17, -1, -2, -3, rand_int()]), m)
for a in [0, 1, -1, 5, -5, 2**62, -2**63, 10**30, -(10**30)]:
    for n in [0, 1, 2, 31, 62, 63, 64, 65, 100, 1000, -1]:
        case("lshift", lambda a, n: a << n, a, n)
        case("rshift", lambda a, n: a >> n, a, n)
    case("rshift", lambda a, n: a >> n, a, 2**70)
case("lshift", lambda a, n: a << n, 1, 2**64)


def cmp(a, b):
    return "nan" if b != b else (a > b) - (a < b)


for a in SMALL + BIG + [2**53 + 1, -(2**53) - 1, 2**53, 2**63 - 512, 2**63 - 513, 10**20, 2**1024, -(2**1024)]:
    for b in FLOATS + [float(a), float(a) + 1.5, -float(a) if math.isfinite(float(a)) else 0.0] if abs(a) < 2**1024 else FLOATS:
        case("cmp", cmp, a, b)
for _ in range(300):
    a = rand_int()
    case("cmp", cmp, a, rng.choice([rand_float(), float(a) if abs(a) < 2**1000 else 1.0,
                                    math.nextafter(float(a), math.inf) if abs(a) < 2**1000 else 2.0]))
case("lshift", lambda a, n: a << n, 0, 2**64)
def fpow(a, b):
    try:
        r = a ** b
    except OverflowError as e:
        if str(e) == "complex exponentiation":
            return "COMPLEX"
        raise
    return "COMPLEX" if isinstance(r, complex) else r


fpairs = [(a, b) for a in FLOATS[:20] for b in FLOATS[:20]]
fpairs += [(rand_float(), rand_float()) for _ in range(400)]
fpairs += [(rng.choice(FLOATS), rng.choice(FLOATS)) for _ in range(200)]
for a, b in fpairs:
    case("ffloordiv", lambda a, b: a // b, a, b)
    case("fmod", lambda a, b: a % b, a, b)
    case("fdivmod", divmod, a, b)
    case("ftruediv", lambda a, b: a / b, a, b)
    case("fpow", fpow, a, b)
for a in FLOATS:
    for b in [0.5, 2.0, 3.0, -1.0, -2.0, -3.0, 1e10, -1e10, math.inf, -math.inf, math.nan, 0.0, -0.0, 1.5, 1000.0]:
        case("fpow", fpow, a, b)
floats = FLOATS + [rand_float() for _ in range(600)]
for x in floats:
    case("toint", int, x)
    case("floor", math.floor, x)
    case("ceil", math.ceil, x)
    case("round1", round, x)
    case("repr", repr, x)
    case("isint", lambda x: x.is_integer(), x)
    if x == x:
        case("fhash", hash, x)
    for n in [0, 1, 2, 3, 5, -1, -2, -5] if x in FLOATS or rng.random() < 0.5 else [0, 2, -1]:
        case("round2", round, x, n)
for x in FLOATS:
    for n in [10, 17, 100, 300, 323, 324, -300, -308, -309, -400, 400]:
        case("round2", round, x, n)
for x in [1.7976931348623157e308, -1.7976931348623157e308, 5e307, 9.5e307]:
    for n in [-305, -306, -307, -308]:
        case("round2", round, x, n)
for a in ints:
    for n in [0, 1, -1, -2, -3, -10, -19, -20, -40, -400]:
        case("roundint", round, a, n)
for a in [5, 15, 25, 35, -5, -15, -25, 45, 50, 150, 250, 5 * 10**30, -15 * 10**40]:
    for n in [-1, -2, -31, -41]:
        case("roundint", round, a, n)
rfloat = [repr(x) for x in floats[:200]] + [
    "1.5", " 1.5 ", "\t-2.5\n", "+.5", "1.", ".5", "1e5", "1E+5", "1e-5", "1e", "e5", ".", "",
    " ", "inf", "-inf", "+inf", "INF", "Infinity", "-iNfInItY", "infinit", "nan", "-nan", "NaN",
    "1_000.5", "1__0", "_1", "1_", "1_.5", "1._5", "1e1_0", "1e_1", "0x10", "1,5", "1.5.5",
    "\u0661\u0662.\u0663", "\u2003 7 \u3000", "12a", "1e400", "-1e400", "1e-400", "0.1e-320",
    "1 2", "- 1", "--1", "+-1", "1e+", "00012", "1_2_3.4_5e1_0", "\x00", "1\x00", "nan1", "infx",
    "9" * 400, "0." + "0" * 400 + "1", "x" * 300, "\u00e91",
    "\x1c5", "5\x1c", "\x855", "\u00a05", "5\x7f", "1\u00e92"]
for s in rfloat:
    case("float", float, s)
rint = ["0", "12", "-12", "+12", "  12  ", "\t\n-7\r", "1 2", "- 1", "", " ", "1_000", "1__000",
        "_1", "1_", "0x1f", "0X1F", "0o17", "0b101", "0x_1f", "0x__1f", "0_0", "00", "010", "0_1",
        "0b", "0x", "9" * 30, "-" + "9" * 30, "1e5", "1.0", "12a", "z", "Z", "zz", "\u0661\u0662",
        "\u00b2", "\u2003 5 \u3000", "+", "-", "--1", "0x", "1" * 4300, "1" * 4301, "1_" * 4300 + "1",
        "1" * 5000 + "x", "0" * 4400, "f" * 5000, "x" * 300, "\u00e9", "-0", "9223372036854775807",
        "-9223372036854775808", "9223372036854775808", "-9223372036854775809", "18446744073709551616",
        "\x1c5", "5\x1c", "\x855", "\u00a05", "5\x7f", "1\u00e92"]
for s in rint:
    for base in [10, 0, 16, 8, 2, 36, 7]:
        if len(s) > 100 and base not in (10, 16):
            continue
        case("int", int, s, base)
for base in [1, -1, 37, 100]:
    case("int", int, "1", base)

for n in [0, 1, 2, 5, 20, 21, 100, 257, -1, -10**20]:
    case("factorial", math.factorial, n)
for n in ints[:60] + [0, 1, 2, 3, 4, 15, 16, 17, 10**40, 10**40 - 1, 2**200]:
    case("isqrt", math.isqrt, n)
for a, b in pairs[:200]:
    case("gcd", math.gcd, a, b)
for n in [0, 1, 5, 10, 52, 100, 10**20, -1]:
    for k in [0, 1, 2, 5, 10, 50, 120, -3]:
        case("comb", math.comb, n, k)
        case("perm", math.perm, n, k)

# ---------------------------------------------------------------- fmt
strs = ["", "a", "abc", "it's", 'say "hi"', "both ' and \"", "tab\there", "nl\n", "cr\r",
        "back\\slash", "\x00\x01\x7f", "\x80\x9f\xa0\xad", "é", "中文", "\u200b\u2028\u2029",
        "\ud7ff\ue000\uffff", "\U0001f600", "\U000e0001\U0010ffff", "\u0378", "x" * 30,
        "mixed 'q' \"d\" \\ \n é 😀", "\x1b[0m"]
for b in [b"", b"abc", b"it's", b'say "hi"', b"both ' and \"", bytes(range(256)), b"\\x", "é".encode()]:
    case("bytesrepr", lambda b: repr(bytes.fromhex(b)), b.hex())
for s in strs:
    case("strrepr", repr, s)
    case("ascii", ascii, s)
fills = ["", "*", "0", " ", "é", "<"]
aligns = ["", "<", ">", "^", "="]


def rand_spec(types):
    f = rng.choice(fills) if rng.random() < 0.3 else ""
    a = rng.choice(aligns) if (f or rng.random() < 0.4) else ""
    if f and not a:
        a = rng.choice(aligns[1:])
    parts = [f + a if a else "", rng.choice(["", "", "+", "-", " "]),
             "z" if rng.random() < 0.08 else "", "#" if rng.random() < 0.2 else "",
             "0" if rng.random() < 0.25 else "", rng.choice(["", "", "1", "5", "8", "12", "20"]),
             rng.choice(["", "", "", ",", "_"]),
             rng.choice(["", "", ".0", ".1", ".2", ".3", ".6", ".10", ".17", ".25"]),
             rng.choice(types)]
    return "".join(parts)


INT_TYPES = ["", "d", "b", "o", "x", "X", "n", "c", "e", "E", "f", "F", "g", "G", "%", "s", "?"]
FLOAT_TYPES = ["", "", "e", "E", "f", "F", "g", "G", "n", "%", "d", "s"]
fmt_ints = [0, 1, -1, 7, -7, 42, 255, -255, 1000, -1234567, 10**15, 2**63, -2**70, 10**40,
            65, 0x10ffff, 0x110000, 955, 12345678901234567890]
for _ in range(2000):
    v = rng.choice(fmt_ints) if rng.random() < 0.6 else rand_int()
    case("fmtint", format, v, rand_spec(INT_TYPES))
for v in [1234567, -1234567, 0, 255, -255]:
    for spec in ["", "d", ",", "_", "_x", "_b", "_o", ",x", "#_x", "012,", "012_", "=12,", "0=12,",
                 "*^12,", "+,", " ,", "08,", "09,", "010,", "#012x", "#012_x", "#X", "c", "=10",
                 "<010", "^010", "z", ".2", ",_", "_,", "x,", "abc", "10.2d", ".", "5.", "d ",
                 "%", "e", ".2f", ",.2f", "_.3e", "n", ",n", "+#o", "-#b", " #x", "99999999999999999999"]:
        case("fmtint", format, v, spec)
for _ in range(2200):
    v = rng.choice(FLOATS) if rng.random() < 0.5 else rand_float()
    case("fmtfloat", format, v, rand_spec(FLOAT_TYPES))
for v in [1234567.891, -0.0, 0.0, math.inf, -math.inf, math.nan, 1e16, 1e-7, 0.1, 1234.5, 1.0, -1e-9]:
    for spec in ["", "g", ".3", ".0", ".1", ".4", ".17", "r", "e", ".0e", "#.0e", "#.0f", "#g", "#",
                 "#.3g", ",", "_", ",.2f", "015,.2f", "z.1f", "z", "+", " ", "=+10", "010", "<010",
                 "^12", "%", ".1%", "n", ".3n", ",n", "10.3E", "G", "F", ".1000f", ".120e"]:
        case("fmtfloat", format, v, spec)
for _ in range(700):
    s = rng.choice(strs + ["hello", "héllo wörld", ""])
    spec = rng.choice(["", "", "*", "é"]) + rng.choice(["", "<", ">", "^", "="]) if rng.random() < 0.5 else ""
    spec += rng.choice(["", "", "+", " "]) if rng.random() < 0.1 else ""
    spec += "#" if rng.random() < 0.05 else ""
    spec += "0" if rng.random() < 0.1 else ""
    spec += rng.choice(["", "1", "3", "10", "25"]) + rng.choice(["", "", ".0", ".2", ".5", ".50"])
    spec += rng.choice(["", "", "", "s", "d", ","]) if rng.random() < 0.9 else "z"
    case("fmtstr", format, s, spec)

flags = ["", "-", "+", " ", "#", "0", "-0", "+0", " 0", "#0", "-+", "#-", "0+#"]
convs = "diouxXeEfFgGcrsa"


def rand_pct():
    return "%" + rng.choice(flags) + rng.choice(["", "", "1", "5", "12", "*"]) + \
        rng.choice(["", "", ".0", ".2", ".5", ".*", "."]) + rng.choice(convs)


def arg_for(c):
    k = rng.random()
    if k < 0.08:
        return rng.choice(["str", 1.5, 7, -3, "x"])
    if c in "diouxX":
        return rng.choice(fmt_ints + [rand_int(), True] + ([2.7, -2.7, 1e20] if c in "diu" else []))
    if c in "eEfFgG":
        return rng.choice([rand_float(), rng.choice(FLOATS), rng.choice(fmt_ints)])
    if c == "c":
        return rng.choice([65, 955, 0x1f600, "z", "é", "ab", -1, 0x110000])
    return rng.choice(strs + fmt_ints[:5] + FLOATS[:8])


for _ in range(1800):
    n = rng.randint(1, 3)
    fmt = rng.choice(["", "a", "x="]) + rng.choice(["", "-"]).join(rand_pct() for _ in range(n)) + rng.choice(["", "!", " %% "])
    args = []
    for piece in fmt.split("%")[1:]:
        if not piece:
            continue
        for ch in piece:
            if ch == "*":
                args.append(rng.choice([0, 3, 8, -6, 2]))
            if ch in convs:
                args.append(arg_for(ch))
                break
    if rng.random() < 0.05 and args:
        args.pop()
    elif rng.random() < 0.05:
        args.append(1)
    case("pct", lambda f, a: f % a, fmt, tuple(args))
for fmt, args in [("%d", (1,)), ("%s", ()), ("%s %s", (1,)), ("%s", (1, 2)), ("%", ()), ("abc%", (1,)),
                  ("%5%", ()), ("%5%", (1,)), ("%%", ()), ("100%%", ()), ("%-5%", ()), ("%z", (1,)),
                  ("%\u00e9", (1,)), ("%(a)s", (1,)), ("%.*f", (2, 3.14159)), ("%*d", (-5, 42)),
                  ("%.*s", (-1, "abc")), ("%*s", ("x", 1)), ("%ld %hi %Lf", (1, 2, 3.0)),
                  ("%c", (1.5,)), ("%c", ("",)), ("%d", ("x",)), ("%x", (1.5,)), ("%d", (math.inf,)),
                  ("%d", (math.nan,)), ("%i", (2.9,)), ("%o", (True,)), ("%#o %#x %#X", (8, 255, 255)),
                  ("%.3d|%5.3d|%-5.3x|%05.3d", (7, 7, 255, -7)), ("%+.3e|% .2f|%#.0f|%#g", (1.5, 2.0, 3.0, 1.0)),
                  ("%a", ("é",)), ("%r", ("it's",)), ("%s", (10**5000,)), ("%d", (10**5000,)), ("%x", (-2**80,)),
                  ("%.2s|%5.1r", ("abc", "xyz")), ("%010.3f", (-3.14159,)), ("%-010d|", (42,)),
                  ("%#5x|%#-8o|%#08X", (255, 8, 255)), ("%+05d|% 05d", (42, 42)), ("%08.3e", (-1234.5,)),
                  ("%c%c", (0x1f600, "x")), ("%5c|%-3c", (65, "b")), ("%.0e|%.0g|%g", (12345.678, 0.0001, 1e-5))]:
    case("pct", lambda f, a: f % a, fmt, args)
for fmt, args in [("%99999999999999999999d", (1,)), ("%.99999999999d", (1,)), ("%.*f", (10**30, 1.0)),
                  ("%*d", (10**30, 1)), ("%*d", (2.5, 1)), ("%.*d", ("x", 1)), ("%c", (2**70,)), ("%c", (-2**70,)),
                  ("%.500f", (1.5,)), ("%.3000e", (1e-300,)), ("%#.3x", (255,)), ("%#.5o|%#8.3X", (8, -255)),
                  ("%-#8x|", (255,)), ("%0#8x|", (-255,)), ("% #8o|", (8,)), ("%+c", (65,)), ("%05s|%-05r", ("ab", "c")),
                  ("%#5.1s", ("xyz",)), ("%(", ()), ("%s%", (1,)), ("%.", (1,)), ("%5", (1,)), ("%l", (1,)),
                  ("%#d %#i %#u", (5, -5, 7)), ("%+5s", ("x",)), ("%5.3%", (1,)),
                  ("%F %E %G", (math.inf, -math.nan, 1e300)), ("%#F|%#.0E|%#.0G", (2.0, 2.0, 2.0)),
                  ("%e", (10**400,)), ("%f", ("1.5",)), ("%d", (None,)) if False else ("%d", ([],)) if False else ("%i", ("7",))]:
    case("pct", lambda f, a: f % a, fmt, args)
for v, spec in [(1.5, ".1000e"), (1e-300, ".400f"), (123, "{<10"), (123, "}^10"), (1.5, "\u0663"),
                (1.5, "\u0661.\u0662f"), (2**100, "_x"), (2**100, ","), (-(2**100), "=+40_d"), (0.0, "z.0f"),
                (-0.0, "z"), (-0.0001, "z.2f"), (-0.0001, "z.2e"), (-0.0001, "z.2%"), (-0.5, "z.0f"), (1e16, ".16"),
                (1e16, ".17"), (123456789.0, ".9"), (123456789.0, ".8"), (0.0001, ".3"), (0.00001, ".3"),
                (1.0, "#.0"), (1.0, "#"), (10.0, ".1"), (100.0, ".2"), (99.99, ".3"), (99.99, ".2")]:
    if isinstance(v, float):
        case("fmtfloat", format, v, spec)
    else:
        case("fmtint", format, v, spec)
for fmt, arg in [("%s", 5), ("%d", 5), ("%s %s", 5), ("%5.2f", 3.14159), ("%r", "x"), ("", 5), ("abc", "x"), ("%%", 1)]:
    case("pct1", lambda f, a: f % a, fmt, arg)


# str.format: positional args from the tuple, keywords from KW (the Rust
# test mirrors KW), item access on tuples and on the dict `d`.
KW = {"x": 42, "name": "Bob", "pi": 1.23456, "w": 10, "p": 3, "t": (1, "two", 3.0), "d": {"a": 1, "b": "two"}}
SF = ["", "plain", "{}", "{} {}", "{0} {1} {0}", "{1}", "{}{}{}", "{x}", "{name!r}", "{name!s:>8}",
      "{name!a}", "{0!r:^9}", "{x:{w}}", "{x:{w}.{p}}", "{pi:{w}.{p}f}", "{pi:{}.{}f}", "{:{}}",
      "{0:{1}}", "{t[0]}", "{t[1]!r}", "{d[a]}", "{d[b]:>6}", "{0[0]}", "{{}}", "{{{}}}", "}}{{",
      "{", "}", "a{", "a}", "{0", "{0!", "{0!r", "{0!x}", "{0!rr}", "{0:", "{0:{", "{0:{}",
      "{:{:{}}}", "{x.real}", "{0]}", "{t[0}", "{t[0]x}", "{t[]}", "{t.}", "{ }", "{0}{}", "{}{0}",
      "{5}", "{nope}", "{0[5]}", "{-1}", "{00}", "{\u0661}", "{:d}", "{:s}", "{:,}", "{:_x}",
      "{:>{w},}", "{!r}", "{!s}", "{:}", "{x!r:}", "{0:{{}}}", "{0:}}", "{0:{x}}}", "text {} and {} more",
      "{:%}", "{:.2%}", "{:e}", "{!a:5}", "{0:<{w}}|", "{0:=+{w}}", "{0:{1}{2}}", "{0:{x}{w}}",
      "{0[a]}", "{t[01]}", "{d[a][0]}"]
SARGS = [(), (1,), (1, 2), (1, 2, 3), ("ab", 7, 2.5), (3.14159, 12, "x"), ("é", "it's", None), (1234567, ",", "d")]
for f in SF:
    for a in SARGS:
        if any(v is None for v in a):
            continue
        case("sfmt", lambda f, a: f.format(*a, **KW), f, a)

print("\n".join(out))
