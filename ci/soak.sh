#!/usr/bin/env bash
# Executor churn soak: runs tests/stress/churn.py under `--tier jit --stats`
# again and again for SECONDS (default 60), checks each run's output against
# python3's, samples VmRSS of each run, and prints the executor counters.
# Pass: every output matches, RSS stays flat (last run's peak within 10% of
# the first's), and created == freed + live at exit in every run.
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-60}"
bin="${CPJIT:-target/release/cpjit}"
prog=tests/stress/churn.py
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 "$prog" > "$tmp/expected"
end=$(( $(date +%s) + secs ))
runs=0; bad=0; leaks=0; first_peak=0; max_peak=0; last_peak=0
while [ "$(date +%s)" -lt "$end" ]; do
  "$bin" run --tier jit --stats "$prog" > "$tmp/out" 2> "$tmp/err" &
  pid=$!
  peak=0
  while kill -0 "$pid" 2>/dev/null; do
    rss=$(awk '/^VmRSS/ {print $2}' "/proc/$pid/status" 2>/dev/null || true)
    if [ -n "$rss" ] && [ "$rss" -gt "$peak" ]; then peak=$rss; fi
    sleep 0.05
  done
  rc=0; wait "$pid" || rc=$?
  runs=$((runs + 1))
  if [ "$rc" -ne 0 ] || ! cmp -s "$tmp/out" "$tmp/expected"; then
    bad=$((bad + 1)); echo "run $runs: exit $rc or wrong output" >&2; tail -3 "$tmp/err" >&2
  fi
  line=$(grep 'executors:' "$tmp/err" || true)
  read -r created invalidated freed live < <(echo "$line" |
    sed -E 's/.* ([0-9]+) created, ([0-9]+) invalidated, ([0-9]+) freed, ([0-9]+) live.*/\1 \2 \3 \4/')
  if [ "$created" -ne $((freed + live)) ]; then leaks=$((leaks + 1)); fi
  [ "$first_peak" -eq 0 ] && first_peak=$peak
  [ "$peak" -gt "$max_peak" ] && max_peak=$peak
  last_peak=$peak
done
echo "soak: $runs runs in ${secs}s; $bad wrong/crashed; $leaks with leaked executors"
echo "soak: last run executors: $created created, $invalidated invalidated, $freed freed, $live live at exit"
echo "soak: peak RSS kB: first run $first_peak, last run $last_peak, max $max_peak"
status=0
[ "$bad" -eq 0 ] || status=1
[ "$leaks" -eq 0 ] || status=1
if [ $((last_peak * 10)) -gt $((first_peak * 11)) ]; then echo "soak: RSS grew" >&2; status=1; fi
exit $status
