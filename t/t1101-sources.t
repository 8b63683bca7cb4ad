#!/bin/sh
# t1101-sources: globs, exclude, labels, start_at, 1000 files, the fd limit, inode reuse,
# permissions, partial lines, --oneshot, damaged checkpoints, polling.
. "${T_SRC:-$(dirname "$0")/..}/t/lib.sh"

phase() {
	D=$T_TMP/$1; mkdir -p "$D/logs"
	AGENT_OUT=$D/out; AGENT_ERR=$D/err; : >"$AGENT_OUT"
}
lines_at_least() { test "$(t_lines "$AGENT_OUT")" -ge "$1"; }

# --- 1000 files through one glob -------------------------------------------
phase many
i=1; while [ $i -le 1000 ]; do
	"$LOGGEN" -o "$D/logs/f$i.log" -n 3 --start $((i * 10)); i=$((i + 1))
done
t_state_conf "$D/c.conf" "$D/state" "[{\"path\": \"$D/logs/*.log\"}]"
t_agent -c "$D/c.conf"
t_ok '1000 files: every line of every file, once' '
	t_wait_for "lines_at_least 3000" 60 &&
	i=1; while [ $i -le 1000 ]; do seq $((i * 10)) $((i * 10 + 2)); i=$((i + 1)); done >$D/want &&
	t_exact $D/want $D/out
'
t_stop_agent TERM

# --- the same under ulimit -n 64: idle files are closed and reopened --------
phase fdlimit
i=1; while [ $i -le 300 ]; do
	"$LOGGEN" -o "$D/logs/f$i.log" -n 2 --start $((i * 10)); i=$((i + 1))
done
t_state_conf "$D/c.conf" "$D/state" "[{\"path\": \"$D/logs/*.log\"}]"
( ulimit -n 64 && exec "$LOGAGENT" --log-level debug -c "$D/c.conf" >>"$D/out" 2>>"$D/err" ) & AGENT_PID=$!
t_wait_for "lines_at_least 600" 60
i=1; while [ $i -le 300 ]; do
	"$LOGGEN" -o "$D/logs/f$i.log" -n 1 --start $((i * 10 + 2)); i=$((i + 1))
done
t_ok 'ulimit -n 64 and 300 files: every line once, files reopened by identity' '
	t_wait_for "lines_at_least 900" 60 &&
	i=1; while [ $i -le 300 ]; do seq $((i * 10)) $((i * 10 + 2)); i=$((i + 1)); done >$D/want &&
	t_exact $D/want $D/out
'
t_stop_agent TERM
t_ok 'ulimit -n 64: idle files were closed to stay within the limit' '
	grep -E "idle files closed [1-9]" $D/err
'

# --- globs: new files within a second, exclude, labels --------------------
phase glob
cat >"$D/c.conf" <<EOC
{ "sources": [{"path": "$D/logs/*.log", "exclude": ["*/skip-*"],
               "labels": {"service": "api", "env": "test"}}],
  "sinks": [{"type": "stdout", "encoding": "ndjson"}] }
EOC
printf 'INFO first\n' >"$D/logs/a.log"
printf 'INFO skipped\n' >"$D/logs/skip-me.log"
t_agent -c "$D/c.conf"
t_wait_for "lines_at_least 1" 10
printf 'WARN late file\n' >"$D/logs/b.log"
t_ok 'a file created later is picked up' 't_wait_for "grep -q \"late file\" $D/out" 5'
t_ok 'exclude keeps a matching file out' '! grep -q skipped $D/out'
t_ok 'labels are added to every event' '
	test "$(grep -c "\"service\":\"api\",\"env\":\"test\"" $D/out)" = 2
'
t_stop_agent TERM

# --- start_at: end for files found at startup, beginning for new ones --------
phase startat
printf 'INFO old line\n' >"$D/logs/a.log"
t_state_conf "$D/c.conf" "$D/state" "[{\"path\": \"$D/logs/*.log\", \"start_at\": \"end\"}]"
t_agent -c "$D/c.conf"
t_wait_for "test -s $D/state/checkpoints" 10
printf 'INFO new line\n' >>"$D/logs/a.log"
printf 'INFO new file\n' >"$D/logs/b.log"
t_ok 'start_at end: old lines skipped, new lines and new files read' '
	t_wait_for "grep -q \"new file\" $D/out" 10 && t_wait_for "grep -q \"new line\" $D/out" 10 &&
	! grep -q "old line" $D/out
