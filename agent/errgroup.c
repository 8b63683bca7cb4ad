/* SPDX-License-Identifier: MIT */
/* errgroup.c: fingerprints of error messages, and the groups they make. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "errgroup.h"
#include "route.h"
#include "xmalloc.h"

static int
eg_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int
eg_hex(char c)
{
	return eg_digit(c) || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f');
}

static int
eg_alnum(char c)
{
	return eg_digit(c) || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') || c == '_';
}

/* Where a path ends: at a space, a quote or the punctuation around it in prose. */
static int
eg_path_end(char c)
{
	return c == ' ' || c == '\t' || c == '"' || c == '\'' || c == ',' || c == ';' ||
	    c == ')' || c == ']' || c == '>' || (unsigned char)c < 0x20;
}

/* The length of a UUID at p, or 0. */
static size_t
eg_uuid(const char *p, size_t n)
{
	size_t i;

	if (n < 36)
		return 0;
	for (i = 0; i < 36; i++)
		if (i == 8 || i == 13 || i == 18 || i == 23 ? p[i] != '-' : !eg_hex(p[i]))
			return 0;
	return n > 36 && eg_alnum(p[36]) ? 0 : 36;
}

/* The length of an IPv4 address (and :port) at p, or 0. */
static size_t
eg_ipv4(const char *p, size_t n)
{
	size_t i = 0, d;
	int part;

	for (part = 0; part < 4; part++) {
		for (d = 0; i < n && eg_digit(p[i]) && d < 3; i++, d++)
			;
		if (d == 0 || (part < 3 && (i >= n || p[i++] != '.')))
			return 0;
	}
	/* 1.2.3.4.5 or 1.2.3.4abc is something else. */
	if (i < n && (eg_alnum(p[i]) || (p[i] == '.' && i + 1 < n && eg_digit(p[i + 1]))))
		return 0;
	if (i + 1 < n && p[i] == ':' && eg_digit(p[i + 1]))
		for (i++; i < n && eg_digit(p[i]); i++)
			;
	return i;
}

/*
 * The length of an IPv6 address at p, or 0: hex groups and colons with
 * "::" or at least two colons and a hex letter (so 10:00:01 is no address).
 */
static size_t
eg_ipv6(const char *p, size_t n)
{
	size_t i, colons = 0;
	int letter = 0, dbl = 0;

	for (i = 0; i < n && (eg_hex(p[i]) || p[i] == ':'); i++) {
		if (p[i] == ':') {
			colons++;
			dbl |= i > 0 && p[i - 1] == ':';
		} else
			letter |= !eg_digit(p[i]);
	}
	if (i < n && eg_alnum(p[i]))
		return 0;
	if (colons >= 2 && (dbl || (letter && colons >= 3)) && i >= 3)
		return i;
	return 0;
}

/* The length of a hex id at p (8+ hex digits with a digit, or 0x...), or 0. */
static size_t
eg_hexid(const char *p, size_t n)
{
	size_t i;
	int digit = 0;

	if (n > 2 && p[0] == '0' && (p[1] | 0x20) == 'x' && eg_hex(p[2])) {
		for (i = 2; i < n && eg_hex(p[i]); i++)
			;
		return i < n && eg_alnum(p[i]) ? 0 : i;
	}
	for (i = 0; i < n && eg_hex(p[i]); i++)
		digit |= eg_digit(p[i]);
	if (i < 8 || !digit || (i < n && eg_alnum(p[i]) && p[i] != '_'))
		return 0;
	return i;
}

/* The length of a number at p (-12, 3.5, 1e3), or 0. */
static size_t
eg_number(const char *p, size_t n)
{
	size_t i = 0;

	if (i < n && p[i] == '-' && i + 1 < n && eg_digit(p[i + 1]))
		i++;
	if (i >= n || !eg_digit(p[i]))
		return 0;
	while (i < n && eg_digit(p[i]))
		i++;
	if (i + 1 < n && p[i] == '.' && eg_digit(p[i + 1]))
		for (i++; i < n && eg_digit(p[i]); i++)
			;
	return i;
}

