#!/usr/bin/env python3
"""Report reads of accord beside DuckDB's query for the same report.

    reads.py BIN DB TIMING_JSON LEADS [REPEAT]

For each report, runs `BIN report NAME --format csv --db DB` REPEAT times
(default 5) with ACCORD_TIMING=1 and prints the median wall time of the whole
process and the median in-process read time it reports on stderr, beside
DuckDB's query time for that report from reference.py's timing.json. Two
ratios over DuckDB's query time (lower is better): the in-process read (like
DuckDB's figure, which excludes starting Python and connecting), and the
whole accord process (start, open, read, print)."""
import json
import re
import statistics
import subprocess
import sys
import time

bin_, db, timing_path, leads = sys.argv[1:5]
repeat = int(sys.argv[5]) if len(sys.argv) > 5 else 5
duck = json.load(open(timing_path))["reports_s"]
pattern = re.compile(r"stored views read in ([0-9.]+) ms")

for name, duck_s in duck.items():
    walls, reads = [], []
    for _ in range(repeat):
        start = time.monotonic()
        done = subprocess.run(
            [bin_, "report", name, "--format", "csv", "--db", db],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            env={"ACCORD_TIMING": "1", "PATH": "/usr/bin:/bin"},
        )
        walls.append(time.monotonic() - start)
        if done.returncode != 0:
            sys.exit(f"accord report {name} failed: {done.stderr}")
        m = pattern.search(done.stderr)
        reads.append(float(m.group(1)) if m else float("nan"))
    wall = statistics.median(walls)
    read = statistics.median(reads)
    print(
        f"{leads:<9} {name:<22} {duck_s * 1000:9.1f}ms {wall * 1000:9.1f}ms "
        f"{read:9.2f}ms {read / 1000 / duck_s:8.3f} {wall / duck_s:8.3f}"
    )