'
t_stop_agent TERM

# --- a last line without a newline: held, then sent after partial_flush -------
phase partial
t_state_conf "$D/c.conf" "$D/state" "[{\"path\": \"$D/logs/a.log\", \"partial_flush\": \"300ms\"}]"
printf 'INFO whole\nINFO no newline yet' >"$D/logs/a.log"
t_agent -c "$D/c.conf"
t_ok 'a held last line is sent after partial_flush, marked partial' '
	t_wait_for "grep -q \"no newline yet\" $D/out" 10 &&
	grep "no newline yet" $D/out | grep -q "\"partial\":true"
'
printf ' and the rest\n' >>"$D/logs/a.log"
t_ok 'bytes after a flushed partial line are a line of their own' '
	t_wait_for "grep -q \"and the rest\" $D/out" 10 && test "$(t_lines $D/out)" = 3
'
t_stop_agent TERM

# --- a 10 MiB line: cut, marked, memory bounded ------------------------------
phase huge
awk 'BEGIN { while (i++ < 10*1024*1024/64) printf "%064d", i; print ""; print "INFO after the huge line" }' >"$D/logs/a.log"
t_state_conf "$D/c.conf" "$D/state" "[{\"path\": \"$D/logs/a.log\"}]"
t_agent -c "$D/c.conf"
t_ok 'a 10 MiB line is cut at 64 KiB, the next line is whole' '
	t_wait_for "grep -q \"after the huge line\" $D/out" 20 &&
	head -1 $D/out | grep -q "\"truncated\":true" && test "$(t_lines $D/out)" = 2
'
t_ok 'and the agent stays small (peak RSS under 48 MiB)' '
	hwm=$(awk "/VmHWM/ { print \$2 }" /proc/$AGENT_PID/status) && echo "VmHWM ${hwm} kB" &&
	test "$hwm" -lt 49152
'
t_stop_agent TERM

# --- inode reuse: a new file on an old inode is not the old file ------------
phase inode
t_state_conf "$D/c.conf" "$D/state" "[{\"path\": \"$D/logs/a.log\"}]"
"$LOGGEN" -o "$D/logs/a.log" -n 100
t_agent -c "$D/c.conf"
t_wait_for "lines_at_least 100" 10
t_stop_agent TERM
old=$(stat -c %i "$D/logs/a.log")
rm "$D/logs/a.log"
# Most filesystems hand a freed inode to the next file: try a few times.
n=0; while [ $n -lt 50 ]; do
	"$LOGGEN" -o "$D/logs/a.log" -n 150 --start 1001 -s 7
	[ "$(stat -c %i "$D/logs/a.log")" = "$old" ] && break
	mv "$D/logs/a.log" "$D/logs/x$n"; n=$((n + 1))
done
if [ "$(stat -c %i "$D/logs/a.log")" = "$old" ]; then
	t_agent -c "$D/c.conf"
	t_ok 'inode reuse: the new file is read whole from its start' '
		t_wait_for "lines_at_least 250" 10 &&
		{ seq 1 100; seq 1001 1150; } >$D/want && t_exact $D/want $D/out &&
		grep -q "holds another file than before" $D/err
	'
	t_stop_agent TERM
else
	t_skip 'inode reuse' "this filesystem did not reuse inode $old in 50 tries"
fi

# --- permission denied: logged, retried, the others keep flowing --------------
phase perm
if command -v setpriv >/dev/null && [ "$(id -u)" = 0 ]; then
	chmod 755 "$D" "$D/logs"; chmod 711 "$T_TMP"
	printf 'INFO readable\n' >"$D/logs/ok.log"
	printf 'INFO secret\n' >"$D/logs/no.log"
	chmod 644 "$D/logs/ok.log"; chmod 600 "$D/logs/no.log"
	printf '{"sources": [{"path": "%s/logs/*.log"}], "sinks": [{"type": "stdout"}]}' "$D" >"$D/c.conf"
	chmod 644 "$D/c.conf"
	setpriv --reuid=65534 --regid=65534 --clear-groups "$LOGAGENT" -c "$D/c.conf" >"$D/out" 2>"$D/err" &
	AGENT_PID=$!
	t_ok 'permission denied: a warning naming the file; the readable one flows' '
		t_wait_for "grep -q readable $D/out" 10 &&
		t_wait_for "grep -q \"no.log\\\" failed: Permission denied\" $D/err" 10 && kill -0 $AGENT_PID
	'
	chmod 644 "$D/logs/no.log"
	t_ok 'and once readable it is picked up' 't_wait_for "grep -q secret $D/out" 10'
	t_stop_agent TERM
