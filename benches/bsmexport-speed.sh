#!/usr/bin/env bash
# bsmexport beside `praudit --json` (to /dev/null) and `cat` in the same
# run, on the ~1 M-record benchmark trail: the median of RUNS runs, as
# records/s and MB/s (of input), peak memory, and the Parquet table's size
# beside the trail's. bsmexport runs on one thread (--threads 1): the aim
# is 1,000,000 records/s on one core.
#
#   bash benches/bsmexport-speed.sh [TRAIL] [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."

runs="${2:-5}"
cargo build --release -q -p bsm-reader --bin praudit -p bsm-export --bin bsmexport \
    -p bsm-benches --bin gen-trail
source benches/measure.sh "${1:-}"

table=target/bench-table
row "cat (floor)" cat "$trail"
row "praudit --json" ./target/release/praudit --json "$trail"
row "bsmexport --threads 1" bash -c \
    "rm -rf $table && exec ./target/release/bsmexport --threads 1 --host bench --out $table $trail 2>/dev/null"
echo "trail $(stat -c %s "$trail") bytes; Parquet table $(du -sb "$table" | cut -f1) bytes" \
    "($(find "$table" -name '*.parquet' | wc -l) files)"
