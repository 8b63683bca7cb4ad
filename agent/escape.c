/* SPDX-License-Identifier: MIT */
/* escape.c: UTF-8 validation and the two output escapings (JSON, terminal text). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "agent.h"
#include "escape.h"

size_t
utf8_decode(const unsigned char *p, size_t n, uint32_t *cp)
{
	uint32_t c;
	size_t len, i;

	if (n == 0)
		return 0;
	c = p[0];
	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
		c &= 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		c &= 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		c &= 0x07;
	} else
		return 0;
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (p[i] & 0x3f);
	}
	/* Overlong forms, surrogates, and past the last plane. */
	if ((len == 3 && c < 0x800) || (len == 4 && c < 0x10000) ||
	    (c >= 0xd800 && c <= 0xdfff) || c > 0x10ffff)
		return 0;
	*cp = c;
	return len;
}

/* Code points that reorder displayed text (Trojan Source) or are invisible controls. */
static int
esc_is_bidi(uint32_t c)
{
	return (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069) ||
	    c == 0x200e || c == 0x200f || c == 0x061c;
}

enum esc_mode {
	ESC_JSON,	/* inside a JSON string */
	ESC_TEXT,	/* for a terminal */
	ESC_RAW,	/* JSON text already valid but for its UTF-8 */
};

/* Bytes copied as they are, in runs: the fast path. */
static inline int
esc_plain_byte(unsigned char c, enum esc_mode m)
{
	if (m == ESC_RAW)
		return c < 0x80;
	return c >= 0x20 && c < 0x7f && (m == ESC_TEXT || (c != '"' && c != '\\'));
}

/* One ASCII byte that is not plain: a named escape or a numeric one. */
static int
esc_ascii(struct buf *b, unsigned char c, enum esc_mode m)
{
	char tmp[8];

	switch (c) {
	case '\n':
		return buf_append(b, "\\n", 2);
	case '\r':
		return buf_append(b, "\\r", 2);
	case '\t':
		return buf_append(b, "\\t", 2);
	case '"':
		return buf_append(b, "\\\"", 2);
	case '\\':
		return buf_append(b, "\\\\", 2);
	}
	if (m == ESC_TEXT && c == 0x1b)
		return buf_append(b, "\\e", 2);
	if (m == ESC_TEXT) {
		snprintf(tmp, sizeof tmp, "\\x%02x", c);
		return buf_append(b, tmp, 4);
	}
	snprintf(tmp, sizeof tmp, "\\u%04x", c);
	return buf_append(b, tmp, 6);
}

static int
esc_run(struct buf *b, const char *s, size_t n, enum esc_mode m)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, run, len;
	uint32_t c;
	char tmp[12];
	int rc;

	while (i < n) {
		for (run = i; run < n && esc_plain_byte(p[run], m); run++)
			;
		if (run > i) {
			if ((rc = buf_append(b, p + i, run - i)) != 0)
				return rc;
			if ((i = run) == n)
				break;
		}
		if (p[i] < 0x80) {
			rc = esc_ascii(b, p[i], m);
			len = 1;
		} else if ((len = utf8_decode(p + i, n - i, &c)) == 0) {
			/* Invalid: one U+FFFD per bad byte, as WHATWG does. */
			len = 1;
			if (m == ESC_TEXT) {
				snprintf(tmp, sizeof tmp, "\\x%02x", p[i]);
				rc = buf_append(b, tmp, 4);
			} else
				rc = buf_append(b, "\xef\xbf\xbd", 3);
		} else if (m != ESC_RAW && (c < 0xa0 || esc_is_bidi(c))) {
			snprintf(tmp, sizeof tmp, "\\u%04x", (unsigned)c);
			rc = buf_append(b, tmp, 6);
		} else
			rc = buf_append(b, p + i, len);
		if (rc != 0)
			return rc;
		i += len;
	}
	return 0;
}

int
esc_json_string(struct buf *b, const char *s, size_t n)
{
	int rc;

	if ((rc = buf_putc(b, '"')) != 0 || (rc = esc_run(b, s, n, ESC_JSON)) != 0)
		return rc;
	return buf_putc(b, '"');
}

int
esc_text(struct buf *b, const char *s, size_t n)
{
	return esc_run(b, s, n, ESC_TEXT);
}

int
esc_json_raw(struct buf *b, const char *s, size_t n)
{
	return esc_run(b, s, n, ESC_RAW);
}

size_t
term_step(const char *p, size_t n, unsigned *cols)
{
	size_t i;

	*cols = 0;
	if (n == 0)
		return 0;
	if (p[0] == '\033' && n > 1 && p[1] == '[') {
		/* Parameters and intermediates, then one final byte in @..~. */
		for (i = 2; i < n && !((unsigned char)p[i] >= 0x40 && (unsigned char)p[i] <= 0x7e); i++)
			;
		return i < n ? i + 1 : n;
	}
	*cols = 1;
	/* A lead byte and its continuation bytes are one character. */
	for (i = 1; i < n && i < 4 && ((unsigned char)p[i] & 0xc0) == 0x80 &&
	    ((unsigned char)p[0] & 0xc0) == 0xc0; i++)
		;
	return i;
}

int
term_color_ok(int fd)
{
	const char *nc = getenv("NO_COLOR"), *term = getenv("TERM");

	return isatty(fd) && (nc == NULL || *nc == '\0') &&
	    (term == NULL || strcmp(term, "dumb") != 0);
}

void
term_size(int fd, unsigned *rows, unsigned *cols)
{
	struct winsize ws;

	*rows = 24;
	*cols = 80;
	if (ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 1 && ws.ws_col > 1) {
		*rows = ws.ws_row;
		*cols = ws.ws_col;
	}
}

size_t
term_width(const char *p, size_t n)
{
	size_t i = 0, w = 0;
	unsigned c;

	while (i < n) {
		i += term_step(p + i, n - i, &c);
		w += c;
	}
	return w;
}

size_t
term_fit(const char *p, size_t n, size_t cols)
{
	size_t i = 0, w = 0, k;
	unsigned c;

	while (i < n) {
		k = term_step(p + i, n - i, &c);
		if (w + c > cols)
			break;
		w += c;
		i += k;
	}
	return i;
}
