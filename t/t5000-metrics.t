#!/bin/sh
# t5000-metrics: request metrics from a tailed log, scraped by a real Prometheus;
# promtool on the exposition; /health; the endpoint against bad and slow clients;
# metrics events at the end of a window.
. "${T_SRC:-$(dirname "$0")/..}/t/lib.sh"
t_need "$T_RIGS/prometheus-up.sh" "shared/rigs/prometheus-up.sh (set T_RIGS)"
t_need python3

D=$T_TMP
N=20000
"$LOGGEN" -n $N -f json -o $D/app.log
PORT=$(free_port)
cat >$D/c.conf <<EOC
{ "sources": [{"path": "$D/app.log", "name": "api"}],
  "state_dir": "$D/state",
  "metrics": {"listen": "127.0.0.1:$PORT"},
  "sinks": [{"type": "null"}] }
EOC
t_agent -c $D/c.conf
up() { curl -fsS "http://127.0.0.1:$PORT/metrics" >$D/scrape 2>/dev/null &&
	grep -q "^logagent_events_in_total $N\$" $D/scrape; }
t_ok 'GET /metrics: the agent read every line' 't_wait_for up 20'
t_ok 'the exposition passes promtool check metrics and promlint.sh' '
	"$T_RIGS/prometheus-up.sh" $D/prom0 >/dev/null && "$T_RIGS/rig-down.sh" $D/prom0 >/dev/null;
	promtool check metrics <$D/scrape && "$T_RIGS/promlint.sh" $D/scrape
'
t_ok 'series by source, method, route and status class; ids folded into :id' '
	grep -F "logagent_requests_total{source=\"api\",method=\"GET\",route=\"/api/users/:id/orders\",status_class=\"2xx\"}" $D/scrape &&
	! grep -E "route=\"/api/users/[0-9]" $D/scrape
'
t_ok 'the requests counters add up to the lines, errors to the 5xx lines' '
	want_err=$(grep -c "\"status\":5" $D/app.log) &&
	awk "/^logagent_requests_total\\{/ { s += \$NF } END { exit s != $N }" $D/scrape &&
	awk "/^logagent_errors_total\\{/ { s += \$NF } END { exit s != $want_err }" $D/scrape
'
t_ok 'GET /health: ok, with the source and the sink' '
	curl -fsS "http://127.0.0.1:$PORT/health" >$D/health &&
	python3 -c "import json,sys; h=json.load(open(sys.argv[1])); assert h[\"status\"]==\"ok\", h; assert h[\"sources\"][0][\"name\"]==\"api\" and h[\"sources\"][0][\"lag_bytes\"]==0, h; assert h[\"sinks\"][0][\"name\"]==\"null\", h" $D/health
'

# A real Prometheus scrapes it: PromQL over what it stored.
PROM=$D/prom
trap '"$T_RIGS/rig-down.sh" $PROM >/dev/null 2>&1; t_cleanup' EXIT
"$T_RIGS/prometheus-up.sh" $PROM 0 "127.0.0.1:$PORT" >/dev/null
PURL=$(cat $PROM/url)
q() { curl -fsS "$PURL/api/v1/query" --data-urlencode "query=$1" |
	python3 -c "import json,sys; r=json.load(sys.stdin)[\"data\"][\"result\"]; print(r[0][\"value\"][1] if r else \"none\")"; }
scraped() { test "$(q 'sum(logagent_requests_total)')" = "$N"; }
t_ok 'Prometheus: sum(logagent_requests_total) equals the number of lines' 't_wait_for scraped 30'
t_ok 'Prometheus: histogram_quantile(0.95) is within one bucket of the exact p95' '
	got=$(q "histogram_quantile(0.95, sum by (le) (logagent_request_duration_seconds_bucket))") &&
	python3 - "$got" $D/app.log <<PY
import json, math, sys
got = float(sys.argv[1])
lat = sorted(json.loads(l)["latency"] for l in open(sys.argv[2]))
exact = lat[math.ceil(0.95 * len(lat)) - 1]
le = [0, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, math.inf]
i = next(k for k in range(1, len(le)) if exact <= le[k])
print("exact p95", exact, "bucket", le[i - 1], le[i], "promql", got)
assert le[i - 1] <= got <= le[i], "not in the bucket of the exact p95"
PY
'
"$T_RIGS/rig-down.sh" $PROM >/dev/null

