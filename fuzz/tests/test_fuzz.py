"""Tests of the fuzz tools: the generator against python3, the driver against fake cpjits.

Run: python3 -m unittest discover -s fuzz/tests -v   (from the repository root)
"""

import ast
import json
import os
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
FUZZ = os.path.dirname(HERE)
sys.path.insert(0, FUZZ)

import gen  # noqa: E402
import shrink  # noqa: E402

FAKE = os.path.join(FUZZ, "fake", "cpjit")
SEEDS = range(100, 140)


def python3(src):
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as f:
        f.write(src)
    try:
        return subprocess.run(["python3", f.name], capture_output=True, timeout=30,
                              env=dict(os.environ, PYTHONIOENCODING="utf-8"))
    finally:
        os.unlink(f.name)


def fuzz_run(*args, env=None):
    # A directory that does not exist yet, as on a fresh clone in CI: the
    # driver must create it (and the summary's directory) itself.
    out = os.path.join(tempfile.mkdtemp(prefix="fuzz-test-"), "fresh", "fuzz-out")
    summary = os.path.join(out, "summary.json")
    cmd = [sys.executable, os.path.join(FUZZ, "driver.py"), "--cpjit", FAKE, "--out", out,
           "--summary-json", summary, "--jobs", "2"] + list(args)
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=900, env=dict(os.environ, **(env or {})))
    with open(summary, encoding="utf-8") as f:
        return p, json.load(f), out


