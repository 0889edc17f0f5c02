#!/usr/bin/env bash
# praudit side by side with `cat FILE > /dev/null`, on the ~1 M-record
# benchmark trail: the median of RUNS runs of each mode, output to /dev/null,
# as records/s and MB/s, and each mode's peak memory (max RSS).
#
#   bash benches/praudit-speed.sh [TRAIL] [RUNS]
#
# Without TRAIL it generates the benchmark trail (gen-trail, seeded) in
# target/bench-trail.bsm. OpenBSM's praudit is measured too if it is on PATH
# as `openbsm-praudit`.
set -euo pipefail
cd "$(dirname "$0")/.."

runs="${2:-5}"
cargo build --release -q -p bsm-reader --bin praudit -p bsm-benches --bin gen-trail
source benches/measure.sh "${1:-}"

row "cat (floor)" cat "$trail"
row "praudit (default)" ./target/release/praudit "$trail"
row "praudit -n" ./target/release/praudit -n "$trail"
row "praudit -r" ./target/release/praudit -r "$trail"
row "praudit -l" ./target/release/praudit -l "$trail"
row "praudit -x" ./target/release/praudit -x "$trail"
row "praudit --json" ./target/release/praudit --json "$trail"
if command -v openbsm-praudit > /dev/null; then
    row "OpenBSM praudit -r" openbsm-praudit -r "$trail"
fi