/* The length of a quoted string at p (quote to the same quote, one line), or 0. */
static size_t
eg_quoted(const char *p, size_t n)
{
	size_t i;

	for (i = 1; i < n && p[i] != p[0] && p[i] != '\n'; i++)
		if (p[i] == '\\' && i + 1 < n)
			i++;
	return i < n && p[i] == p[0] ? i + 1 : 0;
}

/* Whether p[0..n) is an HTTP request line: a method in capitals, a space, a path. */
static int
eg_request(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n && p[i] >= 'A' && p[i] <= 'Z'; i++)
		;
	return i > 0 && i + 1 < n && p[i] == ' ' && p[i + 1] == '/';
}

static size_t
eg_put(char *out, size_t at, size_t cap, const char *s, size_t n)
{
	if (at + n >= cap)
		n = cap - 1 - at;
	memcpy(out + at, s, n);
	return at + n;
}

size_t
errgroup_fingerprint(const char *msg, size_t n, char *out, size_t cap)
{
	size_t i = 0, at = 0, k, len;
	int word;		/* msg[i] starts a word: no letter or digit before it */
	char route[ERRGROUP_KEY_MAX];

	if (cap == 0)
		return 0;
	while (i < n && at + 1 < cap) {
		word = i == 0 || !eg_alnum(msg[i - 1]);
		len = 0;
		if (word && (msg[i] == '"' || msg[i] == '\'') && (len = eg_quoted(msg + i, n - i)) > 0) {
			if (eg_request(msg + i + 1, len - 2)) {
				/* An access log's "GET /items/42 HTTP/1.1" tells errors apart. */
				at = eg_put(out, at, cap, msg + i, 1);
				at += errgroup_fingerprint(msg + i + 1, len - 2, out + at, cap - at);
				at = eg_put(out, at, cap, msg + i, 1);
			} else
				at = eg_put(out, at, cap, "<str>", 5);
		}
		else if (word && msg[i] == '/' && i + 1 < n && !eg_path_end(msg[i + 1])) {
			for (len = 1; i + len < n && !eg_path_end(msg[i + len]); len++)
				;
			while (len > 1 && (msg[i + len - 1] == '.' || msg[i + len - 1] == ':'))
				len--;	/* the end of a sentence, not of the path */
			k = route_of(NULL, msg + i, len, route, sizeof route);
			at = eg_put(out, at, cap, route, k);
		} else if (word && ((len = eg_uuid(msg + i, n - i)) > 0))
			at = eg_put(out, at, cap, "<uuid>", 6);
		else if (word && ((len = eg_ipv4(msg + i, n - i)) > 0 ||
		    (len = eg_ipv6(msg + i, n - i)) > 0))
			at = eg_put(out, at, cap, "<ip>", 4);
		else if (word && (len = eg_hexid(msg + i, n - i)) > 0)
			at = eg_put(out, at, cap, "<hex>", 5);
		else if (word && (len = eg_number(msg + i, n - i)) > 0)
			at = eg_put(out, at, cap, "<num>", 5);
		else {
			/*
			 * Runs of blanks and line breaks are one space, and so is
			 * NUL: a fingerprint is a C string. Other controls stay, to
			 * be shown escaped.
			 */
			if (msg[i] == ' ' || msg[i] == '\t' || msg[i] == '\n' || msg[i] == '\r' ||
			    msg[i] == '\0') {
				if (at > 0 && out[at - 1] != ' ')
					out[at++] = ' ';
			} else
				out[at++] = msg[i];
			len = 1;
		}
		i += len;
	}
	while (at > 0 && out[at - 1] == ' ')
		at--;
	out[at] = '\0';
	return at;
}

