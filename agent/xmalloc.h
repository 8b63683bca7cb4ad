/* SPDX-License-Identifier: MIT */
/* xmalloc.h: allocation that aborts on failure, for small fixed allocations (tmux's policy). */
#ifndef XMALLOC_H
#define XMALLOC_H

#include <stddef.h>
#include <stdlib.h>

void	*xmalloc(size_t n);
void	*xcalloc(size_t nmemb, size_t n);
/* Zeroed, on a cache line boundary: for what is read together on hot paths. */
void	*xcalloc_lines(size_t n);
void	*xrealloc(void *p, size_t n);
char	*xstrdup(const char *s);
char	*xstrndup(const char *s, size_t n);

#endif
