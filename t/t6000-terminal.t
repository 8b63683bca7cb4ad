#!/bin/sh
# t6000-terminal: --tail in a real terminal (tmux): colours, hostile escapes neutralised, Ctrl-C.
. "${T_SRC:-$(dirname "$0")/..}/t/lib.sh"
t_need tmux "Debian package tmux"
t_need "$T_RIGS/term.sh" "shared/rigs/term.sh (set T_RIGS)"

TERM_SH=$T_RIGS/term.sh
name="la-t6000-$$"
trap '"$TERM_SH" stop $name; "$TERM_SH" stop $name-nc; "$TERM_SH" stop $name-st; t_cleanup' EXIT

log=$T_TMP/app.log
printf 'INFO hello there\nERROR bad thing happened\n' >"$log"
printf 'WARN title \033]0;owned\007 and clear \033[2J\033[H done\n' >>"$log"
printf 'DEBUG after all\n' >>"$log"

# The exit status goes to a file: tmux's own record of it is not reliable.
"$TERM_SH" start $name 120x30 "trap : INT; env -u NO_COLOR TERM=xterm-256color '$LOGAGENT' --tail '$log'; echo \$? >'$T_TMP/rc'"
t_ok 'events appear in the terminal' '"$TERM_SH" wait $name "after all" 10'
"$TERM_SH" screen $name -e >"$T_TMP/screen-e"
"$TERM_SH" screen $name >"$T_TMP/screen"
t_ok 'the error level is red, warn yellow' '
	grep -q "$(printf "\033")\[31mERROR" $T_TMP/screen-e &&
	grep -q "$(printf "\033")\[33mWARN" $T_TMP/screen-e
'
t_ok 'a clear-screen sequence in a line did not clear the screen' '
	grep -q "hello there" $T_TMP/screen && grep -q "\\\\e\[2J" $T_TMP/screen
'
t_ok 'an OSC sequence in a line did not set the title' '
	title=$(tmux -L "rig-$name" -f /dev/null display-message -p -t main "#{pane_title}") &&
	echo "title: $title" && test "$title" != owned
'
"$TERM_SH" keys $name C-c
t_ok 'Ctrl-C: the agent exits 0' '
	t_wait_for "test -s $T_TMP/rc" 10 && test "$(cat $T_TMP/rc)" = 0
'

# The live status line: requests/s, errors and latency on the last line.
"$LOGGEN" -n 200 -f nginx -o $T_TMP/access.log
"$TERM_SH" start $name-st 120x20 "env -u NO_COLOR TERM=xterm-256color '$LOGAGENT' --tail '$T_TMP/access.log'; echo \$? >'$T_TMP/rc-st'"
t_ok 'a status line under the events: requests/s, error %, p50/p95/p99' '
	t_wait_for "\"\$TERM_SH\" screen $name-st | grep -q \"req/s\"" 10 &&
	"$TERM_SH" screen $name-st >$T_TMP/st &&
	cat $T_TMP/st | sed "/^\$/d" | tail -1 | grep -E "^[0-9.]+ req/s  [0-9.]+% errors  p50 [0-9.]+m?s  p95 [0-9.]+m?s  p99 [0-9.]+m?s  \(1m\)\$" &&
	test "$(grep -c "req/s" $T_TMP/st)" = 1
'
t_ok 'the status line is redrawn in place (one copy on screen) as lines arrive' '
	"$LOGGEN" -n 5 -f nginx --start 1000 -o $T_TMP/access.log &&
	"$TERM_SH" wait $name-st "seq=1004" 10 &&
	"$TERM_SH" screen $name-st >$T_TMP/st2 && test "$(grep -c "req/s" $T_TMP/st2)" = 1 &&
	sed "/^\$/d" $T_TMP/st2 | tail -1 | grep -q "req/s"
'
"$TERM_SH" keys $name-st C-c
t_ok 'on exit the status line is erased' '
	t_wait_for "test -s $T_TMP/rc-st" 10 && test "$(cat $T_TMP/rc-st)" = 0 &&
	"$TERM_SH" screen $name-st >$T_TMP/st3 && ! grep -q "req/s" $T_TMP/st3
'
"$TERM_SH" stop $name-st

"$TERM_SH" start $name-nc 120x30 "NO_COLOR=1 TERM=xterm-256color '$LOGAGENT' --tail '$log'"
t_ok 'NO_COLOR: the same events, no colour' '
	"$TERM_SH" wait $name-nc "after all" 10 &&
	"$TERM_SH" screen $name-nc -e >$T_TMP/nc &&
	grep -q "ERROR bad thing" $T_TMP/nc && ! grep -q "$(printf "\033")\[3[13]m" $T_TMP/nc
'
"$TERM_SH" keys $name-nc C-c
t_done
