#!/bin/sh
# SPDX-License-Identifier: MIT
# run-sinks.sh [LINES]: end to end, tail -> json parse -> metrics -> gzip ->
# file sink (fsync per batch), and the same to the http sink posting to a
# loopback nginx that discards (../shared/rigs/nginx-sink-up.sh; its own
# time for the same bytes is measured, so it is seen not to be the
# bottleneck). Ratios to `gzip -1 -c FILE > /dev/null` in the same run;
# medians of RUNS (5); peak RSS. Never part of make check.
. "$(dirname "$0")/lib.sh"
RIGS=${T_RIGS:-$(cd "$(dirname "$0")/../../shared/rigs" 2>/dev/null && pwd)}

"$B/bench/loggen" -n "$N" -t 1795860000000 -o "$W/json.log"
printf '{ "sources": [{"path": "%s/json.log", "format": "json"}], "metrics": {"listen": ""},
  "sinks": [{"type": "file", "path": "%s/out/app-%%Y%%m%%d.jsonl.gz"}] }\n' "$W" "$W" >"$W/file.conf"
have_http=
if [ -x "$RIGS/nginx-sink-up.sh" ] && "$RIGS/nginx-sink-up.sh" "$W/nginx" >/dev/null 2>&1; then
	trap '"$RIGS/rig-down.sh" "$W/nginx" >/dev/null 2>&1; rm -rf "$W"' EXIT
	U=$(cat "$W/nginx/url")
	printf '{ "sources": [{"path": "%s/json.log", "format": "json"}], "metrics": {"listen": ""},
  "sinks": [{"type": "http", "url": "%s/discard", "max_in_flight": 4}] }\n' "$W" "$U" >"$W/http.conf"
	have_http=1
fi
{
	$M gzip -- sh -c "gzip -1 -c '$W/json.log' >/dev/null"
	$M file -- sh -c "rm -rf '$W/out'; exec '$B/logagent' -c '$W/file.conf' --oneshot"
	if [ -n "$have_http" ]; then
		gzip -1 -c "$W/json.log" >"$W/json.log.gz"
		$M receiver -- curl -fsS -o /dev/null -H 'Content-Encoding: gzip' --data-binary "@$W/json.log.gz" "$U/discard"
		$M http -- "$B/logagent" -c "$W/http.conf" --oneshot
	fi
} >"$W/results"
awk -v n="$N" '
	{ t[$1] = $2; r[$1] = $3 }
	END {
		printf "%-10s %9s %12s %10s %10s\n", "what", "seconds", "lines/s", "x gzip -1", "peak RSS"
		split("gzip file receiver http", order, " ")
		for (i = 1; i <= 4; i++) {
			k = order[i]
			if (!(k in t)) continue
			printf "%-10s %9.3f %12.0f %10.2f", k, t[k], n / t[k], t[k] / t["gzip"]
			if (k == "file" || k == "http") printf " %7.1f MiB", r[k] / 1024
			printf "\n"
		}
	}' "$W/results"