# The endpoint against clients that misbehave.
raw() { python3 - "$PORT" "$@" <<'PY'
import socket, sys, time
port, what = int(sys.argv[1]), sys.argv[2]
s = socket.create_connection(("127.0.0.1", port), timeout=15)
if what == "garbage":
    s.sendall(b"\x16\x03\x01\x02\x00garbage\r\n\r\n")
elif what == "longurl":
    s.sendall(b"GET /" + b"a" * 5000 + b" HTTP/1.1\r\n\r\n")
elif what == "bigheader":
    s.sendall(b"GET /metrics HTTP/1.1\r\nX-Big: " + b"x" * (1 << 20) + b"\r\n\r\n")
elif what == "post":
    s.sendall(b"POST /metrics HTTP/1.1\r\nContent-Length: 0\r\n\r\n")
elif what == "slow":
    s.sendall(b"GET /metrics HTTP/1.1\r\n")
    t0 = time.time()
    try:
        while time.time() - t0 < 12:
            s.sendall(b"X-A: b\r\n")
            time.sleep(1)
    except OSError:
        pass
elif what == "notfound":
    s.sendall(b"GET /nope HTTP/1.1\r\nHost: x\r\n\r\n")
data = b""
try:
    while True:
        c = s.recv(65536)
        if not c:
            break
        data += c
except OSError:
    pass
print(data.split(b"\r\n")[0].decode("latin-1"))
PY
}
t_ok 'garbage: 400 and closed' 'raw garbage | grep -q "^HTTP/1.1 400 "'
t_ok 'a 5000-byte URL: 414' 'raw longurl | grep -q "^HTTP/1.1 414 "'
t_ok 'a 1 MiB header: 431' 'raw bigheader | grep -q "^HTTP/1.1 431 "'
t_ok 'POST: 405' 'raw post | grep -q "^HTTP/1.1 405 "'
t_ok 'an unknown path: 404' 'raw notfound | grep -q "^HTTP/1.1 404 "'
t_ok 'slowloris (a header a second, never done): 408 within the timeout' 'raw slow | grep -q "^HTTP/1.1 408 "'
t_ok 'the connection limit holds: the 65th idle connection gets 503, /metrics still answers after' '
	python3 - $PORT <<PY &&
import socket, sys
port = int(sys.argv[1])
idle = [socket.create_connection(("127.0.0.1", port)) for _ in range(64)]
extra = socket.create_connection(("127.0.0.1", port), timeout=5)
line = extra.recv(4096).split(b"\r\n")[0]
print(line)
assert line.startswith(b"HTTP/1.1 503"), line
PY
	t_wait_for "curl -fsS http://127.0.0.1:$PORT/metrics >/dev/null" 10
'
t_ok 'the agent is still up and its log names nothing worse than the bad clients' '
	kill -0 $AGENT_PID && ! grep -E " (error|fatal):" $D/err
'
t_stop_agent TERM

# Metrics events: at the end of each window, one event per series to the sinks.
PORT2=$(free_port)
"$LOGGEN" -n 100 -f json -o $D/ev.log
cat >$D/ev.conf <<EOC
{ "sources": [{"path": "$D/ev.log", "name": "api"}],
  "metrics": {"listen": "127.0.0.1:$PORT2", "windows": ["1m"], "group_by": ["route"]},
  "sinks": [{"type": "stdout", "encoding": "ndjson"}] }
EOC
AGENT_OUT=$D/ev.out
t_agent -c $D/ev.conf
t_ok 'at the minute, a metrics event per route with its counts and quantiles' '
	t_wait_for "grep -q \"\\\"kind\\\":\\\"metrics\\\"\" $D/ev.out" 75 &&
	grep "\"kind\":\"metrics\"" $D/ev.out >$D/ev.metrics &&
	python3 - $D/ev.metrics $D/ev.log <<PY
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
lines = [json.loads(l) for l in open(sys.argv[2])]
assert all(e["window"] == "1m" and e["message"] == "metrics" for e in ev), ev[0]
assert sum(e["requests"] for e in ev) == len(lines), (sum(e["requests"] for e in ev), len(lines))
assert all(0 <= e["p50"] <= e["p99"] <= e["max"] for e in ev), ev
PY
'
t_stop_agent TERM

# The pipeline hands events to metrics a batch at a time. A batch held for
# its max age is still counted at a scrape: figures are as fresh as the
# lines read, not as the lines sent.
PORT3=$(free_port)
"$LOGGEN" -n 50 -f json -o $D/held.log
cat >$D/held.conf <<EOC
{ "sources": [{"path": "$D/held.log", "name": "api"}],
  "state_dir": "$D/held-state",
  "metrics": {"listen": "127.0.0.1:$PORT3", "events": false},
  "sinks": [{"type": "file", "path": "$D/held-out.jsonl", "batch": {"max_age_ms": "10m"}}] }
EOC
t_agent -c $D/held.conf
held() { curl -fsS "http://127.0.0.1:$PORT3/metrics" >$D/held.scrape 2>/dev/null &&
	awk "/^logagent_requests_total\\{/ { s += \$NF } END { exit s != 50 }" $D/held.scrape; }
t_ok 'a scrape counts the lines of a batch the sink has not been sent yet' '
	t_wait_for held 20 && ! test -s $D/held-out.jsonl
'
t_stop_agent TERM
t_ok 'and the held batch is written at stop' 'test $(wc -l <$D/held-out.jsonl) -eq 50'
t_done
