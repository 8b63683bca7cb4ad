#!/bin/sh
# SPDX-License-Identifier: MIT
# run-parse.sh [LINES]: parse throughput per format. For each of json,
# logfmt, clf (nginx combined with request times) and plain, LINES
# (default 1M) deterministic lines are read with --oneshot and parsed (metrics
# off: this is the parsers' cost; bench/run-metrics.sh has the rest) into
# the null sink; `gzip -1 -c FILE > /dev/null` on the same file in the same
# run is the yardstick. Medians of RUNS (5) runs. Never part of make check.
. "$(dirname "$0")/lib.sh"

printf "%-8s %9s %9s %12s %9s %12s %10s\n" format lines MB "gzip -1 s" "parse s" "lines/s" "x gzip -1"
for f in json logfmt clf plain; do
	gen=$f; [ $f = clf ] && gen=nginx
	"$B/bench/loggen" -n "$N" -t 1795860000000 -f "$gen" -o "$W/$f.log"
	printf '{ "sources": [{"path": "%s/%s.log", "format": "%s"}], "metrics": {"enabled": false}, "sinks": [{"type": "null"}] }\n' \
	    "$W" "$f" "$f" >"$W/$f.conf"
	g=$($M gzip -- sh -c "gzip -1 -c '$W/$f.log' >/dev/null" | cut -d' ' -f2)
	p=$($M "$f" -- "$B/logagent" -c "$W/$f.conf" --oneshot | cut -d' ' -f2)
	awk -v f="$f" -v n="$N" -v size="$(stat -c %s "$W/$f.log")" -v g="$g" -v p="$p" \
	    'BEGIN { printf "%-8s %9d %9.1f %12.3f %9.3f %12.0f %10.2f\n", f, n, size / 1e6, g, p, n / p, p / g }'
done
