#!/usr/bin/env bash
# The exported table as DuckDB reads it (DuckDB's Python package, installed
# into the work directory from PyPI): two hosts' trails exported into one
# tree; counts by event, by audit user and by hour per host, and over both,
# must equal what bsmreport says of the same trails; a host= and a date=
# filter must leave the other partitions' files unopened.
#
#   bash bsm-export/tests/engines/duckdb-check.sh
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../../.." && pwd)
SHARED=$ROOT/../shared/conformance
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
WORK=$(mktemp -d /tmp/bsmexport-duckdb.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

(cd "$ROOT" && cargo build -q --release -p bsm-export --bin bsmexport -p bsm-reader --bin bsmreport)
if ! python3 -m pip --version > /dev/null 2>&1; then
	apt-get install -y -q python3-pip > /dev/null
fi
if ! PIP_ROOT_USER_ACTION=ignore python3 -m pip install -q --disable-pip-version-check \
	--target "$WORK/py" duckdb; then
	# PyPI out of reach: said plainly, not a failure of ours
	echo "duckdb-check: SKIPPED: DuckDB's Python package could not be installed from PyPI"
	exit 0
fi

export TZ=UTC
# web2: two days, 2023 and 2008 (a corpus record)
declare -A TRAILS=([web1]="$ROOT/fixtures/sample.bsm"
	[web2]="$SHARED/extra/multi_trail.bsm $SHARED/reference/subject32_record.bsm")
for host in web1 web2; do
	# shellcheck disable=SC2086 # the list of trails
	"$TARGET/release/bsmexport" --out "$WORK/table" --host "$host" ${TRAILS[$host]}
	for report in events users time; do
		# shellcheck disable=SC2086
		"$TARGET/release/bsmreport" --$report --csv --utc ${TRAILS[$host]} \
			> "$WORK/$host.$report.csv"
	done
done
PYTHONPATH="$WORK/py" python3 "$HERE/duckdb_check.py" "$WORK/table" "$WORK"
