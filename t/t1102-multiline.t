#!/bin/sh
# t1102-multiline: Java and Python stack traces become one event each; limits and timeouts.
. "${T_SRC:-$(dirname "$0")/..}/t/lib.sh"

D=$T_TMP
cat >"$D/java.log" <<'EOL'
2026-11-22 10:00:00,001 INFO starting
2026-11-22 10:00:01,002 ERROR request failed
java.lang.IllegalStateException: boom
	at com.example.Api.handle(Api.java:42)
	at com.example.Server.run(Server.java:7)
Caused by: java.io.IOException: disk
	at com.example.Disk.write(Disk.java:3)
	... 2 more
2026-11-22 10:00:02,003 INFO recovered
EOL
cat >"$D/py.log" <<'EOL'
2026-11-22T10:00:00Z INFO ok
2026-11-22T10:00:01Z ERROR unhandled
Traceback (most recent call last):
  File "app.py", line 3, in <module>
    main()
ValueError: bad value
2026-11-22T10:00:02Z INFO next
EOL
cat >"$D/c.conf" <<EOC
{ "sources": [
    {"path": "$D/java.log", "multiline": {"mode": "indent"}},
    {"path": "$D/py.log", "multiline": {"mode": "start_pattern",
      "start_pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ]"}}],
  "sinks": [{"type": "stdout", "encoding": "ndjson"}] }
EOC
t_ok 'indent mode: a Java trace with its cause is one event' '
	"$LOGAGENT" -c $D/c.conf --oneshot >$D/out 2>$D/err &&
	test "$(grep -c "java.log" $D/out)" = 3 &&
	grep "request failed" $D/out | grep -q "boom\\\\n\\\\tat com.example.Api.handle(Api.java:42)\\\\n.*Caused by: java.io.IOException: disk\\\\n.*\\.\\.\\. 2 more\"" &&
	grep "request failed" $D/out | grep -q "\"level\":\"error\""
'
t_ok 'start_pattern mode: a Python traceback up to its last line is one event' '
	test "$(grep -c "py.log" $D/out)" = 3 &&
	grep "unhandled" $D/out | grep -q "Traceback (most recent call last):\\\\n  File .*\\\\nValueError: bad value\""
'
t_ok 'a group is sent at the end of input, not lost' 'grep -q "recovered" $D/out && grep -q "\"message\":\"next\"" $D/out'

# Limits: max_lines cuts a group; flush sends a waiting one.
i=0; { echo "START one"; while [ $i -lt 10 ]; do echo "  cont $i"; i=$((i + 1)); done; } >"$D/lim.log"
cat >"$D/lim.conf" <<EOC
{ "sources": [{"path": "$D/lim.log", "multiline": {"mode": "start_pattern",
    "start_pattern": "^START", "max_lines": 4}}],
  "sinks": [{"type": "stdout", "encoding": "ndjson"}] }
EOC
t_ok 'max_lines: a group of 11 lines is sent as 4 + 4 + 3' '
	"$LOGAGENT" -c $D/lim.conf --oneshot >$D/lim.out &&
	test "$(t_lines $D/lim.out)" = 3 && head -1 $D/lim.out | grep -q "START one\\\\n  cont 0\\\\n  cont 1\\\\n  cont 2\""
'
printf 'START waiting\n  more\n' >"$D/wait.log"
cat >"$D/wait.conf" <<EOC
{ "sources": [{"path": "$D/wait.log", "multiline": {"mode": "start_pattern",
    "start_pattern": "^START", "flush": "200ms"}}],
  "sinks": [{"type": "stdout", "encoding": "ndjson"}] }
EOC
t_agent -c "$D/wait.conf"
t_ok 'flush: a group with no next start line is sent after the flush time' '
	t_wait_for "grep -q \"START waiting\\\\\\\\n  more\" $T_TMP/out" 10
'
t_stop_agent TERM
# Container runtime logs: P parts joined with their F, stdout and stderr apart.
cat >"$D/pod.log" <<'EOL'
2026-11-22T10:00:00.1Z stdout P {"level":"error","msg":"a long line
2026-11-22T10:00:00.2Z stderr F an interleaved stderr line
2026-11-22T10:00:00.3Z stdout P  split in
2026-11-22T10:00:00.4Z stdout F  three parts","id":7}
2026-11-22T10:00:00.5Z stdout P never finished
EOL
printf '{ "sources": [{"path": "%s/pod.log", "format": "cri"}], "sinks": [{"type": "stdout", "encoding": "ndjson"}] }' "$D" >"$D/pod.conf"
t_ok 'cri: P parts are joined across an interleaved line, and the JSON inside parsed' '
	"$LOGAGENT" -c $D/pod.conf --oneshot >$D/pod.out && test "$(t_lines $D/pod.out)" = 3 &&
	grep -q "\"level\":\"error\",\"message\":\"a long line split in three parts\",.*\"stream\":\"stdout\",\"id\":7" $D/pod.out &&
	grep -q "interleaved stderr line" $D/pod.out &&
	grep "never finished" $D/pod.out | grep -q "\"time\":\"2026-11-22T10:00:00.500Z\""
'
t_ok 'a start_pattern that is not a regular expression is a config error with its path' '
	printf "{\"sources\":[{\"path\":\"/a\",\"multiline\":{\"mode\":\"start_pattern\",\"start_pattern\":\"([\"}}],\"sinks\":[{\"type\":\"stdout\"}]}" >$D/bad.conf &&
	! "$LOGAGENT" -c $D/bad.conf --check-config 2>$D/e && grep -q "sources\[0\].multiline.start_pattern: not a valid regular expression" $D/e
'
t_done
