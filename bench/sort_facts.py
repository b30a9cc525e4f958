#!/usr/bin/env python3
"""Reads exported JSON lines on stdin; writes the facts (no stage changes and
no decisions: the engine makes those) sorted by their time, stably, on stdout."""
import json
import sys

TIME_FIELDS = ("occurred_at", "created_at", "closed_at", "hired_at", "started_at",
               "published_at")
KEEP = {"account_recorded", "rep_recorded", "campaign_recorded", "content_published",
        "target_set", "lead_created", "touched", "opportunity_created",
        "opportunity_closed", "rep_away"}

def when(obj):
    for f in TIME_FIELDS:
        if obj.get(f):
            return obj[f]
    if obj.get("month"):
        return obj["month"] + "-01T00:00:00Z"
    return ""

rows = []
for line in sys.stdin:
    obj = json.loads(line)
    if obj.get("type") in KEEP:
        rows.append((when(obj), line))
rows.sort(key=lambda r: r[0])
sys.stdout.writelines(line for _, line in rows)
