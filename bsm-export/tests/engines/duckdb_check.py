"""Checks the exported table with DuckDB against bsmreport's CSV reports.

Usage: duckdb_check.py TABLE_DIR REPORT_DIR (REPORT_DIR holds
HOST.events.csv, HOST.users.csv, HOST.time.csv for hosts web1 and web2).
Prints one "ok"/"FAIL" line per check and exits 1 if any failed.
"""

import glob
import shutil
import sys

import duckdb

from engine_checks import check, check_counts, finish

table, reports = sys.argv[1], sys.argv[2]

db = duckdb.connect()
db.execute(
    f"create view audit as select * from read_parquet('{table}/**/*.parquet', "
    "hive_partitioning = true)"
)

KEYS = {"event": "event", "auid": "auid", "hour": "strftime(time, '%Y-%m-%d %H:00')"}


def counts(kind, host):
    where = "where auid is not null" if kind == "auid" else "where true"
    where += " and host = ?" if host else ""
    return dict(db.execute(f"select {KEYS[kind]}, count(*) from audit {where} group by 1",
                           [host] if host else []).fetchall())


check_counts(reports, counts)

# partition pruning: with the other partitions' files spoiled, a host= or
# date= filter still reads, because it never opens them (the first file of
# the glob, host=web1's, is read for the schema and stays whole)
spoiled = f"{table}.spoiled"
shutil.copytree(table, spoiled)
spoil = duckdb.connect()
spoil.execute(
    f"create view audit as select * from read_parquet('{spoiled}/**/*.parquet', "
    "hive_partitioning = true)"
)
for path in glob.glob(f"{spoiled}/host=web2/**/*.parquet", recursive=True):
    with open(path, "wb") as f:
        f.write(b"not parquet")
web1 = db.execute("select count(*) from audit where host = 'web1'").fetchone()[0]
check("host=web1 read with web2's files spoiled: they are pruned",
      spoil.execute("select count(*) from audit where host = 'web1'").fetchone()[0], web1)
try:
    spoil.execute("select count(*) from audit").fetchone()
    check("without the filter the spoiled files are read (and fail)", False, True)
except duckdb.Error:
    check("without the filter the spoiled files are read (and fail)", True, True)
days = [str(d) for (d,) in db.execute("select distinct date from audit order by 1").fetchall()]
check("date= partitions: the records' UTC days", days, ["2008-12-28", "2023-11-14"])
shutil.rmtree(spoiled)
shutil.copytree(table, spoiled)
# (not web1's: DuckDB reads the first file of the glob for the schema)
for path in glob.glob(f"{spoiled}/host=web2/date=2023-11-14/*.parquet"):
    with open(path, "wb") as f:
        f.write(b"not parquet")
old = db.execute("select count(*) from audit where date = '2008-12-28'").fetchone()[0]
check("date=2008-12-28 read with the other day's files spoiled: they are pruned",
      spoil.execute("select count(*) from audit where date = '2008-12-28'").fetchone()[0], old)
by_time = db.execute(
    "select count(*) from audit where strftime(time, '%Y-%m-%d') = '2008-12-28'").fetchone()[0]
check("date=2008-12-28 holds that day's records", old, by_time)
shutil.rmtree(spoiled)
version = db.execute(
    f"select value from parquet_kv_metadata('{table}/**/*.parquet') "
    "where key = 'bsm-export.schema-version' limit 1").fetchone()[0]
check("the schema version is in the files' metadata", version, b"1")

finish()
