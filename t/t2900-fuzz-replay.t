#!/bin/sh
# t2900-fuzz-replay: every fuzz target over its seed corpus and its past crashes.
. "${T_SRC:-$(dirname "$0")/..}/t/lib.sh"

for n in json logfmt clf syslog cri plain linesplit conf escape checkpoint; do
	t_ok "fuzz target $n replays its corpus" '
		dirs="$T_SRC/t/fuzz/corpus/$n"
		test -d "$T_SRC/t/fuzz/regress/$n" && dirs="$dirs $T_SRC/t/fuzz/regress/$n"
		"$T_BUILD/t/fuzz/replay-$n" $dirs >$T_TMP/o && cat $T_TMP/o &&
		test "$(cut -d" " -f1 $T_TMP/o)" -gt 0
	'
done
t_done
