#!/bin/sh
# t0004-build: configure names the Debian package of a missing library; make demo shows events.
. "${T_SRC:-$(dirname "$0")/..}/t/lib.sh"

t_ok 'configure without the libraries names the package to install' '
	# A copy of what configure reads, so it runs in place even when the
	# source tree is configured already (VPATH would refuse).
	mkdir -p $T_TMP/b/agent $T_TMP/empty && cd $T_TMP/b &&
	cp -R "$T_SRC/configure" "$T_SRC/Makefile.in" "$T_SRC/config.h.in" "$T_SRC/build-aux" . &&
	cp "$T_SRC/agent/main.c" agent/ &&
	! PKG_CONFIG_LIBDIR=$T_TMP/empty PKG_CONFIG_PATH= ./configure >out 2>err &&
	cat err && grep -q "libuv >= 1.44 not found: install the Debian package libuv1-dev" err
'
if command -v setpriv >/dev/null && [ "$(id -u)" = 0 ]; then
	t_ok 'bootstrap as a non-root user: prints the apt-get line for what is missing, and stops' '
		mkdir -p $T_TMP/bs && cp "$T_SRC/bootstrap" $T_TMP/bs/ && chmod 755 $T_TMP $T_TMP/bs &&
		! BOOTSTRAP_EXTRA=logagent-no-such-package setpriv --reuid=65534 --regid=65534 --clear-groups \
		    sh $T_TMP/bs/bootstrap >$T_TMP/bs.out 2>$T_TMP/bs.err &&
		cat $T_TMP/bs.err &&
		grep -q "missing Debian packages: logagent-no-such-package" $T_TMP/bs.err &&
		grep -q "apt-get update && apt-get install -y --no-install-recommends logagent-no-such-package" $T_TMP/bs.err &&
		test ! -e $T_TMP/bs/configure
	'
else
	t_skip 'bootstrap as a non-root user' 'needs root and setpriv to become another user'
fi
t_ok 'the demo generator writes JSON lines with every request field' '
	"$LOGGEN" -n 50 -f json >$T_TMP/g &&
	for k in time level msg method path status latency request_id seq; do
		grep -q "\"$k\":" $T_TMP/g || { echo "no $k"; exit 1; }
	done
'
t_ok 'the demo: logagent --tail shows the generated events, then stops cleanly' '
	T_BUILD="$T_BUILD" DEMO_SECONDS=3 sh "$T_SRC/bench/demo.sh" >$T_TMP/o 2>$T_TMP/e; rc=$?
	cat $T_TMP/e; test $rc = 0 && test "$(t_seqs $T_TMP/o | wc -l)" -ge 5 &&
	t_seqs $T_TMP/o | uniq -d | wc -l | grep -qx 0
'
t_done
