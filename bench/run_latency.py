#!/usr/bin/env python3
"""From an event's commit to `accord run` having applied it and stored the
reports, measured from outside both processes.

    run_latency.py ACCORD_BIN DB BATCHES BATCH_SIZE LEADS RUN_LOG

For each batch, BATCH_SIZE new touches on random existing leads (ids
L0000001.., as the kit numbers them), dated now, go through `accord ingest`
in its own process. This process polls the database read-only every ~0.5 ms:
t_commit = the first poll that sees the log's head move, t_stored = the
first poll that sees the stored reports (views, written in one transaction)
at that head or later. Prints p50/p99/max of t_stored - t_commit, and of the
daemon's own step times read from RUN_LOG ("every report up to date in X ms").
Polling makes each latency up to ~0.5 ms too short or too long."""
import datetime
import os
import random
import re
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time

bin_, db, batches, size, leads, run_log = sys.argv[1:7]
batches, size, leads = int(batches), int(size), int(leads)
con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, isolation_level=None)


def head():
    return con.execute("SELECT coalesce(max(seq), 0) FROM log").fetchone()[0]


def views_head():
    row = con.execute("SELECT head FROM views WHERE name = 'report/kpi'").fetchone()
    return row[0] if row else -1


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


rng = random.Random(1)
lat = []
with tempfile.TemporaryDirectory() as tmp:
    for b in range(batches):
        now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        path = os.path.join(tmp, f"b{b}.jsonl")
        with open(path, "w") as f:
            for i in range(size):
                lead = rng.randint(1, leads)
                f.write(
                    '{"type":"touched","touch_id":"TB%06d%04d","lead_id":"L%07d",'
                    '"occurred_at":"%s","kind":"pricing_page_view","channel":"organic_search"}\n'
                    % (b, i, lead, now)
                )
        h0 = head()
        p = subprocess.Popen([bin_, "ingest", path, "--db", db], stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE)
        t_commit = None
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            h = head()
            t = time.monotonic()
            if t_commit is None and h > h0:
                t_commit, h_new = t, h
            if t_commit is not None and views_head() >= h_new:
                lat.append((t - t_commit) * 1000)
                break
            if t_commit is None and p.poll() is not None and head() == h0:
                sys.exit(f"ingest stored nothing: {p.stderr.read().decode()}")
            time.sleep(0.0005)
        else:
            sys.exit("the reports never reached the new head")
        p.wait()

steps = [float(m) for m in re.findall(r"every report up to date in ([0-9.]+) ms", open(run_log).read())]
print(f"commit -> stored (outside, {len(lat)} batches of {size} touches): "
      f"p50 {pct(lat, 50):.1f} ms, p99 {pct(lat, 99):.1f} ms, max {max(lat):.1f} ms, "
      f"mean {statistics.mean(lat):.1f} ms")
if steps:
    print(f"accord run's own step (read, apply, store; {len(steps)} steps): "
          f"p50 {pct(steps, 50):.1f} ms, p99 {pct(steps, 99):.1f} ms, max {max(steps):.1f} ms")
