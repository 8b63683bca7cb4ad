/* SPDX-License-Identifier: MIT */
/* multiline.h: joining continuation lines (stack traces) into one event. */
#ifndef MULTILINE_H
#define MULTILINE_H

#include <regex.h>
#include <stdint.h>

#include "buf.h"
#include "conf.h"
#include "linesplit.h"

/*
 * Lines go in; whole events come out through the emit function, with the
 * offset past their last line. A group waits for more lines until a line
 * starts a new one, flush time passes, or max_lines/max_bytes is reached.
 */
struct multiline {
	const struct conf_multiline *conf;	/* NULL or mode off: pass through */
	int cri;		/* join CRI P parts instead (format cri) */
	char cri_stream;	/* the group's stream: 'o'ut or 'e'rr */
	regex_t re;
	int have_re;
	struct buf group;
	unsigned lines;
	unsigned flags;		/* of the group: truncated if any line was */
	uint64_t end;		/* offset past the group's last line */
	int64_t started_ns;	/* when the group's first line came */
};

/*
 * conf must outlive ml. With cri set, the group is a CRI line split in
 * P parts: they are joined with the F part that ends them, under the
 * first part's header; conf's flush, max_bytes apply, its mode does not.
 * Returns 0 (the pattern was checked by conf).
 */
int	multiline_init(struct multiline *ml, const struct conf_multiline *conf,
	    int cri);
void	multiline_free(struct multiline *ml);
void	multiline_line(struct multiline *ml, const char *line, size_t n,
	    unsigned flags, uint64_t end, int64_t now_ns, linesplit_fn emit,
	    void *arg);
/* Send the waiting group, if any. */
void	multiline_flush(struct multiline *ml, linesplit_fn emit, void *arg);
/* Send it if it has waited flush ms. */
void	multiline_timeout(struct multiline *ml, int64_t now_ns, linesplit_fn emit,
	    void *arg);
static inline int
multiline_pending(const struct multiline *ml)
{
	return ml->lines > 0;
}

#endif
