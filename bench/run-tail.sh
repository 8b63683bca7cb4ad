#!/bin/sh
# SPDX-License-Identifier: MIT
# run-tail.sh [LINES]: tail-only throughput. logagent --oneshot reads a
# file of LINES (default 1M) deterministic JSON lines into the null sink;
# the same file through `cat > /dev/null` and `wc -l` in the same run gives
# the ratios. Medians of 5 runs; peak RSS of logagent. Never part of make check.
. "$(dirname "$0")/lib.sh"

"$B/bench/loggen" -n "$N" -t 1795860000000 -o "$W/json.log"
"$B/bench/loggen" -n "$N" -t 1795860000000 -f plain -o "$W/plain.log"
for f in json plain; do
	printf '{ "sources": [{"path": "%s/%s.log", "format": "%s"}], "sinks": [{"type": "null"}] }\n' \
	    "$W" "$f" "$f" >"$W/$f.conf"
	printf '{ "state_dir": "%s/state-%s", "sources": [{"path": "%s/%s.log", "format": "%s"}], "sinks": [{"type": "null"}] }\n' \
	    "$W" "$f" "$W" "$f" "$f" >"$W/$f-cp.conf"
done
size=$(stat -c %s "$W/json.log")
echo "file: $N lines, $size bytes (JSON); $(uname -m), $(nproc) cores; median of $RUNS runs"
{
	$M cat -- sh -c "cat '$W/json.log' >/dev/null"
	$M wc -- wc -l "$W/json.log"
	$M plain -- "$B/logagent" -c "$W/plain.conf" --oneshot
	$M json -- "$B/logagent" -c "$W/json.conf" --oneshot
	# With checkpoints the state dir must start empty each run: a fresh copy per run.
	$M json+checkpoints -- sh -c "rm -rf '$W/state-json'; exec '$B/logagent' -c '$W/json-cp.conf' --oneshot"
} >"$W/results"
awk -v n="$N" -v size="$size" '
	{ t[$1] = $2; r[$1] = $3 }
	END {
		printf "%-18s %9s %12s %9s %10s %10s\n", "what", "seconds", "lines/s", "MB/s", "x cat", "x wc -l"
		split("cat wc plain json json+checkpoints", order, " ")
		for (i = 1; i <= 5; i++) {
			k = order[i]
			printf "%-18s %9.3f %12.0f %9.1f %10.2f %10.2f", k, t[k], n / t[k], size / t[k] / 1e6, t[k] / t["cat"], t[k] / t["wc"]
			if (k != "cat" && k != "wc") printf "   peak RSS %.1f MiB", r[k] / 1024
			printf "\n"
		}
	}' "$W/results"
