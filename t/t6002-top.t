#!/bin/sh
# t6002-top: the --top screen, the exit summary and wrapped events, in a real terminal (tmux).
. "${T_SRC:-$(dirname "$0")/..}/t/lib.sh"

log=$T_TMP/app.log
"$LOGGEN" -n 3000 -s 7 -t 1795860000000 -o "$log"
# An error whose message would retitle the window and clear the screen,
# and two of one shape with different numbers.
printf '%s\n' '{"level":"error","msg":"evil \u001b]0;owned\u0007 title \u001b[2J clear"}' \
    '{"level":"error","msg":"db timeout after 3000ms"}' \
    '{"level":"error","msg":"db timeout after 250ms"}' >>"$log"
lines=3003
count() { grep -c "$1" "$log" || true; }	# 0 matches is a count too

# Into a pipe, --summary goes to stderr; the counts are what is in the file.
t_ok '--summary into a pipe: levels and error groups on stderr, counted exactly' '
	"$LOGAGENT" --summary --from-start "$log" >$T_TMP/pipe.out 2>$T_TMP/pipe.err &&
	test "$(wc -l <$T_TMP/pipe.out)" = $lines &&
	cat $T_TMP/pipe.err &&
	grep -q "^logagent: $lines events in " $T_TMP/pipe.err &&
	want="  levels  debug $(count "\"level\":\"debug\"")  info $(count "\"level\":\"info\"")  warn $(count "\"level\":\"warn\"")  error $(count "\"level\":\"error\"")  fatal $(count "\"level\":\"fatal\"")" &&
	echo "want: $want" && grep -qxF "$want" $T_TMP/pipe.err &&
	grep -qE "^ +$(count "upstream timed out")  upstream timed out\$" $T_TMP/pipe.err &&
	grep -qE "^ +2  db timeout after <num>ms\$" $T_TMP/pipe.err &&
	grep -qF "e.g. db timeout after 3000ms" $T_TMP/pipe.err &&
	grep -qE "^  GET /api/items +[0-9]+ +[0-9.]+% +[0-9.]+m?s +[0-9.]+m?s +[0-9.]+m?s\$" $T_TMP/pipe.err
'
t_ok '--no-summary: none' '
	"$LOGAGENT" --no-summary --from-start "$log" >/dev/null 2>$T_TMP/none.err &&
	! grep -q "levels" $T_TMP/none.err
'

t_need tmux "Debian package tmux"
t_need "$T_RIGS/term.sh" "shared/rigs/term.sh (set T_RIGS)"
TERM_SH=$T_RIGS/term.sh
name="la-t6002-$$"
trap '"$TERM_SH" stop $name-top; "$TERM_SH" stop $name-sum; "$TERM_SH" stop $name-wrap; t_cleanup' EXIT

"$TERM_SH" start $name-top 100x30 "env -u NO_COLOR TERM=xterm-256color '$LOGAGENT' --top --from-start '$log' 2>'$T_TMP/top.err'; echo \$? >'$T_TMP/rc-top'"
t_ok '--top: a full screen of routes and error groups' '
	"$TERM_SH" wait $name-top " $lines events" 10 &&
	"$TERM_SH" screen $name-top >$T_TMP/top && cat $T_TMP/top &&
	head -1 $T_TMP/top | grep -q "logagent --top .*(q quits)" &&
	grep -qE "^ ROUTE +REQ/S +ERR% +P50 +P95 +P99\$" $T_TMP/top &&
	grep -qE "^ GET /api/items +[0-9.]+ +[0-9.]+% +[0-9.]+m?s +[0-9.]+m?s +[0-9.]+m?s\$" $T_TMP/top &&
	grep -qE "^ ERROR GROUP +COUNT +LAST\$" $T_TMP/top &&
	grep -qE "^ upstream timed out +$(count "upstream timed out")  [0-9:]{8}\$" $T_TMP/top &&
	grep -qE "^ db timeout after <num>ms +2  " $T_TMP/top
'
t_ok '--top: the title bar is inverse, error groups red' '
	"$TERM_SH" screen $name-top -e >$T_TMP/top-e &&
	head -1 $T_TMP/top-e | grep -q "$(printf "\033")\[7m logagent --top" &&
	grep -q "$(printf "\033")\[31mupstream timed out" $T_TMP/top-e
