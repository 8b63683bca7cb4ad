/* SPDX-License-Identifier: MIT */
/* escape.c: UTF-8 validation and the two output escapings (JSON, terminal text). */
#include "config.h"

#include <stdio.h>
#include <string.h>

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

/* Bytes that can be copied as they are in both escapings. */
static inline int
esc_plain_byte(unsigned char c)
{
	return c >= 0x20 && c < 0x7f && c != '"' && c != '\\';
}

int
esc_json_string(struct buf *b, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, run, len;
	uint32_t c;
	char tmp[8];
	int rc;

	if ((rc = buf_putc(b, '"')) != 0)
		return rc;
	while (i < n) {
		for (run = i; run < n && esc_plain_byte(p[run]); run++)
			;
		if (run > i) {
			if ((rc = buf_append(b, p + i, run - i)) != 0)
				return rc;
			i = run;
			continue;
		}
		c = p[i];
		len = 1;
		switch (c) {
		case '"':
			rc = buf_append(b, "\\\"", 2);
			break;
		case '\\':
			rc = buf_append(b, "\\\\", 2);
			break;
		case '\n':
			rc = buf_append(b, "\\n", 2);
			break;
		case '\r':
			rc = buf_append(b, "\\r", 2);
			break;
		case '\t':
			rc = buf_append(b, "\\t", 2);
			break;
		default:
			if (c >= 0x80 && (len = utf8_decode(p + i, n - i, &c)) == 0) {
				/* Invalid: one U+FFFD per bad byte, as WHATWG does. */
				len = 1;
				rc = buf_append(b, "\xef\xbf\xbd", 3);
			} else if (c < 0x20 || c == 0x7f ||
			    (c >= 0x80 && c < 0xa0) || esc_is_bidi(c)) {
				snprintf(tmp, sizeof tmp, "\\u%04x", (unsigned)c);
				rc = buf_append(b, tmp, 6);
			} else
				rc = buf_append(b, p + i, len);
		}
		if (rc != 0)
			return rc;
		i += len;
	}
	return buf_putc(b, '"');
}

int
esc_text(struct buf *b, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, run, len;
	uint32_t c;
	char tmp[12];
	int rc;

	while (i < n) {
		for (run = i; run < n && p[run] >= 0x20 && p[run] < 0x7f; run++)
			;
		if (run > i) {
			if ((rc = buf_append(b, p + i, run - i)) != 0)
				return rc;
			i = run;
			continue;
		}
		c = p[i];
		len = 1;
		switch (c) {
		case '\n':
			rc = buf_append(b, "\\n", 2);
			break;
		case '\r':
			rc = buf_append(b, "\\r", 2);
			break;
		case '\t':
			rc = buf_append(b, "\\t", 2);
			break;
		case 0x1b:
			rc = buf_append(b, "\\e", 2);
			break;
		default:
			if (c >= 0x80 && (len = utf8_decode(p + i, n - i, &c)) == 0) {
				len = 1;
				snprintf(tmp, sizeof tmp, "\\x%02x", (unsigned)p[i]);
				rc = buf_append(b, tmp, 4);
			} else if (c < 0x20 || c == 0x7f) {
				snprintf(tmp, sizeof tmp, "\\x%02x", (unsigned)c);
				rc = buf_append(b, tmp, 4);
			} else if ((c >= 0x80 && c < 0xa0) || esc_is_bidi(c)) {
				snprintf(tmp, sizeof tmp, "\\u%04x", (unsigned)c);
				rc = buf_append(b, tmp, 6);
			} else
				rc = buf_append(b, p + i, len);
		}
		if (rc != 0)
			return rc;
		i += len;
	}
	return 0;
}
