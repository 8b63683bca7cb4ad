#!/bin/sh
# d7-malformed-flood (docs/runbook.md, "Malformed input flood"): binary
# junk, NUL bytes, invalid UTF-8, broken JSON and 200 KiB lines between
# good ones. Each bad line is kept as an event (marked), counted, and
# shipped as valid JSON; the good ones all arrive; memory stays bounded.
T_SRC=${T_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$T_SRC/t/lib.sh"
. "$T_SRC/t/drills/drill.sh"
drill_conf $D/c.conf '{"type": "file", "path": "'$D'/sink.ndjson", "compress": "none"}' ', "format": "json"'
t_agent -c $D/c.conf
python3 - $D/app.log <<'PY'
import json, os, random, sys
random.seed(7)
out = open(sys.argv[1], "ab")
bad = 0
for seq in range(1, 3001):
    out.write(json.dumps({"level": "info", "msg": "ok", "seq": seq}).encode() + b"\n")
    if seq % 3 == 0:
        kind = seq % 5
        if kind == 0:
            line = bytes(random.randrange(256) for _ in range(300)).replace(b"\n", b" ")
        elif kind == 1:
            line = b'{"msg": "nul\x00inside", "level": "error"'
        elif kind == 2:
            line = b"\xff\xfe\xc3\x28 invalid utf-8 \xed\xa0\x80"
        elif kind == 3:
            line = b'{"msg": "' + b"x" * (200 << 10) + b'"}'
        else:
            line = b"\x1b]0;title\x07\x1b[2J{not json at all"
        out.write(line + b"\n")
        bad += 1
open(sys.argv[1] + ".bad", "w").write(str(bad))
PY
BAD=$(cat $D/app.log.bad)
LONG=$(awk 'length($0) > 65536' $D/app.log | wc -l)
t_ok 'detect: parse errors and cut lines counted in /metrics; /health stays ok' '
	t_wait_for "test \$(metric logagent_events_in_total) = $((3000 + BAD))" 20 &&
	test "$(metric logagent_parse_errors_total)" -gt 0 &&
	test "$(metric logagent_lines_truncated_total)" = "$LONG" &&
	health "h[\"status\"] == \"ok\""
'
t_ok 'mitigate: every line is one event of valid JSON, bad ones marked, none larger than the cap' '
	t_wait_for "test \$(t_lines $D/sink.ndjson) -ge $((3000 + BAD))" 20 &&
	python3 - $D/sink.ndjson $((3000 + BAD)) <<PY
import json, sys
n = marked = 0
for l in open(sys.argv[1], "rb"):
    e = json.loads(l.decode("utf-8"))
    assert len(l) < 70000, len(l)
    assert "\x1b" not in json.dumps(e, ensure_ascii=False).replace("\\\\u001b", ""), e
    n += 1
    marked += "seq" not in e and bool(e.get("parse_error") or e.get("truncated"))
print("events", n, "bad ones marked", marked)
assert n == int(sys.argv[2]), n
PY
'
# ASan's shadow memory is resident too: its own, larger bound.
if drill_asan; then RSS_MAX=$((512 << 20)); else RSS_MAX=$((64 << 20)); fi
t_ok "memory stays bounded (resident < $((RSS_MAX >> 20)) MiB)" '
	rss=$(metric logagent_resident_memory_bytes) && echo "resident: $rss" && test "$rss" -lt $RSS_MAX
'
t_ok 'nothing lost, nothing twice among the good lines' 'drill_exact 3000 $D/sink.ndjson'
t_stop_agent TERM
t_done
