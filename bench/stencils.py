#!/usr/bin/env python3
"""Benchmark of stencil regeneration (cpjit-stencils). Prints numbers.

  python3 bench/stencils.py [--repeat N] [--bin PATH]

Measures, each as min and median of N fresh processes (every run is cold:
LLVM is initialised per process):
  * full regeneration (--force) of the host target and of all seven targets,
    at --jobs 1 and --jobs 2, with the speedup of 2 over 1;
  * a no-op run (all seven files present, input hashes unchanged);
  * CPU time (user+sys) of each, since the machine may be shared;
  * code bytes per target and calling convention (the measurement behind
    each target's default convention).
"""
import argparse
import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TARGETS = [
    "x86_64-unknown-linux-gnu", "aarch64-unknown-linux-gnu", "x86_64-apple-darwin",
    "aarch64-apple-darwin", "x86_64-pc-windows-msvc", "aarch64-pc-windows-msvc",
    "i686-pc-windows-msvc",
]


def run(binary, args):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    out = subprocess.run([binary, *args, "--quiet"], capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if out.returncode != 0:
        raise SystemExit(f"cpjit-stencils {' '.join(args)} failed:\n{out.stderr}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, out.stdout


def measure(binary, label, args, repeat):
    walls, cpus = [], []
    for _ in range(repeat):
        wall, cpu, _ = run(binary, args)
        walls.append(wall)
        cpus.append(cpu)
    print(f"{label:<34} wall min {min(walls):6.3f} s  median {statistics.median(walls):6.3f} s"
          f"   cpu median {statistics.median(cpus):6.3f} s")
    return min(walls)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--bin", default=os.path.join(ROOT, "target/release/cpjit-stencils"))
    a = ap.parse_args()
    if not os.path.exists(a.bin):
        subprocess.run(["cargo", "build", "--release", "-p", "cpjit-build-support",
                        "--bin", "cpjit-stencils"], cwd=ROOT, check=True)
    host = re.search(r"host: (\S+)", subprocess.run(["rustc", "-vV"], capture_output=True,
                                                     text=True).stdout).group(1)
    print(f"# {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}  {platform.node()}  "
          f"{os.cpu_count()} cores  load {os.getloadavg()[0]:.1f}  repeat {a.repeat}")
    out = tempfile.mkdtemp(prefix="cpjit-bench-")
    try:
        host_args = ["--target", host, "--out", out, "--force"]
        all_args = ["--all-targets", "--out", out, "--force"]
        h1 = measure(a.bin, "host, --jobs 1", host_args + ["--jobs", "1"], a.repeat)
        h2 = measure(a.bin, "host, --jobs 2", host_args + ["--jobs", "2"], a.repeat)
        s1 = measure(a.bin, "all seven, --jobs 1", all_args + ["--jobs", "1"], a.repeat)
        s2 = measure(a.bin, "all seven, --jobs 2", all_args + ["--jobs", "2"], a.repeat)
        noop = measure(a.bin, "no-op (all seven up to date)", ["--all-targets", "--out", out], a.repeat)
        print(f"speedup --jobs 2 over 1: host {h1 / h2:.2f}x, all seven {s1 / s2:.2f}x")
        print(f"targets: seven cold < 10 s: {'yes' if s2 < 10 else 'NO'} ({s2:.2f} s); "
              f"jobs 2 >= 1.7x: {'yes' if s1 / s2 >= 1.7 else 'NO'} ({s1 / s2:.2f}x); "
              f"no-op < 0.5 s: {'yes' if noop < 0.5 else 'NO'} ({noop:.3f} s)")
        print("\ncode bytes per target and convention (all stencils):")
        for t in TARGETS:
            row = []
            for cc in ["preserve-none", "ghc", "c"]:
                p = subprocess.run([a.bin, "--target", t, "--cc", cc, "--out", out, "--force",
                                    "--quiet"], capture_output=True, text=True)
                m = re.search(r"(\d+) B code", p.stdout)
                row.append(f"{cc} {m.group(1) if m else 'refused':>7}")
            print(f"  {t:<28} " + "   ".join(row))
    finally:
        shutil.rmtree(out, ignore_errors=True)


if __name__ == "__main__":
    main()
