#!/bin/sh
# SPDX-License-Identifier: MIT
# run-metrics.sh [LINES]: what metrics cost. First the aggregation alone
# (bench/metrics_cost, ns per event, on the parsed lines), with events 1 ms
# apart and again 1 us apart, which closes no tick (but each series' tick
# log then fills and folds every 2048 values, so the difference is not all
# that ticks cost); each with the cache of requests' series and without,
# and on lines whose paths never repeat (each its own id), where the
# cache misses and rests. Then logagent --oneshot on LINES (default 1M)
# JSON lines into the null sink with metrics on and off, in
# turns on one core (pair.py), RUNS (5) rounds: medians, and the median and
# quartiles of the rounds' on/off ratios. Target: on within 15% of off. Then the same
# with the wall clock (metrics.clock), as a live tail has it: a replay on
# the events' clock closes the ticks of all the time it covers.
. "$(dirname "$0")/lib.sh"

"$B/bench/loggen" -n "$N" -t 1795860000000 -o "$W/json.log"
# The request cache's worst case: no path repeats, so it misses and rests.
"$B/bench/loggen" -n "$N" -t 1795860000000 -u -o "$W/unique.log"
for f in json unique; do
	for apart in 1000000 1000; do
		for cache in cache nocache; do
			printf '%-7s %-8s ' "$f" "$cache"
			"$B/bench/metrics_cost" "$W/$f.log" "$apart" "$cache"
		done
	done
done
rm -f "$W/unique.log"
printf '{ "sources": [{"path": "%s/json.log", "format": "json"}], "sinks": [{"type": "null"}] }\n' \
    "$W" >"$W/on.conf"
printf '{ "sources": [{"path": "%s/json.log", "format": "json"}], "metrics": {"enabled": false}, "sinks": [{"type": "null"}] }\n' \
    "$W" >"$W/off.conf"
printf '{ "sources": [{"path": "%s/json.log", "format": "json"}], "metrics": {"clock": "wall"}, "sinks": [{"type": "null"}] }\n' \
    "$W" >"$W/wall.conf"
P="python3 $(dirname "$0")/pair.py $RUNS"
$P off on -- "$B/logagent" -c "$W/off.conf" --oneshot --- "$B/logagent" -c "$W/on.conf" --oneshot >"$W/results"
$P off wall -- "$B/logagent" -c "$W/off.conf" --oneshot --- "$B/logagent" -c "$W/wall.conf" --oneshot |
    sed 's/^off /off2 /; s/^ratio /ratio2 /' >>"$W/results"
awk -v n="$N" '
	{ t[$1] = $2; r[$1] = $3; q3[$1] = $4 }
	END {
		printf "%-22s %9s %12s %10s\n", "metrics", "seconds", "lines/s", "peak RSS"
		printf "%-22s %9.3f %12.0f %8.1f MiB\n", "off", t["off"], n / t["off"], r["off"] / 1024
		printf "%-22s %9.3f %12.0f %8.1f MiB\n", "on", t["on"], n / t["on"], r["on"] / 1024
		printf "%-22s %9.3f %12.0f %8.1f MiB\n", "on, metrics.clock wall", t["wall"], n / t["wall"], r["wall"] / 1024
		printf "on / off: %.3f (target at most 1.15), median of the rounds (quartiles %.3f, %.3f); about %.0f ns per event end to end\n",
		    t["ratio"], r["ratio"], q3["ratio"], (t["ratio"] - 1) * t["off"] / n * 1e9
		printf "on with the wall clock / off: %.3f (quartiles %.3f, %.3f)\n", t["ratio2"], r["ratio2"], q3["ratio2"]
	}' "$W/results"
