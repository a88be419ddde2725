"""Running one program under one command, and judging the result.

Shared by the differential driver (`run`), the shrinker and the front-end
fuzzer (`hostile`). A result agrees with CPython's when standard output is
byte-identical, the exit status is the same and, for a failing program, the
last non-empty line of standard error is the same (for a SyntaxError only the
exception type must match), as `../shared/corpus/run-corpus` judges.
"""

import os
import re
import signal
import subprocess
import time

PANIC_RE = re.compile(rb"panicked at|RUST_BACKTRACE")
UNAVAILABLE_RE = re.compile(rb"not built|not available|not yet|unknown mode|unsupported mode|not supported", re.I)


class Outcome:
    """What one run produced."""

    def __init__(self, stdout=b"", stderr=b"", code=None, timed_out=False, secs=0.0):
        self.stdout = stdout
        self.stderr = stderr
        self.code = code
        self.timed_out = timed_out
        self.secs = secs

    @property
    def last_err(self):
        """The last non-empty line of standard error, decoded."""
        for line in reversed(self.stderr.splitlines()):
            if line.strip():
                return line.decode("utf-8", "replace").rstrip()
        return ""

    @property
    def signal(self):
        """The signal that killed the process, or None."""
        if self.code is not None and self.code < 0:
            return -self.code
        return None

    def crash_kind(self):
        """'timeout', 'signal N', 'panic' or None for an orderly exit."""
        if self.timed_out:
            return "timeout"
        if self.signal:
            return f"signal {self.signal} ({signal.Signals(self.signal).name})" if self.signal in signal.Signals._value2member_map_ else f"signal {self.signal}"
        if self.code == 101 or PANIC_RE.search(self.stderr):
            return "panic"
        return None

    def unavailable(self):
        """True when the command says the requested mode is not built."""
        return self.code == 2 and bool(UNAVAILABLE_RE.search(self.stderr))


def run(cmd, timeout, stdin=subprocess.DEVNULL, env=None, input_bytes=None):
    """Runs `cmd` (a list) with a timeout, killing its whole process group on expiry."""
    start = time.monotonic()
    full_env = dict(os.environ)
    full_env.setdefault("PYTHONIOENCODING", "utf-8")
    full_env.setdefault("RUST_BACKTRACE", "0")
    if env:
        full_env.update(env)
    try:
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                stdin=subprocess.PIPE if input_bytes is not None else stdin,
                                env=full_env, start_new_session=True)
    except OSError as e:
        return Outcome(stderr=f"cannot run {cmd[0]}: {e}".encode(), code=127)
    try:
        out, err = proc.communicate(input=input_bytes, timeout=timeout)
        return Outcome(out, err, proc.returncode, False, time.monotonic() - start)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        out, err = proc.communicate()
        return Outcome(out, err, None, True, time.monotonic() - start)


def exc_type(line):
    """The exception name at the start of a traceback's last line."""
    return line.split(":", 1)[0].strip()


def difference(expected, got):
    """Why `got` disagrees with CPython's `expected`, or None when they agree."""
    crash = got.crash_kind()
    if crash:
        return crash
    why = []
    if got.code != expected.code:
        why.append(f"exit status {got.code}, expected {expected.code}")
    if got.stdout != expected.stdout:
        why.append("stdout differs" + first_diff(expected.stdout, got.stdout))
    if expected.code != 0:
        want, have = expected.last_err, got.last_err
        if want.startswith("SyntaxError"):
            want, have = exc_type(want), exc_type(have)
        if want != have:
            why.append(f"last stderr line {have!r}, expected {want!r}")
    return "; ".join(why) or None


def category(reason):
    """The class of a difference: 'timeout', 'crash' or 'mismatch'."""
    if reason is None:
        return None
    if reason == "timeout":
        return "timeout"
    if reason.startswith("signal") or reason == "panic":
        return "crash"
    return "mismatch"


def first_diff(a, b):
    """A short description of the first differing line of two outputs."""
    al, bl = a.splitlines(), b.splitlines()
    for i in range(max(len(al), len(bl))):
        x = al[i] if i < len(al) else b"<missing>"
        y = bl[i] if i < len(bl) else b"<missing>"
        if x != y:
            return f" at line {i + 1}: expected {x[:80]!r}, got {y[:80]!r}"
    return ""
