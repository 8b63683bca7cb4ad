#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""measure.py RUNS LABEL -- CMD...: run CMD RUNS times (stdout to /dev/null),
print the median wall time in seconds and the largest peak RSS in KiB as
"LABEL median_s max_rss_kib"."""
import os, resource, statistics, subprocess, sys, time

runs, label, cmd = int(sys.argv[1]), sys.argv[2], sys.argv[4:]
times, rss = [], 0
for _ in range(runs):
    t0 = time.monotonic()
    # Each run in its own child so ru_maxrss is that run's peak.
    pid = os.fork()
    if pid == 0:
        fd = os.open(os.devnull, os.O_WRONLY)
        os.dup2(fd, 1)
        try:
            os.execvp(cmd[0], cmd)
        finally:
            os._exit(127)
    _, status, ru = os.wait4(pid, 0)
    times.append(time.monotonic() - t0)
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit("%s: exit %d" % (label, os.waitstatus_to_exitcode(status)))
    rss = max(rss, ru.ru_maxrss)
print("%s %.4f %d" % (label, statistics.median(times), rss))
