#!/bin/sh
# t6001-tail-cli: logagent FILE as tail: -n, --from-start, -f, filters, ndjson into a pipe.
. "${T_SRC:-$(dirname "$0")/..}/t/lib.sh"

# The seq numbers of ndjson events on stdin, one a line (an access log's
# is in "extra": "seq=N").
seqs() { python3 -c '
import json, sys
for l in sys.stdin:
    e = json.loads(l)
    print(e["seq"] if "seq" in e else e["extra"].split("=")[1])'; }

log=$T_TMP/app.log
i=1; while [ $i -le 25 ]; do printf '{"level":"info","msg":"line %d","seq":%d}\n' $i $i; i=$((i + 1)); done >"$log"

t_ok 'into a pipe: the last 10 lines, then the agent exits 0 by itself' '
	timeout 10 "$LOGAGENT" "$log" >$T_TMP/o 2>$T_TMP/e &&
	seqs <$T_TMP/o | tr "\n" " " >$T_TMP/s && echo "got: $(cat $T_TMP/s)" &&
	test "$(cat $T_TMP/s)" = "16 17 18 19 20 21 22 23 24 25 "
'
t_ok '-n 3, -n 0, --lines 100 (more than the file has), --from-start' '
	test "$(timeout 10 "$LOGAGENT" -n 3 "$log" | seqs | tr "\n" " ")" = "23 24 25 " &&
	test "$(timeout 10 "$LOGAGENT" -n 0 "$log" | wc -l)" = 0 &&
	test "$(timeout 10 "$LOGAGENT" --lines 100 "$log" | wc -l)" = 25 &&
	test "$(timeout 10 "$LOGAGENT" --from-start "$log" | seqs | head -1)" = 1 &&
	test "$(timeout 10 "$LOGAGENT" --from-start "$log" | wc -l)" = 25
'
t_ok 'a last line without a newline counts as a line' '
	printf "INFO a\nINFO b\nINFO c" >$T_TMP/nonl.log &&
	timeout 10 "$LOGAGENT" -n 2 -o json $T_TMP/nonl.log >$T_TMP/o &&
	python3 -c "import json,sys; print(\" \".join(json.loads(l)[\"message\"] for l in open(sys.argv[1])))" $T_TMP/o >$T_TMP/m &&
	echo "got: $(cat $T_TMP/m)" && test "$(cat $T_TMP/m)" = "b c"
'
t_ok 'bad -n: exit 2 and why' '
	"$LOGAGENT" -n ten "$log" 2>$T_TMP/e; test $? = 2 && grep -q "number of lines" $T_TMP/e
'
t_ok '-f into a pipe: follows; lines written later arrive' '
	"$LOGAGENT" -f -n 1 "$log" >$T_TMP/f 2>$T_TMP/fe & p=$!
	t_wait_for "grep -q \"line 25\" $T_TMP/f" 10 &&
	printf "{\"level\":\"info\",\"msg\":\"later\",\"seq\":26}\n" >>"$log" &&
	t_wait_for "grep -q later $T_TMP/f" 10 && kill -0 $p && kill -TERM $p && wait $p &&
	test "$(seqs <$T_TMP/f | tr "\n" " ")" = "25 26 "
'

# Filters, against counts the access log itself gives.
acc=$T_TMP/access.log
"$LOGGEN" -n 2000 -f nginx -s 7 -o "$acc"
t_ok '--where status=500: exactly the lines with status 500' '
	timeout 20 "$LOGAGENT" --from-start "$acc" --where status=500 | seqs | sort -n >$T_TMP/got &&
	awk "\$9 == 500" "$acc" | grep -oE "seq=[0-9]+" | cut -d= -f2 | sort -n >$T_TMP/want &&
	test -s $T_TMP/want && t_cmp $T_TMP/want $T_TMP/got
'
t_ok '--route with a folded route and with a glob; --where repeated (all must hold)' '
	timeout 20 "$LOGAGENT" --from-start "$acc" --route "/api/items/:id" | seqs | sort -n >$T_TMP/got &&
	grep -E "\"[A-Z]+ /api/items/[0-9]+[ ?]" "$acc" | grep -oE "seq=[0-9]+" | cut -d= -f2 | sort -n >$T_TMP/want &&
	test -s $T_TMP/want && t_cmp $T_TMP/want $T_TMP/got &&
	timeout 20 "$LOGAGENT" --from-start "$acc" --route "/static/*" | seqs | sort -n >$T_TMP/got2 &&
	grep -E "\"[A-Z]+ /static/" "$acc" | grep -oE "seq=[0-9]+" | cut -d= -f2 | sort -n >$T_TMP/want2 &&
	test -s $T_TMP/want2 && t_cmp $T_TMP/want2 $T_TMP/got2 &&
	timeout 20 "$LOGAGENT" --from-start "$acc" --where method=POST --where status=201 | seqs | sort -n >$T_TMP/got3 &&
	grep -E "\"POST [^\"]*\" 201 " "$acc" | grep -oE "seq=[0-9]+" | cut -d= -f2 | sort -n >$T_TMP/want3 &&
	test -s $T_TMP/want3 && t_cmp $T_TMP/want3 $T_TMP/got3
'
t_ok '--grep: an extended regex on the message and field values; --where level=' '
	timeout 20 "$LOGAGENT" --from-start "$acc" --grep "q=shoes|/health" | seqs | sort -n >$T_TMP/got &&
	grep -E "q=shoes|/health" "$acc" | grep -oE "seq=[0-9]+" | cut -d= -f2 | sort -n >$T_TMP/want &&
	test -s $T_TMP/want && t_cmp $T_TMP/want $T_TMP/got &&
	timeout 20 "$LOGAGENT" --from-start "$acc" --where level=error | wc -l >$T_TMP/n &&
	test "$(cat $T_TMP/n)" = "$(awk "\$9 >= 500" "$acc" | wc -l)"
'
t_ok 'a bad regex or a --where without =: exit 2 and why' '
	"$LOGAGENT" "$acc" --grep "(" 2>$T_TMP/e; test $? = 2 && grep -q "not a valid regular expression" $T_TMP/e &&
	"$LOGAGENT" "$acc" --where status 2>$T_TMP/e; test $? = 2 && grep -q "expected key=value" $T_TMP/e
'
t_ok 'the same filters from a config file (pipeline.where, .route)' '
	printf "{\"sources\":[{\"path\":\"%s\"}],\"pipeline\":{\"where\":[\"status=500\"],\"route\":\"/api/*\"},\"sinks\":[{\"type\":\"stdout\",\"encoding\":\"ndjson\"}]}\n" "$acc" >$T_TMP/c.conf &&
	"$LOGAGENT" -c $T_TMP/c.conf --check-config &&
	timeout 20 "$LOGAGENT" -c $T_TMP/c.conf --oneshot | seqs | sort -n >$T_TMP/got &&
	awk "\$9 == 500 && \$7 ~ /^\/api\//" "$acc" | grep -oE "seq=[0-9]+" | cut -d= -f2 | sort -n >$T_TMP/want &&
	t_cmp $T_TMP/want $T_TMP/got &&
	printf "{\"sources\":[{\"path\":\"%s\"}],\"pipeline\":{\"grep\":\"[\"},\"sinks\":[{\"type\":\"stdout\"}]}\n" "$acc" >$T_TMP/bad.conf &&
	! "$LOGAGENT" -c $T_TMP/bad.conf --check-config 2>$T_TMP/e && grep -q "pipeline.*grep" $T_TMP/e
'
t_ok 'into a pipe every event is valid JSON, hostile bytes and all' '
	{ cat "$acc"; printf "ERROR \033]0;owned\007 \033[2J \001\377 bad\n"; head -c 3000 /dev/urandom | tr -d "\n"; echo; } >$T_TMP/junk.log &&
	timeout 20 "$LOGAGENT" --from-start $T_TMP/junk.log >$T_TMP/o &&
	python3 -c "
import json, sys
n = 0
for l in open(sys.argv[1], \"rb\"):
    json.loads(l); n += 1
print(n)" $T_TMP/o >$T_TMP/n && test "$(cat $T_TMP/n)" = 2002 && ! grep -q "$(printf "\033")" $T_TMP/o
'
t_done
