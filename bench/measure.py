#!/usr/bin/env python3
"""Runs a command; prints its wall time (s) and peak RSS (MiB) as `SECONDS RSS_MIB`
on the last line of stderr. Output of the command goes to /dev/null unless
--show is given. Exit status is the command's."""
import resource
import subprocess
import sys
import time

show = sys.argv[1] == "--show"
cmd = sys.argv[2:] if show else sys.argv[1:]
start = time.monotonic()
out = None if show else subprocess.DEVNULL
rc = subprocess.call(cmd, stdout=out, stderr=out)
wall = time.monotonic() - start
rss_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print(f"{wall:.2f} {rss_mib:.0f}", file=sys.stderr)
sys.exit(rc)
