#!/usr/bin/env bash
# lxbsmd's throughput from a FIFO into trail files, fsync at rotation only:
# the ~1 M-record benchmark trail is written into a FIFO that lxbsmd drains
# into a trail directory (rotating at FILESZ); the wall time from lxbsmd's
# start to its exit after SIGTERM (which drains the FIFO first), as
# records/s, and the records the trails hold, counted by auditreduce.
#
#   bash benches/lxbsmd-speed.sh [TRAIL] [FILESZ]
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build --release -q -p lxbsmd --bin lxbsmd -p bsm-reader --bin auditreduce \
    -p bsm-benches --bin gen-trail
trail="${1:-target/bench-trail.bsm}"
filesz="${2:-50M}"
if [ ! -f "$trail" ]; then
    ./target/release/gen-trail "$trail"
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkfifo "$work/fifo"
mkdir "$work/trails"

start=$(date +%s%N)
./target/release/lxbsmd --source "$work/fifo" --dir "$work/trails" --filesz "$filesz" &
daemon=$!
cat "$trail" > "$work/fifo"
kill -TERM "$daemon"
wait "$daemon"
end=$(date +%s%N)

sent=$(./target/release/auditreduce --count -A "$trail" | sed -n 's/^records: //p')
held=$(./target/release/auditreduce --count -A "$work/trails" | sed -n 's/^records: //p')
trails=$(find "$work/trails" -type f | wc -l)
awk -v ns="$((end - start))" -v sent="$sent" -v held="$held" -v t="$trails" 'BEGIN {
    s = ns / 1e9
    printf "sent %d records; the %d trails hold %d (the rest are lxbsmd'"'"'s own)\n", sent, t, held
    printf "%.3f s, %.0f records/s\n", s, sent / s }'
