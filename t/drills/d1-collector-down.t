#!/bin/sh
# d1-collector-down (docs/runbook.md, "Collector down"): the collector is
# stopped while lines are written; the agent spools, /health and /metrics
# say so, and once the collector is back everything arrives exactly once.
T_SRC=${T_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$T_SRC/t/lib.sh"
. "$T_SRC/t/drills/drill.sh"
R=$T_RIGS
drill_collector
drill_conf $D/c.conf "{\"type\": \"http\", \"url\": \"$S/ingest\", \"retry_base\": \"100ms\", \"retry_max\": \"1s\", \"timeout\": \"1s\", \"batch\": {\"max_events\": 200, \"max_age_ms\": 100}}"
t_agent -c $D/c.conf
"$LOGGEN" -n 1000 -o $D/app.log
t_wait_for "test \$(t_lines $D/sink/events.ndjson) -ge 1000" 20
"$R/rig-down.sh" $D/sink >/dev/null
"$LOGGEN" -n 3000 --start 1001 -o $D/app.log

t_ok 'detect: /health says the sink is down, with its error, and the status degraded' '
	t_wait_for "health \"not h[\\\"sinks\\\"][0][\\\"up\\\"] and h[\\\"sinks\\\"][0][\\\"last_error\\\"] and h[\\\"status\\\"] == \\\"degraded\\\"\"" 20
'
t_ok 'detect: logagent_sink_up 0, retries counted, a log line naming the spool' '
	test "$(metric "logagent_sink_up{sink=\"http\"}")" = 0 &&
	test "$(metric "logagent_sink_batches_retried_total{sink=\"http\"}")" -gt 0 &&
	grep -q "the collector fails; requests go to the spool" $D/err
'
t_ok 'mitigate: the lines are spooled on disk and acknowledged (reading goes on)' '
	t_wait_for "test \$(metric \"logagent_sink_spool_events{sink=\\\"http\\\"}\") -ge 3000" 20 &&
	ls $D/state/spool/http* >/dev/null
'
"$R/http-sink-up.sh" $D/sink "$SPORT" >/dev/null
t_ok 'recover: the collector back on its port, the spool drains, /health is ok' '
	t_wait_for "test \$(metric \"logagent_sink_spool_events{sink=\\\"http\\\"}\") = 0" 30 &&
	t_wait_for "health \"h[\\\"sinks\\\"][0][\\\"up\\\"] and h[\\\"status\\\"] == \\\"ok\\\"\"" 20 &&
	grep -q "takes batches again" $D/err
'
t_ok 'nothing lost, nothing twice' '
	t_wait_for "test \$(t_lines $D/sink/events.ndjson) -ge 4000" 20 && drill_exact 4000 $D/sink/events.ndjson
'
t_stop_agent TERM
t_done
