#!/bin/sh
# t1200-parse: formats through the real binary: per-source parse overrides,
# request fields in one shape, auto deciding per file, --tail on an access log.
. "${T_SRC:-$(dirname "$0")/..}/t/lib.sh"

D=$T_TMP
# A JSON log whose keys are its own: "when" in day/month/year, "sev", "dur" in ms.
cat >$D/own.log <<'EOL'
{"when":"22/11/2026 10:00:00.250","sev":"WARN","dur":42,"msg":"own keys","level":"info","verb":"GET","uri":"/a/1?x=2","code":503}
{"when":"22/11/2026 10:00:01","sev":"info","dur":"1.5s","msg":"go duration","http":{"status":201}}
EOL
# logfmt without saying so: auto decides from the first lines.
for i in 1 2 3 4 5 6 7 8; do echo "level=info msg=\"line $i\" method=POST path=/p/$i status=200 duration_ms=$i"; done >$D/auto.log
echo "count=9" >>$D/auto.log

cat >$D/c.conf <<EOC
{ "sources": [
    {"path": "$D/own.log", "format": "json", "name": "own",
     "parse": {"time_key": "when", "time_format": "%d/%m/%Y %H:%M:%S",
               "level_key": "sev", "latency_key": "dur", "latency_unit": "ms",
               "flatten": true}},
    {"path": "$D/auto.log", "name": "auto"}
  ],
  "state_dir": "$D/state",
  "sinks": [{"type": "stdout", "encoding": "ndjson"}] }
EOC
t_ok 'parse overrides: time, level and latency from the keys the source names' '
	"$LOGAGENT" -c $D/c.conf --oneshot >$D/out 2>$D/err &&
	grep "\"source\":\"own\"" $D/out >$D/own.out &&
	head -1 $D/own.out | grep -F "\"time\":\"2026-11-22T10:00:00.250Z\",\"level\":\"warn\",\"message\":\"own keys\"" &&
	head -1 $D/own.out | grep -F "\"latency\":0.042" &&
	head -1 $D/own.out | grep -F "\"_level\":\"info\"" &&
	sed -n 2p $D/own.out | grep -F "\"time\":\"2026-11-22T10:00:01.000Z\",\"level\":\"info\"" &&
	sed -n 2p $D/own.out | grep -F "\"latency\":1.5"
'
t_ok 'request fields under their common names: method, path, query, status' '
	head -1 $D/own.out | grep -F "\"method\":\"GET\",\"path\":\"/a/1\",\"query\":\"x=2\"" &&
	head -1 $D/own.out | grep -F "\"code\":503"
'
t_ok 'flatten: nested objects as dotted keys, and http.status is the status' '
	sed -n 2p $D/own.out | grep -F "\"status\":201" && ! grep -F "\"http\":{" $D/own.out
'
t_ok 'auto: a logfmt file is read as logfmt, even a lone pair' '
	grep "\"source\":\"auto\"" $D/out >$D/auto.out &&
	test $(wc -l <$D/auto.out) = 9 &&
	grep -F "\"message\":\"line 3\"" $D/auto.out | grep -F "\"method\":\"POST\",\"path\":\"/p/3\",\"status\":200,\"latency\":0.003" &&
	tail -1 $D/auto.out | grep -F "\"count\":9" && ! grep -F parse_error $D/auto.out
'

# An nginx access log in a terminal-less --tail: status classes as levels.
cat >$D/access.log <<'EOL'
10.0.0.1 - - [22/Nov/2026:10:00:00 +0000] "GET / HTTP/1.1" 200 5 "-" "curl/8" 0.010 0.009
10.0.0.1 - - [22/Nov/2026:10:00:01 +0000] "GET /missing HTTP/1.1" 404 0 "-" "curl/8" 0.002 -
10.0.0.1 - - [22/Nov/2026:10:00:02 +0000] "POST /api HTTP/1.1" 502 0 "-" "curl/8" 1.500 1.499
EOL
t_ok '--tail --level warn on an nginx log: the 404 and the 502, with latencies' '
	"$LOGAGENT" --tail --from-start $D/access.log --oneshot --level warn -o json >$D/tail.out 2>$D/err &&
	test $(wc -l <$D/tail.out) = 2 &&
	grep -F "\"level\":\"warn\"" $D/tail.out | grep -F "\"path\":\"/missing\",\"protocol\":\"HTTP/1.1\",\"status\":404" &&
	grep -F "\"level\":\"error\"" $D/tail.out | grep -F "\"latency\":1.500,\"upstream_latency\":1.499"
'
t_done
