"""Checks the exported table with Spark (pyspark, local mode) against
bsmreport's CSV reports, as duckdb_check.py does with DuckDB.

Usage: spark_check.py TABLE_DIR REPORT_DIR
"""

import collections
import csv
import glob
import shutil
import sys

from pyspark.sql import SparkSession

table, reports = sys.argv[1], sys.argv[2]
HOSTS = ["web1", "web2"]
failed = 0


def check(what, got, want):
    global failed
    if got == want:
        print(f"  ok   {what}")
    else:
        failed += 1
        print(f"  FAIL {what}: got {got}, want {want}")


def rows(host, report):
    with open(f"{reports}/{host}.{report}.csv", newline="") as f:
        return list(csv.DictReader(f))


spark = (
    SparkSession.builder.master("local[1]")
    .appName("bsm-export check")
    .config("spark.sql.session.timeZone", "UTC")
    .config("spark.ui.enabled", "false")
    .config("spark.ui.showConsoleProgress", "false")
    # loopback only: the driver binds nowhere else
    .config("spark.driver.host", "127.0.0.1")
    .config("spark.driver.bindAddress", "127.0.0.1")
    .getOrCreate()
)
spark.sparkContext.setLogLevel("ERROR")
spark.read.parquet(table).createOrReplaceTempView("audit")


def query(sql):
    return spark.sql(sql).collect()


totals = collections.Counter()
for host in HOSTS:
    want = {int(r["event"]): int(r["records"]) for r in rows(host, "events")}
    got = {r[0]: r[1] for r in query(
        f"select event, count(*) from audit where host = '{host}' group by event")}
    check(f"{host}: records per event = bsmreport --events", got, want)
    totals.update(want)

    want = collections.Counter()
    for r in rows(host, "users"):
        if r["auid"]:
            want[int(r["auid"]) % 2**32] += int(r["records"])
    got = {r[0]: r[1] for r in query(
        f"select auid, count(*) from audit where host = '{host}' and auid is not null "
        "group by auid")}
    check(f"{host}: records per audit user = bsmreport --users", got, dict(want))

    want = {r["start"]: int(r["records"]) for r in rows(host, "time") if r["records"] != "0"}
    got = {r[0]: r[1] for r in query(
        "select date_format(time, 'yyyy-MM-dd HH:00') as hour, count(*) from audit "
        f"where host = '{host}' group by hour")}
    check(f"{host}: records per hour = bsmreport --time", got, want)

got = {r[0]: r[1] for r in query("select event, count(*) from audit group by event")}
check("both hosts: records per event", got, dict(totals))

# partition pruning, as in duckdb_check.py: the other host's files spoiled
spoiled = f"{table}.spark-spoiled"
shutil.copytree(table, spoiled)
for path in glob.glob(f"{spoiled}/host=web2/**/*.parquet", recursive=True):
    with open(path, "wb") as f:
        f.write(b"not parquet")
web1 = query("select count(*) from audit where host = 'web1'")[0][0]
frame = spark.read.schema(spark.table("audit").schema).parquet(spoiled)
check("host=web1 read with web2's files spoiled: they are pruned",
      frame.where("host = 'web1'").count(), web1)
days = [str(r[0]) for r in query("select distinct date from audit order by date")]
check("date= partitions: the records' UTC days", days, ["2008-12-28", "2023-11-14"])
shutil.rmtree(spoiled)

spark.stop()
sys.exit(1 if failed else 0)