class GeneratorTest(unittest.TestCase):
    def test_same_seed_same_program(self):
        self.assertEqual(gen.generate(7), gen.generate(7))
        self.assertNotEqual(gen.generate(7), gen.generate(8))

    def test_programs_stay_inside_the_subset(self):
        banned = (ast.ClassDef, ast.Import, ast.ImportFrom, ast.Try, ast.With, ast.Yield, ast.YieldFrom,
                  ast.Await, ast.AsyncFunctionDef, ast.Set, ast.SetComp, ast.Starred, ast.Raise,
                  ast.Match, ast.NamedExpr)
        for seed in SEEDS:
            tree = ast.parse(gen.generate(seed))
            for node in ast.walk(tree):
                self.assertNotIsInstance(node, banned, f"seed {seed}: {ast.dump(node)[:80]}")
                if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                    self.assertNotIn(node.func.id, ("eval", "exec", "open", "input", "id", "hash", "__import__"))

    def test_programs_have_hot_loops(self):
        for seed in SEEDS:
            tree = ast.parse(gen.generate(seed))
            counts = [c.value for loop in ast.walk(tree) if isinstance(loop, (ast.For, ast.While))
                      for c in ast.walk(loop.iter if isinstance(loop, ast.For) else loop.test)
                      if isinstance(c, ast.Constant) and type(c.value) is int and c.value >= 50]
            self.assertTrue(counts, f"seed {seed} has no loop of 50+ iterations")

    def test_programs_run_deterministically_under_python3(self):
        for seed in SEEDS:
            src = gen.generate(seed)
            a, b = python3(src), python3(src)
            self.assertEqual(a.stdout, b.stdout, f"seed {seed}")
            self.assertTrue(a.stdout, f"seed {seed} prints nothing")
            first, second = a.stderr.decode().splitlines()[-1:], b.stderr.decode().splitlines()[-1:]
            self.assertEqual(first, second)
            marker = [ln for ln in src.splitlines()[:3] if ln.startswith("# deliberate error: ")]
            if marker:
                self.assertEqual(a.returncode, 1, f"seed {seed}")
                self.assertTrue(first[0].startswith(marker[0].split(": ")[1]), f"seed {seed}: {first}")
            else:
                self.assertEqual(a.returncode, 0, f"seed {seed}: {a.stderr.decode()[-400:]}")

    def test_some_programs_cross_the_word_boundary(self):
        # Big ints appear in the output of a fair share of programs.
        big = sum(1 for seed in SEEDS if any(len(tok.strip("-,[]()")) >= 19 and tok.strip("-,[]()").isdigit()
                                             for tok in python3(gen.generate(seed)).stdout.decode().split()))
        self.assertGreater(big, len(SEEDS) // 4)


class ShrinkTest(unittest.TestCase):
    def test_shrinks_to_the_failing_statement(self):
        src = "a = 1\nfor i in range(3):\n    a += i\n    if a > 2:\n        b = 7\nprint(a)\nprint('BUG')\nc = a\n"
        small, tests = shrink.shrink(src, lambda t: "BUG" in t)
        self.assertEqual(small, "print('BUG')\n")
        self.assertGreater(tests, 0)

    def test_never_returns_a_program_that_does_not_parse(self):
        src = "if True:\n    x = 1\n    y = 2\nprint(x)\n"
        small, _ = shrink.shrink(src, lambda t: "x = 1" in t)
        ast.parse(small)
        self.assertIn("x = 1", small)


class DriverTest(unittest.TestCase):
    def test_correct_fake_passes(self):
        p, s, _ = fuzz_run("--programs", "6", "--seed", "0")
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertEqual((s["programs"], s["mismatch"], s["crash"], s["timeout"]), (6, 0, 0, 0))
        self.assertEqual(s["modes"], ["1", "uops", "jit"])
        self.assertIn("uop coverage: not available", p.stdout)

    def test_unavailable_mode_is_not_a_mismatch(self):
        p, s, _ = fuzz_run("--programs", "3", "--seed", "0", env={"FAKE_UNAVAILABLE": "uops,jit"})
        self.assertEqual(p.returncode, 0, p.stdout)
        self.assertEqual(s["modes"], ["1"])
        self.assertEqual(sorted(s["unavailable"]), ["jit", "uops"])

    def test_wrong_output_is_caught_and_shrunk(self):
        p, s, out = fuzz_run("--programs", "4", "--seed", "1", "--modes", "1,jit", "--shrink-seconds", "60",
                             env={"FAKE_BUG": "bigint", "FAKE_BUG_MODES": "jit"})
        self.assertEqual(p.returncode, 1)
        self.assertGreater(s["mismatch"], 0)
        self.assertIn("mismatches:", p.stdout)
        d = os.path.join(out, "seed1-jit")
        with open(os.path.join(d, "prog.py")) as f:
            orig = f.read()
        with open(os.path.join(d, "shrunk.py")) as f:
            small = f.read()
        self.assertLess(len(small.splitlines()), len(orig.splitlines()))
        with open(os.path.join(d, "shrunk.out"), "rb") as f:
            self.assertEqual(f.read(), python3(small).stdout)
        fake = subprocess.run([FAKE, "run", "--tier", "jit", os.path.join(d, "shrunk.py")], capture_output=True,
                              env=dict(os.environ, FAKE_BUG="bigint"))
        self.assertNotEqual(fake.stdout, python3(small).stdout, "the shrunk program must still reproduce")

    def test_crash_and_panic_are_counted(self):
        p, s, _ = fuzz_run("--programs", "6", "--seed", "0", "--modes", "uops", "--no-shrink",
                           env={"FAKE_BUG": "segv"})
        self.assertEqual(p.returncode, 1)
        self.assertGreater(s["crash"], 0)
        self.assertIn("SIGSEGV", p.stdout)
        p, s, _ = fuzz_run("--programs", "6", "--seed", "0", "--modes", "1", "--no-shrink",
                           env={"FAKE_BUG": "panic"})
        self.assertGreater(s["crash"], 0)
        self.assertIn("panic", p.stdout)

    def test_hang_is_a_timeout(self):
        p, s, _ = fuzz_run("--programs", "3", "--seed", "0", "--modes", "jit", "--no-shrink", "--timeout", "3",
                           env={"FAKE_BUG": "hang"})
        self.assertEqual(p.returncode, 1)
        self.assertGreater(s["timeout"], 0)

    def test_uop_coverage_is_parsed_from_stats(self):
        p, s, _ = fuzz_run("--programs", "2", "--seed", "0", "--modes", "jit", env={"FAKE_STATS": "1"})
        self.assertEqual(p.returncode, 0, p.stdout)
        self.assertEqual(s["uops_covered"], ["_BINARY_OP_ADD_INT", "_LOAD_FAST", "_STORE_FAST"])


if __name__ == "__main__":
    unittest.main()
