# SPDX-License-Identifier: MIT
# lib.sh: sourced by every t/*.t. A small TAP library in the spirit of git's test-lib.sh.
#   t_ok 'title' 'body'     run body (sh) in a subshell; ok or not ok, output shown on failure
#   t_done                  print the plan; exit non-zero when any test failed
#   t_cmp WANT GOT          diff -u, for use inside a body
#   t_wait_for 'cond' SECS  poll until cond is true; the deadline scales with T_TIMEOUT_MULT
#   t_bg CMD...             start CMD in the background; it is killed at exit
#   t_need CMD [REASON]     skip the file (or its rest, after tests) when CMD is missing (fail under T_REQUIRE_PEERS=1)
#   t_agent ARGS...         start logagent in the background, appending to $AGENT_OUT and
#                           $AGENT_ERR (default $T_TMP/out, $T_TMP/err); sets $AGENT_PID
set -u
T_SRC=${T_SRC:-$(cd "$(dirname "$0")/.." && pwd)}
T_BUILD=${T_BUILD:-$T_SRC}
T_TIMEOUT_MULT=${T_TIMEOUT_MULT:-1}
LOGAGENT=$T_BUILD/logagent
LOGGEN=$T_BUILD/bench/loggen
# shared/rigs beside the clone; CI exports T_RIGS so distcheck's copy finds it too.
T_RIGS=${T_RIGS:-$(cd "$T_SRC/../shared/rigs" 2>/dev/null && pwd || echo /nonexistent)}
T_NAME=$(basename "$0" .t)
mkdir -p "$T_BUILD/t/trash"
T_TMP=$(mktemp -d "$T_BUILD/t/trash/$T_NAME.XXXXXX")
T_N=0
T_FAILED=0
T_PIDS=

t_cleanup() {
	for p in $T_PIDS; do kill -9 "$p" 2>/dev/null; done
	if [ "$T_FAILED" = 0 ] && [ -z "${T_KEEP:-}" ]; then rm -rf "$T_TMP"; fi
}
trap t_cleanup EXIT
trap 'exit 130' INT TERM

t_ok() {
	T_N=$((T_N + 1))
	if ( eval "$2" ) >"$T_TMP/.t_out" 2>&1; then
		echo "ok $T_N - $1"
	else
		T_FAILED=$((T_FAILED + 1))
		echo "not ok $T_N - $1"
		sed 's/^/#   /' "$T_TMP/.t_out" | head -40
		echo "#   (files kept in $T_TMP)"
	fi
}

t_skip() {
	T_N=$((T_N + 1))
	echo "ok $T_N - $1 # SKIP $2"
}

t_done() {
	# A sanitizer report in any output the agent left is a failure, even
	# when the test that ran it passed.
	if grep -rlE "==[0-9]+==ERROR: [A-Za-z]+Sanitizer|\.[ch]:[0-9]+:[0-9]+: runtime error: " "$T_TMP" >"$T_TMP/.san" 2>/dev/null; then
		T_N=$((T_N + 1)); T_FAILED=$((T_FAILED + 1))
		echo "not ok $T_N - sanitizer reports in: $(tr '\n' ' ' <"$T_TMP/.san")"
	fi
	echo "1..$T_N"
	[ "$T_FAILED" = 0 ]
	exit $?
}

t_cmp() {
	diff -u "$1" "$2"
}

t_wait_for() {
	_end=$(( $(date +%s%N) / 1000000 + ${2:-10} * 1000 * T_TIMEOUT_MULT ))
	while ! eval "$1" 2>/dev/null; do
		if [ $(( $(date +%s%N) / 1000000 )) -ge $_end ]; then
			echo "t_wait_for: timed out after ${2:-10}s: $1" >&2
			return 1
		fi
		sleep 0.05
	done
}

t_bg() {
	"$@" &
	T_PIDS="$T_PIDS $!"
	T_BG_PID=$!
}

t_need() {
	command -v "$1" >/dev/null 2>&1 && return 0
	[ -x "$1" ] && return 0
	if [ "${T_REQUIRE_PEERS:-0}" = 1 ]; then
		T_N=$((T_N + 1)); T_FAILED=$((T_FAILED + 1))
		echo "not ok $T_N - needs $1 (${2:-missing}), and T_REQUIRE_PEERS=1"
		t_done
	fi
	# Before any test the whole file is skipped; after some, the rest is.
	if [ "$T_N" = 0 ]; then
		echo "1..0 # SKIP needs $1 (${2:-missing})"
		exit 0
	fi
	t_skip "the rest of $T_NAME" "needs $1 (${2:-missing})"
	t_done
}

