#!/bin/sh
# t7200-ratelimit: a source's token bucket against a flood written at ten
# times its rate: the rate holds, errors all pass, lower levels go first,
# and every line is either delivered or counted in a rate_limit summary.
. "${T_SRC:-$(dirname "$0")/..}/t/lib.sh"
t_need python3

D=$T_TMP
RATE=200
PORT=$(free_port)
: >$D/app.log
cat >$D/c.conf <<EOC
{ "sources": [{"path": "$D/app.log", "name": "api",
    "rate_limit": {"events_per_second": $RATE, "burst": $RATE, "summary_interval": "1s"}}],
  "metrics": {"listen": "127.0.0.1:$PORT", "events": false},
  "sinks": [{"type": "stdout", "encoding": "ndjson"}] }
EOC
AGENT_OUT=$D/out
t_agent -c $D/c.conf
t_wait_for "grep -q 'serving http' $D/err" 10
start=$(date +%s)
"$LOGGEN" -f json -r 2000 -n 8000 -o $D/app.log
end=$(date +%s)
N=8000
settled() { test $(( $(grep -c '"seq":' $D/out) + $(python3 -c "
import json, sys
print(sum(json.loads(l)['dropped'] for l in open(sys.argv[1]) if '\"kind\":\"rate_limit\"' in l))" $D/out) )) -ge $N; }
t_ok 'every line is delivered or counted as dropped in a summary (8000 written at 2000/s)' '
	t_wait_for settled 20 && sleep 1.5 &&
	python3 - $D/out $N <<PY
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
got = [e for e in ev if "seq" in e]
sums = [e for e in ev if e.get("kind") == "rate_limit"]
dropped = sum(e["dropped"] for e in sums)
assert len(set(e["seq"] for e in got)) == len(got), "duplicates"
print("delivered", len(got), "dropped", dropped, "summaries", len(sums))
assert len(got) + dropped == int(sys.argv[2]), (len(got), dropped)
for e in sums:
    assert e["dropped"] == sum(e["dropped_" + l] for l in ("debug", "info", "warn", "error", "fatal")), e
    assert e["dropped_error"] == 0 and e["dropped_fatal"] == 0, e
    assert e["source"] == "api" and e["level"] == "warn", e
PY
'
t_ok 'every error kept' '
	test "$(grep -c "\"level\":\"error\"" $D/app.log)" = "$(grep "\"seq\":" $D/out | grep -c "\"level\":\"error\"")"
'
t_ok "the others at the configured rate: at most burst + $RATE/s over the time written" '
	secs=$(( end - start + 1 )) &&
	kept=$(grep "\"seq\":" $D/out | grep -vc "\"level\":\"error\"") && errs=$(grep "\"seq\":" $D/out | grep -c "\"level\":\"error\"") &&
	echo "kept below error: $kept, errors: $errs, in at most $secs s" &&
	test "$kept" -le $(( RATE + RATE * secs )) && test "$kept" -ge $RATE
'
t_ok 'lower levels go first: a smaller share of debug kept than of info, of info than of warn' '
	python3 - $D/app.log $D/out <<PY
import json, sys
def count(path):
    c = {}
    for l in open(path):
        e = json.loads(l)
        if "seq" in e:
            c[e["level"]] = c.get(e["level"], 0) + 1
    return c
w, k = count(sys.argv[1]), count(sys.argv[2])
share = {l: k.get(l, 0) / w[l] for l in ("debug", "info", "warn") if w.get(l)}
print(share)
assert share["debug"] <= share["info"] <= share["warn"], share
PY
'
t_ok 'counted in /metrics and /health, and a warning in the agent log' '
	dropped=$(python3 -c "
import json, sys
print(sum(json.loads(l)[\"dropped\"] for l in open(sys.argv[1]) if \"\\\"kind\\\":\\\"rate_limit\\\"\" in l))" $D/out) &&
	curl -fsS "http://127.0.0.1:$PORT/metrics" | grep -qx "logagent_events_dropped_total{reason=\"rate_limit\"} $dropped" &&
	curl -fsS "http://127.0.0.1:$PORT/health" | grep -q "\"rate_limited\":$dropped," &&
	grep -q "warn: source api: .*rate limit: dropped" $D/err
'
t_stop_agent TERM
t_ok 'a clean stop' 'test $AGENT_RC = 0'
t_done
