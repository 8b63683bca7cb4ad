#!/bin/sh
# t1000-tail: following files: a live writer, a file that appears later, replacement, truncation.
. "${T_SRC:-$(dirname "$0")/..}/t/lib.sh"

N=3000
log=$T_TMP/app.log
: >"$log"
t_agent --output json "$log"
# Another process appends while the agent follows.
"$LOGGEN" -n $N -r 3000 -o "$log" &
gen=$!
t_ok 'a live writer: every line arrives' '
	t_wait_for "test \$(t_lines $T_TMP/out) -ge $N" 30
'
wait $gen
t_ok 'a live writer: each line exactly once, as written' '
	t_seqs $T_TMP/out >$T_TMP/got && seq 1 $N >$T_TMP/want && t_cmp $T_TMP/want $T_TMP/got &&
	grep -o "\"seq\":[0-9]*" "$log" | cut -d: -f2 | sort -n | t_cmp - $T_TMP/got
'
t_ok 'events are parsed: level, message, fields' '
	head -1 "$log" | grep -o "\"request_id\":\"[0-9a-f]*\"" >$T_TMP/rid &&
	grep -qF "$(cat $T_TMP/rid)" $T_TMP/out &&
	grep -q "\"level\":\"\(info\|warn\|error\|debug\|fatal\)\",\"message\":\"[a-z]" $T_TMP/out &&
	! grep -q parse_error $T_TMP/out
'

# The file is replaced (rename + create): the old one is read to its end first.
mv "$log" "$log.1"
printf '{"msg":"old file tail","seq":%d}\n' $((N + 1)) >>"$log.1"
printf '{"msg":"new file head","seq":%d}\n' $((N + 2)) >"$log"
t_ok 'rename and create: the tail of the old file, then the new file' '
	t_wait_for "grep -q \"new file head\" $T_TMP/out" 10 &&
	grep -q "old file tail" $T_TMP/out && grep -q "rotated or removed" $T_TMP/err
'
# Truncated in place: read again from the start.
: >"$log"
printf '{"msg":"after truncation","seq":%d}\n' $((N + 3)) >>"$log"
t_ok 'truncation: read again from the start, said in the log' '
	t_wait_for "grep -q \"after truncation\" $T_TMP/out" 10 && grep -q "was truncated" $T_TMP/err
'
kill -TERM "$AGENT_PID"; wait "$AGENT_PID"; rc=$?
t_ok 'no line twice over all of it, exit 0' '
	test $rc = 0 && t_seqs $T_TMP/out | uniq -d >$T_TMP/dups && test ! -s $T_TMP/dups &&
	test "$(t_seqs $T_TMP/out | wc -l)" = $((N + 3))
'

# A file that does not exist yet is picked up when it appears.
late=$T_TMP/late.log
: >"$T_TMP/out"; : >"$T_TMP/err"
t_agent --output json "$late"
t_ok 'a missing file: warned about, not fatal' '
	t_wait_for "grep -q \"late.log\\\" failed: No such file or directory\" $T_TMP/err" 10 && kill -0 $AGENT_PID
'
printf 'WARN appeared\n' >"$late"
t_ok 'and followed once it appears' '
	t_wait_for "grep -q appeared $T_TMP/out" 10 && grep -q "\"level\":\"warn\"" $T_TMP/out
'
kill -TERM "$AGENT_PID"; wait "$AGENT_PID"

# Not a regular file: refused with a warning; the other files keep flowing.
mkfifo "$T_TMP/fifo"
printf 'INFO regular\n' >"$T_TMP/reg.log"
: >"$T_TMP/out"; : >"$T_TMP/err"
t_agent --output json "$T_TMP/fifo" "$T_TMP/reg.log"
t_ok 'a FIFO is refused, the other file is read' '
	t_wait_for "grep -q regular $T_TMP/out" 10 &&
	t_wait_for "grep -q \"fifo\\\" is not a regular file\" $T_TMP/err" 10 && kill -0 $AGENT_PID
'
t_ok 'with two sources, each event names its source' '
	grep -q "\"source\":\"$T_TMP/reg.log\"" $T_TMP/out
'
kill -TERM "$AGENT_PID"; wait "$AGENT_PID"

# A line longer than the cap: cut, marked, memory bounded, the next line intact.
awk "BEGIN { while (i++ < 10*1024*1024/64) printf \"%064d\", i; print \"\"; print \"INFO next\" }" >"$T_TMP/huge.log"
t_ok 'a 10 MiB line is cut at 64 KiB and marked truncated; the next line is whole' '
	"$LOGAGENT" - <$T_TMP/huge.log >$T_TMP/o &&
	test "$(wc -l <$T_TMP/o)" = 2 &&
	head -1 $T_TMP/o | grep -q "\"truncated\":true" &&
	test "$(head -1 $T_TMP/o | grep -o "\"message\":\"[0-9]*\"" | wc -c)" = $((65536 + 13)) &&
	tail -1 $T_TMP/o | grep -q "\"message\":\"next\""
'
t_done
