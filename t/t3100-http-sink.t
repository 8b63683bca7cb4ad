#!/bin/sh
# t3100-http-sink: batches to real collectors over loopback: our fault-injecting
# http-sink.py (500, 429 with Retry-After, timeouts, resets, refused, 400, 401/403) and a
# real ClickHouse. Judged by exact sequence numbers: nothing lost, nothing twice.
. "${T_SRC:-$(dirname "$0")/..}/t/lib.sh"
t_need "$T_RIGS/http-sink-up.sh" "shared/rigs/http-sink-up.sh (set T_RIGS)"
t_need "$T_RIGS/clickhouse-up.sh" "shared/rigs/clickhouse-up.sh (set T_RIGS)"
t_need python3

D=$T_TMP
R=$T_RIGS
trap '"$R/rig-down.sh" $D/sink >/dev/null 2>&1; "$R/rig-down.sh" $D/ch >/dev/null 2>&1; t_cleanup' EXIT
"$R/http-sink-up.sh" $D/sink >/dev/null
S=$(cat $D/sink/url)
conf() {	# conf FILE URL [EXTRA_SINK_JSON]
	cat >"$1" <<EOC
{ "state_dir": "$D/state-$(basename "$1" .conf)", "checkpoint_interval": "100ms",
  "metrics": {"listen": "", "events": false},
  "sources": [{"path": "$D/app.log"}],
  "sinks": [{"type": "http", "url": "$2", "retry_base": "100ms", "timeout": "1s",
             "batch": {"max_events": 500, "max_age_ms": 200} ${3:-}}] }
EOC
}
sink_seqs() { t_seqs $D/sink/events.ndjson; }
reset_sink() { : >$D/sink/events.ndjson; : >$D/sink/requests.ndjson; curl -fsS -X DELETE "$S/_faults" >/dev/null; }

# --- every fault once: each batch still arrives once ------------------------
"$LOGGEN" -o $D/app.log -n 5000
curl -fsS -X POST --data-binary '[{"status":500},{"status":503,"count":2},{"status":429,"retry_after":"2"},{"delay_ms":3000},{"reset":true},{"close":true}]' "$S/_faults" >/dev/null
conf $D/f.conf "$S/ingest"
# The slow answer (3 s, past the 1 s timeout) is stored by the collector
# after the agent gave up on it and resent: the one duplicate batch allowed.
t_ok 'faults (500, 503, 429 + Retry-After, timeout, reset, close): nothing lost' '
	"$LOGAGENT" -c $D/f.conf --oneshot 2>$D/f.err && sleep 3 &&
	seq 1 5000 >$D/want && t_crash $D/want $D/sink/events.ndjson 500
'
t_ok 'retries are logged with the status, and the recovery' '
	grep -q "answered HTTP 500; retrying" $D/f.err && grep -q "answered HTTP 429" $D/f.err &&
	grep -qE "(Timeout|timed out)" $D/f.err && grep -q "takes batches again" $D/f.err
'
t_ok 'after the 429 with Retry-After: 2, no request for 2 s' '
	python3 - $D/sink/requests.ndjson <<PY
import json, sys
reqs = [json.loads(l) for l in open(sys.argv[1])]
i = next(k for k, r in enumerate(reqs) if r.get("status") == 429)
gap = reqs[i + 1]["t"] - reqs[i]["t"]
print("gap after the 429: %.2f s" % gap)
assert gap >= 1.9, gap
PY
'
t_ok 'gzip and an Idempotency-Key on every request; a batch stored twice has a key seen before' '
	python3 - $D/sink/requests.ndjson <<PY
import json, sys
reqs = sorted((json.loads(l) for l in open(sys.argv[1])), key=lambda r: r["t"])
assert all(r["headers"].get("Content-Encoding") == "gzip" for r in reqs)
keys = [r["headers"]["Idempotency-Key"] for r in reqs]
assert len(keys) > len(set(keys)), "retries should repeat keys"
accepted = [r["headers"]["Idempotency-Key"] for r in reqs if r.get("status") == 200]
print("batches stored twice (same key):", len(accepted) - len(set(accepted)))
assert len(accepted) - len(set(accepted)) <= 1
PY
'

# --- the collector is down at first, then comes up ------------------------
reset_sink
"$R/rig-down.sh" $D/sink >/dev/null
PORT=$(cat $D/sink/port)
conf $D/down.conf "http://127.0.0.1:$PORT/ingest"
AGENT_ERR=$D/down.err
t_agent -c $D/down.conf
t_ok 'refused: logged and retried while the collector is down' '
	t_wait_for "grep -q \"Could not connect\\|Couldn.t connect\\|Connection refused\" $D/down.err" 10
