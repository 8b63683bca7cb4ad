/* SPDX-License-Identifier: MIT */
/* xmalloc.c: allocation that aborts on failure instead of limping on. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "xmalloc.h"

static void
xmalloc_die(size_t n)
{
	fprintf(stderr, "logagent: out of memory allocating %zu bytes\n", n);
	abort();
}

void *
xmalloc(size_t n)
{
	void *p;

	if ((p = malloc(n ? n : 1)) == NULL)
		xmalloc_die(n);
	return p;
}

void *
xcalloc(size_t nmemb, size_t n)
{
	void *p;

	if ((p = calloc(nmemb ? nmemb : 1, n ? n : 1)) == NULL)
		xmalloc_die(nmemb * n);
	return p;
}

void *
xcalloc_lines(size_t n)
{
	size_t size = (n + 63) / 64 * 64;	/* aligned_alloc wants a multiple */
	void *p;

	if ((p = aligned_alloc(64, size ? size : 64)) == NULL)
		xmalloc_die(n);
	memset(p, 0, size);
	return p;
}

void *
xrealloc(void *p, size_t n)
{
	void *q;

	if ((q = realloc(p, n ? n : 1)) == NULL)
		xmalloc_die(n);
	return q;
}

char *
xstrndup(const char *s, size_t n)
{
	char *p;

	p = xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *
xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}