'
t_ok '--top: an error carrying escapes is shown escaped; title and screen untouched' '
	grep -qF "evil \\e]<num>;owned\\x07 title \\e[<num>J clear" $T_TMP/top &&
	title=$(tmux -L "rig-$name-top" -f /dev/null display-message -p -t main "#{pane_title}") &&
	echo "title: $title" && test "$title" != owned &&
	head -1 $T_TMP/top | grep -q "logagent --top"
'
t_ok '--top: refreshed each second as lines arrive' '
	"$LOGGEN" -n 500 -s 8 --start 10000 -o "$log" &&
	"$TERM_SH" wait $name-top " $((lines + 500)) events" 5
'
"$TERM_SH" keys $name-top q
t_ok '--top: q quits (exit 0), leaves the alternate screen, prints the summary' '
	t_wait_for "test -s $T_TMP/rc-top" 10 && test "$(cat $T_TMP/rc-top)" = 0 &&
	"$TERM_SH" history $name-top >$T_TMP/top-after && cat $T_TMP/top-after &&
	! grep -q "ERROR GROUP" $T_TMP/top-after &&
	grep -q "^logagent: $((lines + 500)) events in " $T_TMP/top-after &&
	grep -q "top error groups" $T_TMP/top-after
'
"$TERM_SH" stop $name-top

# Ctrl-C in --tail: the summary under the events.
"$TERM_SH" start $name-sum 120x40 "trap : INT; env -u NO_COLOR TERM=xterm-256color '$LOGAGENT' --tail --from-start '$log' 2>'$T_TMP/sum.err'; echo \$? >'$T_TMP/rc-sum'"
t_ok 'Ctrl-C in --tail: exit 0 and a summary of what went wrong' '
	"$TERM_SH" wait $name-sum "seq=10499" 10 &&
	"$TERM_SH" keys $name-sum C-c &&
	t_wait_for "test -s $T_TMP/rc-sum" 10 && test "$(cat $T_TMP/rc-sum)" = 0 &&
	"$TERM_SH" history $name-sum >$T_TMP/sum && sed -n "/^logagent: /,\$p" $T_TMP/sum &&
	grep -q "^logagent: $((lines + 500)) events in " $T_TMP/sum &&
	want_err=$(count "\"level\":\"error\"") && grep -qE "^  levels  debug [0-9]+  info [0-9]+  warn [0-9]+  error $want_err  fatal [0-9]+\$" $T_TMP/sum &&
	grep -qE "^ +$(count "upstream timed out")  upstream timed out\$" $T_TMP/sum &&
	grep -qF "e.g. db timeout after 3000ms" $T_TMP/sum &&
	grep -qE "^  route +requests +errors +p50 +p95 +p99\$" $T_TMP/sum &&
	test "$(grep -cE "^  (GET|POST|PUT|DELETE) /[^ ]* +[0-9]+ +[0-9.]+% +[0-9.]+m?s +[0-9.]+m?s +[0-9.]+m?s\$" $T_TMP/sum)" = 5
'
"$TERM_SH" stop $name-sum

# A long event wraps at the width, later rows indented to the message.
wrap=$T_TMP/wrap.log
words="the quick brown fox jumps over the lazy dog and keeps running far beyond the edge of this narrow terminal"
printf 'ERROR %s\n' "$words" >"$wrap"
"$TERM_SH" start $name-wrap 50x20 "NO_COLOR=1 TERM=xterm-256color '$LOGAGENT' --tail --from-start '$wrap' 2>'$T_TMP/wrap.err'"
t_ok 'a long event wraps at the terminal width, indented under the message' '
	"$TERM_SH" wait $name-wrap "terminal" 10 &&
	"$TERM_SH" screen $name-wrap | sed "/^\$/d" >$T_TMP/wrapped && cat $T_TMP/wrapped &&
	first=$(head -1 $T_TMP/wrapped) && indent=$(printf "%s" "${first%%the quick*}" | wc -c) &&
	test "$indent" -gt 10 &&
	test "$(wc -l <$T_TMP/wrapped)" -ge 3 &&
	sed 1d $T_TMP/wrapped | grep -v "req/s" >$T_TMP/rest &&
	! grep -vE "^ {$indent}[^ ]" $T_TMP/rest &&
	test "$(cat $T_TMP/wrapped | grep -v "req/s" | cut -c$((indent + 1))- | tr "\n" " " | sed "s/ *\$//")" = "$words"
'
"$TERM_SH" keys $name-wrap C-c
t_done
