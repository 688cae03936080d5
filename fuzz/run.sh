#!/usr/bin/env bash
# Build the fuzz targets and run each for a bounded time, on stable Rust and without
# cargo-fuzz: the build passes by hand the coverage flags `cargo fuzz build -s none`
# would (no sanitizer: -Zsanitizer needs nightly, and the engine is safe Rust).
# - check_fix: check then fix on arbitrary bytes; seeds are corpus/*.ps1, each behind
#   a few selector bytes.
# - graphical: the graphical runbook reader; seeds are the .graphrunbook files of
#   corpus/ and ../shared/corpus (when there), as exports and as decoded streams.
# Seeds are made afresh in a temporary folder; what a run learns goes to
# fuzz/corpus/<target> (not committed).
#
#   fuzz/run.sh [SECONDS] [libFuzzer options...]     SECONDS defaults to 180
#   FUZZ_JOBS=2 fuzz/run.sh 600                      one fuzzing process per core
#   GRAPHICAL_SECONDS=60 fuzz/run.sh                 the reader's share (default SECONDS/3)
#
# Ends each target with its total executions and exec/s. On a crash, a hang, running
# out of memory or an invariant violation it prints the panic, the input as base64 and
# as escaped text, and exits non-zero.
set -euo pipefail
cd "$(dirname "$0")"
seconds=${1:-180}
shift || true
jobs=${FUZZ_JOBS:-1}
graphical_seconds=${GRAPHICAL_SECONDS:-$((seconds / 3))}

triple=$(rustc -vV | sed -n 's/^host: //p')
# --target keeps these flags off build scripts and proc macros, as cargo-fuzz does.
export RUSTFLAGS="-Cpasses=sancov-module -Cllvm-args=-sanitizer-coverage-level=4 \
-Cllvm-args=-sanitizer-coverage-inline-8bit-counters -Cllvm-args=-sanitizer-coverage-pc-table \
-Cllvm-args=-sanitizer-coverage-trace-compares -Cllvm-args=-simplifycfg-branch-fold-threshold=0 \
-Cllvm-args=-sanitizer-coverage-stack-depth --cfg fuzzing -Clink-dead-code -Cdebug-assertions"
start=$SECONDS
cargo build --locked --release --target "$triple" --bin check_fix --bin graphical
echo "fuzz: built in $((SECONDS - start)) s"

seeds=$(mktemp -d)
trap 'rm -rf "$seeds"' EXIT

# Run target $1 for $2 seconds on the seeds in $3, with extra libFuzzer options after.
fuzz() {
    local target=$1 time=$2 from=$3
    shift 3
    local binary=target/$triple/release/$target
    mkdir -p "corpus/$target" "artifacts/$target"
    local log=artifacts/$target/last-run.log
    # Crash files from earlier runs must not be taken for this run's.
    find "artifacts/$target" -name 'crash-*' -o -name 'timeout-*' -o -name 'oom-*' | xargs -r rm -f
    local options=(-artifact_prefix="artifacts/$target/" -max_total_time="$time" -timeout=30
        -rss_limit_mb=4096 -print_final_stats=1 "$@")
    local status=0 fuzz_start=$SECONDS
    if [ "$jobs" -gt 1 ]; then
        # Each job stops at max_total_time and shares the corpus folder; libFuzzer
        # copies each job's fuzz-N.log into its own output when the job ends.
        "$binary" "${options[@]}" -jobs="$jobs" -workers="$jobs" "corpus/$target" "$from" >"$log" 2>&1 || status=$?
        rm -f fuzz-*.log
    else
        "$binary" "${options[@]}" "corpus/$target" "$from" >"$log" 2>&1 || status=$?
    fi

    local elapsed=$((SECONDS - fuzz_start)) runs rate crash
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | awk '{ s += $1 } END { print s + 0 }')
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | awk '{ s += $1 } END { print s + 0 }')
    echo "fuzz $target: $runs executions in $elapsed s, $rate exec/s ($jobs job(s)), corpus $(find "corpus/$target" -type f | wc -l) inputs"

    crash=$(find "artifacts/$target" -name 'crash-*' -o -name 'timeout-*' -o -name 'oom-*' | head -n 1)
    if [ "$status" -ne 0 ] || [ -n "$crash" ]; then
        echo "fuzz $target: FAILED (libFuzzer exit $status); what broke (the whole log: fuzz/$log):"
        sed -n '/panicked at/,/^stack backtrace:/p' "$log" | head -n 200
        grep -E '^(==[0-9]+== ERROR|SUMMARY)' "$log" | sort -u
        if [ -n "$crash" ]; then
            echo "fuzz $target: the input, $crash (first byte: the selector):"
            echo "base64: $(base64 -w0 "$crash")"
            echo "text:"
            tail -c +2 "$crash" | LC_ALL=C sed -n "l 0" | head -n 200
            echo "reproduce: echo '$(base64 -w0 "$crash")' | base64 -d >crash && fuzz/$binary crash"
        fi
        exit 1
    fi
}

# Selector bytes (see Selector in tests/support/invariants.rs): between them every
# mode, identity, subscription source and check format.
mkdir "$seeds/check_fix" "$seeds/graphical"
for file in ../corpus/*.ps1; do
    for selector in 00 23 4d 72; do
        { printf "\\x$selector"; cat "$file"; } >"$seeds/check_fix/$selector-$(basename "$file")"
    done
done
# The reader's seeds: odd first byte, the export; even, its decoded definition.
find ../corpus ../../shared/corpus -name '*.graphrunbook' 2>/dev/null | while read -r file; do
    name=$(basename "$file")
    { printf '\x01'; cat "$file"; } >"$seeds/graphical/export-$name"
    { printf '\x00'; python3 -c 'import base64, json, sys; sys.stdout.buffer.write(base64.b64decode(json.load(open(sys.argv[1], encoding="utf-8-sig"))["RunbookDefinition"]))' "$file"; } \
        >"$seeds/graphical/stream-$name"
done

fuzz check_fix "$seconds" "$seeds/check_fix" -dict=check_fix.dict -max_len=8192 "$@"
fuzz graphical "$graphical_seconds" "$seeds/graphical" -max_len=16384 "$@"