'
"$R/http-sink-up.sh" $D/sink $PORT >/dev/null
t_ok 'when it comes up, every line arrives once' '
	t_wait_for "test \"\$(t_lines $D/sink/events.ndjson)\" -ge 5000" 30 &&
	t_exact $D/want $D/sink/events.ndjson
'
t_stop_agent TERM

# --- 400: not retried; the batch goes to a dead-letter file ---------------
reset_sink
"$LOGGEN" -o $D/app.log -n 10 --start 5001
curl -fsS -X POST --data-binary '[{"status":400}]' "$S/_faults" >/dev/null
conf $D/dl.conf "$S/ingest"
t_ok '400: not retried, written to state_dir/deadletter, logged with the status' '
	"$LOGAGENT" -c $D/dl.conf --oneshot 2>$D/dl.err;
	test -s $D/state-dl/deadletter/http.ndjson &&
	test "$(stat -c %a $D/state-dl/deadletter/http.ndjson)" = 600 &&
	grep -q "refused a batch of .* with HTTP 400 (not retried)" $D/dl.err &&
	cat $D/sink/events.ndjson $D/state-dl/deadletter/http.ndjson >$D/dlall &&
	seq 1 5010 >$D/dlwant && t_exact $D/dlwant $D/dlall
'

# --- 401/403: the credentials, not the batch: it waits, and is sent once they work
reset_sink
"$LOGGEN" -o $D/app.log -n 10 --start 5011
curl -fsS -X POST --data-binary '[{"status":401,"count":2},{"status":403}]' "$S/_faults" >/dev/null
conf $D/auth.conf "$S/ingest"
t_ok '401 and 403: logged as rejected credentials, retried, nothing dead-lettered or lost' '
	"$LOGAGENT" -c $D/auth.conf --oneshot 2>$D/auth.err &&
	grep -q "HTTP 401: the credentials are rejected" $D/auth.err &&
	grep -q "HTTP 403: the credentials are rejected" $D/auth.err &&
	! test -e $D/state-auth/deadletter/http.ndjson &&
	seq 1 5020 >$D/authwant && t_exact $D/authwant $D/sink/events.ndjson
'

# --- Idempotency-Key from what a batch holds, not when it was read ----------
# Plain lines carry no time: each event gets the time it was read, so two
# reads of the same file make different bodies, yet the same keys.
reset_sink
"$LOGGEN" -o $D/plain.log -n 3000 -f plain
for run in 1 2; do
	cat >$D/key$run.conf <<EOC
{ "state_dir": "$D/state-key$run", "metrics": {"listen": "", "events": false},
  "sources": [{"path": "$D/plain.log", "format": "plain"}],
  "sinks": [{"type": "http", "url": "$S/ingest", "batch": {"max_events": 400}}] }
EOC
done
t_ok 'the same lines read twice (as after a crash) are sent under the same keys' '
	"$LOGAGENT" -c $D/key1.conf --oneshot 2>$D/key1.err && sleep 0.2 &&
	"$LOGAGENT" -c $D/key2.conf --oneshot 2>$D/key2.err &&
	python3 - $D/sink/requests.ndjson <<PY
import json, sys
reqs = [json.loads(l) for l in open(sys.argv[1])]
keys = [r["headers"]["Idempotency-Key"] for r in reqs]
half = len(keys) // 2
print(len(keys), "requests; first keys", keys[:2], keys[half:half + 2])
assert len(keys) % 2 == 0 and sorted(keys[:half]) == sorted(keys[half:]), "keys differ between the two reads"
assert len(set(keys[:half])) == half
PY
'

# --- batch.max_age_ms: a trickle of lines goes as one request a second -----
reset_sink
: >$D/trickle.log
cat >$D/trickle.conf <<EOC
{ "state_dir": "$D/state-trickle", "metrics": {"listen": "", "events": false},
  "sources": [{"path": "$D/trickle.log"}],
  "sinks": [{"type": "http", "url": "$S/ingest", "batch": {"max_age_ms": 1000}}] }
EOC
AGENT_ERR=$D/trickle.err
t_agent -c $D/trickle.conf
sleep 0.5
i=0; while [ $i -lt 40 ]; do i=$((i + 1)); echo "{\"seq\":$i}" >>$D/trickle.log; sleep 0.1; done
t_ok 'a line every 100 ms for 4 s: every line, in about one request a second' '
	t_wait_for "test \"\$(t_lines $D/sink/events.ndjson)\" -ge 40" 10 &&
	n=$(t_lines $D/sink/requests.ndjson) && echo "$n requests" &&
	test "$n" -ge 3 && test "$n" -le 7 && seq 1 40 >$D/twant && t_exact $D/twant $D/sink/events.ndjson
