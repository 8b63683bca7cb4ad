#!/bin/sh
# t0003-docs: the docs say what the code does.
. "${T_SRC:-$(dirname "$0")/..}/t/lib.sh"

t_ok 'docs/config.md is what --config-reference prints' '
	"$LOGAGENT" --config-reference >$T_TMP/ref && t_cmp "$T_SRC/docs/config.md" $T_TMP/ref
'
t_ok 'README starts with the two set-up commands' '
	grep -m2 "^\./bootstrap && make" "$T_SRC/README.md" >$T_TMP/cmds &&
	printf "./bootstrap && make demo\n./bootstrap && make check\n" >$T_TMP/want &&
	t_cmp $T_TMP/want $T_TMP/cmds
'
t_ok 'every --help option is in the README' '
	"$LOGAGENT" --help | grep -oE -- "--[a-z-]+" | sort -u >$T_TMP/opts &&
	while read o; do grep -q -- "$o" "$T_SRC/README.md" || { echo "README lacks $o"; exit 1; }; done <$T_TMP/opts
'
t_ok 'etc/logagent.conf is complete: every key of the reference is in it' '
	"$LOGAGENT" --config-reference | grep -oE "^\| \`[a-z_]+\`" | tr -d "|\` " | sort -u >$T_TMP/keys &&
	while read k; do grep -q "\"$k\"" "$T_SRC/etc/logagent.conf" || { echo "missing $k"; exit 1; }; done <$T_TMP/keys
'
t_done
