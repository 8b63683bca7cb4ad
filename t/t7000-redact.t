#!/bin/sh
# t7000-redact: a corpus of secrets in every position never reaches an output: stdout, pretty text, a file sink,
# an http collector, its spool and dead-letter file, /metrics, the summary, the agent's log.
. "${T_SRC:-$(dirname "$0")/..}/t/lib.sh"

log=$T_TMP/app.log
secrets=$T_TMP/secrets
# Each secret once in this list, and somewhere in the log.
cat >"$secrets" <<'EOF'
hunter2hunter2
k-live-9f8e7d6c5b
S3cretPassw0rd
tok_live_1234567890
qwertyuiop123
sess-abcdef-0042
abcDEF123456789xyz
dXNlcjpzM2NyZXRwYXNz
AKIAIOSFODNN7EXAMPLE
wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY
eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U
MIIEowIBAAKCAQEAx7y
4111111111111111
5500 0000 0000 0004
3782-822463-10005
6011000990139424
swordfish-logfmt-77
EOF
# Found only by the config's own pattern.
echo 'ssn=123-45-6789' >"$secrets.user"
{
	# JSON: a secret field, a message, a nested object (raw), a URL with a password.
	echo '{"level":"info","msg":"login ok","password":"hunter2hunter2","user":"bob"}'
	echo '{"level":"info","msg":"called with X-Api-Key: k-live-9f8e7d6c5b","req":{"headers":{"authorization":"Bearer abcDEF123456789xyz"}}}'
	echo '{"level":"error","msg":"db down","dsn":"postgres://app:S3cretPassw0rd@db.internal:5432/app"}'
	echo '{"level":"warn","msg":"GET /cb?code=1&access_token=tok_live_1234567890&x=1","path":"/cb?token=qwertyuiop123&a=b","status":500}'
	echo '{"level":"error","msg":"session expired","session_id":"sess-abcdef-0042"}'
	echo '{"level":"info","msg":"aws AKIAIOSFODNN7EXAMPLE aws_secret_access_key=wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY"}'
	echo '{"level":"info","msg":"jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U seen"}'
	printf '%s\n' '{"level":"fatal","msg":"key -----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAx7y\n-----END RSA PRIVATE KEY----- loaded"}'
	echo '{"level":"info","msg":"paid 5500 0000 0000 0004 and 3782-822463-10005","pan":4111111111111111,"note":"card 6011000990139424"}'
	echo '{"level":"info","msg":"user note ssn=123-45-6789 ok"}'
	# logfmt, an access log line, a plain line.
	echo 'level=error msg="auth failed" password=swordfish-logfmt-77 user=al'
	echo '10.0.0.1 - - [23/Nov/2026:10:00:00 +0000] "GET /login?user=al&password=hunter2hunter2 HTTP/1.1" 401 12 "-" "curl/8"'
	echo 'WARN Authorization: Basic dXNlcjpzM2NyZXRwYXNz rejected'
	# Look-alikes that are no secrets stay.
	echo '{"level":"info","msg":"order 4111111111111112 shipped, passport=yes, tokens=3"}'
} >"$log"
nlines=$(wc -l <"$log")
# The user's pattern, in a config.
cat >$T_TMP/a.conf <<EOF
{ "state_dir": "$T_TMP/state", "log_level": "debug",
  "pipeline": { "redact": { "patterns": ["ssn=[0-9]{3}-[0-9]{2}-[0-9]{4}"], "hash_fields": ["user"], "hash_key": "t7000" } },
  "metrics": { "listen": "", "events": false },
  "sources": [{ "path": "$log", "start_at": "beginning" }],
  "sinks": [{ "type": "stdout" },
            { "type": "file", "path": "$T_TMP/sink/out.jsonl.gz" }] }
EOF

# none FILE...: no secret of the list in any of them.
none() {
	for f in "$@"; do
		if grep -aF -f "$secrets" "$f"; then echo "leaked into $f"; return 1; fi
	done
}

