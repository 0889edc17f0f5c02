#!/usr/bin/env bash
# The exported table as real engines read it: DuckDB and Spark (local
# mode; their Python packages installed into the work directory from PyPI,
# Spark on the machine's Java 17). Two hosts' trails exported into one
# tree; counts by event, by audit user and by hour per host, and over both,
# must equal what bsmreport says of the same trails; a host= and a date=
# filter must leave the other partitions' files unopened.
#
#   bash bsm-export/tests/engines/check.sh
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
	--target "$WORK/py" duckdb pyspark; then
	# PyPI out of reach: said plainly, not a failure of ours
	echo "engines check: SKIPPED: DuckDB's and Spark's Python packages could not be installed from PyPI"
	exit 0
fi
if ! command -v java > /dev/null; then
	apt-get install -y -q openjdk-17-jre-headless > /dev/null
fi

export TZ=UTC
# web2: two days, 2023 and 2008 (a corpus record)
declare -A TRAILS=([web1]="$ROOT/fixtures/sample.bsm"
	[web2]="$SHARED/extra/multi_trail.bsm $SHARED/reference/subject32_record.bsm")
for host in web1 web2; do
	# shellcheck disable=SC2086 # the list of trails
	"$TARGET/release/bsmexport" --out "$WORK/table" --append --host "$host" ${TRAILS[$host]}
	for report in events users time; do
		# shellcheck disable=SC2086
		"$TARGET/release/bsmreport" --$report --csv --utc ${TRAILS[$host]} \
			> "$WORK/$host.$report.csv"
	done
done
echo "DuckDB:"
PYTHONPATH="$WORK/py" python3 "$HERE/duckdb_check.py" "$WORK/table" "$WORK"
echo "Spark (local):"
# loopback only (the test rule): Spark would bind the host's address
SPARK_LOCAL_IP=127.0.0.1 PYTHONPATH="$WORK/py" python3 "$HERE/spark_check.py" "$WORK/table" "$WORK"
