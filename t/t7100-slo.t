#!/bin/sh
# t7100-slo: SLOs and burn-rate alerts. Three days of timestamped traffic
# replayed with --oneshot: every alert fires and resolves at the minute
# computed here (by hand for the main ones, and by a plain per-minute
# model for all). Then live: /health and /metrics show the objectives,
# promtool accepts the exposition, and a SIGHUP keeps /metrics whole.
. "${T_SRC:-$(dirname "$0")/..}/t/lib.sh"
t_need python3

D=$T_TMP
# Day 0 starts 2026-11-01T00:00:00Z. 20 requests a minute, one each 3 s.
#   A  day 0 10:00-10:19  half the requests fail (503)
#   B  day 1 02:00-07:59  2 of 20 fail (500)
#   C  day 2 14:00-14:59  every request takes 1.2 s (else 50 ms)
#   D  day 2 20:00-20:44  no lines at all
python3 - $D/traffic.log <<'PY'
import datetime, json, sys
t0 = datetime.datetime(2026, 11, 1, tzinfo=datetime.timezone.utc)
out = open(sys.argv[1], "w")
for m in range(3 * 1440):
    day, hm = divmod(m, 1440)
    if day == 2 and 20 * 60 <= hm < 20 * 60 + 45:
        continue
    for i in range(20):
        t = t0 + datetime.timedelta(minutes=m, seconds=3 * i)
        status = 200
        if day == 0 and 600 <= hm < 620 and i % 2 == 0:
            status = 503
        if day == 1 and 120 <= hm < 480 and i < 2:
            status = 500
        lat = 1.2 if day == 2 and 840 <= hm < 900 else 0.05
        out.write(json.dumps({"time": t.strftime("%Y-%m-%dT%H:%M:%SZ"), "level": "info",
            "msg": "request", "method": "GET", "path": "/api/items/%d" % (m % 97),
            "status": status, "latency": lat}) + "\n")
PY
cat >$D/slo.conf <<EOC
{ "sources": [{"path": "$D/traffic.log", "name": "api"}],
  "metrics": {"listen": ""},
  "slo": [
    {"name": "avail", "objective": 0.99},
    {"name": "lat", "type": "latency", "threshold": "300ms", "objective": 0.95,
     "route": "/api/items/*", "alerts": ["page 14.4 1h 5m"]},
    {"name": "fresh", "type": "freshness", "max_age": "2m", "objective": 0.99,
     "source": "ap?", "alerts": ["page 14.4 1h 5m"]}
  ],
  "sinks": [{"type": "stdout", "encoding": "ndjson"}] }
EOC

t_ok 'three days (85,500 lines) replayed with --oneshot' '
	"$LOGAGENT" -c $D/slo.conf --oneshot >$D/out 2>$D/err &&
	test "$(grep -c "\"message\":\"request\"" $D/out)" = 85500
'
grep '"kind":"alert"' $D/out >$D/alerts
t_ok 'alert events: time, state, objective, burn rates and budget' '
	python3 - $D/alerts <<PY
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
assert ev, "no alert events"
for e in ev:
    for k in ("time", "level", "message", "slo", "slo_type", "state", "severity", "objective",
              "burn_rate_threshold", "long_window", "short_window", "burn_rate_long",
              "burn_rate_short", "error_budget_left", "sli"):
        assert k in e, (k, e)
    assert e["time"].endswith(":00.000Z"), e["time"]
    assert (e["state"] == "firing") == (e["burn_rate_long"] >= e["burn_rate_threshold"] * (1 - 1e-9)
        and e["burn_rate_short"] >= e["burn_rate_threshold"] * (1 - 1e-9)), e
    assert e["level"] == ("info" if e["state"] == "resolved" else
        "error" if e["severity"] == "page" else "warn"), e
PY
'

