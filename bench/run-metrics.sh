#!/bin/sh
# SPDX-License-Identifier: MIT
# run-metrics.sh [LINES]: what metrics cost. First the aggregation alone
# (bench/metrics_cost, ns per event, on the parsed lines); then logagent --oneshot on LINES
# (default 1M) JSON lines into the null sink with metrics on and off, in
# the same run, medians of RUNS (5). Target: on within 15% of off.
. "$(dirname "$0")/lib.sh"

"$B/bench/loggen" -n "$N" -t 1795860000000 -o "$W/json.log"
"$B/bench/metrics_cost" "$W/json.log"
printf '{ "sources": [{"path": "%s/json.log", "format": "json"}], "sinks": [{"type": "null"}] }\n' \
    "$W" >"$W/on.conf"
printf '{ "sources": [{"path": "%s/json.log", "format": "json"}], "metrics": {"enabled": false}, "sinks": [{"type": "null"}] }\n' \
    "$W" >"$W/off.conf"
{
	$M off -- "$B/logagent" -c "$W/off.conf" --oneshot
	$M on -- "$B/logagent" -c "$W/on.conf" --oneshot
} >"$W/results"
awk -v n="$N" '
	{ t[$1] = $2; r[$1] = $3 }
	END {
		printf "%-12s %9s %12s %10s\n", "metrics", "seconds", "lines/s", "peak RSS"
		printf "%-12s %9.3f %12.0f %8.1f MiB\n", "off", t["off"], n / t["off"], r["off"] / 1024
		printf "%-12s %9.3f %12.0f %8.1f MiB\n", "on", t["on"], n / t["on"], r["on"] / 1024
		printf "on / off: %.2f (target at most 1.15); %.0f ns per event end to end\n",
		    t["on"] / t["off"], (t["on"] - t["off"]) / n * 1e9
	}' "$W/results"
