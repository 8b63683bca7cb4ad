# SPDX-License-Identifier: MIT
# lib.sh: what the bench runners share (sourced): the build dir B, the line
# count N (first argument, default 1M), RUNS (default 5), a work dir W
# removed at exit, and M, which runs a command RUNS times and prints
# "LABEL median_seconds max_rss_kib" (measure.py).
set -eu
B=${T_BUILD:-$(cd "$(dirname "$0")/.." && pwd)}
N=${1:-1000000}
RUNS=${RUNS:-5}
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
M="python3 $(dirname "$0")/measure.py $RUNS"
