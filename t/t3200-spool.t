#!/bin/sh
# t3200-spool: while the collector is down, the http sink's batches go to an
# fsynced spool on disk and checkpoints move on; the agent is killed with
# SIGKILL, restarted, the collector comes up: the spool is sent, in order, and
# every line arrives. Also: a damaged record costs exactly its events; a full
# spool pauses reading, or drops its oldest when told to, and counts them.
. "${T_SRC:-$(dirname "$0")/..}/t/lib.sh"
t_need "$T_RIGS/http-sink-up.sh" "shared/rigs/http-sink-up.sh (set T_RIGS)"
t_need python3

D=$T_TMP
R=$T_RIGS
SPOOLPY="$T_SRC/t/spool.py"
trap '"$R/rig-down.sh" $D/sink >/dev/null 2>&1; t_cleanup' EXIT
"$R/http-sink-up.sh" $D/sink >/dev/null
PORT=$(cat $D/sink/port)
"$R/rig-down.sh" $D/sink >/dev/null	# the port is ours, the collector down
conf() {	# conf NAME [EXTRA_SPOOL_JSON]
	cat >$D/$1.conf <<EOC
{ "state_dir": "$D/state-$1", "checkpoint_interval": "100ms",
  "metrics": {"listen": "${LISTEN:-}", "events": false},
  "sources": [{"path": "$D/$1.log"}],
  "sinks": [{"type": "http", "url": "http://127.0.0.1:$PORT/ingest",
             "retry_base": "50ms", "retry_max": "200ms", "timeout": "2s",
             "batch": {"max_events": 300, "max_age_ms": 100},
             "spool": {${2:-}}}] }
EOC
}
# ckpt NAME: the checkpointed offset of NAME.log
ckpt() { awk -v p="$D/$1.log" '$7 == p { print $5 }' $D/state-$1/checkpoints 2>/dev/null; }
size() { stat -c %s "$1"; }
spooled() { python3 "$SPOOLPY" "$D/state-$1/spool/http" 2>/dev/null; }

# down_run NAME LINES [EXTRA_SPOOL_JSON]: the collector down, its files
# emptied, NAME.log of LINES lines, and the agent started on it.
down_run() {
	"$R/rig-down.sh" $D/sink >/dev/null
	: >$D/sink/events.ndjson; : >$D/sink/requests.ndjson
	"$LOGGEN" -o $D/$1.log -n $2
	conf $1 "${3:-}"
	AGENT_ERR=$D/$1.err
	t_agent -c $D/$1.conf
}

