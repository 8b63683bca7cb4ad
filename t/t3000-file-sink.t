#!/bin/sh
# t3000-file-sink: the cron-rotated file sink: names from a strftime pattern,
# one gzip member per batch, mode, directories, SIGHUP reopen after mv,
# numbered parts, retention, and a full disk that is waited out.
. "${T_SRC:-$(dirname "$0")/..}/t/lib.sh"
t_need zcat

D=$T_TMP
conf() {	# conf FILE SINK_JSON [SOURCE_PATH]
	cat >"$1" <<EOC
{ "state_dir": "$D/state-$(basename "$1" .conf)", "checkpoint_interval": "100ms",
  "metrics": {"listen": "", "events": false},
  "sources": [{"path": "${3:-$D/app.log}"}],
  "sinks": [$2] }
EOC
}
all_seqs() { find "$1" -type f -name "$2" -exec sh -c 'zcat -f "$@"' sh {} + | t_seqs /dev/stdin; }

# --- a new file each second; every line once across them -----------------
"$LOGGEN" -o $D/app.log -n 1 --start 1
conf $D/sec.conf "{\"type\": \"file\", \"path\": \"$D/sec/%Y-%m-%d/app-%H%M%S.jsonl.gz\"}"
t_agent -c $D/sec.conf
"$LOGGEN" -o $D/app.log -r 2000 -d 3 --start 2 >/dev/null
got() { test "$(all_seqs $D/sec '*.gz' | wc -l)" -ge "$(t_lines $D/app.log)"; }
t_ok 'a pattern with %S: several files, zcat of all equals the input' '
	t_wait_for got 20 &&
	test "$(find $D/sec -name "*.gz" | wc -l)" -ge 3 &&
	t_seqs $D/app.log >$D/want && all_seqs $D/sec "*.gz" >$D/got.txt &&
	sed "s/^/\"seq\":/" $D/got.txt >$D/got && t_exact $D/want $D/got
'
t_ok 'files are 0640, in directories made for them' '
	f=$(find $D/sec -name "*.gz" | head -1) && test "$(stat -c %a "$f")" = 640 &&
	test -d "$D/sec/$(date +%Y-%m-%d)"
'
t_ok 'each batch is a whole gzip member: a file cut after any member still reads' '
	f=$(find $D/sec -name "*.gz" | sort | head -1) &&
	python3 - "$f" <<PY
import sys, zlib
data = open(sys.argv[1], "rb").read()
ends, d, pos = [], None, 0
while pos < len(data):
    d = zlib.decompressobj(31)
    d.decompress(data[pos:])
    pos = len(data) - len(d.unused_data)
    ends.append(pos)
print(len(ends), "members")
import gzip
for e in ends:
    gzip.decompress(data[:e])
assert len(ends) >= 1
PY
'
t_stop_agent TERM

# --- SIGHUP after mv: the sink reopens the path -----------------------------
: >$D/hup.log
conf $D/hup.conf "{\"type\": \"file\", \"path\": \"$D/hup/out.jsonl.gz\"}" $D/hup.log
t_agent -c $D/hup.conf
"$LOGGEN" -o $D/hup.log -n 100 --start 1
t_wait_for "test \"\$(zcat -f $D/hup/out.jsonl.gz 2>/dev/null | wc -l)\" = 100" 10
mv $D/hup/out.jsonl.gz $D/hup/out.jsonl.gz.1
kill -HUP $AGENT_PID
sleep 0.5
"$LOGGEN" -o $D/hup.log -n 100 --start 101
t_ok 'SIGHUP after mv: a new file at the path, the old one whole, nothing lost' '
	t_wait_for "test -s $D/hup/out.jsonl.gz" 10 &&
	t_wait_for "test \"\$(zcat $D/hup/out.jsonl.gz | wc -l)\" = 100" 10 &&
	seq 1 200 | sed "s/^/\"seq\":/" >$D/hw && seq 1 200 >$D/hwant &&
	zcat $D/hup/out.jsonl.gz.1 $D/hup/out.jsonl.gz >$D/hgot && t_exact $D/hwant $D/hgot &&
	test "$(zcat $D/hup/out.jsonl.gz.1 | wc -l)" = 100
'
t_stop_agent TERM

# --- numbered parts past max_bytes; plain ndjson without .gz; keep_files ----
"$LOGGEN" -o $D/parts.log -n 3000
conf $D/parts.conf "{\"type\": \"file\", \"path\": \"$D/parts/app.jsonl\", \"max_bytes\": \"64KiB\"}" $D/parts.log
t_ok 'max_bytes: numbered parts, plain ndjson when the path has no .gz' '
	"$LOGAGENT" -c $D/parts.conf --oneshot 2>$D/parts.err &&
	test -f $D/parts/app.jsonl && test -f $D/parts/app.1.jsonl && test -f $D/parts/app.2.jsonl &&
	head -c 1 $D/parts/app.jsonl | grep -q "{" &&
	seq 1 3000 >$D/pw && cat $D/parts/*.jsonl >$D/pgot && t_exact $D/pw $D/pgot
'
conf $D/keep.conf "{\"type\": \"file\", \"path\": \"$D/keep/app.jsonl.gz\", \"max_bytes\": \"16KiB\", \"keep_files\": 2}" $D/parts.log
t_ok 'keep_files 2: only the two newest files remain' '
	"$LOGAGENT" -c $D/keep.conf --oneshot 2>$D/keep.err &&
	test "$(ls $D/keep | wc -l)" = 2 && grep -q "removed .*keep_files 2" $D/keep.err
'

# --- stdout compressed: logagent ... | zcat ---------------------------------
conf $D/gz.conf '{"type": "stdout", "compress": "gzip"}' $D/parts.log
t_ok 'stdout with compress gzip: | zcat gives every line' '
	"$LOGAGENT" -c $D/gz.conf --oneshot 2>$D/gz.err | zcat >$D/gz.out &&
	seq 1 3000 >$D/gw && t_exact $D/gw $D/gz.out
'

# --- a full disk: logged, retried, nothing acknowledged unwritten -----------
mkdir -p $D/small
if mount -t tmpfs -o size=1m tmpfs $D/small 2>/dev/null; then
	trap 'umount $D/small 2>/dev/null; t_cleanup' EXIT
	# Room for a few batches, not for the 2000 lines (about 380 KB).
	head -c 1000000 /dev/zero >$D/small/filler
	"$LOGGEN" -o $D/full.log -n 2000
	conf $D/full.conf "{\"type\": \"file\", \"path\": \"$D/small/out.jsonl\"}" $D/full.log
	AGENT_ERR=$D/full.err
	t_agent -c $D/full.conf
	t_ok 'disk full: the error is logged and retried, not dropped' '
		t_wait_for "grep -q \"cannot write .*No space left on device; retrying\" $D/full.err" 15
	'
	rm $D/small/filler
	t_ok 'space again: every line arrives, once' '
		t_wait_for "test \"\$(t_lines $D/small/out.jsonl)\" = 2000" 40 &&
		seq 1 2000 >$D/fw && t_exact $D/fw $D/small/out.jsonl &&
		grep -q "writing to .* again" $D/full.err
	'
	t_stop_agent TERM
	umount $D/small
else
	t_skip 'disk full (tmpfs mount not permitted here)' 2
fi
t_done
