#!/bin/sh
# t1100-rotate: no line lost or repeated through real logrotate (create, copytruncate),
# truncation, delete and recreate, restarts, SIGKILL, and rotation while stopped.
. "${T_SRC:-$(dirname "$0")/..}/t/lib.sh"
t_need "$T_RIGS/rotate-now.sh" "shared/rigs/rotate-now.sh (set T_RIGS)"
ROTATE=$T_RIGS/rotate-now.sh

# phase NAME: a fresh directory, config and output for one scenario.
phase() {
	D=$T_TMP/$1; mkdir -p "$D"; LOG=$D/app.log; : >"$LOG"
	AGENT_OUT=$D/out; AGENT_ERR=$D/err; : >"$AGENT_OUT"
	t_state_conf "$D/c.conf" "$D/state" "[{\"path\": \"$LOG\"}]"
}
lines_at_least() { test "$(t_lines "$AGENT_OUT")" -ge "$1"; }
# The agent has found the file once its first checkpoint is saved.
started() { t_wait_for "test -s $D/state/checkpoints" 10; }

# --- logrotate create, the writer reopening on SIGHUP (postrotate) --------
phase create
t_agent -c "$D/c.conf"; started
"$LOGGEN" -o "$LOG" -r 2000 -n 9000 & gen=$!
t_wait_for "lines_at_least 2000" 30
"$ROTATE" "$LOG" create "postrotate
	kill -HUP $gen
    endscript" 2>>"$D/rot"
t_wait_for "lines_at_least 5000" 30
"$ROTATE" "$LOG" create "postrotate
	kill -HUP $gen
    endscript" 2>>"$D/rot"
wait $gen
t_ok 'logrotate create (twice): every line exactly once' '
	t_wait_for "lines_at_least 9000" 30; seq 1 9000 >$D/want && t_exact $D/want $AGENT_OUT &&
	test -s $D/app.log.1 && test -s $D/app.log.2
'
t_stop_agent TERM
t_ok 'logrotate create: exit 0, the log says rotated and checkpointed' '
	test $AGENT_RC = 0 && grep -q "was rotated" $D/err && grep -q "checkpointed" $D/err
'

# --- logrotate copytruncate under a live writer ----------------------------
phase copytruncate
t_agent -c "$D/c.conf"; started
"$LOGGEN" -o "$LOG" -r 3000 -n 12000 & gen=$!
t_wait_for "lines_at_least 3000" 30
"$ROTATE" "$LOG" copytruncate 2>>"$D/rot"
t_wait_for "lines_at_least 7000" 30
"$ROTATE" "$LOG" copytruncate 2>>"$D/rot"
wait $gen
t_ok 'copytruncate: nothing repeated, nothing invented, lost only what no file holds' '
	t_file_seqs $D/app.log $D/app.log.1 $D/app.log.2 >$D/onfile &&
	t_wait_for "test \$(t_seqs $D/out | wc -l) -ge \$(wc -l <$D/onfile)" 30 &&
	t_seqs $D/out >$D/got && test -z "$(uniq -d $D/got)" &&
	seq 1 12000 >$D/written && test -z "$(t_minus $D/got $D/written)" &&
	t_minus $D/onfile $D/got >$D/missing_on_file && test ! -s $D/missing_on_file &&
	t_minus $D/written $D/onfile >$D/nofile &&
	echo "lines in no file (lost by copytruncate itself): $(wc -l <$D/nofile)," \
	    "of them received anyway: $(t_minus $D/nofile $D/got | wc -l | xargs expr $(wc -l <$D/nofile) -)"
'
t_ok 'copytruncate: the agent saw the truncations' 'grep -q "truncated" $D/err'
t_stop_agent TERM

# --- truncation in place ---------------------------------------------------
phase truncate
t_agent -c "$D/c.conf"; started
"$LOGGEN" -o "$LOG" -n 1000
t_wait_for "lines_at_least 1000" 20
: >"$LOG"
"$LOGGEN" -o "$LOG" -n 1000 --start 1001
t_ok 'truncate in place: the old lines once, the new ones once' '
	t_wait_for "lines_at_least 2000" 20 && seq 1 2000 >$D/want && t_exact $D/want $D/out &&
	grep -q "was truncated" $D/err
