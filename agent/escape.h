/* SPDX-License-Identifier: MIT */
/* escape.h: the only ways log content reaches an output: as a JSON string or as terminal-safe text. */
#ifndef ESCAPE_H
#define ESCAPE_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/*
 * Length of the valid UTF-8 sequence at p (1..4) and its code point in *cp,
 * or 0 when the bytes there are not valid UTF-8 (overlong forms, surrogates
 * and values past U+10FFFF are invalid).
 */
size_t	utf8_decode(const unsigned char *p, size_t n, uint32_t *cp);

/*
 * Append p[0..n) as a quoted JSON string. Invalid UTF-8 becomes U+FFFD; NUL,
 * the other C0 and C1 controls, DEL and the bidi overrides are written as
 * \u escapes, so the output is valid JSON and safe to cat to a terminal.
 * Returns 0 or AGENT_E_TOOBIG from the buffer.
 */
int	esc_json_string(struct buf *b, const char *p, size_t n);

/*
 * Append p[0..n) as text for a terminal or the agent's own log: printable
 * UTF-8 passes, everything that could move the cursor, change a colour or
 * a window title, or reorder text is shown as a visible escape (\n, \e,
 * \x01, \u202e). No escape sequence from log content ever reaches a tty.
 */
int	esc_text(struct buf *b, const char *p, size_t n);

/*
 * Append JSON text that a parser has checked (a nested object or array)
 * with its invalid UTF-8 replaced by U+FFFD, so the output stays valid.
 */
int	esc_json_raw(struct buf *b, const char *p, size_t n);

/*
 * For text bound for a terminal that esc_text made, with our own colour
 * sequences in it: the bytes of the character or sequence at p (at least
 * 1 when n > 0), and in *cols the columns it takes: none for an escape
 * sequence (ESC [ ... final byte), one for any other character. Wide
 * (East Asian) characters are counted as one column: a line with them
 * wraps a little late rather than the agent depending on the locale.
 */
size_t	term_step(const char *p, size_t n, unsigned *cols);

/*
 * Whether our colours belong on fd: a terminal, and nobody said no
 * (NO_COLOR set and not empty, TERM=dumb).
 */
int	term_color_ok(int fd);

/* The size of the terminal on fd: 80x24 when it will not say. */
void	term_size(int fd, unsigned *rows, unsigned *cols);

/* The columns p[0..n) takes (see term_step). */
size_t	term_width(const char *p, size_t n);

/* The bytes of p[0..n) that fit in cols columns, whole characters and sequences. */
size_t	term_fit(const char *p, size_t n, size_t cols);

#endif
