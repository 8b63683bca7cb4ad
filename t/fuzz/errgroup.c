/* SPDX-License-Identifier: MIT */
/* errgroup.c: fuzz target for error fingerprints: bounded, stable, and a fingerprint is its own. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "errgroup.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char a[ERRGROUP_KEY_MAX], b[ERRGROUP_KEY_MAX], small[7];
	struct errgroups e;
	const struct errgroup *top[3];
	size_t n;

	n = errgroup_fingerprint((const char *)data, size, a, sizeof a);
	if (n >= sizeof a || a[n] != '\0' || strlen(a) != n)
		abort();
	/* The same message, the same group. */
	if (errgroup_fingerprint((const char *)data, size, b, sizeof b) != n ||
	    memcmp(a, b, n) != 0)
		abort();
	n = errgroup_fingerprint((const char *)data, size, small, sizeof small);
	if (n >= sizeof small || small[n] != '\0')
		abort();
	errgroups_init(&e);
	errgroups_add(&e, (const char *)data, size, LEVEL_ERROR, 1);
	errgroups_add(&e, (const char *)data, size, LEVEL_FATAL, 2);
	errgroups_add(&e, (const char *)data, size / 2, LEVEL_ERROR, 3);
	if (errgroups_top(&e, top, 3) != e.n || top[0]->count < 2 ||
	    top[0]->example_n > ERRGROUP_EXAMPLE_MAX)
		abort();
	errgroups_free(&e);
	return 0;
}
