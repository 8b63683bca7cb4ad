# SPDX-License-Identifier: MIT
# drill.sh: sourced by t/drills/*.t after t/lib.sh. What every incident drill asks of the agent:
#   drill_conf FILE SINK_JSON [SOURCE_EXTRA_JSON]   a daemon config: $D/app.log, state, /metrics on $PORT
#   health EXPR          evaluate a Python expression over /health as h (exit 0 when true)
#   metric NAME          a sample's value from /metrics (the whole series as written)
#   drill_exact N FILE   every seq 1..N exactly once in FILE
t_need python3
D=$T_TMP
PORT=$(free_port)
: >$D/app.log
drill_conf() {
	# PORT was free when picked; a collector started since may have taken it.
	while [ "$PORT" = "${SPORT:-}" ] || ! port_free "$PORT"; do
		PORT=$(free_port)
	done
	cat >"$1" <<EOC
{ "state_dir": "$D/state", "checkpoint_interval": "100ms",
  "metrics": {"listen": "127.0.0.1:$PORT", "events": false},
  "sources": [{"path": "$D/app.log", "name": "app" ${3:-}}],
  "sinks": [$2] }
EOC
}
health() {
	curl -fsS "http://127.0.0.1:$PORT/health" 2>/dev/null |
	    python3 -c "import json, sys; h = json.load(sys.stdin); sys.exit(0 if ($1) else 1)"
}
metric() {
	curl -fsS "http://127.0.0.1:$PORT/metrics" 2>/dev/null |
	    awk -v n="$1" 'index($0, n " ") == 1 { print $NF; found = 1 } END { if (!found) print "none" }'
}
# drill_asan: true when the agent is built with AddressSanitizer (its shadow
# memory makes RSS figures meaningless, and it must be the first library loaded).
drill_asan() {
	grep -aq __asan_init "$LOGAGENT"
}
drill_exact() {
	seq 1 "$1" >$D/drill.want && t_exact $D/drill.want "$2"
}
# drill_collector: the http-sink rig in $D/sink, stopped at exit; sets S (its URL) and SPORT.
drill_collector() {
	t_need "$T_RIGS/http-sink-up.sh" "shared/rigs/http-sink-up.sh (set T_RIGS)"
	trap '"$T_RIGS/rig-down.sh" $D/sink >/dev/null 2>&1; t_cleanup' EXIT
	"$T_RIGS/http-sink-up.sh" $D/sink >/dev/null
	S=$(cat $D/sink/url)
	SPORT=$(cat $D/sink/port)
}