'
t_stop_agent TERM

# --- a bearer token from the environment: sent, never logged --------------
reset_sink
curl -fsS -X POST --data-binary '[{"status":500}]' "$S/_faults" >/dev/null
conf $D/tok.conf "$S/ingest" ', "bearer_token": "${T_TOKEN}"'
t_ok 'a bearer token from ${VAR} is sent, and appears in no log line' '
	T_TOKEN=s3cr3t-tok3n-value "$LOGAGENT" -c $D/tok.conf --oneshot --log-level debug 2>$D/tok.err &&
	grep -q "Bearer s3cr3t-tok3n-value" $D/sink/requests.ndjson &&
	! grep -q "s3cr3t-tok3n-value" $D/tok.err
'

# --- the collector encodings: every line once, in each one's shape ----------
"$LOGGEN" -o $D/enc.log -n 50
for enc in json_array loki otlp es_bulk; do
	reset_sink
	cat >$D/enc-$enc.conf <<EOC
{ "metrics": {"listen": "", "events": false}, "sources": [{"path": "$D/enc.log"}],
  "sinks": [{"type": "http", "url": "$S/ingest", "encoding": "$enc"}] }
EOC
	t_ok "encoding $enc: the collector gets all 50 lines in its shape" "
		'$LOGAGENT' -c $D/enc-$enc.conf --oneshot 2>$D/enc-$enc.err &&
		python3 - $enc $D/sink/events.ndjson <<'PY'
import json, sys
enc, got = sys.argv[1], [json.loads(l) for l in open(sys.argv[2])]
if enc == 'json_array':
    seqs = [e['seq'] for e in got]
elif enc == 'loki':
    seqs = [json.loads(v[1])['seq'] for doc in got for st in doc['streams'] for v in st['values']]
    assert all(set(st['stream']) == {'source', 'level'} for doc in got for st in doc['streams'])
    assert all(v[0].isdigit() for doc in got for st in doc['streams'] for v in st['values'])
elif enc == 'otlp':
    recs = [r for doc in got for rl in doc['resourceLogs'] for sl in rl['scopeLogs'] for r in sl['logRecords']]
    seqs = [int(next(a['value']['doubleValue'] for a in r['attributes'] if a['key'] == 'seq')) for r in recs]
    assert all(r['severityNumber'] in (5, 9, 13, 17, 21) and r['timeUnixNano'].isdigit() for r in recs)
else:
    assert all(got[i] == {'create': {}} for i in range(0, len(got), 2)), got[:2]
    seqs = [got[i]['seq'] for i in range(1, len(got), 2)]
assert sorted(seqs) == list(range(1, 51)), sorted(seqs)[:5]
PY
	"
done

# --- ClickHouse: rows and a checksum of the messages match the input -------
"$R/clickhouse-up.sh" $D/ch >/dev/null
CH=$(cat $D/ch/url)
curl -fsS "$CH/" --data-binary "CREATE TABLE logs (time String, level String, message String, source String, seq UInt64) ENGINE = MergeTree ORDER BY seq"
"$LOGGEN" -o $D/ch.log -n 20000
cat >$D/ch.conf <<EOC
{ "state_dir": "$D/state-ch", "metrics": {"listen": "", "events": false},
  "sources": [{"path": "$D/ch.log"}],
  "sinks": [{"type": "http", "encoding": "clickhouse",
             "url": "$CH/?query=INSERT%20INTO%20logs%20FORMAT%20JSONEachRow&input_format_skip_unknown_fields=1"}] }
EOC
t_ok 'ClickHouse (JSONEachRow, gzip): row count and message checksum equal the input' '
	"$LOGAGENT" -c $D/ch.conf --oneshot 2>$D/ch.err &&
	test "$(curl -fsS "$CH/" --data-binary "SELECT count(), uniqExact(seq) FROM logs" | tr "\t" " ")" = "20000 20000" &&
	got=$(curl -fsS "$CH/" --data-binary "SELECT sum(cityHash64(message)) FROM logs") &&
	python3 -c "
import json, sys
for l in open(sys.argv[1]): print(json.dumps({\"m\": json.loads(l)[\"msg\"]}))" $D/ch.log >$D/msgs.json &&
	curl -fsS "$CH/" --data-binary "CREATE TABLE want (m String) ENGINE = Memory" &&
	curl -fsS "$CH/?query=INSERT%20INTO%20want%20FORMAT%20JSONEachRow" --data-binary @$D/msgs.json &&
	want=$(curl -fsS "$CH/" --data-binary "SELECT sum(cityHash64(m)) FROM want") &&
	echo "checksum: $got, want $want" && test "$got" = "$want"
'
t_done
