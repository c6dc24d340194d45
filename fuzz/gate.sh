#!/usr/bin/env bash
# The fuzz gate: builds every cargo-fuzz target and runs each for a short fixed time
# (FUZZ_SECONDS, default 30) under libFuzzer's memory and time limits. Any crash, leak,
# timeout (a hang) or out-of-memory (a blow-up) fails the gate; the input that caused it
# is left in fuzz/artifacts/<target>/.
#
# Needs the nightly toolchain; installs cargo-fuzz when it is missing. Outside CI it
# skips (status 0, with a notice) when no nightly toolchain is installed; with CI=true
# (as .ci/run sets it) that is a failure, as is any target of fuzz_targets/ that
# `cargo fuzz list` does not name: a gate that runs nothing must not pass.
#
#   fuzz/gate.sh                      all targets, 30 s each
#   FUZZ_SECONDS=600 fuzz/gate.sh binlog_file thl_file
set -euo pipefail
fuzz_dir="$(cd "$(dirname "$0")" && pwd)"
cd "$fuzz_dir"
seconds="${FUZZ_SECONDS:-30}"

in_ci=false
if [ "${CI:-}" = "true" ]; then
    in_ci=true
fi

if ! rustup toolchain list 2>/dev/null | grep -q '^nightly'; then
    if $in_ci; then
        echo "fuzz gate: FAILED: no nightly toolchain (CI=true requires the gate to run)" >&2
        exit 1
    fi
    echo "fuzz gate: no nightly toolchain, skipped"
    exit 0
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
    cargo install cargo-fuzz --locked
fi

# Longest input per target: whole files get room for several events or records; single
# bodies and values stay small so the fuzzer spends its time on structure.
max_len() {
    case "$1" in
        binlog_file | thl_file | thl_index_parts | thl_list_render) echo 40000 ;;
        binlog_rows | binlog_transaction_payload | thl_record) echo 16384 ;;
        *) echo 4096 ;;
    esac
}
dict() {
    case "$1" in
        json_*) echo dict/json.dict ;;
        thl_*) echo dict/thl.dict ;;
        *) echo dict/binlog.dict ;;
    esac
}

if [ "$#" -gt 0 ]; then
    targets=("$@")
else
    mapfile -t targets < <(cargo +nightly fuzz list)
    # Every file of fuzz_targets/ must be a target cargo-fuzz knows: one left out of
    # Cargo.toml would otherwise never run, and an empty list would pass.
    declared=$(find fuzz_targets -maxdepth 1 -name '*.rs' | wc -l)
    if [ "${#targets[@]}" -lt "$declared" ] || [ "${#targets[@]}" -eq 0 ]; then
        echo "fuzz gate: FAILED: cargo fuzz list names ${#targets[@]} targets, fuzz_targets/ holds $declared" >&2
        exit 1
    fi
fi

./seed.sh
cargo +nightly fuzz build

failed=()
for t in "${targets[@]}"; do
    echo "fuzz gate: $t for ${seconds}s"
    mkdir -p "corpus/$t"
    if ! cargo +nightly fuzz run "$t" "corpus/$t" -- \
        -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 \
        -max_len="$(max_len "$t")" -dict="$(dict "$t")" \
        -print_final_stats=1 2>"corpus/$t.log"; then
        tail -n 60 "corpus/$t.log" >&2
        failed+=("$t")
    fi
    grep -E '^(stat::number_of_executed_units|stat::peak_rss_mb|#[0-9]+[[:space:]]+DONE)' "corpus/$t.log" || true
done

if [ "${#failed[@]}" -gt 0 ]; then
    echo "fuzz gate: FAILED: ${failed[*]} (inputs in fuzz/artifacts/)" >&2
    exit 1
fi
echo "fuzz gate: ${#targets[@]} targets ran ${seconds}s each without a crash"
