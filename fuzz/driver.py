"""Differential fuzzing driver: generated programs under python3 and cpjit's modes.

Usage: fuzz/run (--programs N | --seconds S) [--modes 1,uops,jit] [--seed S]
                [--cpjit PATH] [--jobs J] [--out DIR] [--timeout T] [--no-shrink]

Each program from `gen.py` runs under python3 (the oracle) and under
`cpjit run --tier MODE FILE` for every mode. Standard output, exit status and
the last line of standard error must agree. A mode whose probe exits 2 saying
it is not built is reported as unavailable, not as a mismatch. Failing programs
are saved under --out with a shrunk reproducer and CPython's expected output
(the corpus layout: NAME.py, NAME.out, NAME.exit, NAME.err). Exits 1 when any
program mismatched, crashed or timed out in any available mode.
"""

import argparse
import concurrent.futures as cf
import json
import os
import re
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import gen  # noqa: E402
import outcome  # noqa: E402
import shrink  # noqa: E402

ROOT = os.path.dirname(HERE)
UOP_RE = re.compile(r"\b(_[A-Z][A-Z0-9_]+)\b\D{0,12}?(\d+)")
PROBE = 'x = 0\nfor i in range(300):\n    x = x + i\nprint("probe", x)\n'
PROBE_OUT = b"probe 44850\n"


def known_uops():
    """Uop names declared in abi/src/uop.rs (the coverage denominator)."""
    try:
        with open(os.path.join(ROOT, "abi", "src", "uop.rs"), encoding="utf-8") as f:
            return sorted(set(re.findall(r'=\s*"(_[A-Z0-9_]+)"', f.read())))
    except OSError:
        return []


def parse_uops(text):
    """Uop names with a non-zero count in `--stats` output."""
    return {name for name, n in UOP_RE.findall(text) if int(n) > 0}


