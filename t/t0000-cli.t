#!/bin/sh
# t0000-cli: the command line: help, version, usage errors and their exit codes.
. "${T_SRC:-$(dirname "$0")/..}/t/lib.sh"

t_ok '--help lists every option, exit 0' '
	"$LOGAGENT" --help >$T_TMP/help &&
	for o in --tail --config --check-config --level --format --output --no-color \
	    --log-level --config-reference --help --version; do
		grep -q -- "$o" $T_TMP/help || { echo "missing $o"; exit 1; }
	done
'
t_ok '--version names the libraries' '
	"$LOGAGENT" --version >$T_TMP/v &&
	grep -E "^logagent [0-9]+\.[0-9]+\.[0-9]+ \(libuv [0-9.]+, zlib [0-9.]+, cJSON [0-9.]+, libcurl [0-9.]+\)$" $T_TMP/v
'
t_ok 'no arguments: usage on stderr, exit 2' '
	"$LOGAGENT" >$T_TMP/o 2>$T_TMP/e; test $? = 2 && grep -q usage: $T_TMP/e && test ! -s $T_TMP/o
'
t_ok 'unknown option: exit 2' '
	"$LOGAGENT" --frobnicate 2>$T_TMP/e; test $? = 2 && grep -q "logagent --help" $T_TMP/e
'
t_ok '--output with a bad mode: exit 2, says what it wants' '
	"$LOGAGENT" --output xml x.log 2>$T_TMP/e; test $? = 2 &&
	grep -q "expected pretty or json, got \"xml\"" $T_TMP/e
'
t_ok '--level with a bad level: exit 2' '
	"$LOGAGENT" --level loud x.log 2>$T_TMP/e; test $? = 2 &&
	grep -q "expected one of debug, info, warn, error, fatal, got \"loud\"" $T_TMP/e
'
t_ok '--format with an unknown format: exit 2' '
	"$LOGAGENT" --format xml x.log 2>$T_TMP/e; test $? = 2 &&
	grep -q "expected one of auto, cri, json, logfmt, clf, syslog, plain, got \"xml\"" $T_TMP/e
'
t_ok '--check-config without -c: exit 2' '
	"$LOGAGENT" --check-config 2>$T_TMP/e; test $? = 2 && grep -q "needs -c" $T_TMP/e
'
t_ok '-c and files together: exit 2' '
	"$LOGAGENT" -c a.conf b.log 2>$T_TMP/e; test $? = 2 && grep -q "not both" $T_TMP/e
'
t_ok '--format json makes a plain line a parse error, not a loss' '
	printf "not json\n" | "$LOGAGENT" --format json - >$T_TMP/o &&
	grep -q "\"message\":\"not json\"" $T_TMP/o &&
	grep -q "\"parse_error\":\"json: not a JSON object at byte 0\"" $T_TMP/o
'
t_ok '--level warn drops info and debug' '
	printf "INFO a\nWARN b\nDEBUG c\nERROR d\n" | "$LOGAGENT" --level warn - >$T_TMP/o &&
	test "$(grep -o "\"message\":\"[a-d]\"" $T_TMP/o | tr -d "\n")" = "\"message\":\"b\"\"message\":\"d\""
'
t_ok '--output pretty without a terminal, and --no-color' '
	printf "ERROR boom\n" | "$LOGAGENT" --output pretty --no-color - >$T_TMP/o &&
	grep -qE "^[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3} ERROR boom$" $T_TMP/o
'
t_ok '--output json on stdout is ndjson' '
	printf "hello\n" | "$LOGAGENT" --output json - >$T_TMP/o &&
	grep -q "^{\"time\":\".*\",\"level\":\"info\",\"message\":\"hello\",\"source\":\"-\"}$" $T_TMP/o
'
t_ok 'a reader that goes away (| head) ends the agent quietly' '
	"$LOGGEN" -n 200000 >$T_TMP/big &&
	"$LOGAGENT" - <$T_TMP/big 2>$T_TMP/e | head -n 3 >$T_TMP/o &&
	test "$(wc -l <$T_TMP/o)" = 3 && test ! -s $T_TMP/e
'
t_done
