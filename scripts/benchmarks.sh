#!/usr/bin/env bash
# Every benchmark of docs/BENCHMARKS.md, in one run: criterion benches (ratios are read off
# pairs measured in this same run), the memory count, the fleet through a real Redis, and the
# compile-time comparison. Needs redis-server and openssl, as the tests do. About 12 minutes.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(date -u +%Y-%m-%dT%H:%MZ)"
# Per package: a workspace-wide build would give tokio the tests' `test-util` clock, which
# the hit path must not be measured with.
cargo bench -p auth-core --features middleware --bench hit_path --bench stampede --bench authorised_request --bench memory
cargo bench -p vendors --features sandbox --bench generated_login --bench fleet_failures
cargo bench -p tests --bench fleet
# Many sellers of one app (issue 25): about 4 minutes; MANY_SELLERS_QUICK=1 for a tenth of it.
cargo bench -p tests --bench many_sellers
python3 auth-macros/benches/compile_time.py --runs 3
