#!/usr/bin/env python3
"""Front-end fuzzing: hostile input to `cpjit run` must never panic, hang or crash.

Usage: fuzz/hostile (--inputs N | --seconds S) [--seed S] [--cpjit PATH]
                    [--modes 1,uops,jit] [--jobs J] [--out DIR] [--timeout T]

Inputs are mutated corpus files (../shared/corpus, tests/regressions and
generated programs), random bytes, and constructed pathological programs (deep
nesting, long operator chains, huge literals, bad encodings). Each is fed to
`cpjit run --tier MODE FILE` (some through `-c` or standard input). A run
fails when cpjit dies by a signal, panics (exit 101 or a Rust panic message),
exits with a status other than 0 or 1, exits 1 with nothing on standard
error, or does not finish while python3 does. Failures are saved under --out
with a shrunk input. Exits 1 when any input failed.
"""

import argparse
import concurrent.futures as cf
import glob
import json
import os
import random
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import gen  # noqa: E402
import outcome  # noqa: E402

ROOT = os.path.dirname(HERE)
# Linux's limit on one argument (MAX_ARG_STRLEN, 32 pages): a longer `-c`
# program cannot be passed at all (execve fails with E2BIG before cpjit
# runs), so such inputs go through a file instead.
MAX_ARG_STRLEN = 128 * 1024


def as_arg(data):
    """`data` as a `-c` argument's bytes: arguments are text, so invalid UTF-8
    is replaced (a non-UTF-8 argv is an argument error, exit 2, not a
    front-end test)."""
    return data.decode("utf-8", "replace").encode("utf-8")

TOKENS = [
    b"(", b")", b"[", b"]", b"{", b"}", b":", b",", b".", b";", b"=", b"==", b"+", b"-", b"*", b"**", b"/",
    b"//", b"%", b"@", b"<<", b">>", b"&", b"|", b"^", b"~", b"<", b">=", b"!=", b"->", b":=", b"...",
    b"lambda", b"def", b"return", b"yield", b"class", b"import", b"from", b"global", b"nonlocal", b"async",
    b"await", b"try", b"except", b"finally", b"with", b"as", b"raise", b"del", b"pass", b"break",
    b"continue", b"if", b"elif", b"else", b"while", b"for", b"in", b"not", b"and", b"or", b"is", b"None",
    b"True", b"False", b"match", b"case", b"print", b"range", b"f'{", b"}'", b"'''", b'"""', b"'", b'"',
    b"\\", b"\t", b"\n", b"\n    ", b"\r\n", b"\x0c", b"\x00", b"\xff", b"\xef\xbb\xbf", b"\xc3\xa9",
    b"0x", b"0b2", b"1e", b"1_000", b"1__0", b"09", b"1j", b"99999999999999999999999999999", b"-",
    b"*args", b"**kw", b"x[1:2:3]", b"f(x=1, x=2)", b"__import__", b"\\N{BULLET}", b"'\\x'",
]


def pathological(r):
    """A constructed input that stresses parser and compiler limits."""
    n = r.choice([50, 100, 200, 1000, 5000, 20000, 100000])
    k = r.randrange(16)
    if k == 0:
        return b"x = " + b"(" * n + b"1" + b")" * n + b"\nprint(x)\n"
    if k == 1:
        return b"x = " + b"[" * n + b"]" * n + b"\nprint(len(x))\n"
    if k == 2:
        return b"print(" + b"-" * n + b"1)\n"
    if k == 3:
        return b"print(" + b"+".join([b"1"] * n) + b")\n"
    if k == 4:
        return b"x = 1\n" + b"".join(b"    " * i + b"if x:\n" for i in range(min(n, 300))) + b"    " * min(n, 300) + b"print(x)\n"
    if k == 5:
        return b"print(" + b"9" * n + b")\n"
    if k == 6:
        return b"s = '" + b"a" * n + b"'\nprint(len(s))\n"
    if k == 7:
        return b"".join(b"v%d = %d\n" % (i, i) for i in range(min(n, 20000))) + b"print(v0)\n"
    if k == 8:
        return b"def f():\n" + b"".join(b"    a%d = %d\n" % (i, i) for i in range(min(n, 5000))) + b"    return a0\nprint(f())\n"
    if k == 9:
        return b"x = " + b"not " * n + b"True\nprint(x)\n"
    if k == 10:
        return b"f = " + b"lambda: " * min(n, 2000) + b"1\nprint(f)\n"
    if k == 11:
        return b"def r(n):\n    return r(n + 1)\nr(0)\n"
    if k == 12:
        return b"x = 1" + b" if x else 2" * min(n, 5000) + b"\nprint(x)\n"
    if k == 13:
        return b"print(f'" + b"{" * min(n, 500) + b"1" + b"}" * min(n, 500) + b"')\n"
    if k == 14:
        return b"d = {" + b",".join(b"%d: %d" % (i, i) for i in range(min(n, 20000))) + b"}\nprint(len(d))\n"
    return b"a = b = " * min(n, 5000) + b"1\nprint(a)\n"