'
t_stop_agent TERM

# --- delete and recreate ---------------------------------------------------
phase recreate
t_agent -c "$D/c.conf"; started
"$LOGGEN" -o "$LOG" -n 3000
rm "$LOG"
"$LOGGEN" -o "$LOG" -n 1000 --start 3001
t_ok 'delete and recreate: the deleted file is read to its end, then the new one' '
	t_wait_for "lines_at_least 4000" 20 && seq 1 4000 >$D/want && t_exact $D/want $D/out
'
t_stop_agent TERM

# --- a writer as fast as it can go, rotated under it -----------------------
phase fast
t_agent -c "$D/c.conf"; started
"$LOGGEN" -o "$LOG" -n 300000 & gen=$!
t_wait_for "test -s $LOG" 10
"$ROTATE" "$LOG" create 2>>"$D/rot"
wait $gen	# it kept writing into the renamed file: app.log.1
"$LOGGEN" -o "$LOG" -n 1000 --start 300001
t_ok 'a writer at full speed during rotation: every line once' '
	t_wait_for "lines_at_least 301000" 60 && seq 1 301000 >$D/want && t_exact $D/want $D/out
'
t_stop_agent TERM

# --- SIGTERM and restart in the middle -------------------------------------
phase sigterm
t_agent -c "$D/c.conf"; started
"$LOGGEN" -o "$LOG" -r 10000 -n 30000 & gen=$!
for k in 1 2 3; do
	t_wait_for "lines_at_least $((k * 6000))" 30
	t_stop_agent TERM
	echo "stop $k: rc $AGENT_RC" >>"$D/stops"
	t_agent -c "$D/c.conf"
	# A SIGTERM before the agent has set its handlers ends it the default
	# way (143): wait until it has resumed its file, which comes after.
	t_wait_for "test \$(grep -c \"resumed from checkpoint at offset\" $D/err) -ge $k" 30
done
wait $gen
t_ok 'SIGTERM and restart, three times: every line exactly once' '
	t_wait_for "lines_at_least 30000" 30 && seq 1 30000 >$D/want && t_exact $D/want $D/out &&
	! grep -v "rc 0" $D/stops && grep -q "resumed from checkpoint" $D/err
'
t_stop_agent TERM

# --- SIGKILL at moments chosen by the output, five times --------------------
phase sigkill
t_agent -c "$D/c.conf"; started
"$LOGGEN" -o "$LOG" -r 20000 -n 60000 & gen=$!
for k in 1 2 3 4 5; do
	t_wait_for "lines_at_least $((k * 9000))" 30
	kill -KILL "$AGENT_PID"; wait "$AGENT_PID" 2>/dev/null
	t_agent -c "$D/c.conf"
done
wait $gen
# At most a full window per kill: 1024 events x 16 batches in flight.
t_ok 'SIGKILL five times: nothing lost, duplicates only within the unacknowledged window' '
	t_wait_for "test \$(t_seqs $D/out | sort -nu | wc -l) -ge 60000" 30 &&
	seq 1 60000 >$D/want && t_crash $D/want $D/out $((5 * 1024 * 16))
'
t_stop_agent TERM

# --- rotated while the agent was stopped -----------------------------------
phase away
t_agent -c "$D/c.conf"; started
"$LOGGEN" -o "$LOG" -n 1000
t_wait_for "lines_at_least 1000" 20
t_stop_agent TERM
"$LOGGEN" -o "$LOG" -n 500 --start 1001
"$ROTATE" "$LOG" create 2>>"$D/rot"
"$LOGGEN" -o "$LOG" -n 500 --start 1501
t_agent -c "$D/c.conf"
t_ok 'rotated while stopped: the renamed file is found and read on, then the new one' '
	t_wait_for "lines_at_least 2000" 20 && seq 1 2000 >$D/want && t_exact $D/want $D/out &&
	grep -q "was renamed to" $D/err
'
t_stop_agent TERM
t_done
