/* SPDX-License-Identifier: MIT */
/* tap.h: the Test Anything Protocol for C unit tests. */
#ifndef TAP_H
#define TAP_H

#include <stddef.h>

/* Each check prints "ok N - name" or "not ok N - name" and returns whether it passed. */
int	tap_ok(int cond, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int	tap_is_int(long long got, long long want, const char *name);
int	tap_is_str(const char *got, const char *want, const char *name);
/* got[0..n) equals the C string want. */
int	tap_is_mem(const char *got, size_t n, const char *want, const char *name);
int	tap_contains(const char *hay, const char *needle, const char *name);
void	tap_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Print the plan; the exit status is 0 when every check passed. */
int	tap_done(void);

#endif
