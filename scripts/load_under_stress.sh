#!/usr/bin/env bash
# Runs the reload-under-load test N times (default 20) while two busy loops
# keep both cores occupied, as CI's shared machine may; prints one line a run
# and the count passed. Usage: scripts/load_under_stress.sh [N]
set -u
cd "$(dirname "$0")/.."
runs="${1:-20}"
cargo test --test integration --no-run >/dev/null 2>&1
for _ in 1 2; do (while :; do :; done) & done
trap 'kill $(jobs -p) 2>/dev/null' EXIT
pass=0
for i in $(seq 1 "$runs"); do
  start=$(date +%s.%N)
  if cargo test --test integration -- load::five_hundred >/dev/null 2>&1; then
    pass=$((pass + 1)); result=ok
  else
    result=FAIL
  fi
  echo "run $i: $result $(echo "$(date +%s.%N) - $start" | bc) s"
done
echo "passed $pass of $runs"
