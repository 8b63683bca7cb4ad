#!/bin/sh
# d3-credentials (docs/runbook.md, "Credentials rejected"): the collector
# answers 401, then 403, until an operator fixes the credentials. The agent
# keeps every batch (spooled, never dead-lettered), logs an error that
# says what to do, and delivers everything once they are accepted.
T_SRC=${T_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$T_SRC/t/lib.sh"
. "$T_SRC/t/drills/drill.sh"
drill_collector
export DRILL_TOKEN=s3cr3t-t0ken-for-drill
drill_conf $D/c.conf "{\"type\": \"http\", \"url\": \"$S/ingest\", \"bearer_token\": \"\${DRILL_TOKEN}\", \"retry_base\": \"100ms\", \"retry_max\": \"500ms\", \"batch\": {\"max_events\": 200, \"max_age_ms\": 100}}"
curl -fsS -X POST --data-binary '[{"status":401,"count":5},{"status":403,"count":-1}]' "$S/_faults" >/dev/null
t_agent -c $D/c.conf
"$LOGGEN" -n 2000 -o $D/app.log

t_ok 'detect: an error naming the status and what to do; /health degraded with "HTTP 403"' '
	t_wait_for "grep -q \"answered HTTP 403: the credentials are rejected; fix them\" $D/err" 20 &&
	grep -q "answered HTTP 401: the credentials are rejected" $D/err &&
	t_wait_for "health \"h[\\\"sinks\\\"][0][\\\"last_error\\\"] == \\\"HTTP 403\\\" and h[\\\"status\\\"] == \\\"degraded\\\"\"" 10
'
t_ok 'mitigate: every line waits in the spool; nothing goes to the dead-letter file' '
	t_wait_for "test \$(metric \"logagent_sink_spool_events{sink=\\\"http\\\"}\") -ge 2000" 20 &&
	test "$(metric "logagent_sink_batches_dead_total{sink=\"http\"}")" = 0 &&
	! ls $D/state/deadletter/* 2>/dev/null
'
t_ok 'the token is in no log line and no event' '
	! grep -r "$DRILL_TOKEN" $D/err $D/out $D/sink/events.ndjson
'
curl -fsS -X DELETE "$S/_faults" >/dev/null	# the operator fixes the credentials
t_ok 'recover: accepted again, the spool drains, /health ok' '
	t_wait_for "test \$(metric \"logagent_sink_spool_events{sink=\\\"http\\\"}\") = 0" 30 &&
	t_wait_for "health \"h[\\\"status\\\"] == \\\"ok\\\"\"" 15
'
t_ok 'nothing lost, nothing twice; each request carried the token' '
	t_wait_for "test \$(t_lines $D/sink/events.ndjson) -ge 2000" 20 && drill_exact 2000 $D/sink/events.ndjson &&
	python3 -c "
import json, sys
r = [json.loads(l) for l in open(sys.argv[1])]
assert all(x[\"headers\"].get(\"Authorization\") == \"Bearer \" + sys.argv[2] for x in r), r[0][\"headers\"]
" $D/sink/requests.ndjson "$DRILL_TOKEN"
'
t_stop_agent TERM
t_done
