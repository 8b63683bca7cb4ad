#!/bin/sh
# t0002-signals: SIGTERM and SIGINT flush and exit 0; SIGHUP reloads, or keeps the old config.
. "${T_SRC:-$(dirname "$0")/..}/t/lib.sh"

# A file with 1000 lines and a last line that has no newline yet.
"$LOGGEN" -n 1000 -o "$T_TMP/app.log"
printf '{"msg":"no newline yet","seq":1001}' >>"$T_TMP/app.log"

for sig in TERM INT; do
	: >"$T_TMP/out"; : >"$T_TMP/err"
	t_agent --output json "$T_TMP/app.log"
	t_ok "SIG$sig: everything read is printed first" '
		t_wait_for "test \$(t_lines $T_TMP/out) -ge 1000" 20
	'
	kill -$sig "$AGENT_PID"
	t_wait_for "! kill -0 $AGENT_PID" 10
	wait "$AGENT_PID"; rc=$?
	t_ok "SIG$sig: exit 0" "test $rc = 0"
	t_ok "SIG$sig: every line once, the held last line too, marked partial" '
		t_seqs $T_TMP/out >$T_TMP/got && seq 1 1001 >$T_TMP/want && t_cmp $T_TMP/want $T_TMP/got &&
		grep -q "\"message\":\"no newline yet\",\"source\":\"[^\"]*\",\"partial\":true" $T_TMP/out
	'
	t_ok "SIG$sig: the agent says it is stopping" 'grep -q "SIG$sig: stopping" $T_TMP/err'
done

# SIGHUP: a valid config replaces the old one; an invalid one is rejected.
cat >"$T_TMP/hup.conf" <<EOC
{ "pipeline": {"level": "debug"},
  "sources": [{"path": "$T_TMP/hup.log"}],
  "sinks": [{"type": "stdout", "encoding": "ndjson"}] }
EOC
: >"$T_TMP/hup.log"
: >"$T_TMP/out"; : >"$T_TMP/err"
t_agent -c "$T_TMP/hup.conf"
printf 'DEBUG before-1\nINFO before-2\n' >>"$T_TMP/hup.log"
t_ok 'SIGHUP: before reload, debug passes' '
	t_wait_for "grep -q before-2 $T_TMP/out" 10 && grep -q before-1 $T_TMP/out
'
sed 's/"debug"/"warn"/' "$T_TMP/hup.conf" >"$T_TMP/hup.new" && mv "$T_TMP/hup.new" "$T_TMP/hup.conf"
kill -HUP "$AGENT_PID"
t_ok 'SIGHUP: "reloaded" in the log' 't_wait_for "grep -q reloaded $T_TMP/err" 10'
printf 'INFO after-1\nWARN after-2\n' >>"$T_TMP/hup.log"
t_ok 'SIGHUP: the new level applies, and the file goes on from where it was' '
	t_wait_for "grep -q after-2 $T_TMP/out" 10 && ! grep -q after-1 $T_TMP/out &&
	test "$(grep -c before-1 $T_TMP/out)" = 1
'
echo '{ "sources": [ oops' >"$T_TMP/hup.conf"
kill -HUP "$AGENT_PID"
t_ok 'SIGHUP with an invalid config: rejected, with the reason' '
	t_wait_for "grep -q \"reload rejected\" $T_TMP/err" 10 &&
	grep "reload rejected" $T_TMP/err | grep -q "hup.conf: line 1, column"
'
printf 'ERROR still-running\n' >>"$T_TMP/hup.log"
t_ok 'SIGHUP with an invalid config: still running on the old one' '
	t_wait_for "grep -q still-running $T_TMP/out" 10 && kill -0 $AGENT_PID
'
kill -TERM "$AGENT_PID"; wait "$AGENT_PID"; rc=$?
t_ok 'and it stops with exit 0' "test $rc = 0"

t_ok 'SIGHUP in --tail mode: nothing to reload, keeps running' '
	: >$T_TMP/x.log
	"$LOGAGENT" -f --log-level debug $T_TMP/x.log >$T_TMP/o2 2>$T_TMP/e2 & p=$!
	t_wait_for "grep -q started $T_TMP/e2" 10 && kill -HUP $p
	t_wait_for "grep -q \"no config file to reload\" $T_TMP/e2" 10 && kill -0 $p &&
	kill -TERM $p && wait $p
'
t_done
