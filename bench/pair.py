#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""pair.py RUNS LABEL_A LABEL_B -- CMD_A... --- CMD_B...: run A then B, RUNS
times, both pinned to one CPU; print "LABEL median_s max_rss_kib" for each
and "ratio B/A median q1 q3" of the per-round ratios. On a shared VM, back-to-back
series drift apart by tens of percent (a core slows down for a while); taken
in turns on one core, A and B see the same machine, and a per-round ratio
cancels what the round shares."""
import os, statistics, sys

sys.dont_write_bytecode = True	# no __pycache__ left in bench/
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from measure import run_once  # noqa: E402

runs, la, lb = int(sys.argv[1]), sys.argv[2], sys.argv[3]
rest = sys.argv[5:]
cut = rest.index("---")
cmds = {la: rest[:cut], lb: rest[cut + 1:]}
cpus = sorted(os.sched_getaffinity(0))
os.sched_setaffinity(0, {cpus[-1]})	# children inherit it

times = {la: [], lb: []}
rss = {la: 0, lb: 0}
for _ in range(runs):
    for label in (la, lb):
        t, r = run_once(label, cmds[label])
        times[label].append(t)
        rss[label] = max(rss[label], r)
for label in (la, lb):
    print("%s %.4f %d" % (label, statistics.median(times[label]), rss[label]))
# The spread too: on this VM the same pair of builds moves by a few percent
# from one run of this script to the next.
ratios = [b / a for a, b in zip(times[la], times[lb])]
q = statistics.quantiles(ratios, n=4) if len(ratios) > 1 else ratios * 3
print("ratio %.4f %.4f %.4f" % (statistics.median(ratios), q[0], q[2]))
