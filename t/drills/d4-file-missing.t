#!/bin/sh
# d4-file-missing (docs/runbook.md, "Log file missing or unreadable"): a
# source whose file does not exist yet, and one that cannot be read (the
# agent runs as nobody here). Both are reported and retried; the other
# source flows meanwhile; each is read whole once it can be.
T_SRC=${T_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$T_SRC/t/lib.sh"
t_need python3
t_need setpriv "util-linux's setpriv"
. "$T_SRC/t/drills/drill.sh"
[ "$(id -u)" = 0 ] || { t_skip "all" "needs root to run the agent as nobody"; t_done; }
chmod 755 $D
"$LOGGEN" -n 500 -o $D/app.log
"$LOGGEN" -n 300 --start 501 -o $D/locked.log
chmod 000 $D/locked.log
cat >$D/c.conf <<EOC
{ "state_dir": "$D/state", "checkpoint_interval": "100ms",
  "metrics": {"listen": "127.0.0.1:$PORT", "events": false},
  "sources": [{"path": "$D/app.log", "name": "app", "poll_interval": "200ms"},
              {"path": "$D/later.log", "name": "later", "poll_interval": "200ms"},
              {"path": "$D/locked.log", "name": "locked", "poll_interval": "200ms"}],
  "sinks": [{"type": "file", "path": "$D/out/events.ndjson", "compress": "none"}] }
EOC
mkdir -p $D/out $D/state && chown nobody $D/out $D/state && chmod 700 $D/state
setpriv --reuid=nobody --regid=nogroup --clear-groups "$LOGAGENT" -c $D/c.conf >$D/out.txt 2>$D/err &
AGENT_PID=$!
T_PIDS="$T_PIDS $AGENT_PID"
t_ok 'detect: a warning for each, and /health degraded with their errors' '
	t_wait_for "grep -q \"open \\\"$D/later.log\\\" failed: No such file or directory; retrying\" $D/err" 10 &&
	grep -q "open \"$D/locked.log\" failed: Permission denied; retrying" $D/err &&
	t_wait_for "health \"h[\\\"status\\\"] == \\\"degraded\\\" and {s[\\\"name\\\"]: s[\\\"last_error\\\"] for s in h[\\\"sources\\\"]} == {\\\"app\\\": None, \\\"later\\\": \\\"No such file or directory\\\", \\\"locked\\\": \\\"Permission denied\\\"}\"" 10
'
t_ok 'mitigate: the readable source flows meanwhile' '
	t_wait_for "test \$(t_lines $D/out/events.ndjson) -ge 500" 15 && drill_exact 500 $D/out/events.ndjson
'
"$LOGGEN" -n 200 --start 801 -o $D/later.log
chmod 644 $D/locked.log
t_ok 'recover: both picked up ("opened; following it"), /health ok' '
	t_wait_for "grep -q \"\\\"$D/later.log\\\" opened; following it\" $D/err" 10 &&
	t_wait_for "grep -q \"\\\"$D/locked.log\\\" opened; following it\" $D/err" 10 &&
	t_wait_for "health \"h[\\\"status\\\"] == \\\"ok\\\"\"" 10
'
t_ok 'nothing lost, nothing twice, from all three' '
	t_wait_for "test \$(t_lines $D/out/events.ndjson) -ge 1000" 15 && drill_exact 1000 $D/out/events.ndjson
'
t_stop_agent TERM
t_done