# The minutes, worked out. "fires at 10:18" means when minute 10:17 ends.
# avail, objective 0.99: the budget is 1% bad, so burn = bad fraction / 1%.
#  page 14.4 1h 5m, incident A (10 bad of 20 a minute: burn 50 in a minute):
#   after k+1 bad minutes the hour holds 10(k+1) bad of 1200:
#   burn 1h = 10(k+1)/1200/1% = 0.833(k+1) >= 14.4 when k+1 >= 17.28: 18
#   minutes, 10:00-10:17, so it fires at 10:18 (5m burn is 50).
#   5m after A: windows ending 10:20, 10:21, 10:22 hold 4, 3, 2 bad minutes
#   (burn 40, 30, 20); ending 10:23 holds 1 (burn 10 < 14.4): resolves 10:24.
#  ticket 1 3d 6h, incident A: both windows still hold all the traffic
#   since 00:00 (the 6h window is full: 360 minutes, 7200 requests).
#   6h: 10(k+1)/7200/1% >= 1 when k+1 >= 7.2; 3d: 10(k+1) over
#   20(601+k) >= 1% when k+1 >= 12.3: 13 minutes, 10:00-10:12: fires 10:13.
#   It resolves when the 6h window holds 7 of A's minutes (70/7200 = 0.97%):
#   the window 10:13-16:12, ending 16:12: resolves at 16:13.
#  page 6 6h 30m, incident B (2 bad of 20: burn 10): A is 16 h before, out
#   of the 6h window. 6h: 2(k+1)/7200/1% = (k+1)/36 >= 6 when k+1 >= 216:
#   02:00-05:35, fires day 1 05:36. 30m after B: bad/3 >= 6 while the
#   window holds 18 of B's minutes; 07:43-08:12 holds 17: resolves 08:13.
# lat, objective 0.95 (budget 5%), incident C, every request slow (burn 20):
#   1h: 20(k+1)/1200/5% = (k+1)/3 >= 14.4 when k+1 >= 43.2: 44 minutes,
#   14:00-14:43: fires day 2 14:44. 5m after C: ending 15:00 it holds 4
#   slow minutes (burn 16), ending 15:01 three (12 < 14.4): resolves 15:02.
# fresh, max_age 2m, objective 0.99 (a stale minute is 1% of 1, burn 100
#   over 1 minute): the last line before D is at 19:59:57. The minute
#   ending 20:01 finds it 63 s old (good), the one ending 20:02 123 s (bad).
#   Minutes ending 20:02-20:45 are stale (44); the line at 20:45:00 makes
#   the minute ending 20:46 fresh. 1h: bad/60/1% >= 14.4 when bad >= 8.64:
#   the 9th stale minute ends 20:10: fires 20:10. 5m: one stale minute is
#   burn 20, so it resolves when the window ending 20:49 has none: 20:50.
t_ok 'the hand-computed minutes' '
	for want in \
	    "avail page 1h/5m firing 2026-11-01T10:18" \
	    "avail page 1h/5m resolved 2026-11-01T10:24" \
	    "avail ticket 3d/6h firing 2026-11-01T10:13" \
	    "avail ticket 3d/6h resolved 2026-11-01T16:13" \
	    "avail page 6h/30m firing 2026-11-02T05:36" \
	    "avail page 6h/30m resolved 2026-11-02T08:13" \
	    "lat page 1h/5m firing 2026-11-03T14:44" \
	    "lat page 1h/5m resolved 2026-11-03T15:02" \
	    "fresh page 1h/5m firing 2026-11-03T20:10" \
	    "fresh page 1h/5m resolved 2026-11-03T20:50"; do
		python3 -c "