# --- down, SIGKILL, restart, up ---------------------------------------------
"$LOGGEN" -o $D/kill.log -n 3000
MPORT=$(free_port)
LISTEN=127.0.0.1:$MPORT conf kill
AGENT_ERR=$D/kill.err
t_agent -c $D/kill.conf
t_ok 'collector down: every line spooled, and the checkpoint moves to the end' '
	t_wait_for "spooled kill | grep -q \"events 3000 \"" 20 &&
	t_wait_for "test \"\$(ckpt kill)\" = $(size $D/kill.log)" 10 &&
	grep -q "requests go to the spool in $D/state-kill/spool/http" $D/kill.err &&
	test "$(stat -c %a $D/state-kill/spool/http)" = 700 &&
	for f in $D/state-kill/spool/http/*.seg; do test "$(stat -c %a $f)" = 600 || exit 1; done
'
t_ok '/health says the sink is down and why; /metrics counts the spool' '
	curl -fsS http://127.0.0.1:$MPORT/health >$D/health &&
	python3 - $D/health <<PY &&
import json, sys
h = json.load(open(sys.argv[1]))
k = h["sinks"][0]
print(k)
assert h["status"] == "degraded" and k["up"] is False and "connect" in k["last_error"]
assert k["spool_events"] == 3000 and k["spool_bytes"] > 0
PY
	curl -fsS http://127.0.0.1:$MPORT/metrics >$D/scrape &&
	grep -qx "logagent_sink_spool_events{sink=\"http\"} 3000" $D/scrape &&
	grep -qx "logagent_sink_up{sink=\"http\"} 0" $D/scrape &&
	grep -q "^logagent_sink_batches_retried_total{sink=\"http\"} [1-9]" $D/scrape
'
t_stop_agent KILL
"$LOGGEN" -o $D/more.log -n 1000 --start 3001 && cat $D/more.log >>$D/kill.log
"$R/http-sink-up.sh" $D/sink $PORT >/dev/null
t_agent -c $D/kill.conf
t_ok 'after SIGKILL and a restart: the spool is replayed, new lines follow, each once' '
	t_wait_for "test \"\$(t_lines $D/sink/events.ndjson)\" -ge 4000" 30 && sleep 0.5 &&
	grep -q "left from before; sending them first" $D/kill.err &&
	seq 1 4000 >$D/want && t_exact $D/want $D/sink/events.ndjson
'
t_ok 'the spooled lines arrive in the order they were read' '
	t_seqs $D/sink/events.ndjson | head -3000 >$D/first && seq 1 3000 | cmp -s - $D/first
'
t_ok 'the spool is empty once sent: its segments are removed' '
	t_wait_for "! ls $D/state-kill/spool/http/*.seg >/dev/null 2>&1" 10 &&
	grep -q "the spool is sent" $D/kill.err
'
t_ok 'each spooled request was sent with the Idempotency-Key it was spooled with' '
	python3 - $D/sink/requests.ndjson <<PY
import json, sys
keys = [json.loads(l)["headers"]["Idempotency-Key"] for l in open(sys.argv[1])]
assert len(keys) == len(set(keys)), "a key twice without a failure"
assert all(len(k) >= 18 for k in keys), keys[:3]
PY
'
t_stop_agent TERM

# --- a damaged record: skipped and counted; the others all arrive -------------
down_run dmg 3000
t_wait_for "spooled dmg | grep -q \"events 3000 \"" 20 &&
	t_wait_for "test \"\$(ckpt dmg)\" = $(size $D/dmg.log)" 10
t_stop_agent TERM
damaged=$(python3 "$SPOOLPY" $D/state-dmg/spool/http --damage)
lost=$(echo "$damaged" | awk '{print $2}')
"$R/http-sink-up.sh" $D/sink $PORT >/dev/null
t_ok "a damaged spool record: logged with file and offset, its $lost events the only loss" '
	"$LOGAGENT" -c $D/dmg.conf --oneshot 2>>$D/dmg.err;
	grep -q "a damaged record in $D/state-dmg/spool/http/[0-9a-f]*.seg at offset [0-9]* is skipped" $D/dmg.err &&
	test "$(t_lines $D/sink/events.ndjson)" = $((3000 - lost)) &&
	t_seqs $D/sink/events.ndjson | sort -nu | wc -l | grep -qx $((3000 - lost))
'

# --- full: pause (the default) holds reading; drop_oldest drops and counts ---
down_run full 20000 '"max_bytes": "64KiB"'
t_ok 'a full spool (pause): logged, the spool stays under its cap, the checkpoint stops short' '
	t_wait_for "grep -q \"is full (spool.max_bytes); reading pauses\" $D/full.err" 20 && sleep 1 &&
	b=$(spooled full | awk "{print \$6}") && echo "spool bytes $b" && test "$b" -le 65536 &&
	test "$(ckpt full)" -lt $(size $D/full.log)
'
"$R/http-sink-up.sh" $D/sink $PORT >/dev/null
t_ok 'when the collector is back, reading goes on: every line once' '
	t_wait_for "test \"\$(t_lines $D/sink/events.ndjson)\" -ge 20000" 60 && sleep 0.5 &&
	seq 1 20000 >$D/want && t_exact $D/want $D/sink/events.ndjson
'
t_stop_agent TERM

down_run drop 20000 '"max_bytes": "64KiB", "when_full": "drop_oldest"'
t_ok 'drop_oldest: the checkpoint reaches the end, the spool stays under its cap, drops logged' '
	t_wait_for "test \"\$(ckpt drop)\" = $(size $D/drop.log)" 30 &&
	b=$(spooled drop | awk "{print \$6}") && echo "spool bytes $b" && test "$b" -le 65536 &&
	grep -q "dropped its oldest" $D/drop.err
'
t_stop_agent TERM
"$R/http-sink-up.sh" $D/sink $PORT >/dev/null
t_ok 'drop_oldest: what arrives plus what the log says was dropped is every line, none twice' '
	"$LOGAGENT" -c $D/drop.conf --oneshot 2>>$D/drop.err;
	dropped=$(sed -n "s/.*; \([0-9]*\) dropped so far).*/\1/p" $D/drop.err | tail -1) &&
	got=$(t_lines $D/sink/events.ndjson) && echo "got $got dropped $dropped" &&
	test $((got + dropped)) = 20000 &&
	test "$(t_seqs $D/sink/events.ndjson | sort -nu | wc -l)" = "$got" &&
	t_seqs $D/sink/events.ndjson | sort -n | tail -1 | grep -qx 20000
'
t_done
