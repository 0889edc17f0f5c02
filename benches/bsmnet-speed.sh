#!/usr/bin/env bash
# bsm-net's speed on loopback: records/s and MB/s from one sender and from
# eight at once, over mutual TLS into a collector that writes and syncs
# every batch before acknowledging it, beside the floor measured in the
# same run (the same bytes over plain TCP).
#
#   bash benches/bsmnet-speed.sh [TRAIL] [WORKDIR]
#
# Without TRAIL it uses the benchmark trail (target/bench-trail.bsm, made
# by gen-trail if missing). WORKDIR (default under /tmp) holds the
# collector's trails: put it on the disk you want to measure.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -q -p bsm-benches --bin gen-trail --bin net-speed
trail="${1:-target/bench-trail.bsm}"
[ -f "$trail" ] || ./target/release/gen-trail "$trail"
./target/release/net-speed "$trail" ${2:+"$2"}