else
	t_skip 'permission denied' 'needs root and setpriv to run the agent as another user'
	t_skip 'permission denied, then readable' 'same'
fi

# --- --oneshot: read to the current end, deliver, checkpoint, exit ----------
phase oneshot
"$LOGGEN" -o "$D/logs/a.log" -n 500
t_state_conf "$D/c.conf" "$D/state" "[{\"path\": \"$D/logs/*.log\"}]"
t_ok '--oneshot: everything, then exit 0' '
	"$LOGAGENT" -c $D/c.conf --oneshot >$D/o1 2>$D/e1 && seq 1 500 >$D/want && t_exact $D/want $D/o1
'
t_ok '--oneshot again: nothing new, nothing repeated' '
	"$LOGAGENT" -c $D/c.conf --oneshot >$D/o2 2>$D/e2 && test ! -s $D/o2
'
"$LOGGEN" -o "$D/logs/a.log" -n 100 --start 501
t_ok '--oneshot after more lines: only the new ones' '
	"$LOGAGENT" -c $D/c.conf --oneshot >$D/o3 2>$D/e3 && seq 501 600 >$D/want && t_exact $D/want $D/o3
'

t_ok '--oneshot with stdout closed: exit 1, said, nothing acknowledged' '
	"$LOGGEN" -o $D/logs/a.log -n 10 --start 601 &&
	! "$LOGAGENT" -c $D/c.conf --oneshot >&- 2>$D/e4 && grep -q "standard output is closed" $D/e4 &&
	"$LOGAGENT" -c $D/c.conf --oneshot >$D/o5 2>/dev/null && seq 601 610 >$D/want && t_exact $D/want $D/o5
'

# --- a damaged checkpoint: warned about, the previous good copy is used ------
phase damaged
"$LOGGEN" -o "$D/logs/a.log" -n 200
t_state_conf "$D/c.conf" "$D/state" "[{\"path\": \"$D/logs/a.log\"}]"
"$LOGAGENT" -c "$D/c.conf" --oneshot >"$D/o1" 2>/dev/null
"$LOGGEN" -o "$D/logs/a.log" -n 100 --start 201
"$LOGAGENT" -c "$D/c.conf" --oneshot >"$D/o2" 2>/dev/null
printf 'garbage\n' >"$D/state/checkpoints"
t_ok 'garbage in the checkpoint file: a warning naming it, the previous copy used' '
	"$LOGAGENT" -c $D/c.conf --oneshot >$D/o3 2>$D/e3 &&
	grep -q "checkpoints\\\" is damaged" $D/e3 && grep -q "using the previous good copy" $D/e3 &&
	seq 201 300 >$D/want && t_exact $D/want $D/o3
'
: >"$D/state/checkpoints"; rm -f "$D/state/checkpoints.prev"
t_ok 'an empty checkpoint and no copy: starts, warns, reads from the beginning' '
	"$LOGAGENT" -c $D/c.conf --oneshot >$D/o4 2>$D/e4 && grep -q "no usable checkpoint" $D/e4 &&
	seq 1 300 >$D/want && t_exact $D/want $D/o4
'

# --- watch: poll, for filesystems without inotify ----------------------------
phase poll
t_state_conf "$D/c.conf" "$D/state" "[{\"path\": \"$D/logs/a.log\", \"watch\": \"poll\", \"poll_interval\": \"100ms\"}]"
: >"$D/logs/a.log"
t_agent -c "$D/c.conf"
t_wait_for "test -s $D/state/checkpoints" 10
"$LOGGEN" -o "$D/logs/a.log" -n 300
t_ok 'watch poll: lines arrive without inotify' '
	t_wait_for "lines_at_least 300" 10 && seq 1 300 >$D/want && t_exact $D/want $D/out
'
t_stop_agent TERM
t_done
