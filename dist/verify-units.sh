#!/usr/bin/env bash
# The systemd units parse and name options systemd knows: `systemd-analyze
# verify` on copies whose ExecStart points at this build's binaries.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
if ! command -v systemd-analyze > /dev/null; then
	echo "verify-units: SKIPPED: no systemd-analyze on this machine"
	exit 0
fi
(cd "$ROOT" && cargo build -q -p lxbsmd --bin lxbsmd -p bsm-net --bin bsmcollectd --bin bsmship)
WORK=$(mktemp -d /tmp/bsmkit-units.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
for unit in "$ROOT"/dist/*.service; do
	sed "s|/usr/local/sbin/\([a-z]*\)|$TARGET/debug/\1|g" "$unit" > "$WORK/$(basename "$unit")"
done
if systemd-analyze verify "$WORK"/*.service; then
	echo "verify-units: $(ls "$WORK" | tr '\n' ' ')verified"
else
	echo "verify-units: systemd-analyze found faults in dist/" >&2
	exit 1
fi