class Fuzzer:
    """Runs programs, keeps the tallies, saves and shrinks failures."""

    def __init__(self, args):
        self.args = args
        self.cpjit = args.cpjit
        self.modes = [m for m in args.modes.split(",") if m]
        self.lock = threading.Lock()
        self.tried = 0
        self.invalid = []
        self.failures = []  # (seed, mode, category, reason, dir)
        self.executions = 0
        self.unavailable = {}
        self.probe_fail = {}
        self.stats_mode = None
        self.uops_seen = set()
        self.shrunk = {}  # (mode, reason) -> first seed that showed it
        self.work = tempfile.mkdtemp(prefix="cpjit-fuzz-")

    # ------------------------------------------------------------ probing
    def cmd(self, mode, path, stats=False):
        return [self.cpjit, "run", "--tier", mode] + (["--stats"] if stats else []) + [path]

    def probe(self):
        """Decides which modes are available and whether --stats reports uops."""
        path = os.path.join(self.work, "probe.py")
        with open(path, "w", encoding="utf-8") as f:
            f.write(PROBE)
        for mode in self.modes:
            o = outcome.run(self.cmd(mode, path), 30)
            if o.code == 127 or not os.path.exists(self.cpjit):
                self.unavailable[mode] = f"{self.cpjit} not found"
            elif o.unavailable():
                self.unavailable[mode] = o.last_err or "exit 2"
            elif o.stdout != PROBE_OUT or o.code != 0:
                # Available but already wrong on the probe: keep fuzzing it, say so.
                self.probe_fail[mode] = outcome.difference(outcome.Outcome(PROBE_OUT, b"", 0), o)
        live = [m for m in self.modes if m not in self.unavailable]
        for mode in sorted(live, key=lambda m: {"jit": 0, "uops": 1}.get(m, 2)):
            o = outcome.run(self.cmd(mode, path, stats=True), 30)
            if o.code == 0 and parse_uops((o.stdout + o.stderr).decode("utf-8", "replace")):
                self.stats_mode = mode
                break
        return live

    # ------------------------------------------------------------ one program
    def one(self, seed, live):
        src = gen.generate(seed)
        path = os.path.join(self.work, f"p{seed}.py")
        with open(path, "w", encoding="utf-8") as f:
            f.write(src)
        exp = outcome.run(["python3", path], self.args.timeout)
        runs = 1
        deliberate = re.search(r"^# deliberate error: (\w+)", src, re.M)
        ok = exp.code == 0 and not deliberate
        if deliberate and exp.code == 1 and outcome.exc_type(exp.last_err) == deliberate.group(1):
            ok = True
        if not ok:
            with self.lock:
                self.tried += 1
                self.executions += runs
                self.invalid.append((seed, exp.last_err or ("timeout" if exp.timed_out else f"exit {exp.code}")))
            os.unlink(path)
            return
        limit = max(self.args.timeout, 20 * exp.secs + 5)
        fails = []
        for mode in live:
            got = outcome.run(self.cmd(mode, path), limit)
            runs += 1
            if got.unavailable():
                with self.lock:
                    self.unavailable.setdefault(mode, got.last_err)
                continue
            reason = outcome.difference(exp, got)
            if reason:
                fails.append((mode, reason, got))
        uops = set()
        if self.stats_mode:
            st = outcome.run(self.cmd(self.stats_mode, path, stats=True), limit)
            runs += 1
            uops = parse_uops((st.stdout + st.stderr).decode("utf-8", "replace"))
        saved = []
        for mode, reason, got in fails:
            d = self.save(seed, mode, src, exp, got, reason, limit)
            saved.append((seed, mode, outcome.category(reason), reason, d))
        with self.lock:
            self.tried += 1
            self.executions += runs
            self.uops_seen |= uops
            self.failures += saved
            for s in saved:
                print(f"FAIL seed {s[0]} --tier {s[1]}: {s[3][:300]}\n     saved in {s[4]}", flush=True)
        os.unlink(path)

    # ------------------------------------------------------------ failures
    def save(self, seed, mode, src, exp, got, reason, limit):
        d = os.path.join(self.args.out, f"seed{seed}-{mode}")
        os.makedirs(d, exist_ok=True)
        write(d, "prog.py", src)
        write_expect(d, "prog", exp)
        write(d, "got.out", got.stdout)
        write(d, "got.err", got.stderr)
        write(d, "got.exit", f"{got.code if not got.timed_out else 'timeout'}\n")
        write(d, "reason.txt", f"seed {seed}, --tier {mode}: {reason}\n"
              f"reproduce: fuzz/gen --seed {seed} > p.py && {self.cpjit} run --tier {mode} p.py\n")
        if self.args.no_shrink:
            return d
        # The same failure again (same mode, same words): saved, not shrunk again.
        key = (mode, re.sub(r"line \d+", "line N", reason))
        with self.lock:
            first = self.shrunk.setdefault(key, seed)
        if first != seed:
            with open(os.path.join(d, "reason.txt"), "a", encoding="utf-8") as f:
                f.write(f"not shrunk: the same failure as seed {first}\n")
            return d
        cat = outcome.category(reason)
        work = os.path.join(d, "candidate.py")
        # Timeouts shrink with a short limit, so the shrinker does not crawl.
        short = min(limit, 10.0)

        def still_fails(text):
            write(d, "candidate.py", text)
            e = outcome.run(["python3", work], self.args.timeout)
            if e.timed_out or e.code != exp.code or outcome.exc_type(e.last_err) != outcome.exc_type(exp.last_err):
                return False
            g = outcome.run(self.cmd(mode, work), short if cat == "timeout" else max(short, 20 * e.secs + 5))
            return outcome.category(outcome.difference(e, g)) == cat

        small, tests = shrink.shrink(src, still_fails, seconds=self.args.shrink_seconds)
        if os.path.exists(work):
            os.unlink(work)
        write(d, "shrunk.py", small)
        e = outcome.run(["python3", os.path.join(d, "shrunk.py")], self.args.timeout)
        write_expect(d, "shrunk", e)
        g = outcome.run(self.cmd(mode, os.path.join(d, "shrunk.py")), limit)
        with open(os.path.join(d, "reason.txt"), "a", encoding="utf-8") as f:
            f.write(f"shrunk: {len(src.splitlines())} -> {len(small.splitlines())} lines in {tests} tests; "
                    f"shrunk.py under --tier {mode}: {outcome.difference(e, g)}\n")
        return d

    # ------------------------------------------------------------ the run
    def run(self):
        start = time.monotonic()
        live = self.probe()
        a = self.args
        seed0 = a.seed if a.seed is not None else int(time.time()) % 1_000_000_000
        print(f"fuzz: cpjit {self.cpjit}; modes {','.join(self.modes)}; first seed {seed0}; jobs {a.jobs}", flush=True)
        for m, why in self.unavailable.items():
            print(f"fuzz: --tier {m} unavailable: {why}", flush=True)
        for m, why in self.probe_fail.items():
            print(f"fuzz: --tier {m} is available but fails the probe program: {why}", flush=True)
        deadline = start + a.seconds if a.seconds else None
        nxt = seed0
        with cf.ThreadPoolExecutor(max_workers=a.jobs) as pool:
            pending = set()
            while True:
                while len(pending) < a.jobs * 2:
                    if a.programs is not None and nxt - seed0 >= a.programs:
                        break
                    if deadline and time.monotonic() > deadline:
                        break
                    pending.add(pool.submit(self.one, nxt, live))
                    nxt += 1
                if not pending:
                    break
                done, pending = cf.wait(pending, return_when=cf.FIRST_COMPLETED)
                for fut in done:
                    fut.result()
        return self.report(seed0, time.monotonic() - start, live)

    def report(self, seed0, secs, live):
        counts = {"mismatch": 0, "crash": 0, "timeout": 0}
        for f in self.failures:
            counts[f[2]] += 1
        avail = [m for m in live if m not in self.unavailable]
        print("---- fuzz summary ----")
        print(f"seeds: {seed0}..{seed0 + self.tried - 1}")
        print(f"programs tried: {self.tried} in {secs:.1f}s ({self.executions} executions)")
        print(f"invalid programs (python3 itself failed, generator bug): {len(self.invalid)}")
        for seed, why in self.invalid[:5]:
            print(f"  seed {seed}: {why}")
        print(f"modes compared: {', '.join(avail) or 'none'}")
        for m in self.modes:
            if m in self.unavailable:
                print(f"  --tier {m}: unavailable ({self.unavailable[m]})")
        print(f"mismatches: {counts['mismatch']}")
        print(f"crashes: {counts['crash']}")
        print(f"timeouts: {counts['timeout']}")
        for f in self.failures:
            print(f"  {f[2]}: seed {f[0]} --tier {f[1]}: {f[4]}")
        uops = known_uops()
        if self.stats_mode:
            covered = sorted(self.uops_seen & set(uops)) if uops else sorted(self.uops_seen)
            print(f"uop coverage (--tier {self.stats_mode} --stats): {len(covered)} of {len(uops) or '?'} uops executed")
            missing = sorted(set(uops) - self.uops_seen)
            if missing:
                print(f"  never executed: {' '.join(missing)}")
        else:
            print("uop coverage: not available (no mode's `cpjit run --stats` reports uop counts)")
        summary = {
            "first_seed": seed0, "programs": self.tried, "executions": self.executions,
            "seconds": round(secs, 1), "invalid": len(self.invalid), "modes": avail,
            "unavailable": self.unavailable, **counts,
            "uops_covered": sorted(self.uops_seen) if self.stats_mode else None,
        }
        if self.args.summary_json:
            os.makedirs(os.path.dirname(os.path.abspath(self.args.summary_json)), exist_ok=True)
            with open(self.args.summary_json, "w", encoding="utf-8") as f:
                json.dump(summary, f, indent=1)
        bad = sum(counts.values())
        print(f"fuzz: {self.tried - bad} passed, {bad} failed")
        return 1 if bad else 0