t_ok 'the command line: no secret in the ndjson nor in the summary on stderr' '
	"$LOGAGENT" --from-start --summary "$log" >$T_TMP/cli.out 2>$T_TMP/cli.err &&
	test "$(wc -l <$T_TMP/cli.out)" = $nlines &&
	python3 -c "import json,sys; [json.loads(l) for l in open(sys.argv[1])]" $T_TMP/cli.out &&
	none $T_TMP/cli.out $T_TMP/cli.err &&
	test "$(grep -c "\[REDACTED:" $T_TMP/cli.out)" -ge 12 &&
	grep -q "postgres://app:\[REDACTED:url_password\]@db" $T_TMP/cli.out &&
	grep -q "db down" $T_TMP/cli.err
'
t_ok 'the terminal text (--output pretty): no secret' '
	"$LOGAGENT" --from-start --output pretty --no-summary "$log" >$T_TMP/pretty.out 2>$T_TMP/pretty.err &&
	none $T_TMP/pretty.out $T_TMP/pretty.err
'
t_ok 'look-alikes stay: a number failing Luhn, passport=, tokens=' '
	grep -q "order 4111111111111112 shipped, passport=yes, tokens=3" $T_TMP/cli.out
'
t_ok 'a config: stdout, a gzip file sink and the debug log hold no secret; the user pattern, hashed field' '
	"$LOGAGENT" -c $T_TMP/a.conf --oneshot >$T_TMP/conf.out 2>$T_TMP/conf.err &&
	zcat $T_TMP/sink/*.gz >$T_TMP/sink.out && test "$(wc -l <$T_TMP/sink.out)" = $nlines &&
	none $T_TMP/conf.out $T_TMP/conf.err $T_TMP/sink.out &&
	cat "$secrets.user" >>"$secrets" && none $T_TMP/conf.out $T_TMP/sink.out &&
	grep -q "user note \[REDACTED:pattern\] ok" $T_TMP/sink.out &&
	grep -q "\"user\":\"[0-9a-f]\{16\}\"" $T_TMP/sink.out && ! grep -q "\"user\":\"bob\"" $T_TMP/sink.out
'
t_ok 'a rule turned off lets its kind through (cards: false)' '
	sed "s/\"redact\": {/\"redact\": { \"cards\": false,/" $T_TMP/a.conf >$T_TMP/b.conf &&
	rm -rf $T_TMP/state $T_TMP/sink &&
	"$LOGAGENT" -c $T_TMP/b.conf --oneshot >$T_TMP/b.out 2>$T_TMP/b.err &&
	grep -q "6011000990139424" $T_TMP/b.out && ! grep -q "hunter2hunter2" $T_TMP/b.out
'
t_ok 'a pattern that is no regex: refused at load, with where' '
	sed "s/ssn=\[0-9\]{3}/ssn=([0-9/" $T_TMP/a.conf >$T_TMP/c.conf &&
	! "$LOGAGENT" -c $T_TMP/c.conf --check-config >$T_TMP/c.out 2>&1 &&
	cat $T_TMP/c.out && grep -q "pipeline.*redact.patterns\[0\].*not a valid regular expression" $T_TMP/c.out
'

# An http sink: one batch refused (400: the dead-letter file), the rest
# spooled while the collector fails, then delivered; /metrics scraped.
t_need "$T_RIGS/http-sink-up.sh" "shared/rigs/http-sink-up.sh (set T_RIGS)"
trap '"$T_RIGS/rig-down.sh" $T_TMP/sink >/dev/null 2>&1; t_cleanup' EXIT
"$T_RIGS/http-sink-up.sh" $T_TMP/sink >/dev/null
S=$(cat $T_TMP/sink/url)
PORT=$(free_port)
curl -fsS -X POST --data-binary '[{"status":400},{"status":503,"count":-1}]' "$S/_faults" >/dev/null
cat >$T_TMP/h.conf <<EOC
{ "state_dir": "$T_TMP/hstate", "log_level": "debug",
  "pipeline": { "redact": { "patterns": ["ssn=[0-9]{3}-[0-9]{2}-[0-9]{4}"] } },
  "metrics": { "listen": "127.0.0.1:$PORT", "events": false, "group_by": ["source", "route", "path", "msg"] },
  "sources": [{ "path": "$log", "start_at": "beginning" }],
  "sinks": [{ "type": "http", "url": "$S/ingest", "retry_base": "100ms", "retry_max": "300ms",
              "batch": {"max_events": 5, "max_age_ms": 100} }] }
EOC
t_agent -c $T_TMP/h.conf
# Batches are cut by count (5) or age (100 ms): the first, refused, holds
# up to 5 lines; the rest wait in the spool. Together they are every line.
spooled() {
	python3 $T_SRC/t/spool.py $T_TMP/hstate/spool/http | awk '{ print $4 }'
}
t_ok 'an http sink: no secret in its spool, its dead-letter file, /metrics, the collector, the log' '
	t_wait_for "ls $T_TMP/hstate/deadletter/* >/dev/null 2>&1" 10 &&
	dead=$(cat $T_TMP/hstate/deadletter/* | wc -l) &&
	t_wait_for "test \$(spooled) = $((nlines - dead))" 10 &&
	python3 $T_SRC/t/spool.py $T_TMP/hstate/spool/http --dump >$T_TMP/spool.out &&
	test "$(wc -l <$T_TMP/spool.out)" = $((nlines - dead)) &&
	curl -fsS "http://127.0.0.1:$PORT/metrics" >$T_TMP/metrics.out &&
	grep -q "^logagent_requests_total{source=" $T_TMP/metrics.out &&
	curl -fsS -X DELETE "$S/_faults" >/dev/null &&
	t_wait_for "test \$(t_lines $T_TMP/sink/events.ndjson) -ge $((nlines - dead))" 15 &&
	echo "dead-lettered $dead, spooled and then delivered $((nlines - dead))" &&
	none $T_TMP/spool.out $T_TMP/hstate/deadletter/* $T_TMP/metrics.out $T_TMP/sink/events.ndjson \
	    $T_TMP/sink/requests.ndjson $T_TMP/err
'
t_stop_agent TERM
t_done
