#!/bin/sh
# t1001-stdin: standard input as a pipe or a file; it ends, the agent flushes and exits 0.
. "${T_SRC:-$(dirname "$0")/..}/t/lib.sh"

"$LOGGEN" -n 20000 -f mixed >"$T_TMP/in"
t_ok 'a pipe: every line once, exit 0' '
	cat $T_TMP/in | "$LOGAGENT" - >$T_TMP/o && t_seqs $T_TMP/o >$T_TMP/got &&
	seq 1 20000 | t_cmp - $T_TMP/got
'
t_ok 'a redirected file: every line once, exit 0' '
	"$LOGAGENT" - <$T_TMP/in >$T_TMP/o && t_seqs $T_TMP/o | t_cmp - $T_TMP/got
'
t_ok 'a slow pipe: the agent waits for it, never takes "-" for a path to stat' '
	mkdir -p $T_TMP/cwd && cd $T_TMP/cwd && printf "INFO a file named dash\n" >./- &&
	{ printf "INFO first\n"; sleep 1.5; printf "INFO second\n"; } |
	    "$LOGAGENT" --log-level debug - >$T_TMP/o 2>$T_TMP/e &&
	test "$(t_lines $T_TMP/o)" = 2 && ! grep -q "dash" $T_TMP/o && ! grep -q "rotated" $T_TMP/e
'
t_ok 'empty input: no output, exit 0' '
	"$LOGAGENT" - </dev/null >$T_TMP/o && test ! -s $T_TMP/o
'
t_ok 'a last line without a newline is kept, marked partial' '
	printf "one\ntwo" | "$LOGAGENT" - >$T_TMP/o && test "$(wc -l <$T_TMP/o)" = 2 &&
	tail -1 $T_TMP/o | grep -q "\"message\":\"two\",\"source\":\"-\",\"partial\":true"
'
t_ok 'CRLF line ends are stripped' '
	printf "a\r\nb\r\n" | "$LOGAGENT" - >$T_TMP/o && ! grep -q "\\\\r" $T_TMP/o
'
t_ok 'binary junk, NULs and invalid UTF-8: every output line is valid JSON' '
	head -c 300000 /dev/urandom >$T_TMP/junk && printf "\n{\"msg\":\"\\\\u0000\"}\n" >>$T_TMP/junk &&
	"$LOGAGENT" - <$T_TMP/junk >$T_TMP/o &&
	python3 -c "
import json, sys
n = 0
for line in open(sys.argv[1], \"rb\"):
    json.loads(line.decode(\"utf-8\")); n += 1
print(n, \"valid\")
" $T_TMP/o && test "$(wc -l <$T_TMP/o)" = "$(($(tr -cd "\n" <$T_TMP/junk | wc -c) + 0))"
'
t_ok 'pretty output of hostile content holds no escape sequence' '
	printf "ERROR \033]0;owned\007 \033[2J gone\n" | "$LOGAGENT" --output pretty - >$T_TMP/o &&
	! grep -q "$(printf "\033")" $T_TMP/o && grep -q "\\\\e]0;owned" $T_TMP/o
'
t_done
