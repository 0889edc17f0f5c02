"""What duckdb_check.py and spark_check.py share: the ok/FAIL lines, and
the counts by event, audit user and hour that an engine's answers must
equal, from bsmreport's CSV reports (REPORT_DIR/HOST.{events,users,time}.csv).
"""

import collections
import csv
import sys

HOSTS = ["web1", "web2"]
failed = 0


def check(what, got, want):
    global failed
    if got == want:
        print(f"  ok   {what}")
    else:
        failed += 1
        print(f"  FAIL {what}: got {got}, want {want}")


def finish():
    sys.exit(1 if failed else 0)


def rows(reports, host, report):
    with open(f"{reports}/{host}.{report}.csv", newline="") as f:
        return list(csv.DictReader(f))


def check_counts(reports, counts):
    """counts(kind, host) is the engine's {key: records} for kind "event",
    "auid" or "hour" (as "YYYY-MM-DD HH:00"), of one host or (None) all."""
    totals = collections.Counter()
    for host in HOSTS:
        want = {int(r["event"]): int(r["records"]) for r in rows(reports, host, "events")}
        check(f"{host}: records per event = bsmreport --events", counts("event", host), want)
        totals.update(want)
        want = collections.Counter()
        for r in rows(reports, host, "users"):
            if r["auid"]:
                want[int(r["auid"]) % 2**32] += int(r["records"])
        check(f"{host}: records per audit user = bsmreport --users",
              counts("auid", host), dict(want))
        want = {r["start"]: int(r["records"])
                for r in rows(reports, host, "time") if r["records"] != "0"}
        check(f"{host}: records per hour = bsmreport --time", counts("hour", host), want)
    check("both hosts: records per event", counts("event", None), dict(totals))
