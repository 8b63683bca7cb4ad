#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""measure.py RUNS LABEL -- CMD...: run CMD RUNS times (stdout to /dev/null),
print the median wall time in seconds and the largest peak RSS in KiB as
"LABEL median_s max_rss_kib". run_once is pair.py's too."""
import os, statistics, sys, time


def run_once(label, cmd):
    """CMD once, stdout to /dev/null: (wall seconds, peak RSS KiB); exits on failure."""
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
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit("%s: exit %d" % (label, os.waitstatus_to_exitcode(status)))
    return time.monotonic() - t0, ru.ru_maxrss


if __name__ == "__main__":
    runs, label, cmd = int(sys.argv[1]), sys.argv[2], sys.argv[4:]
    times, rss = [], 0
    for _ in range(runs):
        t, r = run_once(label, cmd)
        times.append(t)
        rss = max(rss, r)
    print("%s %.4f %d" % (label, statistics.median(times), rss))
