"""A delta-debugging shrinker for Python programs, line by line.

`shrink(text, still_fails)` removes whole statements (a line and the more
indented lines under it) and then chunks of lines (ddmin), keeping each cut
only while `still_fails(candidate_text)` stays true. Candidates that do not
parse are skipped without calling the predicate, which is the costly part.
"""

import ast
import time


def _parses(text):
    try:
        ast.parse(text)
        return True
    except (SyntaxError, ValueError):
        return False


def _indent(line):
    return len(line) - len(line.lstrip(" "))


def _block_end(lines, i):
    """Index just past the statement starting at line i (header plus its body)."""
    base = _indent(lines[i])
    j = i + 1
    while j < len(lines) and (not lines[j].strip() or _indent(lines[j]) > base):
        j += 1
    return j


class Shrinker:
    """Keeps the smallest failing candidate and counts predicate calls."""

    def __init__(self, still_fails, deadline, max_tests):
        self.still_fails = still_fails
        self.deadline = deadline
        self.max_tests = max_tests
        self.tests = 0

    def out_of_budget(self):
        return self.tests >= self.max_tests or time.monotonic() > self.deadline

    def try_lines(self, lines):
        text = "\n".join(lines) + "\n"
        if not _parses(text) or self.out_of_budget():
            return False
        self.tests += 1
        return self.still_fails(text)

    def remove_statements(self, lines):
        """One pass removing whole statements, last first."""
        i = len(lines) - 1
        while i >= 0 and not self.out_of_budget():
            if i < len(lines) and lines[i].strip():
                end = _block_end(lines, i)
                cand = lines[:i] + lines[end:]
                if self.try_lines(cand):
                    lines = cand
            i -= 1
        return lines

    def unwrap_blocks(self, lines):
        """Replaces compound headers by their bodies, dedented (`if c:` x -> x)."""
        i = 0
        while i < len(lines) and not self.out_of_budget():
            line = lines[i]
            if line.rstrip().endswith(":") and not line.strip().startswith(("def ", "else", "elif")):
                end = _block_end(lines, i)
                body = [ln[4:] if ln.startswith(" " * (_indent(line) + 4)) else ln for ln in lines[i + 1:end]]
                cand = lines[:i] + body + lines[end:]
                if self.try_lines(cand):
                    lines = cand
                    continue
            i += 1
        return lines

    def ddmin(self, units):
        """Classic ddmin over `units` (each a list of lines)."""
        n = 2
        while len(units) >= 2 and not self.out_of_budget():
            chunk = max(1, len(units) // n)
            removed = False
            for start in range(0, len(units), chunk):
                cand = units[:start] + units[start + chunk:]
                if cand and self.try_lines([ln for u in cand for ln in u]):
                    units = cand
                    n = max(n - 1, 2)
                    removed = True
                    break
            if not removed:
                if chunk == 1:
                    break
                n = min(len(units), n * 2)
        return units


def top_level_units(lines):
    """The program's top-level statements, each with its indented body."""
    units, i = [], 0
    while i < len(lines):
        end = _block_end(lines, i)
        units.append(lines[i:end])
        i = end
    return units


def shrink(text, still_fails, seconds=60.0, max_tests=600):
    """The smallest variant of `text` found for which `still_fails` holds."""
    s = Shrinker(still_fails, time.monotonic() + seconds, max_tests)
    lines = text.rstrip("\n").split("\n")
    while not s.out_of_budget():
        before = len(lines)
        lines = [ln for u in s.ddmin(top_level_units(lines)) for ln in u]
        lines = s.remove_statements(lines)
        lines = s.unwrap_blocks(lines)
        lines = [ln for u in s.ddmin([[ln] for ln in lines]) for ln in u]
        if len(lines) >= before:
            break
    return "\n".join(lines) + "\n", s.tests