def write(d, name, data):
    mode = "wb" if isinstance(data, bytes) else "w"
    with open(os.path.join(d, name), mode, **({} if mode == "wb" else {"encoding": "utf-8"})) as f:
        f.write(data)


def write_expect(d, stem, exp):
    """CPython's result in the corpus layout: STEM.out, STEM.exit and (if it failed) STEM.err."""
    write(d, f"{stem}.out", exp.stdout)
    write(d, f"{stem}.exit", f"{exp.code}\n")
    if exp.code:
        write(d, f"{stem}.err", exp.last_err + "\n")


def main(argv=None):
    ap = argparse.ArgumentParser(description="Differential fuzzing of cpjit against python3.")
    g = ap.add_mutually_exclusive_group(required=True)
    g.add_argument("--programs", type=int, help="number of programs to try")
    g.add_argument("--seconds", type=float, help="run for this long")
    ap.add_argument("--modes", default="1,uops,jit", help="comma-separated cpjit --tier modes")
    ap.add_argument("--seed", type=int, help="first seed (default: from the clock; printed)")
    ap.add_argument("--cpjit", default=os.path.join(ROOT, "target", "release", "cpjit"))
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--out", default=os.path.join(ROOT, "target", "fuzz-out"), help="where failures are saved")
    ap.add_argument("--timeout", type=float, default=10.0, help="seconds per python3 run (cpjit gets 20x python3's time + 5s, at least this)")
    ap.add_argument("--no-shrink", action="store_true")
    ap.add_argument("--shrink-seconds", type=float, default=120.0)
    ap.add_argument("--summary-json", help="also write the figures to this file")
    args = ap.parse_args(argv)
    args.cpjit = os.path.abspath(args.cpjit)
    args.out = os.path.abspath(args.out)
    return Fuzzer(args).run()


if __name__ == "__main__":
    sys.exit(main())
