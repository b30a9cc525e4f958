#!/usr/bin/env python3
"""A careless and a hostile user, scripted: runs the real `accord` binary on
wrong files, damaged files, huge files and files it must not touch, and fails
when any run panics, hangs, floods the terminal, changes a file it was not
asked to change, or leaves a file behind.

    python3 .ci/probe.py target/release/accord [--data DIR]

--data is a folder of the kit's generated CSV (gen.py); without it, the
probe generates one with `accord demo --keep-csv`. Every case prints one line;
the last line counts the failures (exit 1 when any).
"""

import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time

BIN = os.path.abspath(sys.argv[1])
DATA = sys.argv[sys.argv.index("--data") + 1] if "--data" in sys.argv else None
LIMIT_S = 10.0  # a run slower than this is a hang
STDERR_MAX = 64 * 1024  # a message longer than this floods the terminal

failures = []
cases = 0


def digest(path):
    """A digest of a file or of a folder's files (names and bytes)."""
    h = hashlib.sha256()
    if os.path.isdir(path):
        for root, _, files in sorted(os.walk(path)):
            for f in sorted(files):
                p = os.path.join(root, f)
                h.update(os.path.relpath(p, path).encode())
                with open(p, "rb") as fh:
                    h.update(fh.read())
    elif os.path.exists(path):
        with open(path, "rb") as fh:
            h.update(fh.read())
    else:
        return None
    return h.hexdigest()


def run(name, args, cwd, expect_exit=(0, 1), untouched=(), absent=(), within=LIMIT_S, stderr_has=None):
    """Runs accord with `args` in `cwd` and checks what a user must be able to rely on."""
    global cases
    cases += 1
    before = {p: digest(os.path.join(cwd, p)) for p in untouched}
    started = time.monotonic()
    try:
        out = subprocess.run([BIN, *args], cwd=cwd, capture_output=True, timeout=within * 3,
                             stdin=subprocess.DEVNULL, env={**os.environ, "NO_COLOR": "1"})
    except subprocess.TimeoutExpired:
        failures.append(f"{name}: still running after {within * 3:.0f} s")
        print(f"FAIL {name}: hang")
        return None
    took = time.monotonic() - started
    problems = []
    if out.returncode not in expect_exit:
        problems.append(f"exit {out.returncode}, expected one of {expect_exit}")
    if out.returncode == 101 or b"panicked at" in out.stderr:
        problems.append("panicked")
    if took > within:
        problems.append(f"took {took:.1f} s (limit {within} s)")
    if len(out.stderr) > STDERR_MAX:
        problems.append(f"{len(out.stderr)} bytes on stderr")
    for p, d in before.items():
        if digest(os.path.join(cwd, p)) != d:
            problems.append(f"changed {p}")
    for p in absent:
        if os.path.exists(os.path.join(cwd, p)):
            problems.append(f"left {p} behind")
    err = out.stderr.decode("utf-8", "replace")
    if stderr_has and stderr_has not in err:
        problems.append(f"stderr lacks {stderr_has!r}")
    first = (err.strip().splitlines() or [""])[-1][:110]
    if problems:
        failures.append(f"{name}: {'; '.join(problems)} — {first}")
        print(f"FAIL {name}: {'; '.join(problems)}\n     {first}")
    else:
        print(f"ok   {name} ({took:.2f} s, exit {out.returncode}): {first}")
    return out


def write(path, data):
    with open(path, "wb") as fh:
        fh.write(data if isinstance(data, bytes) else data.encode())


def main():
    work = tempfile.mkdtemp(prefix="accord-probe-")
    try:
        probe(work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"\nprobe: {cases} cases, {len(failures)} failed")
    for f in failures:
        print(f"  {f}")
    sys.exit(1 if failures else 0)


