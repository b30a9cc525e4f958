#!/usr/bin/env bash
# `accord serve`'s speed on loopback, in one run:
#   (a) a new lead posted → its decision in the answer (stage, owner,
#       clocks): p50/p99 at RATE new leads/s for SECONDS, open loop (each
#       request due at start + i/RATE, timed from that scheduled time), on
#       the embedded SQLite default with the starter agreement adopted (the
#       SLA clocks run; the server steps them by the wall clock) and a
#       webhook subscribed to every kind, delivered to a local receiver;
#   (b) the batch-ingest ceiling over HTTP (arrays of 1,000 events, the
#       documented maximum, CONNS in flight) beside `accord ingest` of the
#       same lines into a fresh copy of the same database.
#
#   bench/serve.sh [LEADS] [RATE] [SECONDS]      defaults: 100000 500 60
#
# Data as bench/engine.sh: the kit's data (seed 1) under
# ${ACCORD_BENCH_DIR:-/tmp/accord-bench}, exported as JSON lines, facts
# sorted by time. A base database adopts the starter agreement and ingests
# the first 90 % of the lines (kept as serve-base-LEADS.db); (b) sends the
# last 10 %. The load client is crates/accord-serve/examples/serve_load.rs
# (std threads over keep-alive connections). The machine has 2 cores shared
# by the server and the client: repeat (RUNS=3). PARTS=a or PARTS=b runs
# one part; ACCORD_BIN and SERVE_LOAD name binaries to use instead of
# building (another commit's, to compare in one sitting).
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
leads=${1:-100000}
rate=${2:-500}
seconds=${3:-60}
runs=${RUNS:-1}
conns=${CONNS:-2}
parts=${PARTS:-ab}
bench_build accord-serve:serve_load
load=${SERVE_LOAD:-$root/target/release/examples/serve_load}
lines=$(bench_facts "$leads")
work=$(mktemp -d "$base/serve-XXXXXX")
server=
receiver=
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; [ -n "$receiver" ] && kill "$receiver" 2>/dev/null; rm -rf "$work"' EXIT
bench_split "$lines" "$work/facts"
: > "$work/empty.jsonl"

based="$base/serve-base-$leads.db"
if [ ! -f "$based" ]; then
  echo "ingesting the first $head_n lines into $based ..." >&2
  rm -f "$based.tmp"
  bench_adopt "$based.tmp"
  "$bin" ingest "$work/facts.head" --db "$based.tmp" 2>/dev/null
  mv "$based.tmp" "$based"
fi

fresh() { rm -f "$1" "$1-wal" "$1-shm"; cp "$based" "$1"; }

# Starts the server on $1; sets $server, $addr, $token.
serve() {
  "$bin" serve --db "$1" --listen 127.0.0.1:0 --rate 1000000 2> "$work/serve.log" &
  server=$!
  until grep -qs '^serving' "$work/serve.log"; do sleep 0.1; done
  addr=$(sed -n 's#^serving .* on http://\([^ ]*\).*#\1#p' "$work/serve.log")
  token=$(grep -o 'acc_[A-Za-z0-9_-]*' "$work/serve.log" | head -n 1)
  until curl -sf "http://$addr/readyz" >/dev/null; do sleep 0.1; done
}
stop() { kill "$server"; wait "$server" || true; server=; }

# A webhook receiver on loopback answering 204 and counting what it got in
# $1; sets $receiver and $hook_port.
receive() {
  rm -f "$work/receiver.port"
  python3 - "$1" > "$work/receiver.port" <<'PY' &
import http.server, sys
count_file, n = sys.argv[1], 0
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        global n
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_response(204); self.end_headers()
        n += 1
        open(count_file, "w").write(str(n))
    def log_message(self, *a): pass
s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
print(s.server_address[1], flush=True)
s.serve_forever()
PY
  receiver=$!
  until [ -s "$work/receiver.port" ]; do sleep 0.1; done
  hook_port=$(cat "$work/receiver.port")
}

echo "load: $leads leads in the base ($head_n lines), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
for run in $(seq 1 "$runs"); do
  echo "== run $run"
  if [[ $parts == *b* ]]; then
  # (b) accord ingest of the tail, then the same over HTTP.
  fresh "$work/ingest.db"
  t0=$(date +%s.%N)
  "$bin" ingest "$work/empty.jsonl" --db "$work/ingest.db" 2>/dev/null
  t1=$(date +%s.%N)
  "$bin" ingest "$work/facts.tail" --db "$work/ingest.db" 2> "$work/ingest.log" || true
  t2=$(date +%s.%N)
  python3 - "$t0" "$t1" "$t2" "$tail_n" "$(tail -n 1 "$work/ingest.log")" <<'PY'
import sys
t0, t1, t2, n = map(float, sys.argv[1:5])
load, whole = t1 - t0, t2 - t1
print(f"accord ingest: {int(n)} lines in {whole:.2f} s = {n/whole:.0f} events/s "
      f"(loading the state alone {load:.2f} s; after it {n/(whole-load):.0f} events/s): {sys.argv[5]}")
PY
  fresh "$work/http.db"
  serve "$work/http.db"
  "$load" batches "$addr" "$token" "$work/facts.tail" 1000 "$conns"
  stop
  fi
  if [[ $parts == *a* ]]; then
  # (a) new leads at RATE/s, with a webhook subscribed to every event kind
  # (a local receiver answering 204; HOOKS=0 leaves it out; HOOK_URL names
# another receiver, e.g. http://127.0.0.1:9/ for one that is down).
  fresh "$work/lat.db"
  if [ "${HOOKS:-1}" = 1 ]; then
    receive "$work/hooks.count"
    "$bin" hook create "${HOOK_URL:-http://127.0.0.1:$hook_port/hook}" --db "$work/lat.db" \
      --events lead.mql,lead.routed,lead.accepted,lead.rejected,sla.breached,sla.escalated,opportunity.won >/dev/null
  fi
  serve "$work/lat.db"
  "$load" leads "$addr" "$token" "$rate" "$seconds" "${LEAD_CONNS:-64}"
  stop
  if [ -n "$receiver" ]; then
    kill "$receiver" 2>/dev/null; wait "$receiver" 2>/dev/null || true; receiver=
    echo "webhooks: $(cat "$work/hooks.count" 2>/dev/null || echo 0) deliveries received during the run"
  fi
  fi
done
