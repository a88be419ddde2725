#!/usr/bin/env python3
"""Random, valid, deterministic programs in cpjit's Python subset.

`gen.py --seed N` prints one program; the same seed always gives the same
program (on any machine: only `random.Random(seed)` decides).

The programs are built to stress a tracing JIT:
  * hot loops (hundreds to thousands of iterations) at module level and
    inside functions, with nested loops, break/continue/else;
  * int arithmetic around the 63-bit small-int boundary and into big ints;
  * floats including inf, nan and -0.0, mixed int/float, bools;
  * polymorphic variables whose type changes mid-loop (int -> float -> bool,
    list -> tuple), so guards fail and side exits warm up;
  * lists, tuples, dicts, strings, f-strings and %-formatting;
  * functions with defaults and keyword arguments, closures with
    nonlocal, lambdas, bounded recursion, comprehensions and generator
    expressions.

Validity is by construction, not by filtering:
  * every int variable holds |v| < 2**VAR_BITS, and every int expression
    carries a bit budget, so ints never get large enough to overflow a
    float conversion (ints are mixed with floats freely);
  * every divisor is written `(d or 1)`, so nothing divides by zero;
  * float powers have bounded bases, float-to-int conversions are guarded
    with `x - x == 0` (finite), lists are never empty where indexed;
  * a container being iterated is never mutated in the loop body;
  * a cost model bounds the total work, so each program finishes in well
    under a second under CPython.
Half the programs end with a benchmark-shaped kernel (kernels.py: the loop
shapes the tier-2 optimizer specialises most, perturbed mid-run), drawn from
a generator of its own so the rest of the program does not depend on it.
A program may end with a deliberate uncaught error (after printing), which
is the only way one exits non-zero.

Only the subset of issue 4 is used: no classes, imports, try/except, with,
generators (beyond generator expressions as arguments), sets or starred
assignment.
"""

import argparse
import random
import sys

import kernels

VAR_BITS = 101
"""Every int variable (and int element of a container) is below 2**VAR_BITS in magnitude."""

INT_BUDGET = 600
"""Largest int expression, in bits: far below a float's 1024-bit range."""

COST_BUDGET = 60000
"""Rough number of statement executions a program may cost."""

KERNEL_CHANCE = 0.5
"""How often a program ends with a benchmark-shaped kernel (kernels.py)."""

INT, FLOAT, BOOL, NUM, STR, LIST, TUPLE, SEQ, DICT, FN = (
    "int", "float", "bool", "num", "str", "list", "tuple", "seq", "dict", "fn")

MODULI = [
    "97", "1000003", "2147483647", "(2**61 - 1)", "2**62", "(2**62 + 1)",
    "(2**62 - 3)", "2**63", "(2**64 - 59)", "(2**89 - 1)", "10**30", "2**100",
]

INT_CONSTS = [
    (0, 1), (1, 1), (2, 2), (3, 2), (7, 3), (-1, 1), (-7, 3), (10, 4), (255, 8),
    (1000, 10), (65535, 16), (2**31 - 1, 31), (2**31, 32), (-(2**31), 32),
    (2**53 + 1, 54), (2**62 - 1, 62), (2**62, 63), (-(2**62), 63), (-(2**62) - 1, 63),
    (2**63 - 1, 63), (2**63, 64), (-(2**63), 64), (2**64 + 1, 65), (10**20, 67),
    (-(10**25), 84), (2**100 - 1, 100),
]

FLOAT_CONSTS = [
    "0.0", "-0.0", "0.1", "0.2", "0.5", "1.5", "2.5", "-3.75", "3.141592653589793",
    "1e16", "1e-07", "1e+22", "123456.789", "1e308", "-1e308", "2.0**53",
    "float('inf')", "-float('inf')", "float('nan')", "1/3",
]

STR_CONSTS = [
    '""', '"a"', '"abc"', '"Hello, World"', '"x-y-z"', '"  pad  "', '"1,2,3"',
    '"k"', '"tab\\tsep"', '"quote\'s"', '"back\\\\slash"', '"caf\\u00e9"', '"stra\\u00dfe"',
    '"line\\nbreak"', '"zzz"', '"0123456789"', '"AbCdEf"',
]

FIND_ARGS = ['"a"', '"z"', '","']
COUNT_ARGS = ['"a"', '"-"', '" "']
REPL_FROM = ['"a"', '"-"', '" "', '"1"']
REPL_TO = ['""', '"A"', '"--"']
FILL_CHARS = ['"*"', '" "', '"."']

KEYS = ['"a"', '"b"', '"c"', '"k0"', '"k1"', '"k2"', '"zz"']


def bits_of(n):
    """Bits needed for |n|, at least 1."""
    return max(1, abs(n).bit_length())


class Var:
    """A variable the generator knows the type of."""

    def __init__(self, name, typ):
        self.name = name
        self.typ = typ


class Scope:
    """What is visible at one point of the program being generated."""

    def __init__(self, parent=None):
        self.vars = list(parent.vars) if parent else []
        self.frozen = set(parent.frozen) if parent else set()
        self.in_loop = parent.in_loop if parent else False
        self.in_func = parent.in_func if parent else False
        self.ret_type = parent.ret_type if parent else None
        self.mult = parent.mult if parent else 1
        self.loop_names = list(parent.loop_names) if parent else []
        self.hot_guard = None  # {"break": cond, "continue": cond} in a hot loop's own body

    def of(self, typ, mutable=False):
        """Variables of type `typ` (only those that may be rebound or mutated, if asked)."""
        out = [v for v in self.vars if v.typ == typ]
        if mutable:
            out = [v for v in out if v.name not in self.frozen]
        return out


class Func:
    """A generated function: name, parameter types, defaults and return type."""

    def __init__(self, name, params, ret, cost):
        self.name = name
        self.params = params  # list of (name, type, default_text or None)
        self.ret = ret
        self.cost = cost


