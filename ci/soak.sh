#!/usr/bin/env bash
# Executor churn soak (issue 8): one `cpjit run --tier jit --stats` process
# runs tests/stress/churn.py for about SECONDS (default 60). The program
# rebinds globals that its hot loops' traces baked in, from outside the loops
# and from inside the traces themselves, so executors are invalidated (some
# while they run), freed and rebuilt continuously; CPJIT_GLOBAL_REBIND_LIMIT
# is raised so the VM never stops baking those globals in.
#
# Steps: (1) the program as committed (EPOCHS small) must print exactly what
# python3 prints; (2) a short run calibrates epochs per second; (3) the long
# run, with EPOCHS scaled to SECONDS, has VmRSS sampled every 0.5 s.
# Pass: exit 0; its first epochs' lines equal python3's, every epoch reports
# 0 mismatches (each round is checked against the same computation on
# locals); `created == freed + live at exit` in --stats; and RSS is flat:
# the last sample within 10% of the sample taken once warm (after 10% of
# the run).
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-60}"
bin="${CPJIT:-target/release/cpjit}"
prog=tests/stress/churn.py
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export CPJIT_GLOBAL_REBIND_LIMIT=4000000000

with_epochs() { sed -E "s/^EPOCHS = [0-9]+$/EPOCHS = $1/" "$prog" > "$2"; }

# 1. Correctness against CPython.
python3 "$prog" > "$tmp/expected"
"$bin" run --tier jit "$prog" > "$tmp/short"
if ! cmp -s "$tmp/short" "$tmp/expected"; then
  echo "soak: output differs from python3:" >&2
  diff "$tmp/short" "$tmp/expected" | head -5 >&2
  exit 1
fi
head -n -1 "$tmp/expected" > "$tmp/expected-epochs"
n_ref=$(wc -l < "$tmp/expected-epochs")

# 2. Calibration.
with_epochs 20 "$tmp/cal.py"
t0=$(date +%s%N)
"$bin" run --tier jit "$tmp/cal.py" > /dev/null
t1=$(date +%s%N)
epochs=$(( secs * 20 * 1000000000 / (t1 - t0 + 1) ))
[ "$epochs" -ge "$n_ref" ] || epochs=$n_ref

# 3. The long run.
with_epochs "$epochs" "$tmp/long.py"
"$bin" run --tier jit --stats "$tmp/long.py" > "$tmp/out" 2> "$tmp/err" &
pid=$!
start=$(date +%s%N)
: > "$tmp/rss"
while kill -0 "$pid" 2>/dev/null; do
  rss=$(awk '/^VmRSS/ {print $2}' "/proc/$pid/status" 2>/dev/null || true)
  now=$(date +%s%N)
  [ -n "$rss" ] && echo "$(( (now - start) / 1000000 )) $rss" >> "$tmp/rss"
  sleep 0.5
done
rc=0; wait "$pid" || rc=$?
end=$(date +%s%N)
elapsed_ms=$(( (end - start) / 1000000 ))

status=0
if [ "$rc" -ne 0 ]; then echo "soak: exit status $rc" >&2; tail -3 "$tmp/err" >&2; status=1; fi
if ! head -n "$n_ref" "$tmp/out" | cmp -s - "$tmp/expected-epochs"; then
  echo "soak: the first epochs differ from python3's" >&2; status=1
fi
bad=$(grep -c '^epoch' "$tmp/out" || true)
mism=$(grep '^epoch' "$tmp/out" | grep -vc ' mismatches 0 ' || true)
if [ "$bad" -ne "$epochs" ] || [ "$mism" -ne 0 ] ||
   [ "$(tail -1 "$tmp/out")" != "churn: $epochs epochs, 0 mismatches" ]; then
  echo "soak: $mism epochs with mismatches, $bad of $epochs epochs printed" >&2; status=1
fi
line=$(grep 'executors:' "$tmp/err" || echo "executors: 0 created, 0 invalidated, 0 freed, 0 live")
read -r created invalidated freed live < <(echo "$line" |
  sed -E 's/.* ([0-9]+) created, ([0-9]+) invalidated, ([0-9]+) freed, ([0-9]+) live.*/\1 \2 \3 \4/')
changes=$(grep 'dependencies:' "$tmp/err" | sed -E 's/.* ([0-9]+) invalidations by a change.*/\1/' || echo 0)
if [ "$created" -ne $((freed + live)) ]; then echo "soak: leaked executors" >&2; status=1; fi
if [ "$invalidated" -eq 0 ]; then echo "soak: nothing was invalidated (no churn)" >&2; status=1; fi
warm_at=$(( elapsed_ms / 10 ))
warm=$(awk -v t="$warm_at" '$1 >= t {print $2; exit}' "$tmp/rss")
first=$(head -1 "$tmp/rss" | cut -d' ' -f2)
last=$(tail -1 "$tmp/rss" | cut -d' ' -f2)
max=$(sort -k2 -n "$tmp/rss" | tail -1 | cut -d' ' -f2)
samples=$(wc -l < "$tmp/rss")
warm=${warm:-$last}

echo "soak: $epochs epochs in $((elapsed_ms / 1000)).$(( elapsed_ms % 1000 / 100 ))s, one process; exit $rc; $mism epochs with mismatches"
echo "soak: executors: $created created, $invalidated invalidated ($changes by a rebinding), $freed freed, $live live at exit"
echo "soak: VmRSS kB ($samples samples): first $first, warm (at $((warm_at / 1000))s) $warm, last $last, max $max"
if [ $((last * 10)) -gt $((warm * 11)) ]; then echo "soak: RSS grew" >&2; status=1; fi
exit $status
