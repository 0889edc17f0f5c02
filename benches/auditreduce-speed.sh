#!/usr/bin/env bash
# auditreduce side by side with `cat FILE > /dev/null`, on the ~1 M-record
# benchmark trail: the median of RUNS runs of each selection, output to
# /dev/null, as records/s and MB/s (of input), and peak memory (max RSS).
#
#   bash benches/auditreduce-speed.sh [TRAIL] [RUNS]
#
# auditreduce selects on one thread per core; the --threads 1 rows show one
# thread alone. Without TRAIL it generates the benchmark trail (gen-trail,
# seeded) in target/bench-trail.bsm. OpenBSM's auditreduce is measured too if it is on
# PATH as `openbsm-auditreduce`.
set -euo pipefail
cd "$(dirname "$0")/.."

runs="${2:-7}"
cargo build --release -q -p bsm-reader --bin auditreduce --bin praudit -p bsm-benches --bin gen-trail
source benches/measure.sh "${1:-}"

ar=./target/release/auditreduce
row "cat (floor)" cat "$trail"
row "auditreduce -A" $ar -A "$trail"
row "auditreduce -u 1000" $ar -u 1000 "$trail"
row "auditreduce -m AUE_EXECVE" $ar -m AUE_EXECVE "$trail"
row "auditreduce -c fr" $ar -c fr "$trail"
row "auditreduce -o file=passwd" $ar -o 'file=passwd' "$trail"
row "auditreduce -o file=^/etc/,~^/home/" $ar -o 'file=^/etc/,~^/home/' "$trail"
row "auditreduce -o sock=22" $ar -o sock=22 "$trail"
row "auditreduce -u 1000 --count" $ar -u 1000 --count "$trail"
# The same on one thread (the default is one per core).
row "auditreduce -u 1000 --threads 1" $ar -u 1000 --threads 1 "$trail"
row "auditreduce -m AUE_EXECVE --threads 1" $ar -m AUE_EXECVE --threads 1 "$trail"
row "auditreduce -o file=passwd --threads 1" $ar -o 'file=passwd' --threads 1 "$trail"
if command -v openbsm-auditreduce > /dev/null; then
    row "OpenBSM auditreduce -u 1000" openbsm-auditreduce -u 1000 "$trail"
    row "OpenBSM auditreduce -m AUE_EXECVE" openbsm-auditreduce -m AUE_EXECVE "$trail"
fi
