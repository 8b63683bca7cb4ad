#!/bin/sh
# t1103-backpressure: a sink that cannot keep up pauses reading; memory stays flat; nothing is lost.
. "${T_SRC:-$(dirname "$0")/..}/t/lib.sh"

D=$T_TMP
"$LOGGEN" -o "$D/big.log" -n 400000
t_state_conf "$D/c.conf" "$D/state" "[{\"path\": \"$D/big.log\"}]"
mkfifo "$D/pipe"
# The reader holds the pipe open but reads nothing until told to.
( exec 3<"$D/pipe"; while [ ! -e "$D/go" ]; do sleep 0.05; done; cat <&3 >"$D/out" ) & reader=$!
"$LOGAGENT" -c "$D/c.conf" --oneshot >"$D/pipe" 2>"$D/err" & AGENT_PID=$!
T_PIDS="$T_PIDS $AGENT_PID $reader"
# Bytes the agent has read (all syscalls): flat while it is paused.
rchar() { awk '/^rchar/ { print $2 }' /proc/$AGENT_PID/io; }
paused() { a=$(rchar); sleep 0.3; b=$(rchar); test "$a" = "$b" && echo "$b" >$D/rchar; }
t_ok 'with the reader stalled, the agent stops reading well short of the end' '
	t_wait_for paused 20 && echo "read $(cat $D/rchar) of $(stat -c %s $D/big.log) bytes" &&
	test "$(cat $D/rchar)" -lt "$(stat -c %s $D/big.log)"
'
t_ok 'and its memory stays flat (peak RSS under 48 MiB with an 80 MB file waiting)' '
	hwm=$(awk "/VmHWM/ { print \$2 }" /proc/$AGENT_PID/status) && echo "VmHWM ${hwm} kB" &&
	test "$hwm" -lt 49152
'
touch "$D/go"
wait "$AGENT_PID"; rc=$?
wait "$reader"
t_ok 'once the reader reads, every line arrives once and the agent exits 0' '
	test $rc = 0 && seq 1 400000 >$D/want && t_exact $D/want $D/out
'
t_done
