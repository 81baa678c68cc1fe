#!/usr/bin/env bash
# Run every fuzz target in turn for SECONDS each (default 600), one process on one core at a
# time (libFuzzer without -jobs: -jobs=1 would only move the output to fuzz-0.log), and
# print one summary line per target: executions, corpus size, crashes. Crash inputs land in
# artifacts/<target>/. Usage: ./run-all.sh [SECONDS] [TARGET...]
# FUZZ_TARGET_DIR: cargo's target directory; FUZZ_PREBUILT=1 runs the binaries built there
# without rebuilding (`cargo fuzz build` first); FUZZ_LOGS: where the logs go (default logs/).
set -uo pipefail
cd "$(dirname "$0")"
secs=${1:-600}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(profile mobileconfig cms intune directory plugin)
export RUSTC_BOOTSTRAP=${RUSTC_BOOTSTRAP:-1}
logs=${FUZZ_LOGS:-logs}
bins=${FUZZ_TARGET_DIR:-target}/x86_64-unknown-linux-gnu/release
mkdir -p "$logs"
for t in "${targets[@]}"; do
  mkdir -p "corpus/$t" "artifacts/$t"
  before=$(ls "corpus/$t" | wc -l)
  start=$(date +%s)
  flags=(-max_total_time="$secs" -print_final_stats=1 -timeout=10 -rss_limit_mb=2048 -max_len=65536)
  if [ "${FUZZ_PREBUILT:-0}" = 1 ]; then
    nice -n 10 "$bins/$t" -artifact_prefix="artifacts/$t/" "${flags[@]}" "corpus/$t" >"$logs/$t.log" 2>&1
  else
    nice -n 10 cargo fuzz run "$t" ${FUZZ_TARGET_DIR:+--target-dir "$FUZZ_TARGET_DIR"} -- \
      "${flags[@]}" >"$logs/$t.log" 2>&1
  fi
  rc=$?
  end=$(date +%s)
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$logs/$t.log" | tail -1 | grep -o '[0-9]*$')
  crashes=$(ls "artifacts/$t" | wc -l)
  echo "$t: rc=$rc seconds=$((end - start)) execs=${execs:-?} corpus=$before->$(ls "corpus/$t" | wc -l) crash_files=$crashes"
done