class Hostile:
    """Generates inputs, runs cpjit on them, keeps tallies."""

    def __init__(self, args):
        self.args = args
        self.lock = threading.Lock()
        self.seeds = []
        for pattern in (os.path.join(args.corpus, "*.py"), os.path.join(ROOT, "tests", "regressions", "*.py")):
            for p in sorted(glob.glob(pattern)):
                with open(p, "rb") as f:
                    self.seeds.append(f.read())
        self.seeds += [gen.generate(s).encode() for s in range(5)]
        self.tried = 0
        self.executions = 0
        self.failures = []
        self.kinds = {}
        self.rejected = 0
        self.accepted = 0
        self.work = tempfile.mkdtemp(prefix="cpjit-hostile-")
        self.modes = []
        self.unavailable = {}

    def mutate(self, r):
        kind = r.randrange(10)
        if kind == 0:
            return b"".join(bytes([r.randrange(256)]) for _ in range(r.randrange(0, 400))), "random bytes"
        if kind == 1:
            return pathological(r), "pathological"
        data = bytearray(r.choice(self.seeds))
        for _ in range(r.randrange(1, 8)):
            op = r.randrange(8)
            pos = r.randrange(len(data) + 1)
            if op == 0 and data:
                data[min(pos, len(data) - 1)] = r.randrange(256)
            elif op == 1:
                data[pos:pos] = r.choice(TOKENS)
            elif op == 2:
                del data[pos:pos + r.randrange(1, 40)]
            elif op == 3:
                end = min(len(data), pos + r.randrange(1, 200))
                data[pos:pos] = data[pos:end] * r.randrange(1, 4)
            elif op == 4:
                other = r.choice(self.seeds)
                cut = r.randrange(len(other) + 1)
                data = data[:pos] + other[cut:cut + r.randrange(1, 500)] + data[pos:]
            elif op == 5:
                del data[pos:]
            elif op == 6:
                lines = bytes(data).split(b"\n")
                r.shuffle(lines) if r.random() < 0.2 else lines.insert(r.randrange(len(lines) + 1), r.choice(lines))
                data = bytearray(b"\n".join(lines))
            else:
                data[pos:pos] = r.choice(TOKENS) + b" " + r.choice(TOKENS)
        return bytes(data), "mutated corpus"

    def probe(self):
        path = os.path.join(self.work, "probe.py")
        with open(path, "wb") as f:
            f.write(b"print(1)\n")
        for m in self.args.modes.split(","):
            o = outcome.run([self.args.cpjit, "run", "--tier", m, path], 30)
            if o.code == 127 or not os.path.exists(self.args.cpjit):
                self.unavailable[m] = "cpjit not found"
            elif o.unavailable():
                self.unavailable[m] = o.last_err
            else:
                self.modes.append(m)

    def judge(self, data, how, mode):
        """Runs one input; returns (failure reason or None, outcome)."""
        path = os.path.join(self.work, f"in{threading.get_ident()}.py")
        with open(path, "wb") as f:
            f.write(data)
        base = [self.args.cpjit, "run", "--tier", mode]
        if how == "stdin":
            o = outcome.run(base + ["-"], self.args.timeout, input_bytes=data)
        elif how == "-c" and b"\x00" not in data and len(as_arg(data)) < MAX_ARG_STRLEN:
            o = outcome.run(base + ["-c", as_arg(data).decode("utf-8")], self.args.timeout)
        else:
            o = outcome.run(base + [path], self.args.timeout)
        crash = o.crash_kind()
        if crash == "timeout":
            py = outcome.run(["python3", path], self.args.timeout)
            if py.timed_out or py.secs > self.args.timeout / 4:
                return None, o  # python3 is slow on it too: not a hang of ours
            return "hang (python3 finishes in %.1fs)" % py.secs, o
        if crash:
            return crash, o
        if o.code not in (0, 1):
            return f"exit status {o.code} (expected 0 or 1)", o
        if o.code == 1 and not o.stderr.strip():
            return "exit status 1 with nothing on stderr", o
        return None, o

    def one(self, i):
        r = random.Random(self.args.seed * 1_000_003 + i)
        data, origin = self.mutate(r)
        mode = r.choice(self.modes)
        how = r.choices(["file", "-c", "stdin"], [8, 1, 1])[0]
        reason, o = self.judge(data, how, mode)
        with self.lock:
            self.tried += 1
            self.executions += 1
            if o.code == 1:
                self.rejected += 1
            elif o.code == 0:
                self.accepted += 1
        if reason:
            d = self.save(i, data, origin, mode, how, reason, o)
            with self.lock:
                key = reason.split(" (")[0]
                self.kinds[key] = self.kinds.get(key, 0) + 1
                self.failures.append((i, reason, mode, d))
                print(f"FAIL input {i} ({origin}, --tier {mode}, {how}): {reason}\n     saved in {d}", flush=True)

    def save(self, i, data, origin, mode, how, reason, o):
        d = os.path.join(self.args.out, f"input{i}")
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "input.py"), "wb") as f:
            f.write(data)
        with open(os.path.join(d, "stderr.txt"), "wb") as f:
            f.write(o.stderr[-20000:])
        small = self.shrink(data, mode, how, reason)
        with open(os.path.join(d, "shrunk.py"), "wb") as f:
            f.write(small)
        with open(os.path.join(d, "reason.txt"), "w", encoding="utf-8") as f:
            f.write(f"{origin}; cpjit run --tier {mode} ({how}): {reason}\n"
                    f"input {len(data)} bytes, shrunk to {len(small)} bytes\n"
                    f"reproduce: {self.args.cpjit} run --tier {mode} {os.path.join(d, 'shrunk.py')}\n")
        return d

    def shrink(self, data, mode, how, reason):
        """Byte-chunk ddmin keeping the same kind of failure, bounded in time."""
        want = reason.split(" (")[0]
        deadline = time.monotonic() + self.args.shrink_seconds
        n = 2
        while len(data) >= 2 and time.monotonic() < deadline:
            chunk = max(1, len(data) // n)
            for start in range(0, len(data), chunk):
                cand = data[:start] + data[start + chunk:]
                got, _ = self.judge(cand, how, mode)
                if got and got.split(" (")[0] == want:
                    data = cand
                    n = max(n - 1, 2)
                    break
                if time.monotonic() > deadline:
                    break
            else:
                if chunk == 1:
                    break
                n = min(len(data), n * 2)
        return data

    def run(self):
        start = time.monotonic()
        self.probe()
        a = self.args
        print(f"hostile: cpjit {a.cpjit}; seed {a.seed}; modes {','.join(self.modes) or 'none'}; "
              f"{len(self.seeds)} seed files", flush=True)
        for m, why in self.unavailable.items():
            print(f"hostile: --tier {m} unavailable: {why}")
        if not self.modes:
            print("hostile: no mode available; nothing run")
            print("hostile: 0 passed, 0 failed")
            return 0
        deadline = start + a.seconds if a.seconds else None
        i = 0
        with cf.ThreadPoolExecutor(max_workers=a.jobs) as pool:
            pending = set()
            while True:
                while len(pending) < a.jobs * 2:
                    if (a.inputs is not None and i >= a.inputs) or (deadline and time.monotonic() > deadline):
                        break
                    pending.add(pool.submit(self.one, i))
                    i += 1
                if not pending:
                    break
                done, pending = cf.wait(pending, return_when=cf.FIRST_COMPLETED)
                for fut in done:
                    fut.result()
        secs = time.monotonic() - start
        print("---- hostile-input summary ----")
        print(f"inputs tried: {self.tried} in {secs:.1f}s")
        print(f"accepted (exit 0): {self.accepted}; rejected with an error (exit 1): {self.rejected}")
        print(f"failures: {len(self.failures)}")
        for k, v in sorted(self.kinds.items()):
            print(f"  {k}: {v}")
        for i, reason, mode, d in self.failures[:20]:
            print(f"  input {i} --tier {mode}: {reason}: {d}")
        if a.summary_json:
            with open(a.summary_json, "w", encoding="utf-8") as f:
                json.dump({"inputs": self.tried, "seconds": round(secs, 1), "failures": len(self.failures),
                           "kinds": self.kinds, "modes": self.modes}, f, indent=1)
        print(f"hostile: {self.tried - len(self.failures)} passed, {len(self.failures)} failed")
        return 1 if self.failures else 0


def main(argv=None):
    ap = argparse.ArgumentParser(description="Front-end fuzzing of cpjit run with hostile input.")
    g = ap.add_mutually_exclusive_group(required=True)
    g.add_argument("--inputs", type=int)
    g.add_argument("--seconds", type=float)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--cpjit", default=os.path.join(ROOT, "target", "release", "cpjit"))
    ap.add_argument("--modes", default="1,uops,jit")
    ap.add_argument("--corpus", default=os.path.join(ROOT, "..", "shared", "corpus"))
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--out", default=os.path.join(ROOT, "target", "fuzz-out", "hostile"))
    ap.add_argument("--timeout", type=float, default=10.0)
    ap.add_argument("--shrink-seconds", type=float, default=60.0)
    ap.add_argument("--summary-json")
    args = ap.parse_args(argv)
    args.cpjit = os.path.abspath(args.cpjit)
    args.out = os.path.abspath(args.out)
    return Hostile(args).run()


if __name__ == "__main__":
    sys.exit(main())
