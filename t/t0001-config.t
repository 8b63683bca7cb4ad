#!/bin/sh
# t0001-config: config files: the example, errors with JSON paths, ${VAR}, secrets, state_dir.
. "${T_SRC:-$(dirname "$0")/..}/t/lib.sh"

t_ok 'etc/logagent.conf is accepted by --check-config' '
	DEPLOY_ENV=prod COLLECTOR_TOKEN=t COLLECTOR_USER=u COLLECTOR_PASSWORD=p "$LOGAGENT" -c "$T_SRC/etc/logagent.conf" --check-config >$T_TMP/o &&
	grep -q "logagent.conf: OK" $T_TMP/o
'
for f in "$T_SRC"/t/data/conf/bad-*.conf; do
	# The first line of each bad config is "// expect: <text the error must hold>".
	want=$(sed -n '1s|^// expect: ||p' "$f")
	t_ok "$(basename "$f"): exit 1, error says \"$want\"" '
		"$LOGAGENT" -c "$f" --check-config >$T_TMP/o 2>$T_TMP/e; rc=$?
		cat $T_TMP/e; test $rc = 1 && grep -qF -- "$want" $T_TMP/e && grep -qF "$(basename "$f")" $T_TMP/e
	'
done
t_ok 'a missing config file: exit 1, names the file' '
	"$LOGAGENT" -c $T_TMP/nope.conf --check-config 2>$T_TMP/e; test $? = 1 &&
	grep -q "nope.conf: cannot open: No such file or directory" $T_TMP/e
'
t_ok 'a directory is not a config file' '
	"$LOGAGENT" -c $T_TMP --check-config 2>$T_TMP/e; test $? = 1 && grep -q "not a regular file" $T_TMP/e
'
t_ok '${VAR} from the environment' '
	printf "{\"sources\":[{\"path\":\"\${T_LOGDIR}/a.log\"}],\"sinks\":[{\"type\":\"stdout\"}]}" >$T_TMP/env.conf &&
	T_LOGDIR=/var/log "$LOGAGENT" -c $T_TMP/env.conf --check-config &&
	! "$LOGAGENT" -c $T_TMP/env.conf --check-config 2>$T_TMP/e &&
	grep -q "sources\[0\].path: environment variable T_LOGDIR is not set" $T_TMP/e
'
t_ok 'a secret from the environment never reaches stderr' '
	printf "{\"sources\":[{\"path\":\"/a\"}],\"sinks\":[{\"type\":\"stdout\",\"encoding\":\"\${T_TOKEN}\"}]}" >$T_TMP/s.conf &&
	T_TOKEN=s3cr3t-t0ken-value "$LOGAGENT" -c $T_TMP/s.conf --check-config 2>$T_TMP/e; test $? = 1 &&
	grep -q "sinks\[0\].encoding: expected one of" $T_TMP/e && ! grep -q s3cr3t $T_TMP/e
'
t_ok 'a config runs: file source, json format, pretty stdout sink' '
	printf "{\"level\":\"warn\",\"msg\":\"from config\"}\n" >$T_TMP/app.log &&
	cat >$T_TMP/run.conf <<-EOC &&
	{
	  // comments are fine
	  "sources": [{"path": "-", "name": "in", "format": "json"}],
	  "sinks": [{"type": "stdout", "encoding": "pretty", "color": "never"}]
	}
	EOC
	"$LOGAGENT" -c $T_TMP/run.conf <$T_TMP/app.log >$T_TMP/o &&
	grep -qE "^[0-9:.]+ WARN  from config$" $T_TMP/o
'
t_ok 'state_dir is created 0700' '
	printf "{\"state_dir\":\"$T_TMP/state\",\"sources\":[{\"path\":\"-\"}],\"sinks\":[{\"type\":\"stdout\"}]}" >$T_TMP/st.conf &&
	"$LOGAGENT" -c $T_TMP/st.conf </dev/null &&
	test "$(stat -c %a $T_TMP/state)" = 700
'
t_ok 'a world-writable state_dir is refused' '
	mkdir -p $T_TMP/ww && chmod 0777 $T_TMP/ww &&
	printf "{\"state_dir\":\"$T_TMP/ww\",\"sources\":[{\"path\":\"-\"}],\"sinks\":[{\"type\":\"stdout\"}]}" >$T_TMP/ww.conf &&
	! "$LOGAGENT" -c $T_TMP/ww.conf </dev/null 2>$T_TMP/e &&
	grep -q "writable by group or others (mode 777); refusing it" $T_TMP/e
'
t_done
