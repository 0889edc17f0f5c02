"""Checks the exported table with Spark (pyspark, local mode) against
bsmreport's CSV reports, as duckdb_check.py does with DuckDB.

Usage: spark_check.py TABLE_DIR REPORT_DIR
"""

import glob
import shutil
import sys

from pyspark.sql import SparkSession

from engine_checks import check, check_counts, finish

table, reports = sys.argv[1], sys.argv[2]

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


KEYS = {"event": "event", "auid": "auid", "hour": "date_format(time, 'yyyy-MM-dd HH:00')"}


def counts(kind, host):
    where = "where auid is not null" if kind == "auid" else "where true"
    where += f" and host = '{host}'" if host else ""
    return {r[0]: r[1] for r in query(
        f"select {KEYS[kind]} as k, count(*) from audit {where} group by k")}


check_counts(reports, counts)

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
finish()
