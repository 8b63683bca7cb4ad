/* SPDX-License-Identifier: MIT */
/* route.c: ids in paths become :id, so series follow routes, not requests. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "route.h"
#include "xmalloc.h"

int
route_rules_init(struct route_rules *r, const struct conf_strmap *m,
    char *err, size_t errlen)
{
	char why[256];
	size_t i;
	int rc;

	memset(r, 0, sizeof *r);
	if (m->n == 0)
		return 0;
	r->re = xcalloc(m->n, sizeof *r->re);
	r->route = m->v;
	for (i = 0; i < m->n; i++) {
		if ((rc = regcomp(&r->re[i], m->k[i], REG_EXTENDED | REG_NOSUB)) != 0) {
			regerror(rc, &r->re[i], why, sizeof why);
			snprintf(err, errlen, "\"%s\" is not a valid regular expression: %s",
			    m->k[i], why);
			r->n = i;
			route_rules_free(r);
			return -1;
		}
		r->n = i + 1;
	}
	return 0;
}

void
route_rules_free(struct route_rules *r)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		regfree(&r->re[i]);
	free(r->re);
	memset(r, 0, sizeof *r);
}

static int
route_hex(char c)
{
	return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f');
}

/* A segment that names one thing among many: a number, a UUID, a long hex string. */
static int
route_is_id(const char *s, size_t n)
{
	size_t i, digits = 0, hex = 0;

	if (n == 0)
		return 0;
	for (i = 0; i < n; i++) {
		digits += s[i] >= '0' && s[i] <= '9';
		hex += route_hex(s[i]);
	}
	if (digits == n)
		return 1;
	if (n == 36 && s[8] == '-' && s[13] == '-' && s[18] == '-' && s[23] == '-' &&
	    hex == 32)
		return 1;
	/* 16+ hex digits with at least one digit: a hash or object id, not "deadbeefcafe" words. */
	return hex == n && n >= 16 && digits > 0;
}

/*
 * A file name with a content hash or build number between dots, as
 * bundlers write them (app.3c8f9a2b.js, main.941.css): the hash part is
 * an id, or every build would make new routes.
 */
static size_t
route_dotted(const char *p, size_t n, char *out, size_t len, size_t cap)
{
	size_t i = 0, start, k, digits;

	while (i <= n && len + 1 < cap) {
		for (start = i, digits = 0; i < n && p[i] != '.'; i++)
			digits += p[i] >= '0' && p[i] <= '9';
		for (k = start; k < i && route_hex(p[k]); k++)
			;
		if (k == i && i - start >= 3 && digits > 0) {
			if (len + 3 >= cap)
				break;
			memcpy(out + len, ":id", 3);
			len += 3;
		} else {
			for (k = start; k < i && len + 1 < cap; k++)
				out[len++] = p[k];
		}
		if (i < n && len + 1 < cap)
			out[len++] = '.';
		i++;
	}
	return len;
}

size_t
route_of(const struct route_rules *r, const char *path, size_t n, char *out,
    size_t cap)
{
	char tmp[1024];
	size_t i, len = 0, seg, end;

	if (cap == 0)
		return 0;
	if (r != NULL && r->n > 0 && n < sizeof tmp) {
		memcpy(tmp, path, n);
		tmp[n] = '\0';
		for (i = 0; i < r->n; i++)
			if (regexec(&r->re[i], tmp, 0, NULL, 0) == 0) {
				snprintf(out, cap, "%s", r->route[i]);
				return strlen(out);
			}
	}
	/* No digit, no id: the path is its own route (the usual static route). */
	for (i = 0; i < n && (path[i] < '0' || path[i] > '9'); i++)
		;
	if (i == n) {
		len = n < cap - 1 ? n : cap - 1;
		memcpy(out, path, len);
		out[len] = '\0';
		return len;
	}
	for (i = 0; i < n && len + 1 < cap;) {
		if (path[i] == '/') {
			out[len++] = path[i++];
			continue;
		}
		for (seg = i; i < n && path[i] != '/'; i++)
			;
		end = i;
		if (route_is_id(path + seg, end - seg)) {
			if (len + 3 >= cap)
				break;
			memcpy(out + len, ":id", 3);
			len += 3;
		} else if (memchr(path + seg, '.', end - seg) != NULL) {
			len = route_dotted(path + seg, end - seg, out, len, cap);
		} else {
			if (end - seg > cap - 1 - len)
				end = seg + (cap - 1 - len);
			memcpy(out + len, path + seg, end - seg);
			len += end - seg;
		}
	}
	out[len] = '\0';
	return len;
}
