/* SPDX-License-Identifier: MIT */
/* errgroup.h: error messages grouped by their shape, so a thousand timeouts are one line. */
#ifndef ERRGROUP_H
#define ERRGROUP_H

#include <stddef.h>
#include <stdint.h>

#include "agent.h"

#define ERRGROUP_MAX		1000	/* groups kept; errors past them count as "other" */
#define ERRGROUP_KEY_MAX	256	/* a fingerprint is cut here */
#define ERRGROUP_EXAMPLE_MAX	512	/* bytes of the example message kept */

/* One shape of error message: how often, when, and the first one as it came. */
struct errgroup {
	char *key;		/* the fingerprint, NUL-terminated; owned */
	uint32_t hash;
	uint64_t count;
	enum level level;	/* the highest seen */
	int64_t first_ns, last_ns;
	char *example;		/* the first message, cut; owned */
	size_t example_n;
};

struct errgroups {
	struct errgroup *g;	/* in order of first sight */
	unsigned n, cap;
	unsigned *tab;		/* open addressing: index + 1 into g, 0 empty */
	unsigned tab_size;
	uint64_t other;		/* errors past ERRGROUP_MAX groups */
	/*
	 * Messages as they came, by a hash of their bytes, to the group whose
	 * example they equal: a repeated message skips the fingerprint.
	 */
	unsigned seen[64];	/* index + 1 into g, 0 empty */
};

/*
 * The fingerprint of msg[0..n) into out (cap bytes, NUL-terminated): the
 * message with what varies between occurrences as placeholders: numbers
 * <num>, long hex strings <hex>, UUIDs <uuid>, IP addresses <ip>, quoted
 * strings <str>, and paths folded as routes (/users/42 is /users/:id).
 * Returns the length.
 */
size_t	errgroup_fingerprint(const char *msg, size_t n, char *out, size_t cap);

void	errgroups_init(struct errgroups *e);
void	errgroups_free(struct errgroups *e);

/* Count one error or fatal event's message, seen at t_ns. */
void	errgroups_add(struct errgroups *e, const char *msg, size_t n, enum level l,
	    int64_t t_ns);

/* Up to k groups with the highest counts, into top (pointers into e), most first; how many. */
unsigned errgroups_top(const struct errgroups *e, const struct errgroup **top, unsigned k);

#endif
