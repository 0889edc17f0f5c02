#!/usr/bin/env bash
# bsmreport side by side with `auditreduce --count` and `cat FILE > /dev/null`
# in the same run, on the ~1 M-record benchmark trail: the median of RUNS
# runs of each, output to /dev/null, as records/s and MB/s (of input), and
# peak memory (max RSS).
#
#   bash benches/bsmreport-speed.sh [TRAIL] [RUNS]
#
# Without TRAIL it generates the benchmark trail (gen-trail, seeded) in
# target/bench-trail.bsm.
set -euo pipefail
cd "$(dirname "$0")/.."

runs="${2:-7}"
cargo build --release -q -p bsm-reader --bin auditreduce --bin praudit --bin bsmreport \
    -p bsm-benches --bin gen-trail
source benches/measure.sh "${1:-}"

ar=./target/release/auditreduce
br=./target/release/bsmreport
row "cat (floor)" cat "$trail"
row "auditreduce --count" $ar --count "$trail"
row "auditreduce -u 1000 --count" $ar -u 1000 --count "$trail"
for report in summary events users failed hosts time executables logins files io; do
    row "bsmreport --$report" $br --$report "$trail"
done
row "bsmreport -u 1000 --events" $br -u 1000 --events "$trail"
