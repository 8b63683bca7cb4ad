#!/bin/sh
# d2-collector-429 (docs/runbook.md, "Collector answering 429"): the
# collector throttles with Retry-After; the whole sink waits at least that
# long, says so, and delivers everything exactly once after.
T_SRC=${T_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$T_SRC/t/lib.sh"
. "$T_SRC/t/drills/drill.sh"
drill_collector
drill_conf $D/c.conf "{\"type\": \"http\", \"url\": \"$S/ingest\", \"retry_base\": \"100ms\", \"timeout\": \"2s\", \"batch\": {\"max_events\": 200, \"max_age_ms\": 100}}"
t_agent -c $D/c.conf
t_wait_for "grep -q 'serving http' $D/err" 10
curl -fsS -X POST --data-binary '[{"status":429,"retry_after":"2","count":3}]' "$S/_faults" >/dev/null
"$LOGGEN" -n 3000 -o $D/app.log

t_ok 'detect: a warning with the status, and the retries counted' '
	t_wait_for "grep -q \"answered HTTP 429\" $D/err" 10 &&
	t_wait_for "test \$(metric \"logagent_sink_batches_retried_total{sink=\\\"http\\\"}\") -ge 3" 15 &&
	grep "answered HTTP 429" $D/err | head -1
'
# A request already on its way when a 429 is answered (max_in_flight 2)
# arrives within milliseconds; none may be sent after the agent read it.
t_ok 'mitigate: after each 429, no new request to the collector for the 2 s it asked' '
	t_wait_for "test \$(t_lines $D/sink/events.ndjson) -ge 3000" 30 &&
	python3 - $D/sink/requests.ndjson <<PY
import json, sys
reqs = sorted((json.loads(l) for l in open(sys.argv[1])), key=lambda r: r["t"])
t429 = [r["t"] for r in reqs if r.get("status") == 429]
assert len(t429) == 3, t429
for t in t429:
    early = [r["t"] - t for r in reqs if 0.1 < r["t"] - t < 1.9]
    print("429 at %.2f: requests 0.1-1.9 s after it: %s" % (t, early))
    assert not early, early
PY
'
t_ok 'recover: /health ok again, and the log says so' '
	t_wait_for "health \"h[\\\"sinks\\\"][0][\\\"up\\\"] and h[\\\"status\\\"] == \\\"ok\\\"\"" 15 &&
	grep -q "takes batches again" $D/err
'
t_ok 'nothing lost, nothing twice' 'drill_exact 3000 $D/sink/events.ndjson'
t_stop_agent TERM
t_done
