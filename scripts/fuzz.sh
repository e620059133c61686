#!/usr/bin/env bash
# Runs every fuzz target in fuzz/ with the machine's nightly toolchain.
#   scripts/fuzz.sh                 10 million executions each (the figures in docs/ROBUSTNESS.md)
#   scripts/fuzz.sh --seconds 20    a short run each (what CI does where nightly exists)
# A crash stops the script with libFuzzer's report; the input lands in fuzz/artifacts/<target>/.
set -euo pipefail
cd "$(dirname "$0")/../fuzz"

limit=(-runs=10000000)
if [[ "${1:-}" == "--seconds" ]]; then
    limit=(-max_total_time="${2:?seconds}")
fi

if ! command -v cargo-fuzz >/dev/null; then
    cargo install cargo-fuzz --locked
fi

targets=(login_answer business_answer jwt_payload macro_args)
cargo +nightly fuzz build -O
for target in "${targets[@]}"; do
    mkdir -p "corpus/$target"
    echo "== $target"
    # -max_len: a login answer past a few KiB exercises nothing new but costs time per run.
    cargo +nightly fuzz run -O "$target" "corpus/$target" "seeds/$target" -- \
        "${limit[@]}" -max_len=4096 -print_final_stats=1 2>&1 |
        grep -E '^(stat::|Done|==|SUMMARY|ERROR|#[0-9]+.*DONE)|panicked|Test unit written' || true
    if [[ -n "$(ls -A "artifacts/$target" 2>/dev/null)" ]]; then
        echo "crash inputs in fuzz/artifacts/$target" >&2
        exit 1
    fi
done
