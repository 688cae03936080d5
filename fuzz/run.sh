#!/usr/bin/env bash
# Build the check_fix fuzz target and run it for a bounded time, on stable Rust and
# without cargo-fuzz: the build passes by hand the coverage flags `cargo fuzz build
# -s none` would (no sanitizer: -Zsanitizer needs nightly, and the engine is safe
# Rust). Seeds are corpus/*.ps1, each behind a few selector bytes, made afresh in a
# temporary folder; what the run learns goes to fuzz/corpus/check_fix (not committed).
#
#   fuzz/run.sh [SECONDS] [libFuzzer options...]     SECONDS defaults to 180
#   FUZZ_JOBS=2 fuzz/run.sh 600                      one fuzzing process per core
#
# Ends with the total executions and exec/s. On a crash or an invariant violation it
# prints the panic, the input as base64 and as escaped text, and exits non-zero.
set -euo pipefail
cd "$(dirname "$0")"
seconds=${1:-180}
shift || true
jobs=${FUZZ_JOBS:-1}

triple=$(rustc -vV | sed -n 's/^host: //p')
# --target keeps these flags off build scripts and proc macros, as cargo-fuzz does.
export RUSTFLAGS="-Cpasses=sancov-module -Cllvm-args=-sanitizer-coverage-level=4 \
-Cllvm-args=-sanitizer-coverage-inline-8bit-counters -Cllvm-args=-sanitizer-coverage-pc-table \
-Cllvm-args=-sanitizer-coverage-trace-compares -Cllvm-args=-simplifycfg-branch-fold-threshold=0 \
-Cllvm-args=-sanitizer-coverage-stack-depth --cfg fuzzing -Clink-dead-code -Cdebug-assertions"
start=$SECONDS
cargo build --locked --release --target "$triple" --bin check_fix
echo "fuzz: built in $((SECONDS - start)) s"
binary=target/$triple/release/check_fix

# Selector bytes (see Selector in tests/support/invariants.rs): between them every
# mode, identity, subscription source and check format.
seeds=$(mktemp -d)
trap 'rm -rf "$seeds"' EXIT
for file in ../corpus/*.ps1; do
    for selector in 00 23 4d 72; do
        { printf "\\x$selector"; cat "$file"; } >"$seeds/$selector-$(basename "$file")"
    done
done
mkdir -p corpus/check_fix artifacts/check_fix
log=artifacts/check_fix/last-run.log
# Crash files from earlier runs must not be taken for this run's.
find artifacts/check_fix -name 'crash-*' -o -name 'timeout-*' -o -name 'oom-*' | xargs -r rm -f

options=(-artifact_prefix=artifacts/check_fix/ -dict=check_fix.dict -max_total_time="$seconds"
    -max_len=8192 -timeout=30 -rss_limit_mb=4096 -print_final_stats=1 "$@")
status=0
fuzz_start=$SECONDS
if [ "$jobs" -gt 1 ]; then
    # Each job stops at max_total_time and shares the corpus folder; libFuzzer copies
    # each job's fuzz-N.log into its own output when the job ends.
    "$binary" "${options[@]}" -jobs="$jobs" -workers="$jobs" corpus/check_fix "$seeds" >"$log" 2>&1 || status=$?
    rm -f fuzz-*.log
else
    "$binary" "${options[@]}" corpus/check_fix "$seeds" >"$log" 2>&1 || status=$?
fi

elapsed=$((SECONDS - fuzz_start))
runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | awk '{ s += $1 } END { print s + 0 }')
rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | awk '{ s += $1 } END { print s + 0 }')
echo "fuzz: $runs executions in $elapsed s, $rate exec/s ($jobs job(s)), corpus $(find corpus/check_fix -type f | wc -l) inputs"

crash=$(find artifacts/check_fix -name 'crash-*' -o -name 'timeout-*' -o -name 'oom-*' | head -n 1)
if [ "$status" -ne 0 ] || [ -n "$crash" ]; then
    echo "fuzz: FAILED (libFuzzer exit $status); what broke (the whole log: fuzz/$log):"
    sed -n '/panicked at/,/^stack backtrace:/p' "$log" | head -n 200
    grep -E '^(==[0-9]+== ERROR|SUMMARY)' "$log" | sort -u
    if [ -n "$crash" ]; then
        echo "fuzz: the input, $crash (first byte: the selector):"
        echo "base64: $(base64 -w0 "$crash")"
        echo "text:"
        tail -c +2 "$crash" | LC_ALL=C sed -n "l 0" | head -n 200
        echo "reproduce: echo '$(base64 -w0 "$crash")' | base64 -d >crash && fuzz/$binary crash"
    fi
    exit 1
fi