class Gen:
    """Builds one program from a seed."""

    def __init__(self, seed):
        self.rng = random.Random(seed)
        self.seed = seed
        self.lines = []
        self.indent = 0
        self.cost = 0
        self.funcs = []
        self.fn_vars = []
        self.counter = 0
        self.consts = []  # module constants: (name, type)

    # ---------------------------------------------------------------- utils
    def emit(self, text):
        self.lines.append("    " * self.indent + text)

    def fresh(self, prefix):
        self.counter += 1
        return f"{prefix}{self.counter}"

    def chance(self, p):
        return self.rng.random() < p

    def pick(self, seq):
        return self.rng.choice(seq)

    def modulus(self):
        return self.pick(MODULI)

    # ------------------------------------------------------- int expressions
    def int_leaf(self, sc, bits):
        r = self.rng
        opts = []
        ints = sc.of(INT)
        if ints:
            opts += ["var"] * 4
        if sc.loop_names:
            opts += ["loop"] * 3
        opts += ["const"] * 2
        for t in (LIST, TUPLE, SEQ, DICT, STR):
            if sc.of(t):
                opts.append("len")
        if sc.of(LIST) or sc.of(TUPLE) or sc.of(SEQ):
            opts += ["elem"] * 2
        if sc.of(DICT):
            opts.append("dget")
        if sc.of(FLOAT) or sc.of(NUM):
            opts.append("f2i")
        if sc.of(BOOL):
            opts.append("bool")
        if sc.of(STR):
            opts.append("strint")
        if self.fn_vars and sc.mult < 3000:
            opts.append("fn")
        if self.consts:
            opts.append("gconst")
        kind = self.pick(opts)
        if kind == "var":
            v = self.pick(ints).name
            return self.clip(v, VAR_BITS, bits)
        if kind == "loop":
            return self.pick(sc.loop_names)
        if kind == "len":
            t = self.pick([t for t in (LIST, TUPLE, SEQ, DICT, STR) if sc.of(t)])
            return f"len({self.pick(sc.of(t)).name})"
        if kind == "elem":
            t = self.pick([t for t in (LIST, TUPLE, SEQ) if sc.of(t)])
            v = self.pick(sc.of(t)).name
            form = r.randrange(5)
            if form == 0:
                e = f"{v}[{self.small_int(sc)} % len({v})]"
            elif form == 1:
                e = f"{v}[-1]"
            elif form == 2:
                e = f"{v}[0]"
            elif form == 3:
                e = f"max({v})" if self.chance(0.5) else f"min({v})"
            else:
                return self.clip(f"sum({v})", VAR_BITS + 6, bits)
            return self.clip(e, VAR_BITS, bits)
        if kind == "dget":
            d = self.pick(sc.of(DICT)).name
            return self.clip(f"{d}.get({self.key_expr(sc)}, {r.randrange(-3, 10)})", VAR_BITS, bits)
        if kind == "f2i":
            # `f` is evaluated twice, so it must be free of side effects (no closure calls).
            f = self.simple(sc, FLOAT) if sc.of(FLOAT) and self.chance(0.5) else self.pick(sc.of(FLOAT) or sc.of(NUM)).name
            if self.chance(0.5):
                return f"(int({f} % 1000000.0) if {f} - {f} == 0 else -1)"
            return f"(round({f} % 1000.0) if {f} - {f} == 0 else 0)"
        if kind == "bool":
            return self.pick(sc.of(BOOL)).name
        if kind == "strint":
            s = self.pick(sc.of(STR)).name
            return self.pick([f"len({s})", f"{s}.find({self.pick(FIND_ARGS)})",
                              f"{s}.count({self.pick(COUNT_ARGS)})",
                              f"ord(({s} or \"?\")[0])"])
        if kind == "fn":
            f = self.pick(self.fn_vars)
            return self.clip(f"{f}({self.int_expr(sc, 60, 1)})", VAR_BITS, bits)
        if kind == "gconst":
            name, typ = self.pick(self.consts)
            return self.clip(name, VAR_BITS, bits)
        # const
        fitting = [c for c in INT_CONSTS if c[1] < bits]
        val, _ = self.pick(fitting)
        return f"({val})" if val < 0 else str(val)

    def clip(self, expr, have_bits, want_bits):
        """Wraps `expr` (below 2**have_bits) so it is below 2**want_bits."""
        if have_bits < want_bits:
            return expr
        k = max(2, want_bits - 2)
        return self.pick([f"({expr} % {2**k})", f"({expr} & {hex(2**k - 1)})", f"({expr} >> {have_bits - k + 1})"])

    def small_int(self, sc):
        return self.int_expr(sc, 20, 1)

    def int_expr(self, sc, bits=INT_BUDGET, depth=3):
        """An int expression below 2**bits in magnitude."""
        bits = max(bits, 4)
        if depth <= 0 or self.chance(0.3):
            return self.int_leaf(sc, bits)
        r = self.rng
        op = r.randrange(22)
        d = depth - 1
        if op < 4:
            o = self.pick(["+", "-"])
            return f"({self.int_expr(sc, bits - 1, d)} {o} {self.int_expr(sc, bits - 1, d)})"
        if op < 7:
            h = max(4, bits // 2 - 1)
            return f"({self.int_expr(sc, h, d)} * {self.int_expr(sc, h, d)})"
        if op == 7:
            o = self.pick(["//", "%"])
            return f"({self.int_expr(sc, bits, d)} {o} ({self.int_expr(sc, bits, d)} or {self.pick(['1', '3', '-7'])}))"
        if op == 8:
            o = self.pick(["&", "|", "^"])
            return f"({self.int_expr(sc, bits - 1, d)} {o} {self.int_expr(sc, bits - 1, d)})"
        if op == 9:
            return f"(~{self.int_expr(sc, bits - 1, d)})"
        if op == 10 and bits > 24:
            k = r.randrange(0, min(70, bits - 18))
            return f"(({self.int_expr(sc, bits, d)} & 65535) << {k})"
        if op == 11:
            return f"({self.int_expr(sc, bits, d)} >> {r.randrange(0, 70)})"
        if op == 12 and bits > 44:
            return f"(({self.int_expr(sc, bits, d)} % {r.randrange(2, 1000)}) ** {r.randrange(0, 5)})"
        if op == 13:
            f = self.pick(["abs", "-"])
            e = self.int_expr(sc, bits - 1, d)
            return f"abs({e})" if f == "abs" else f"(-{e})"
        if op == 14:
            f = self.pick(["min", "max"])
            return f"{f}({self.int_expr(sc, bits, d)}, {self.int_expr(sc, bits, d)})"
        if op == 15:
            return f"({self.int_expr(sc, bits, d)} if {self.bool_expr(sc, 1)} else {self.int_expr(sc, bits, d)})"
        if op == 16:
            return f"divmod({self.int_expr(sc, bits, d)}, ({self.int_expr(sc, bits, d)} or 1))[{r.randrange(2)}]"
        if op == 17 and bits > 40:
            m = self.pick(["97", "1000003", "(2**61 - 1)", "2**40"])
            return f"pow({self.int_expr(sc, bits, d)}, {r.randrange(0, 9)}, {m})"
        if op == 18:
            return f"int(str(0 + {self.int_expr(sc, min(bits, 60), 1)}))"
        if op == 19:
            e = self.int_expr(sc, min(bits - 1, 500), d)
            return f"({e} // {self.pick(['2', '3', '10', '(2**31)', '(2**62)', '(-5)'])})"
        if op == 20 and sc.of(BOOL):
            return f"({self.bool_expr(sc, 1)} + {self.int_expr(sc, bits - 1, d)})"
        return self.int_leaf(sc, bits)

    # ----------------------------------------------------- float expressions
    def float_leaf(self, sc):
        opts = ["const"] * 2
        if sc.of(FLOAT):
            opts += ["var"] * 5
        opts += ["fromint"] * 2
        if sc.loop_names:
            opts += ["loop"] * 2
        kind = self.pick(opts)
        if kind == "var":
            return self.pick(sc.of(FLOAT)).name
        if kind == "loop":
            return f"({self.pick(sc.loop_names)} * {self.pick(['0.5', '0.1', '1.25', '-2.0', '1e-3'])})"
        if kind == "fromint":
            if self.chance(0.5):
                return f"float({self.int_expr(sc, INT_BUDGET, 1)})"
            return f"({self.int_expr(sc, INT_BUDGET, 1)} / ({self.int_expr(sc, INT_BUDGET, 1)} or 1))"
        c = self.pick(FLOAT_CONSTS)
        return f"({c})" if not c[0].isdigit() else c

    def float_expr(self, sc, depth=3):
        """A float expression (may be inf or nan, never raises)."""
        if depth <= 0 or self.chance(0.3):
            return self.float_leaf(sc)
        r = self.rng
        d = depth - 1
        op = r.randrange(15)
        if op < 4:
            o = self.pick(["+", "-", "*"])
            return f"({self.float_expr(sc, d)} {o} {self.float_expr(sc, d)})"
        if op < 6:
            o = self.pick(["+", "-", "*"])
            a, b = self.float_expr(sc, d), self.int_expr(sc, INT_BUDGET, 1)
            return f"({a} {o} {b})" if self.chance(0.5) else f"({b} {o} {a})"
        if op == 6:
            o = self.pick(["/", "//", "%"])
            return f"({self.float_expr(sc, d)} {o} ({self.float_expr(sc, d)} or 1.0))"
        if op == 7:
            o = self.pick(["/", "//", "%"])
            return f"({self.float_expr(sc, d)} {o} ({self.int_expr(sc, INT_BUDGET, 1)} or 1))"
        if op == 8:
            k = self.pick(["0", "1", "2", "3", "0.5", "1.5"])
            return f"((abs({self.float_expr(sc, d)}) % 100.0) ** {k})"
        if op == 9:
            return f"(-{self.float_expr(sc, d)})" if self.chance(0.5) else f"abs({self.float_expr(sc, d)})"
        if op == 10:
            return f"round({self.float_expr(sc, d)}, {r.randrange(0, 5)})"
        if op == 11:
            f = self.pick(["min", "max"])
            return f"{f}({self.float_expr(sc, d)}, {self.float_expr(sc, d)})"
        if op == 12:
            return f"float(repr({self.float_expr(sc, d)}))"
        if op == 13:
            return f"({self.float_expr(sc, d)} if {self.bool_expr(sc, 1)} else {self.float_expr(sc, d)})"
        return f"({self.int_expr(sc, INT_BUDGET, 1)} * {self.float_leaf(sc)})"

    # ---------------------------------------------- polymorphic numeric ones
    def num_expr(self, sc, depth=2):
        """An int, float or bool expression (ints below 2**INT_BUDGET)."""
        nums = sc.of(NUM)
        if depth <= 0 or self.chance(0.25):
            opts = ["int", "float"]
            if nums:
                opts += ["var"] * 4
            if sc.of(BOOL):
                opts.append("bool")
            k = self.pick(opts)
            if k == "var":
                return self.pick(nums).name
            if k == "bool":
                return self.pick(sc.of(BOOL)).name
            if k == "int":
                return self.int_expr(sc, 200, 1)
            return self.float_expr(sc, 1)
        d = depth - 1
        op = self.rng.randrange(9)
        if op < 3:
            o = self.pick(["+", "-", "*"])
            return f"({self.num_expr(sc, d)} {o} {self.num_expr(sc, d)})"
        if op == 3:
            o = self.pick(["/", "//", "%"])
            return f"({self.num_expr(sc, d)} {o} ({self.num_expr(sc, d)} or 1))"
        if op == 4:
            return f"((abs({self.num_expr(sc, d)}) % 100) ** {self.pick(['0', '1', '2', '3'])})"
        if op == 5:
            return f"{self.pick(['min', 'max'])}({self.num_expr(sc, d)}, {self.num_expr(sc, d)})"
        if op == 6:
            return f"round({self.num_expr(sc, d)}, {self.rng.randrange(0, 3)})"
        if op == 7:
            return f"abs({self.num_expr(sc, d)})"
        return f"(-{self.num_expr(sc, d)})"

    # ---------------------------------------------------------------- bools
    def bool_expr(self, sc, depth=2):
        r = self.rng
        if depth > 0 and self.chance(0.2):
            d = depth - 1
            k = r.randrange(3)
            if k == 0:
                return f"(not {self.bool_expr(sc, d)})"
            o = self.pick(["and", "or"])
            return f"({self.bool_expr(sc, d)} {o} {self.bool_expr(sc, d)})"
        opts = ["cmp"] * 4 + ["mod"] * 2
        if sc.of(BOOL):
            opts += ["var"] * 2
        if sc.of(LIST) or sc.of(TUPLE) or sc.of(SEQ):
            opts += ["in", "anyall"]
        if sc.of(DICT):
            opts.append("din")
        if sc.of(STR):
            opts.append("str")
        if sc.of(NUM):
            opts += ["isinst", "numcmp"]
        opts.append("chain")
        k = self.pick(opts)
        if k == "var":
            return self.pick(sc.of(BOOL)).name
        if k == "cmp":
            o = self.pick(["<", "<=", "==", "!=", ">", ">="])
            if self.chance(0.3):
                return f"({self.float_expr(sc, 1)} {o} {self.int_expr(sc, 200, 1)})"
            return f"({self.int_expr(sc, 200, 1)} {o} {self.int_expr(sc, 200, 1)})"
        if k == "mod":
            if sc.loop_names and self.chance(0.7):
                v = self.pick(sc.loop_names)
            else:
                v = self.int_expr(sc, 200, 1)
            m = r.randrange(2, 9)
            return f"({v} % {m} {self.pick(['==', '!=', '<'])} {r.randrange(0, m)})"
        if k == "chain":
            return f"({self.int_expr(sc, 100, 1)} < {self.int_expr(sc, 100, 1)} <= {self.int_expr(sc, 100, 1)})"
        if k == "in":
            t = self.pick([t for t in (LIST, TUPLE, SEQ) if sc.of(t)])
            o = self.pick(["in", "not in"])
            return f"({self.int_expr(sc, 30, 1)} {o} {self.pick(sc.of(t)).name})"
        if k == "anyall":
            t = self.pick([t for t in (LIST, TUPLE, SEQ) if sc.of(t)])
            f = self.pick(["any", "all"])
            return f"{f}(x % {r.randrange(2, 6)} == {r.randrange(0, 2)} for x in {self.pick(sc.of(t)).name})"
        if k == "din":
            o = self.pick(["in", "not in"])
            return f"({self.key_expr(sc)} {o} {self.pick(sc.of(DICT)).name})"
        if k == "str":
            s = self.pick(sc.of(STR)).name
            return self.pick([f"{s}.startswith({self.pick(STR_CONSTS[1:6])})", f"{s}.endswith(\"z\")",
                              f"(\"a\" in {s})", f"({s} < {self.pick(STR_CONSTS)})", f"({s} == {s}.lower())"])
        if k == "isinst":
            return f"isinstance({self.pick(sc.of(NUM)).name}, {self.pick(['int', 'float', 'bool'])})"
        # numcmp
        o = self.pick(["<", "<=", "==", "!=", ">", ">="])
        return f"({self.num_expr(sc, 1)} {o} {self.num_expr(sc, 1)})"

    # -------------------------------------------------------------- strings
    def str_expr(self, sc, depth=2):
        r = self.rng
        strs = sc.of(STR)
        if depth <= 0 or self.chance(0.25):
            if strs and self.chance(0.6):
                return self.pick(strs).name
            return self.pick(STR_CONSTS)
        d = depth - 1
        k = r.randrange(16)
        if k == 0:
            return f"({self.str_expr(sc, d)} + {self.str_expr(sc, d)})"
        if k == 1:
            return f"str({self.pick([self.int_expr(sc, 200, 2), self.float_expr(sc, 1), self.num_expr(sc, 1)])})"
        if k == 2:
            return f"repr({self.pick([self.str_expr(sc, d), self.float_expr(sc, 1), self.num_expr(sc, 1)])})"
        if k == 3:
            return self.fstring(sc)
        if k == 4:
            return self.percent_format(sc)
        if k == 5:
            m = self.pick(["upper", "lower", "strip"])
            return f"{self.str_expr(sc, d)}.{m}()"
        if k == 6:
            return f"{self.str_expr(sc, d)}.replace({self.pick(REPL_FROM)}, {self.pick(REPL_TO)})"
        if k == 7:
            a, b = r.randrange(-6, 6), r.randrange(-6, 12)
            step = self.pick(["", ":2", ":-1", ":3"])
            return f"{self.str_expr(sc, d)}[{a}:{b}{step}]"
        if k == 8:
            return f"{self.str_expr(sc, d)}[::-1]"
        if k == 9:
            return f"chr({self.pick(['65', '97', '48', '0x3b1'])} + {self.int_expr(sc, 60, 1)} % {r.randrange(1, 26)})"
        if k == 10:
            return f"{self.pick(['hex', 'oct', 'bin'])}({self.int_expr(sc, 120, 1)})"
        if k == 11:
            seqs = sc.of(LIST) + sc.of(TUPLE) + sc.of(SEQ)
            if seqs:
                sep = self.pick(['","', '""', '" "', '"-"'])
                return f"{sep}.join(str(x) for x in {self.pick(seqs).name})"
            return f"str({self.int_expr(sc, 60, 1)})"
        if k == 12:
            return f"{self.str_expr(sc, d)}.{self.pick(['rjust', 'ljust'])}({r.randrange(0, 12)}, {self.pick(FILL_CHARS)})"
        if k == 13:
            return f"({self.str_expr(sc, d)} * {r.randrange(0, 3)})"
        if k == 14:
            return f"\"{self.pick(['{}|{}', '<{}>{}', '{}'])}\".format({self.str_expr(sc, d)}, {self.int_expr(sc, 80, 1)})"
        others = [f"str({v.name})" for v in sc.vars if v.typ in (LIST, TUPLE, SEQ, DICT, BOOL)]
        if others:
            return self.pick(others)
        return f"\" \".join({self.str_expr(sc, d)}.split())"

    def simple(self, sc, typ):
        """A quote-free expression of `typ`, safe inside an f-string's braces."""
        vs = [v.name for v in sc.vars if v.typ == typ]
        if typ == INT:
            vs += sc.loop_names
        if typ == STR:
            return self.pick(vs) if vs else "len"
        if not vs:
            return {INT: "7", FLOAT: "2.5", NUM: "True"}[typ]
        v = self.pick(vs)
        if typ == INT and self.chance(0.4):
            return f"{v} {self.pick(['+', '-', '*', '//', '%'])} {self.rng.randrange(1, 9)}"
        if typ == FLOAT and self.chance(0.4):
            return f"{v} * {self.pick(['0.5', '3', '1e10', '-1.0'])}"
        return v

    def fstring(self, sc):
        parts = []
        for _ in range(self.rng.randrange(1, 4)):
            t = self.rng.randrange(5)
            if t == 0:
                spec = self.pick(["", ":>10", ":<6", ":08d", ":x", ":,", ":+d", "!r", ":_"])
                parts.append("{" + self.simple(sc, INT) + spec + "}")
            elif t == 1:
                spec = self.pick(["", ":.3f", ":e", ":g", ":10.2f", "!r", ":.1%", ":+.2e"])
                parts.append("{" + self.simple(sc, FLOAT) + spec + "}")
            elif t == 2:
                s = self.simple(sc, STR)
                spec = self.pick(["", "!r", ":>12", ":^9", ":.3"]) if s != "len" else ""
                parts.append("{" + s + spec + "}")
            elif t == 3:
                spec = self.pick(["", "!r", ":>12", ":.2f"])
                parts.append("{" + self.simple(sc, NUM) + spec + "}")
            else:
                parts.append(self.pick(["a=", " | ", "-", "x", "; ", "{{", "}}"]))
        return 'f"' + "".join(parts) + '"'

    def percent_format(self, sc):
        k = self.rng.randrange(4)
        if k == 0:
            return f"(\"%d:%s\" % ({self.int_expr(sc, 100, 1)}, {self.str_expr(sc, 0)}))"
        if k == 1:
            return f"(\"%.3f|%r\" % ({self.float_expr(sc, 1)}, {self.str_expr(sc, 0)}))"
        if k == 2:
            return f"(\"%5d%%\" % ({self.int_expr(sc, 60, 1)},))"
        return f"(\"%x-%s\" % ({self.int_expr(sc, 80, 1)}, {self.num_expr(sc, 1)}))"

    def key_expr(self, sc):
        if self.chance(0.4):
            return self.pick(KEYS)
        return self.pick([f"\"k\" + str({self.int_expr(sc, 40, 1)} % {self.rng.randrange(2, 8)})",
                          f"f\"k{{{self.simple(sc, INT)} % 5}}\""])

    # ------------------------------------------------------------ containers
    def elem(self, sc):
        return f"{self.int_expr(sc, 200, 2)} % {self.modulus()}"

    def list_expr(self, sc, depth=1):
        """A non-empty list of ints below 2**VAR_BITS, at most ~40 long."""
        r = self.rng
        lists = sc.of(LIST)
        k = r.randrange(11)
        if k == 0 or depth <= 0:
            n = r.randrange(1, 5)
            return "[" + ", ".join(f"({self.elem(sc)})" for _ in range(n)) + "]"
        if k == 1:
            return f"list(range({r.randrange(1, 6)}, {r.randrange(6, 30)}, {r.randrange(1, 4)}))"
        src = self.pick(lists + sc.of(TUPLE) + sc.of(SEQ)) if (lists or sc.of(TUPLE) or sc.of(SEQ)) else None
        if src is None:
            return f"[{self.elem(sc)}]"
        s = src.name
        m = self.modulus()
        if k == 2:
            inner = Scope(sc)
            inner.loop_names = sc.loop_names + ["x"]
            inner.vars = sc.vars + [Var("x", INT)]
            cond = f" if {self.bool_expr(inner, 1)}" if self.chance(0.5) else ""
            return f"([({self.int_expr(inner, 200, 2)}) % {m} for x in {s}{cond}] or [0])"
        if k == 3:
            return self.pick([f"sorted({s})", f"sorted({s}, reverse=True)",
                              f"sorted({s}, key=lambda x: (x % {r.randrange(2, 9)}, x))"])
        if k == 4:
            return f"(list({s}[1:]) + list({s}[:1]))"
        if k == 5:
            return f"list(reversed({s}))" if src.typ == LIST else f"list({s}[::-1])"
        if k == 6:
            return f"list(map(lambda x: (x * {r.randrange(2, 7)} + {r.randrange(0, 9)}) % {m}, {s}))"
        if k == 7:
            return f"(list({s}) + [{self.elem(sc)}])"
        if k == 8:
            return f"(list({s}[{r.randrange(0, 3)}:{r.randrange(3, 9)}]) or [1])"
        if k == 9:
            return f"[a % {m} for a, b in zip({s}, {s}[1:] + {s}[:1])]" if src.typ != SEQ else f"list({s})"
        return f"([{self.elem(sc)}, len({s})] * {r.randrange(1, 3)})"

    def tuple_expr(self, sc, depth=1):
        r = self.rng
        k = r.randrange(6)
        tuples = sc.of(TUPLE)
        if k == 0 or depth <= 0:
            n = r.randrange(1, 4)
            inner = ", ".join(f"({self.elem(sc)})" for _ in range(n))
            return f"({inner},)" if n == 1 else f"({inner})"
        if k == 1:
            return f"tuple({self.list_expr(sc, depth - 1)})"
        if k == 2 and tuples:
            t = self.pick(tuples).name
            return f"({t}[1:] + ({self.elem(sc)},))"
        if k == 3 and tuples:
            t = self.pick(tuples).name
            return f"tuple(sorted({t}))"
        if k == 4 and (sc.of(LIST) or tuples):
            s = self.pick(sc.of(LIST) + tuples).name
            return f"(tuple(x % {r.randrange(2, 50)} for x in {s}) or (0,))"
        return f"({self.elem(sc)}, {self.elem(sc)})"

    def dict_expr(self, sc):
        r = self.rng
        k = r.randrange(4)
        dicts = sc.of(DICT)
        if k == 0 or not dicts:
            n = r.randrange(0, 4)
            keys = r.sample(KEYS, n)
            return "{" + ", ".join(f"{kk}: {self.elem(sc)}" for kk in keys) + "}"
        d = self.pick(dicts).name
        if k == 1:
            return f"{{kk: (vv * {r.randrange(2, 5)}) % {self.modulus()} for kk, vv in {d}.items() if vv % {r.randrange(2, 4)}}}"
        if k == 2:
            return f"dict({d})"
        return f"dict(zip([\"p\", \"q\", \"r\"], [{self.elem(sc)}, len({d}), 7]))"

    # ------------------------------------------------------------ statements
    def stmt(self, sc, budget_left):
        """One statement (possibly compound) in scope `sc`."""
        r = self.rng
        weights = [
            ("int", 10), ("float", 5), ("num", 4), ("bool", 2), ("str", 3), ("list", 4),
            ("tuple", 2), ("seq", 2), ("dict", 3), ("if", 5), ("for", 3), ("while", 2),
            ("print", 1), ("unpack", 2), ("global", 1), ("assert", 1), ("pass", 0.2),
        ]
        if sc.in_loop:
            weights += [("break", 1), ("continue", 1)]
        if sc.in_func:
            weights += [("ret", 0.5)]
        total = sum(w for _, w in weights)
        x = r.random() * total
        for kind, w in weights:
            x -= w
            if x < 0:
                break
        compound = kind in ("if", "for", "while")
        if compound and (self.indent > 5 or budget_left < sc.mult * 10):
            kind = "int"
        getattr(self, "s_" + kind)(sc)

    def target(self, sc, typ):
        vs = sc.of(typ, mutable=True)
        return self.pick(vs).name if vs else None

    def s_int(self, sc):
        v = self.target(sc, INT)
        if v is None:
            return self.s_pass(sc)
        k = self.rng.randrange(6)
        if k == 0:
            self.emit(f"{v} += {self.int_expr(sc, 20, 1)}")
        elif k == 1:
            self.emit(f"{v} = ({v} * {self.int_expr(sc, 90, 1)} + {self.int_expr(sc, 200, 2)}) % {self.modulus()}")
        elif k == 2:
            self.emit(f"{v} = {self.int_expr(sc, VAR_BITS - 1)}")
        elif k == 3:
            o = self.pick(["+", "-", "*", "^", "|", "&"])
            self.emit(f"{v} = ({v} {o} {self.int_expr(sc, 90, 2)}) % {self.modulus()}")
        elif k == 4:
            w = self.target(sc, INT)
            self.emit(f"{v} = {w} = ({self.int_expr(sc, 300)}) % {self.modulus()}")
        else:
            self.emit(f"{v} = ({self.int_expr(sc)}) % {self.modulus()} - {self.modulus()}")
        self.cost += sc.mult

    def s_float(self, sc):
        v = self.target(sc, FLOAT)
        if v is None:
            return self.s_pass(sc)
        k = self.rng.randrange(4)
        if k == 0:
            self.emit(f"{v} += {self.float_expr(sc, 2)}")
        elif k == 1:
            self.emit(f"{v} = {self.float_expr(sc)}")
        elif k == 2:
            self.emit(f"{v} = ({v} * {self.pick(['0.5', '1.0001', '-1.5', '3.0'])} + {self.float_expr(sc, 1)}) % {self.pick(['1e6', '7.5', '1e300'])}")
        else:
            self.emit(f"{v} {self.pick(['*=', '-=', '/='])} ({self.float_expr(sc, 1)} or 1.0)")
        self.cost += sc.mult

    def s_num(self, sc):
        v = self.target(sc, NUM)
        if v is None:
            return self.s_pass(sc)
        k = self.rng.randrange(5)
        if k == 0 and sc.loop_names:
            lv = self.pick(sc.loop_names)
            self.emit(f"if {lv} % {self.rng.randrange(2, 40)} < {self.rng.randrange(1, 20)}:")
            self.indent += 1
            self.emit(f"{v} = ({self.int_expr(sc, 200)}) % {self.modulus()}")
            self.indent -= 1
            self.emit("else:")
            self.indent += 1
            self.emit(f"{v} = {self.float_expr(sc, 2)}")
            self.indent -= 1
        elif k == 1:
            self.emit(f"{v} = {self.bool_expr(sc, 1)}")
        elif k == 2:
            self.emit(f"{v} = ({self.num_expr(sc)}) % {self.modulus()}")
        elif k == 3:
            self.emit(f"{v} = {self.float_expr(sc, 2)}")
        else:
            self.emit(f"{v} = ({v} + {self.int_expr(sc, 30, 1)}) % {self.modulus()}")
        self.cost += sc.mult

    def s_bool(self, sc):
        v = self.target(sc, BOOL)
        if v is None:
            return self.s_pass(sc)
        self.emit(f"{v} = {self.bool_expr(sc)}")
        self.cost += sc.mult

    def s_str(self, sc):
        v = self.target(sc, STR)
        if v is None:
            return self.s_pass(sc)
        if self.chance(0.3):
            self.emit(f"{v} = ({v} + {self.str_expr(sc, 1)})[-{self.rng.randrange(8, 40)}:]")
        else:
            self.emit(f"{v} = ({self.str_expr(sc)})[:{self.rng.randrange(8, 60)}]")
        self.cost += sc.mult

    def s_list(self, sc):
        v = self.target(sc, LIST)
        if v is None:
            return self.s_pass(sc)
        r = self.rng
        k = r.randrange(9)
        if k == 0:
            self.emit(f"{v}.append({self.elem(sc)})")
            self.emit(f"if len({v}) > {r.randrange(8, 40)}:")
            self.indent += 1
            self.emit(f"{v}.pop({self.pick(['0', '', '-1', '1'])})")
            self.indent -= 1
        elif k == 1:
            self.emit(f"{v}[{self.small_int(sc)} % len({v})] = {self.elem(sc)}")
        elif k == 2:
            self.emit(f"{v} = {self.list_expr(sc)}[-{r.randrange(4, 40)}:]")
        elif k == 3:
            self.emit(f"{v}.{self.pick(['sort()', 'reverse()', 'sort(reverse=True)'])}")
        elif k == 4:
            self.emit(f"{v}.insert({r.randrange(-2, 3)}, {self.elem(sc)})")
            self.emit(f"del {v}[{self.pick(['-1', '0', 'len(' + v + ') // 2'])}]")
        elif k == 5:
            self.emit(f"{v}.extend({self.list_expr(sc, 0)})")
            self.emit(f"{v} = {v}[-{r.randrange(4, 40)}:]")
        elif k == 6:
            self.emit(f"if len({v}) > 2 and {self.elem(sc)} in {v}:")
            self.indent += 1
            self.emit(f"{v}.pop({v}.index({v}[-1]))")
            self.indent -= 1
        elif k == 7:
            self.emit(f"{v}[{self.pick(['0', '-1'])}] += {self.int_expr(sc, 20, 1)}")
        else:
            others = [w.name for w in sc.of(LIST) if w.name != v]
            src = self.pick(others) if others else v
            self.emit(f"{v} = {src}.copy() if {self.bool_expr(sc, 1)} else {src}[:]")
        self.cost += sc.mult * 3

    def s_tuple(self, sc):
        v = self.target(sc, TUPLE)
        if v is None:
            return self.s_pass(sc)
        self.emit(f"{v} = {self.tuple_expr(sc)}[-{self.rng.randrange(3, 20)}:]")
        self.cost += sc.mult * 2

    def s_seq(self, sc):
        v = self.target(sc, SEQ)
        if v is None:
            return self.s_pass(sc)
        if sc.loop_names and self.chance(0.6):
            lv = self.pick(sc.loop_names)
            self.emit(f"{v} = {self.list_expr(sc)}[:20] if {lv} % {self.rng.randrange(2, 30)} < {self.rng.randrange(1, 15)} else {self.tuple_expr(sc)}")
        elif self.chance(0.5):
            self.emit(f"{v} = tuple({v}) if isinstance({v}, list) else list({v})")
        else:
            self.emit(f"{v} = {self.pick([self.list_expr(sc) + '[:20]', self.tuple_expr(sc)])}")
        self.cost += sc.mult * 2

    def s_dict(self, sc):
        v = self.target(sc, DICT)
        if v is None:
            return self.s_pass(sc)
        k = self.rng.randrange(7)
        key = self.key_expr(sc)
        if k == 2:  # the key is evaluated twice: no side effects
            key = self.pick(KEYS) if self.chance(0.5) else f"\"k\" + str({self.simple(sc, INT)} % 5)"
        if k == 0:
            self.emit(f"{v}[{key}] = {self.elem(sc)}")
        elif k == 1:
            self.emit(f"{v}[{key}] = ({v}.get({key}, 0) + {self.int_expr(sc, 90, 1)}) % {self.modulus()}")
        elif k == 2:
            self.emit(f"if {key} in {v}:")
            self.indent += 1
            self.emit(f"del {v}[{key}]")
            self.indent -= 1
        elif k == 3:
            self.emit(f"{v}.setdefault({key}, {self.int_expr(sc, 60, 1)})")
        elif k == 4:
            self.emit(f"{v}.pop({key}, None)")
        elif k == 5:
            self.emit(f"{v} = {self.dict_expr(sc)}")
        else:
            self.emit(f"{v}[{key}] = len({v})")
        self.cost += sc.mult * 2

    def s_if(self, sc):
        self.emit(f"if {self.bool_expr(sc)}:")
        self.block(sc, self.rng.randrange(1, 4))
        while self.chance(0.3):
            self.emit(f"elif {self.bool_expr(sc)}:")
            self.block(sc, self.rng.randrange(1, 3))
        if self.chance(0.5):
            self.emit("else:")
            self.block(sc, self.rng.randrange(1, 3))

    def loop_scope(self, sc, var, n):
        inner = Scope(sc)
        inner.in_loop = True
        inner.mult = sc.mult * max(1, n)
        if var:
            inner.loop_names = sc.loop_names + [var]
        return inner

    def s_for(self, sc):
        r = self.rng
        var = self.fresh("j")
        k = r.randrange(5)
        n = r.randrange(2, 9)
        frozen = None
        if k == 0 or k == 1:
            self.emit(f"for {var} in range({n}):" if k == 0 else f"for {var} in range({r.randrange(-5, 0)}, {n}, {r.randrange(1, 3)}):")
            inner = self.loop_scope(sc, var, n + 5)
        elif k == 2 and (sc.of(LIST) or sc.of(TUPLE) or sc.of(SEQ)):
            src = self.pick(sc.of(LIST) + sc.of(TUPLE) + sc.of(SEQ))
            frozen = src.name
            self.emit(f"for {var} in {src.name}:" if self.chance(0.6) else f"for {var} in {src.name}[:{n}]:")
            inner = self.loop_scope(sc, None, 40)
            inner.vars = inner.vars + [Var(var, INT)]
            inner.frozen.add(var)
        elif k == 3 and sc.of(DICT):
            src = self.pick(sc.of(DICT))
            frozen = src.name
            kv = self.fresh("v")
            if self.chance(0.5):
                self.emit(f"for {var}, {kv} in {src.name}.items():")
                inner = self.loop_scope(sc, None, 10)
                inner.vars = inner.vars + [Var(var, STR)]
            else:
                self.emit(f"for {var}, {kv} in enumerate({src.name}.values()):")
                inner = self.loop_scope(sc, var, 10)
            inner.vars = inner.vars + [Var(kv, INT)]
            inner.frozen.update((var, kv))
        elif k == 4 and sc.of(STR):
            src = self.pick(sc.of(STR))
            ch = self.fresh("c")
            self.emit(f"for {var}, {ch} in enumerate({src.name}[:{n}]):")
            inner = self.loop_scope(sc, var, n)
            inner.vars = inner.vars + [Var(ch, STR)]
            inner.frozen.add(ch)
        else:
            self.emit(f"for {var} in range({n}):")
            inner = self.loop_scope(sc, var, n)
        if frozen:
            inner.frozen.add(frozen)
        self.block(inner, r.randrange(1, 4))
        if self.chance(0.3):
            self.emit("else:")
            self.block(sc, 1)

    def s_while(self, sc):
        r = self.rng
        w = self.fresh("w")
        n = r.randrange(2, 10)
        self.emit(f"{w} = 0")
        self.emit(f"while {w} < {n}:" if self.chance(0.7) else f"while {w} < {n} and {self.bool_expr(sc, 1)}:")
        inner = self.loop_scope(sc, w, n)
        inner.frozen.add(w)
        self.indent += 1
        self.emit(f"{w} += 1")
        self.indent -= 1
        self.block(inner, r.randrange(1, 4))
        if self.chance(0.3):
            self.emit("else:")
            self.block(sc, 1)

    def s_print(self, sc):
        vs = [v.name for v in sc.vars if v.typ != FN]
        if not vs or sc.in_func or sc.mult > 1:
            return self.s_pass(sc)
        args = self.rng.sample(vs, min(len(vs), self.rng.randrange(1, 4)))
        extra = self.pick(["", ", sep=\"|\"", ", end=\";\\n\"", ", sep=\"\""])
        self.emit(f"print({', '.join(args)}{extra})")

    def s_unpack(self, sc):
        ints = sc.of(INT, mutable=True)
        if len(ints) < 2:
            return self.s_int(sc)
        a, b = self.rng.sample(ints, 2)
        m = self.modulus()
        if self.chance(0.5):
            self.emit(f"{a.name}, {b.name} = {b.name}, ({a.name} + {b.name}) % {m}")
        else:
            self.emit(f"{a.name}, {b.name} = divmod({self.int_expr(sc, VAR_BITS - 1, 2)}, ({self.int_expr(sc, 60, 1)} or 1))")
        self.cost += sc.mult

    def s_global(self, sc):
        if self.gfuncs:
            f = self.pick(self.gfuncs)
            self.emit(f"{f}({self.int_expr(sc, 60, 1)})")
            self.cost += sc.mult * 3
        else:
            self.s_int(sc)

    def s_assert(self, sc):
        opts = [f"assert {v.name} == {v.name}" for v in sc.vars if v.typ in (INT, STR, LIST, DICT, TUPLE)]
        opts += [f"assert len({v.name}) > 0, \"empty\"" for v in sc.vars if v.typ in (LIST, TUPLE, SEQ)]
        if not opts:
            return self.s_pass(sc)
        self.emit(self.pick(opts))

    def s_pass(self, sc):
        self.emit("pass")

    def s_break(self, sc):
        kind = self.pick(["break", "continue"])
        guard = ""
        if sc.hot_guard:
            guard = sc.hot_guard[kind] + " and "
        self.emit(f"if {guard}{self.bool_expr(sc, 1)}:")
        self.indent += 1
        self.emit(kind)
        self.indent -= 1

    s_continue = s_break

    def s_ret(self, sc):
        self.emit(f"if {self.bool_expr(sc, 1)}:")
        self.indent += 1
        self.emit(f"return {self.typed_expr(sc, sc.ret_type)}")
        self.indent -= 1

    def block(self, sc, n):
        self.indent += 1
        for _ in range(n):
            self.stmt(sc, COST_BUDGET - self.cost)
        self.indent -= 1

    def typed_expr(self, sc, typ):
        if typ == INT:
            return f"({self.int_expr(sc)}) % {self.modulus()}"
        if typ == FLOAT:
            return self.float_expr(sc)
        if typ == NUM:
            return f"({self.num_expr(sc)}) % {self.modulus()}"
        if typ == BOOL:
            return self.bool_expr(sc)
        if typ == STR:
            return f"({self.str_expr(sc)})[:40]"
        if typ == LIST:
            return f"{self.list_expr(sc)}[:30]"
        if typ == TUPLE:
            return f"{self.tuple_expr(sc)}[:20]"
        if typ == SEQ:
            return self.pick([f"{self.list_expr(sc)}[:20]", self.tuple_expr(sc)])
        if typ == DICT:
            return self.dict_expr(sc)
        raise ValueError(typ)

    # ------------------------------------------------------------- functions
    def gen_function(self):
        r = self.rng
        name = self.fresh("f")
        sc = Scope()
        sc.in_func = True
        ptypes = [self.pick([INT, INT, FLOAT, NUM, STR, LIST]) for _ in range(r.randrange(1, 4))]
        params = []
        for i, t in enumerate(ptypes):
            pname = f"p{i}"
            default = None
            if i > 0 and self.chance(0.6):
                default = self.typed_expr(Scope(), t) if t != LIST else "(1, 2, 3)"
                if t == LIST:
                    default = None
            params.append((pname, t, default))
            sc.vars.append(Var(pname, t))
        # Once a parameter has a default, all later ones need one too.
        seen_default = False
        fixed = []
        for pname, t, default in params:
            if default is not None:
                seen_default = True
            elif seen_default:
                default = {INT: "7", FLOAT: "0.5", NUM: "True", STR: '"d"', LIST: None}[t]
                if default is None:
                    t = INT
                    default = "3"
            fixed.append((pname, t, default))
        params = fixed
        sc.vars = [Var(p, t) for p, t, _ in params]
        sc.frozen = {p for p, t, _ in params if t == LIST}  # never mutate the caller's list
        for cname, ctyp in self.consts:
            sc.vars.append(Var(cname, ctyp))
            sc.frozen.add(cname)
        ret = self.pick([INT, INT, FLOAT, NUM, STR, LIST, BOOL])
        sc.ret_type = ret
        sig = ", ".join(p if d is None else f"{p}={d}" for p, _, d in params)
        self.emit(f"def {name}({sig}):")
        self.indent += 1
        start_cost = self.cost
        for t in self.rng.sample([INT, FLOAT, STR, LIST, NUM], 2):
            lv = self.fresh("l")
            self.emit(f"{lv} = {self.typed_expr(sc, t)}")
            sc.vars.append(Var(lv, t))
        for _ in range(r.randrange(1, 4)):
            self.stmt(sc, 400)
        self.emit(f"return {self.typed_expr(sc, ret)}")
        self.indent -= 1
        cost = max(5, self.cost - start_cost)
        self.cost = start_cost
        self.funcs.append(Func(name, params, ret, cost))
        self.emit("")

    def call_expr(self, sc, f):
        args = []
        kw = False
        for pname, t, default in f.params:
            if default is not None and self.chance(0.4):
                kw = True
                continue
            val = self.typed_arg(sc, t)
            if kw or (default is not None and self.chance(0.4)):
                kw = True
                args.append(f"{pname}={val}")
            else:
                args.append(val)
        return f"{f.name}({', '.join(args)})"

    def typed_arg(self, sc, t):
        if t == LIST:
            vs = sc.of(LIST)
            return self.pick(vs).name if vs and self.chance(0.7) else self.list_expr(sc, 0)
        return self.typed_expr(sc, t) if t != INT else self.int_expr(sc, VAR_BITS - 1, 2)

    def gen_closure_factory(self):
        name = self.fresh("make")
        m = self.modulus()
        self.emit(f"def {name}(start, step={self.rng.randrange(1, 9)}):")
        self.emit(f"    total = start % {m}")
        self.emit("    def inner(x):")
        self.emit("        nonlocal total")
        self.emit(f"        total = (total * {self.rng.randrange(2, 5)} + x + step) % {m}")
        self.emit("        return total")
        self.emit("    return inner")
        self.emit("")
        return name

    def gen_recursive(self):
        name = self.fresh("rec")
        m = self.modulus()
        if self.chance(0.5):
            self.emit(f"def {name}(n, acc=0):")
            self.emit("    if n <= 0:")
            self.emit("        return acc")
            self.emit(f"    return {name}(n - 1, (acc * 3 + n * n) % {m})")
            depth = 40
            call = lambda sc: f"{name}({self.int_expr(sc, 30, 1)} % {depth})"
        else:
            self.emit(f"def {name}(n):")
            self.emit("    if n < 2:")
            self.emit("        return n")
            self.emit(f"    return ({name}(n - 1) + {name}(n - 2)) % {m}")
            call = lambda sc: f"{name}({self.int_expr(sc, 30, 1)} % 9)"
        self.emit("")
        return call

    def gen_global_func(self, gname):
        name = self.fresh("bump")
        self.emit(f"def {name}(x):")
        self.emit(f"    global {gname}")
        self.emit(f"    {gname} = ({gname} * 5 + x) % {self.modulus()}")
        self.emit("")
        return name

    # ------------------------------------------------------------- program
    def initial(self, sc, typ):
        r = self.rng
        if typ == INT:
            val, _ = self.pick(INT_CONSTS)
            return str(val) if self.chance(0.6) else f"{val} % {self.modulus()}"
        if typ == FLOAT:
            return self.pick(FLOAT_CONSTS)
        if typ == NUM:
            return self.pick(["0", "1", "0.5", "True", "2**62 - 1", "-2.25"])
        if typ == BOOL:
            return self.pick(["True", "False"])
        if typ == STR:
            return self.pick(STR_CONSTS)
        if typ == LIST:
            return "[" + ", ".join(str(self.pick(INT_CONSTS)[0]) for _ in range(r.randrange(1, 6))) + "]"
        if typ == TUPLE:
            return "(" + ", ".join(str(r.randrange(-9, 99)) for _ in range(r.randrange(1, 5))) + ",)"
        if typ == SEQ:
            return self.pick(["[1, 2, 3]", "(4, 5)", "[2**62, 7]", "(0,)"])
        if typ == DICT:
            return self.pick(["{}", '{"a": 1}', '{"k0": 2**62, "b": -3}', '{"c": 0, "a": 5, "zz": 9}'])
        raise ValueError(typ)

    def hot_loop(self, sc, n, loop_var):
        """A hot loop of `n` iterations whose body fits the remaining cost budget."""
        r = self.rng
        form = r.randrange(3)
        if form == 0:
            self.emit(f"for {loop_var} in range({n}):")
        elif form == 1:
            self.emit(f"{loop_var} = -1")
            self.emit(f"while {loop_var} < {n - 1}:")
        else:
            self.emit(f"for {loop_var} in range({n} - 1, -1, -1):")
        inner = self.loop_scope(sc, loop_var, n)
        inner.frozen.add(loop_var)
        late = f"{loop_var} < 3" if form == 2 else f"{loop_var} > {n * 3 // 4}"
        inner.hot_guard = {"break": late, "continue": f"{loop_var} % {self.rng.randrange(3, 50)} == 1"}
        self.indent += 1
        if form == 1:
            self.emit(f"{loop_var} += 1")
        if self.errors_in_loop:
            self.emit(f"if {loop_var} == {n // 2}:")
            self.indent += 1
            self.emit(f"print(\"about to fail\", {loop_var})")
            self.emit(self.errors_in_loop)
            self.indent -= 1
            self.errors_in_loop = None
        per_iter = max(6, (COST_BUDGET - self.cost) // n)
        start = self.cost
        count = 0
        while count < 12 and self.cost - start < per_iter * n * 0.6:
            self.stmt(inner, per_iter * n - (self.cost - start))
            count += 1
            # calls into generated functions
            if self.funcs and self.chance(0.35):
                f = self.pick(self.funcs)
                if self.cost + f.cost * n < COST_BUDGET:
                    tgt = self.target(inner, f.ret)
                    call = self.call_expr(inner, f)
                    if tgt:
                        if f.ret == INT:
                            self.emit(f"{tgt} = ({tgt} + {call}) % {self.modulus()}")
                        else:
                            self.emit(f"{tgt} = {call}")
                    else:
                        self.emit(f"{self.pick(inner.of(INT, mutable=True)).name} += len(str({call}))")
                    self.cost += f.cost * n
            if self.recs and self.chance(0.15):
                v = self.target(inner, INT)
                if v and self.cost + 40 * n < COST_BUDGET:
                    self.emit(f"{v} = ({v} + {self.pick(self.recs)(inner)}) % {self.modulus()}")
                    self.cost += 40 * n
        # a checksum and a periodic print
        chk = self.chk
        parts = [v.name for v in inner.of(INT)][:4]
        if parts:
            self.emit(f"{chk} = ({chk} * 31 + {' + '.join(parts)}) % (2**61 - 1)")
        every = max(1, n // r.randrange(2, 6))
        self.emit(f"if {loop_var} % {every} == {r.randrange(0, every)}:")
        shown = [v.name for v in inner.vars if v.typ not in (FN,)]
        shown = r.sample(shown, min(len(shown), 4))
        self.indent += 1
        self.emit(f"print({loop_var}, {', '.join(shown)}, {chk})" if shown else f"print({loop_var}, {chk})")
        self.indent -= 1
        self.indent -= 1

    def deliberate_error(self):
        """A statement that raises, recorded in the program's header."""
        code, exc = self.pick([
            ("print(1 // (len(\"\") * 0))", "ZeroDivisionError"),
            ("print([1, 2, 3][len(\"abcdef\")])", "IndexError"),
            ("print({\"a\": 1}[\"missing\"])", "KeyError"),
            ("print(len(\"x\") + \"x\")", "TypeError"),
            ("print(undefined_name_zz)", "NameError"),
            ("print(int(\"12x\"))", "ValueError"),
            ("print(1.5 / float(0))", "ZeroDivisionError"),
            ("print(7 % (len(\"\") * 3))", "ZeroDivisionError"),
            ("assert len(\"\") > 0, \"deliberate\"", "AssertionError"),
            ("print((1, 2)[5])", "IndexError"),
            ("print(\"abc\".index(\"z\"))", "ValueError"),
            ("print(-(2**62) * 4 // 0)", "ZeroDivisionError"),
        ])
        self.expected_error = exc
        return code

    def program(self):
        r = self.rng
        self.emit(f"# cpjit fuzz program, seed {self.seed}")
        self.gfuncs = []
        self.recs = []
        self.expected_error = None
        self.errors_in_loop = None
        # module constants, read by functions
        for _ in range(r.randrange(1, 3)):
            c = self.fresh("K")
            val, _ = self.pick(INT_CONSTS)
            self.emit(f"{c} = {val}")
            self.consts.append((c, INT))
        gname = self.fresh("g")
        self.emit(f"{gname} = {self.pick(INT_CONSTS)[0]}")
        self.emit("")
        self.gfuncs.append(self.gen_global_func(gname))
        for _ in range(r.randrange(1, 4)):
            self.gen_function()
        factory = self.gen_closure_factory() if self.chance(0.7) else None
        for _ in range(r.randrange(0, 2)):
            self.recs.append(self.gen_recursive())

        in_main = self.chance(0.5)
        if in_main:
            self.emit("def main():")
            self.indent += 1
        sc = Scope()
        sc.in_func = False
        types = [INT, INT, INT, FLOAT, FLOAT, NUM, NUM, BOOL, STR, LIST, LIST, TUPLE, SEQ, DICT]
        for t in types:
            if self.chance(0.85):
                v = self.fresh("v")
                self.emit(f"{v} = {self.initial(sc, t)}")
                sc.vars.append(Var(v, t))
        if not sc.of(INT, mutable=True):
            v = self.fresh("v")
            self.emit(f"{v} = 0")
            sc.vars.append(Var(v, INT))
        self.chk = self.fresh("chk")
        self.emit(f"{self.chk} = 0")
        sc.vars.append(Var(self.chk, INT))
        sc.frozen.add(self.chk)
        if factory:
            for _ in range(r.randrange(1, 3)):
                fv = self.fresh("acc")
                self.emit(f"{fv} = {factory}({self.pick(INT_CONSTS)[0]})")
                self.fn_vars.append(fv)
        if self.chance(0.4):
            lam = self.fresh("lam")
            self.emit(f"{lam} = lambda x, k={r.randrange(2, 9)}: (x * k + {r.randrange(0, 99)}) % {self.modulus()}")
            self.fn_vars.append(lam)
        if self.chance(0.04):
            self.errors_in_loop = self.deliberate_error()
        n_loops = r.randrange(1, 4)
        for li in range(n_loops):
            n = self.pick([50, 100, 200, 300, 500, 700, 1000, 1500, 2000, 3000])
            self.hot_loop(sc, n, self.fresh("i"))
        # final report
        for v in sc.vars:
            if v.typ == FLOAT or v.typ == NUM:
                self.emit(f"print(\"{v.name}\", {v.name}, repr({v.name}), f\"{{{v.name}!r:>24}}\")")
            else:
                self.emit(f"print(\"{v.name}\", {v.name})")
        if in_main:
            self.emit(f"print(\"global\", {gname})")
            self.indent -= 1
            self.emit("")
            self.emit("main()")
        else:
            self.emit(f"print(\"global\", {gname})")
        # A benchmark-shaped kernel (kernels.py), from its own generator so
        # that the rest of each seed's program is what it was before.
        krng = random.Random(self.seed * 7919 + 17)
        if krng.random() < KERNEL_CHANCE:
            self.lines.extend(kernels.kernel(krng, self.fresh("kern")).splitlines())
        if self.chance(0.04) and not self.expected_error:
            self.emit(self.deliberate_error())
        if self.expected_error:
            self.lines.insert(1, f"# deliberate error: {self.expected_error}")
        return "\n".join(self.lines) + "\n"


def generate(seed):
    """The program for `seed`, as source text."""
    return Gen(seed).program()


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, required=True, help="program seed (same seed, same program)")
    ap.add_argument("--count", type=int, default=1, help="print this many programs, seeds SEED, SEED+1, ...")
    args = ap.parse_args(argv)
    for s in range(args.seed, args.seed + args.count):
        sys.stdout.write(generate(s))
    return 0


if __name__ == "__main__":
    sys.exit(main())