def probe(w):
    data = DATA
    if data is None:
        data = os.path.join(w, "data")
        subprocess.run([BIN, "demo", "--no-serve", "--leads", "1000", "--db", os.path.join(w, "seed.db"),
                        "--keep-csv", data], check=True, capture_output=True)
    data = os.path.abspath(data)

    # --- the agreement file -------------------------------------------------
    run("check: no file", ["check", "nothing.toml"], w, expect_exit=(1,))
    run("check: a folder", ["check", "."], w, expect_exit=(1,))
    write(os.path.join(w, "empty.toml"), "")
    run("check: empty file", ["check", "empty.toml"], w, expect_exit=(0, 1))
    write(os.path.join(w, "junk.toml"), "".join(f"junk line {i} !!\n" for i in range(100_000)))
    run("check: 100k junk lines", ["check", "junk.toml"], w, expect_exit=(1,), within=1.0)
    shutil.copy(os.path.join(data, "touches.csv"), os.path.join(w, "touches.csv"))
    run("check: a CSV file", ["check", "touches.csv"], w, expect_exit=(1,), within=1.0)
    write(os.path.join(w, "long.toml"), "x = \"" + "a" * 50_000_000 + "\" y\n")
    run("check: a 50 MB line", ["check", "long.toml"], w, expect_exit=(1,), within=2.0)
    write(os.path.join(w, "binary.toml"), bytes(range(256)) * 4096)
    run("check: binary bytes", ["check", "binary.toml"], w, expect_exit=(1,), within=1.0)
    write(os.path.join(w, "latin1.toml"), "name = \"Sch\xf6n\"\n".encode("latin-1"))
    run("check: not UTF-8", ["check", "latin1.toml"], w, expect_exit=(1,), stderr_has="UTF-8")
    run("init", ["init"], w, expect_exit=(0,))
    base = open(os.path.join(w, "accord.toml")).read()
    run("init again keeps the file", ["init"], w, expect_exit=(1,), untouched=["accord.toml"])
    rule = 'when = "lead.score >= mql_threshold'
    assert rule in base, "the default agreement's MQL rule changed: update the probe"
    far = base.replace(rule, rule + " " * 70_000 + "&& lead.nope > 1", 1)
    assert far != base
    write(os.path.join(w, "far.toml"), far)
    run("check: error past column 65,535", ["check", "far.toml"], w, expect_exit=(1,))
    deep = base.replace(rule, 'when = "' + "(" * 100_000 + "true" + ")" * 100_000 + " && lead.score >= mql_threshold", 1)
    write(os.path.join(w, "deep.toml"), deep)
    run("check: 100k nested parentheses", ["check", "deep.toml"], w, expect_exit=(1,), within=2.0)
    wide = base.replace(rule, 'when = "' + " && ".join(["lead.score >= mql_threshold"] * 20_000), 1)
    write(os.path.join(w, "wide.toml"), wide)
    run("check: a 20k-term rule", ["check", "wide.toml"], w, expect_exit=(0, 1), within=2.0)
    rules = base + "".join(f"\n[[scoring.fit]]\nname = \"r{i}\"\nwhen = \"lead.seniority == 'vp'\"\npoints = 1\n"
                           for i in range(100_000))
    write(os.path.join(w, "rules.toml"), rules)
    run("check: 100k rules", ["check", "rules.toml"], w, expect_exit=(1,), within=2.0)
    write(os.path.join(w, "dotted.toml"), base + "\nsla.sales.follow_up_hours = 3\n")
    run("check: dotted key", ["check", "dotted.toml"], w, expect_exit=(1,))

    # --- import ---------------------------------------------------------------
    run("import: no folder", ["import", "nowhere", "--db", "a.db"], w, expect_exit=(1,), absent=["a.db"])
    os.mkdir(os.path.join(w, "empty"))
    run("import: empty folder", ["import", "empty", "--db", "a.db"], w, expect_exit=(1,), absent=["a.db"])
    run("import: dry run", ["import", data, "--db", "a.db", "--dry-run"], w, expect_exit=(0,), absent=["a.db"])
    partial = os.path.join(w, "partial")
    shutil.copytree(data, partial)
    os.rename(os.path.join(partial, "leads.csv"), os.path.join(partial, "Leads.csv"))
    out = run("import: Leads.csv", ["import", "partial", "--db", "a.db"], w, expect_exit=(1,),
              absent=["a.db"], untouched=["partial"])
    if out is not None and b"leads.csv" not in out.stderr:
        failures.append("import: Leads.csv: never says leads.csv is missing")
    write(os.path.join(w, "text.db"), "my notes, not a database\n")
    run("import into a text file", ["import", data, "--db", "text.db"], w, expect_exit=(1,), untouched=["text.db"])
    con = sqlite3.connect(os.path.join(w, "other.db"))
    con.execute("create table t(x)")
    con.execute("insert into t values (1)")
    con.commit()
    con.close()
    run("import into another application's SQLite", ["import", data, "--db", "other.db"], w,
        expect_exit=(1,), untouched=["other.db"])
    run("import: --db is a folder", ["import", data, "--db", "empty"], w, expect_exit=(1,))
    run("import", ["import", data, "--db", "live.db"], w, expect_exit=(0,))
    live_before = digest(os.path.join(w, "live.db"))
    run("import: rejects onto an input file", ["import", data, "--db", "x.db", "--skip-invalid",
                                               "--rejects", os.path.join(data, "leads.csv")], w,
        expect_exit=(1,), untouched=[data])
    run("import: rejects onto an input file, forced", ["import", data, "--db", "x.db", "--skip-invalid",
                                                       "--force", "--rejects", os.path.join(data, "touches.csv")],
        w, expect_exit=(1,), untouched=[data])
    future = os.path.join(w, "future")
    shutil.copytree(data, future)
    lead = open(os.path.join(data, "leads.csv")).readlines()[1].split(",")[0]
    with open(os.path.join(future, "touches.csv"), "a") as fh:
        fh.write(f"T99999999,{lead},2099-01-01T00:00:00Z,page_view,direct,,,\n")
    run("import: a touch in 2099 is refused", ["import", "future", "--db", "d.db"], w, expect_exit=(1,),
        absent=["d.db"], stderr_has="T99999999")
    dirty = os.path.join(w, "dirty")
    shutil.copytree(data, dirty)
    with open(os.path.join(dirty, "touches.csv"), "a") as fh:
        fh.write("not,a,touch\n")
    run("import: rejects into a missing folder", ["import", "dirty", "--db", "d.db", "--skip-invalid",
                                                  "--rejects", "no/such/dir/r.csv"], w, expect_exit=(1,),
        absent=["d.db"])
    write(os.path.join(w, "mine.csv"), "my own file\n")
    run("import: rejects onto an existing file", ["import", "dirty", "--db", "d.db", "--skip-invalid",
                                                  "--rejects", "mine.csv"], w, expect_exit=(1,),
        untouched=["mine.csv"], absent=["d.db"])
    garbage = os.path.join(w, "garbage")
    os.mkdir(garbage)
    write(os.path.join(garbage, "leads.csv"), bytes(range(256)) * 1000)
    run("import: binary leads.csv", ["import", "garbage", "--db", "g.db"], w, expect_exit=(1,), absent=["g.db"])
    write(os.path.join(garbage, "leads.csv"), open(os.path.join(data, "leads.csv")).readline()
          + "L1," + "x" * 5_000_000 + "\n")
    run("import: a 5 MB field", ["import", "garbage", "--db", "g.db"], w, expect_exit=(1,), absent=["g.db"])

    # --- reports and the watcher -----------------------------------------------
    run("report: no database", ["report", "kpi", "--db", "none.db"], w, expect_exit=(1,), absent=["none.db"])
    run("report: a text file", ["report", "kpi", "--db", "text.db"], w, expect_exit=(1,), untouched=["text.db"])
    run("report: another application's SQLite", ["report", "kpi", "--db", "other.db"], w, expect_exit=(1,),
        untouched=["other.db"])
    with open(os.path.join(w, "live.db"), "rb") as fh:
        write(os.path.join(w, "cut.db"), fh.read(8192))
    run("report: a truncated database", ["report", "kpi", "--db", "cut.db"], w, expect_exit=(1,))
    run("report: unknown report", ["report", "nope", "--db", "live.db"], w, expect_exit=(1, 2))
    run("report: bad date", ["report", "kpi", "--db", "live.db", "--from", "2025-13-01"], w, expect_exit=(1, 2))
    run("report: explain an unknown opportunity", ["report", "attribution_campaign", "--db", "live.db",
                                                   "--explain", "O999999"], w, expect_exit=(1,))
    run("watch: no database", ["watch", "--db", "none.db"], w, expect_exit=(1,), absent=["none.db"], within=2.0)

    # --- the demo ---------------------------------------------------------------
    run("demo over a live database", ["demo", "--no-serve", "--leads", "200", "--db", "live.db"], w, expect_exit=(1,),
        untouched=["live.db"])
    run("demo over a text file", ["demo", "--no-serve", "--leads", "200", "--db", "text.db"], w, expect_exit=(1,),
        untouched=["text.db"])
    run("demo over another application's SQLite", ["demo", "--no-serve", "--leads", "200", "--db", "other.db"], w,
        expect_exit=(1,), untouched=["other.db"])
    run("demo --keep-csv into a folder with data", ["demo", "--no-serve", "--leads", "200", "--db", "demo.db",
                                                    "--keep-csv", dirty], w, expect_exit=(1,), untouched=["dirty"])
    run("demo", ["demo", "--no-serve", "--leads", "200", "--db", "demo.db"], w, expect_exit=(0,))
    run("demo again replaces its own database", ["demo", "--no-serve", "--leads", "200", "--db", "demo.db"], w, expect_exit=(0,))
    if digest(os.path.join(w, "live.db")) != live_before:
        failures.append("live.db changed during the probe")


if __name__ == "__main__":
    main()