import json, sys
for l in open(sys.argv[1]):
    e = json.loads(l)
    print(e[\"slo\"], e[\"severity\"], e[\"long_window\"] + \"/\" + e[\"short_window\"], e[\"state\"], e[\"time\"][:16])
" $D/alerts | grep -qx "$want" || { echo "missing: $want"; exit 1; }
	done
'

t_ok 'every alert, fired and resolved, equals a per-minute model of the same traffic' '
	python3 - $D/traffic.log $D/alerts <<PY
import datetime, json, sys
from fractions import Fraction as F
t0 = datetime.datetime(2026, 11, 1, tzinfo=datetime.timezone.utc)
def minute(s):
    return int((datetime.datetime.strptime(s[:19], "%Y-%m-%dT%H:%M:%S").replace(
        tzinfo=datetime.timezone.utc) - t0).total_seconds()) // 60
N = 3 * 1440
avail = [[0, 0] for _ in range(N)]
lat = [[0, 0] for _ in range(N)]
newest = [None] * N
last = None
for l in open(sys.argv[1]):
    e = json.loads(l)
    m = minute(e["time"])
    avail[m][1] += 1; avail[m][0] += e["status"] < 500
    lat[m][1] += 1; lat[m][0] += e["latency"] <= 0.3
    last = int((datetime.datetime.strptime(e["time"][:19], "%Y-%m-%dT%H:%M:%S").replace(
        tzinfo=datetime.timezone.utc) - t0).total_seconds())
    newest[m] = last
fresh, seen = [], None
for m in range(N):
    if newest[m] is not None:
        seen = newest[m]
    fresh.append([1 if seen is not None and (m + 1) * 60 - seen <= 120 else 0, 1])
W = {"5m": 5, "30m": 30, "1h": 60, "2h": 120, "6h": 360, "1d": 1440, "3d": 4320}
def burn(c, m, L, obj):
    g = sum(c[i][0] for i in range(max(0, m - L + 1), m + 1))
    t = sum(c[i][1] for i in range(max(0, m - L + 1), m + 1))
    return F(0) if t == 0 else F(t - g, t) / (1 - obj)
rules = {"avail": [("page", F(144, 10), "1h", "5m"), ("page", F(6), "6h", "30m"),
                   ("ticket", F(3), "1d", "2h"), ("ticket", F(1), "3d", "6h")],
         "lat": [("page", F(144, 10), "1h", "5m")], "fresh": [("page", F(144, 10), "1h", "5m")]}
data = {"avail": (avail, F(99, 100)), "lat": (lat, F(95, 100)), "fresh": (fresh, F(99, 100))}
want = []
for name, rs in rules.items():
    c, obj = data[name]
    # Prefix sums: the model asks every minute of three days.
    for sev, rate, lw, sw in rs:
        firing = False
        for m in range(N):
            cond = burn(c, m, W[lw], obj) >= rate and burn(c, m, W[sw], obj) >= rate
            if cond != firing:
                firing = cond
                at = t0 + datetime.timedelta(minutes=m + 1)
                want.append((name, sev, lw, sw, "firing" if cond else "resolved", at.strftime("%Y-%m-%dT%H:%M")))
got = []
for l in open(sys.argv[2]):
    e = json.loads(l)
    got.append((e["slo"], e["severity"], e["long_window"], e["short_window"], e["state"], e["time"][:16]))
print("alerts: model", len(want), "agent", len(got))
assert sorted(want) == sorted(got), ("model only", sorted(set(want) - set(got)), "agent only", sorted(set(got) - set(want)))
PY
'
t_ok 'one line in the agent log per alert change, with its minute' '
	test "$(grep -c "SLO .* alert \(firing\|resolved\)" $D/err)" = "$(wc -l <$D/alerts)" &&
	grep -q "logagent warn: SLO avail: page alert firing: .* (at 2026-11-01T10:18:00.000Z)" $D/err
'
t_ok 'the replay takes seconds, not days' '
	s=$(date +%s) && "$LOGAGENT" -c $D/slo.conf --oneshot >/dev/null 2>&1 && test $(( $(date +%s) - s )) -lt 60
'

# Live: the objectives in /health and /metrics, on wall-clock traffic.
"$LOGGEN" -n 2000 -f json -o $D/live.log
PORT=$(free_port)
live_conf() {
	cat >$D/live.conf <<EOC
{ "sources": [{"path": "$D/live.log", "name": "api"}],
  "metrics": {"listen": "127.0.0.1:$PORT", "group_by": $1,
              "routes": {"^/static/": "/static/*"}},
  "slo": [{"name": "avail", "objective": 0.999},
          {"name": "fast", "type": "latency", "threshold": "250ms", "objective": 0.9}],
  "sinks": [{"type": "null"}] }
EOC
}
live_conf '["source", "route"]'
t_agent -c $D/live.conf
up() { curl -fsS "http://127.0.0.1:$PORT/metrics" >$D/scrape 2>/dev/null &&
	grep -q "^logagent_events_in_total 2000\$" $D/scrape; }
t_ok '/metrics: the agent read every line' 't_wait_for up 20'
t_ok '/metrics: logagent_slo_* for each objective, counts adding up to the lines' '
	grep -q "^logagent_slo_objective_ratio{slo=\"avail\"} 0.999" $D/scrape &&
	grep -q "^logagent_slo_alert_firing{slo=\"avail\",severity=\"page\",long=\"1h\",short=\"5m\"} [01]" $D/scrape &&
	grep -q "^logagent_slo_burn_rate{slo=\"fast\",window=\"30d\"}" $D/scrape &&
	awk "/^logagent_slo_events_total\\{slo=\"avail\"/ { s += \$NF } END { exit s != 2000 }" $D/scrape &&
	bad=$(grep -c "\"status\":5" $D/live.log) &&
	grep -q "^logagent_slo_events_total{slo=\"avail\",result=\"bad\"} $bad\$" $D/scrape
'
t_ok '/health: each SLO with its value and budget' '
	curl -fsS "http://127.0.0.1:$PORT/health" >$D/health &&
	python3 - $D/health $D/live.log <<PY
import json, sys
h = json.load(open(sys.argv[1]))
s = {o["name"]: o for o in h["slos"]}
assert set(s) == {"avail", "fast"}, h
a = s["avail"]
assert a["objective"] == 0.999 and a["window"] == "30d" and isinstance(a["firing"], list), a
assert 0 <= a["sli"] <= 1 and a["error_budget_left"] <= 1, a
PY
'
t_ok 'SIGHUP with other metrics labels: /metrics stays whole (its labels change at restart)' '
	live_conf "[\"route\"]" && kill -HUP $AGENT_PID &&
	t_wait_for "grep -q reloaded $D/err" 10 &&
	curl -fsS "http://127.0.0.1:$PORT/metrics" >$D/scrape2 &&
	grep -q "^logagent_requests_total{source=\"api\",route=\"/api/users/:id/orders\"}" $D/scrape2 &&
	curl -fsS "http://127.0.0.1:$PORT/health" >/dev/null && kill -0 $AGENT_PID
'
t_need "$T_RIGS/prometheus-up.sh" "shared/rigs/prometheus-up.sh (set T_RIGS) for promtool"
t_ok 'promtool check metrics passes with the SLO families' '
	"$T_RIGS/prometheus-up.sh" $D/prom0 >/dev/null && "$T_RIGS/rig-down.sh" $D/prom0 >/dev/null;
	promtool check metrics <$D/scrape && "$T_RIGS/promlint.sh" $D/scrape
'
t_stop_agent TERM
t_done