t_agent() {
	# Files given as arguments: from their start and followed, as the
	# tests mean them (logagent alone begins 10 lines before the end, and
	# into a file reads to the end and stops, as tail does).
	"$LOGAGENT" -f --from-start "$@" >>"${AGENT_OUT:-$T_TMP/out}" 2>>"${AGENT_ERR:-$T_TMP/err}" &
	AGENT_PID=$!
	T_PIDS="$T_PIDS $AGENT_PID"
}

# t_stop_agent SIGNAL: signal the agent and wait for it; sets AGENT_RC.
t_stop_agent() {
	kill -"$1" "$AGENT_PID" 2>/dev/null
	wait "$AGENT_PID"
	AGENT_RC=$?
}

# free_port: a loopback TCP port nobody listens on now.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
# port_free PORT: true when nobody listens on loopback PORT now.
port_free() { python3 -c 'import socket, sys; socket.socket().bind(("127.0.0.1", int(sys.argv[1])))' "$1" 2>/dev/null; }

# t_lines FILE: the number of lines in FILE (0 when it is missing).
t_lines() {
	if [ -f "$1" ]; then wc -l <"$1" | tr -d ' '; else echo 0; fi
}

# t_seqs FILE: the seq numbers of loggen's lines (JSON "seq":N or plain seq=N)
# found in FILE, one per line, sorted.
t_seqs() {
	grep -oE '("seq":|seq=)[0-9]+' "$1" | grep -oE '[0-9]+$' | sort -n
}

# t_state_conf FILE STATE_DIR SOURCES_JSON [EXTRA_TOP_LEVEL_JSON]: a config
# with checkpoints in STATE_DIR, the given sources, ndjson on stdout.
t_state_conf() {
	cat >"$1" <<EOC
{ "state_dir": "$2", "checkpoint_interval": "100ms", ${4:-}
  "sources": $3,
  "sinks": [{"type": "stdout", "encoding": "ndjson"}] }
EOC
}

# t_minus A B: the lines of file A that are not in file B (sets, any order).
t_minus() {
	awk 'NR == FNR { b[$0]; next } !($0 in b)' "$2" "$1"
}

# t_exact WANT_SEQS GOT_FILE: every wanted seq exactly once, nothing else.
t_exact() {
	t_seqs "$2" >"$T_TMP/.got" && sort -n "$1" >"$T_TMP/.want" &&
	if ! cmp -s "$T_TMP/.want" "$T_TMP/.got"; then
		echo "missing: $(t_minus "$T_TMP/.want" "$T_TMP/.got" | wc -l)," \
		    "duplicated: $(uniq -d "$T_TMP/.got" | wc -l)," \
		    "unexpected: $(t_minus "$T_TMP/.got" "$T_TMP/.want" | sort -u | wc -l)"
		t_minus "$T_TMP/.want" "$T_TMP/.got" | head -5
		return 1
	fi
}

# t_crash WANT_SEQS GOT_FILE BOUND: nothing missing or invented; at most
# BOUND duplicates (the unacknowledged window after a SIGKILL).
t_crash() {
	t_seqs "$2" >"$T_TMP/.got" && sort -n "$1" >"$T_TMP/.want" &&
	sort -nu "$T_TMP/.got" >"$T_TMP/.gotu" &&
	if ! cmp -s "$T_TMP/.want" "$T_TMP/.gotu"; then
		echo "missing: $(t_minus "$T_TMP/.want" "$T_TMP/.gotu" | wc -l)," \
		    "invented: $(t_minus "$T_TMP/.gotu" "$T_TMP/.want" | wc -l)"
		return 1
	fi &&
	d=$(( $(wc -l <"$T_TMP/.got") - $(wc -l <"$T_TMP/.gotu") )) &&
	echo "duplicates after crashes: $d (bound $3)" && test "$d" -le "$3"
}

# t_file_seqs FILE...: the seqs found in files on disk, sorted.
t_file_seqs() {
	cat "$@" 2>/dev/null | grep -oE '("seq":|seq=)[0-9]+' | grep -oE '[0-9]+$' | sort -n
}
