#!/bin/sh
# d5-disk-full (docs/runbook.md, "Disk full"): the file sink's disk (a
# 256 KiB tmpfs) fills up. The agent keeps the batch, cuts back what it
# half wrote, stops acknowledging (so reading pauses), says so, and writes
# everything once there is room again.
T_SRC=${T_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$T_SRC/t/lib.sh"
. "$T_SRC/t/drills/drill.sh"
mkdir -p $D/disk
if ! mount -t tmpfs -o size=256k tmpfs $D/disk 2>/dev/null; then
	t_skip "all" "needs root and mount for a small tmpfs"
	t_done
fi
trap 'umount $D/disk 2>/dev/null; t_cleanup' EXIT
: >$D/app.log
drill_conf $D/c.conf "{\"type\": \"file\", \"path\": \"$D/disk/events.ndjson\", \"compress\": \"none\"}"
t_agent -c $D/c.conf
"$LOGGEN" -n 3000 -o $D/app.log	# about 900 KB of ndjson

t_ok 'detect: an error naming the file and ENOSPC; /health: the sink down with it' '
	t_wait_for "grep -q \"$D/disk/events.ndjson: No space left on device; retrying\" $D/err" 15 &&
	t_wait_for "health \"not h[\\\"sinks\\\"][0][\\\"up\\\"] and \\\"No space left\\\" in h[\\\"sinks\\\"][0][\\\"last_error\\\"] and h[\\\"status\\\"] == \\\"degraded\\\"\"" 10
'
t_ok 'mitigate: nothing torn on disk (every line whole JSON), the rest unacknowledged' '
	python3 -c "
import json, sys
for l in open(sys.argv[1]): json.loads(l)
" $D/disk/events.ndjson &&
	test "$(metric logagent_checkpoint_lag_bytes)" -gt 0 &&
	test "$(metric "logagent_sink_batches_retried_total{sink=\"file\"}")" -gt 0
'
mount -o remount,size=16m $D/disk
t_ok 'recover: room again, the file sink catches up, /health ok' '
	t_wait_for "test \$(t_lines $D/disk/events.ndjson) -ge 3000" 60 &&
	t_wait_for "health \"h[\\\"sinks\\\"][0][\\\"up\\\"]\"" 10 &&
	t_wait_for "test \$(metric logagent_checkpoint_lag_bytes) = 0" 10
'
t_ok 'nothing lost, nothing twice' 'drill_exact 3000 $D/disk/events.ndjson'
t_stop_agent TERM
t_done
