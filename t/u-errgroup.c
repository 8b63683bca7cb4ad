/* SPDX-License-Identifier: MIT */
/* u-errgroup.c: error fingerprints, and groups counted and ranked. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "errgroup.h"
#include "tap.h"

static void
fp_is(const char *msg, const char *want)
{
	char out[ERRGROUP_KEY_MAX], name[128];
	size_t i;

	errgroup_fingerprint(msg, strlen(msg), out, sizeof out);
	/* A TAP test name is one line. */
	snprintf(name, sizeof name, "%s", msg);
	for (i = 0; name[i] != '\0'; i++)
		if (name[i] == '\n' || name[i] == '\t')
			name[i] = ' ';
	tap_is_str(out, want, name);
}

int
main(void)
{
	struct errgroups e;
	const struct errgroup *top[5];
	char msg[64], out[ERRGROUP_KEY_MAX];
	unsigned n;
	int i;

	fp_is("upstream timed out after 3000ms", "upstream timed out after <num>ms");
	fp_is("retry 3 of 5, waited -1.5 s", "retry <num> of <num>, waited <num> s");
	fp_is("connection to 10.0.0.5:5432 refused", "connection to <ip> refused");
	fp_is("dial tcp [fe80::1]:443: connect", "dial tcp [<ip>]:<num>: connect");
	fp_is("order 3f2504e0-4f89-11d3-9a0c-0305e82c3301 failed",
	    "order <uuid> failed");
	fp_is("req 5e43c3277dec2b61 and ptr 0x7ffd", "req <hex> and ptr <hex>");
	fp_is("user \"bob\" not found, nor 'al\\'ice'", "user <str> not found, nor <str>");
	fp_is("GET /api/users/42/orders failed.", "GET /api/users/:id/orders failed.");
	fp_is("at 10:00:01 the clock", "at <num>:<num>:<num> the clock");
	fp_is("http2 and v1 and deadbeef words stay", "http2 and v1 and deadbeef words stay");
	fp_is("1.2.3.4.5 is a version", "<num>.<num>.<num> is a version");	/* 1.2 is a decimal */
	fp_is("  spaces\t\tand\nlines  ", "spaces and lines");
	tap_is_int((long long)errgroup_fingerprint("a\0\0b", 4, out, sizeof out), 3,
	    "NUL bytes are blanks: a fingerprint is a C string");
	fp_is("an \"unterminated quote", "an \"unterminated quote");
	fp_is("10.1.2.3 - - [23/Nov/2026:10:00:00 +0000] \"GET /api/items/42 HTTP/1.1\" 503 12",
	    "<ip> - - [<num>/Nov/<num>:<num>:<num>:<num> +<num>] \"GET /api/items/:id HTTP/<num>\" <num> <num>");
	tap_is_int((long long)errgroup_fingerprint("error 12345678", 14, out, 8), 7,
	    "a fingerprint is cut to the space it is given");

	errgroups_init(&e);
	for (i = 0; i < 30; i++) {
		snprintf(msg, sizeof msg, "timeout after %dms on 10.0.0.%d", 100 + i, i);
		errgroups_add(&e, msg, strlen(msg), LEVEL_ERROR, i);
	}
	for (i = 0; i < 10; i++) {
		snprintf(msg, sizeof msg, "user %d not found", i);
		errgroups_add(&e, msg, strlen(msg), i == 9 ? LEVEL_FATAL : LEVEL_ERROR, 100 + i);
	}
	errgroups_add(&e, "disk full", 9, LEVEL_FATAL, 200);
	tap_is_int(e.n, 3, "41 errors, three shapes");
	n = errgroups_top(&e, top, 5);
	tap_is_int(n, 3, "top 5 of three groups is three");
	tap_ok(top[0]->count == 30 && strcmp(top[0]->key, "timeout after <num>ms on <ip>") == 0 &&
	    strcmp(top[0]->example, "timeout after 100ms on 10.0.0.0") == 0 &&
	    top[0]->first_ns == 0 && top[0]->last_ns == 29,
	    "the largest first, with its first message and when: %s", top[0]->key);
	tap_ok(top[1]->count == 10 && top[1]->level == LEVEL_FATAL && top[2]->count == 1,
	    "then 10 (highest level fatal), then 1");
	n = errgroups_top(&e, top, 1);
	tap_ok(n == 1 && top[0]->count == 30, "top 1");
	errgroups_free(&e);

	errgroups_init(&e);
	for (i = 0; i < ERRGROUP_MAX + 5; i++) {
		snprintf(msg, sizeof msg, "error kind%c%c%c", 'a' + i % 26, 'a' + i / 26 % 26,
		    'a' + i / 676);
		errgroups_add(&e, msg, strlen(msg), LEVEL_ERROR, i);
	}
	tap_ok(e.n == ERRGROUP_MAX && e.other == 5, "past %d groups, errors count as other",
	    ERRGROUP_MAX);
	errgroups_free(&e);
	return tap_done();
}
