/* SPDX-License-Identifier: MIT */
/* log.c: the agent's own log; one write(2) per line, secrets masked, controls escaped. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "escape.h"
#include "level.h"
#include "log.h"
#include "timefmt.h"
#include "xmalloc.h"

#define LOG_MAX_SECRETS 64
#define LOG_LINE_MAX 8192

static enum level log_level = LEVEL_INFO;
static char *log_secrets[LOG_MAX_SECRETS];
static size_t log_secret_lens[LOG_MAX_SECRETS];
static size_t log_nsecrets;

void
log_set_level(enum level l)
{
	log_level = l;
}

enum level
log_get_level(void)
{
	return log_level;
}

void
log_secret_add(const char *value, size_t len)
{
	size_t i;

	if (len < 4)
		return;
	for (i = 0; i < log_nsecrets; i++)
		if (log_secret_lens[i] == len &&
		    memcmp(log_secrets[i], value, len) == 0)
			return;
	if (log_nsecrets == LOG_MAX_SECRETS) {
		/* Full: drop the oldest rather than stop masking the newest. */
		free(log_secrets[0]);
		memmove(log_secrets, log_secrets + 1,
		    (LOG_MAX_SECRETS - 1) * sizeof log_secrets[0]);
		memmove(log_secret_lens, log_secret_lens + 1,
		    (LOG_MAX_SECRETS - 1) * sizeof log_secret_lens[0]);
		log_nsecrets--;
	}
	log_secrets[log_nsecrets] = xstrndup(value, len);
	log_secret_lens[log_nsecrets++] = len;
}

void
log_secrets_clear(void)
{
	while (log_nsecrets > 0)
		free(log_secrets[--log_nsecrets]);
}

/* Replace each secret in b, in place; the mask is never longer than the search. */
static void
log_mask(struct buf *b)
{
	static const char mask[] = "[REDACTED]";
	size_t i, len, at;
	char *hit;

	for (i = 0; i < log_nsecrets; i++) {
		len = log_secret_lens[i];
		at = 0;
		while (at < b->len && (hit = memmem(b->p + at, b->len - at,
		    log_secrets[i], len)) != NULL) {
			at = (size_t)(hit - b->p);
			if (len >= sizeof mask - 1) {
				memcpy(hit, mask, sizeof mask - 1);
				memmove(hit + sizeof mask - 1, hit + len,
				    b->len - at - len);
				b->len -= len - (sizeof mask - 1);
				at += sizeof mask - 1;
			} else {
				memset(hit, '*', len);
				at += len;
			}
		}
	}
}

void
log_msg(enum level l, const char *fmt, ...)
{
	struct buf raw, line;
	char ts[TIMEFMT_MAX];
	va_list ap;
	ssize_t w;

	if (l < log_level)
		return;
	buf_init(&raw, LOG_LINE_MAX);
	buf_init(&line, LOG_LINE_MAX * 4 + 128);
	va_start(ap, fmt);
	if (buf_vprintf(&raw, fmt, ap) != 0)
		buf_puts(&raw, "(message too long)");
	va_end(ap);
	log_mask(&raw);
	timefmt_rfc3339(timefmt_now_ns(), ts);
	buf_printf(&line, "%s logagent %s: ", ts, level_name(l));
	esc_text(&line, raw.p, raw.len);
	buf_putc(&line, '\n');
	w = write(STDERR_FILENO, line.p, line.len);
	(void)w;
	buf_free(&raw);
	buf_free(&line);
}