void
errgroups_init(struct errgroups *e)
{
	memset(e, 0, sizeof *e);
	e->tab_size = 64;
	e->tab = xcalloc(e->tab_size, sizeof *e->tab);
}

void
errgroups_free(struct errgroups *e)
{
	unsigned i;

	for (i = 0; i < e->n; i++) {
		free(e->g[i].key);
		free(e->g[i].example);
	}
	free(e->g);
	free(e->tab);
	memset(e, 0, sizeof *e);
}

/* FNV-1a: fingerprints are short, and errors are not the hot path. */
static uint32_t
eg_hash(const char *p, size_t n)
{
	uint32_t h = 2166136261u;

	while (n-- > 0)
		h = (h ^ (unsigned char)*p++) * 16777619u;
	return h;
}

static void
eg_tab_put(struct errgroups *e, unsigned idx)
{
	unsigned i = e->g[idx].hash & (e->tab_size - 1);

	while (e->tab[i] != 0)
		i = (i + 1) & (e->tab_size - 1);
	e->tab[i] = idx + 1;
}

void
errgroups_add(struct errgroups *e, const char *msg, size_t n, enum level l, int64_t t_ns)
{
	char key[ERRGROUP_KEY_MAX];
	unsigned slot = eg_hash(msg, n) % (sizeof e->seen / sizeof e->seen[0]), i;
	struct errgroup *g;
	size_t kn;
	uint32_t h;

	if (e->seen[slot] != 0 && n > 0) {
		g = &e->g[e->seen[slot] - 1];
		if (g->example_n == n && memcmp(g->example, msg, n) == 0)
			goto found;
	}
	kn = errgroup_fingerprint(msg, n, key, sizeof key);
	h = eg_hash(key, kn);
	for (i = h & (e->tab_size - 1); e->tab[i] != 0; i = (i + 1) & (e->tab_size - 1)) {
		g = &e->g[e->tab[i] - 1];
		if (g->hash == h && strcmp(g->key, key) == 0) {
			if (n > 0 && g->example_n == n && memcmp(g->example, msg, n) == 0)
				e->seen[slot] = e->tab[i];
			goto found;
		}
	}
	if (e->n >= ERRGROUP_MAX) {
		e->other++;
		return;
	}
	if (e->n == e->cap) {
		e->cap = e->cap ? e->cap * 2 : 16;
		e->g = xrealloc(e->g, e->cap * sizeof *e->g);
	}
	g = &e->g[e->n++];
	memset(g, 0, sizeof *g);
	g->key = xstrndup(key, kn);
	g->hash = h;
	g->first_ns = t_ns;
	g->example_n = n < ERRGROUP_EXAMPLE_MAX ? n : ERRGROUP_EXAMPLE_MAX;
	g->example = xmalloc(g->example_n + 1);
	if (g->example_n > 0)
		memcpy(g->example, msg, g->example_n);
	g->example[g->example_n] = '\0';
	if (e->n * 2 > e->tab_size) {
		free(e->tab);
		e->tab_size *= 2;
		e->tab = xcalloc(e->tab_size, sizeof *e->tab);
		for (i = 0; i < e->n; i++)
			eg_tab_put(e, i);
	} else
		eg_tab_put(e, e->n - 1);
	e->seen[slot] = (unsigned)(g - e->g) + 1;
found:
	g->count++;
	g->last_ns = t_ns;
	if (l > g->level)
		g->level = l;
}

unsigned
errgroups_top(const struct errgroups *e, const struct errgroup **top, unsigned k)
{
	unsigned i, j, n = 0;

	/* Insertion into a short list: k is a screenful at most. */
	for (i = 0; i < e->n; i++) {
		if (n == k && e->g[i].count <= top[n - 1]->count)
			continue;
		j = n < k ? n++ : n - 1;
		for (; j > 0 && top[j - 1]->count < e->g[i].count; j--)
			top[j] = top[j - 1];
		top[j] = &e->g[i];
	}
	return n;
}
