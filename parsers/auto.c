/* SPDX-License-Identifier: MIT */
/* auto.c: the format of each file from its first lines, and of each line when they disagree. */
#include "config.h"

#include "parser.h"

/* The format whose probe is surest of this line (table order breaks ties). */
static const struct parser_ops *
auto_best(const char *line, size_t n, unsigned *index)
{
	const struct parser_ops *best = &parser_plain;
	int score, best_score = -1;
	unsigned i;

	*index = 0;
	for (i = 0; parser_table[i] != NULL; i++) {
		if (parser_table[i] == &parser_auto)
			continue;
		score = parser_table[i]->probe(line, n);
		if (score > best_score) {
			best_score = score;
			best = parser_table[i];
			*index = i;
		}
	}
	return best;
}

static int
auto_parse(const struct parse_ctx *ctx, const char *line, size_t n,
    struct event *ev)
{
	unsigned index;

	return auto_best(line, n, &index)->parse(ctx, line, n, ev);
}

/* Blank lines say nothing about a file's format. */
static int
auto_blank(const char *line, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (line[i] != ' ' && line[i] != '\t' && line[i] != '\r')
			return 0;
	return 1;
}

int
auto_run(struct auto_state *st, const struct parse_ctx *ctx, const char *line,
    size_t n, struct event *ev)
{
	const struct parser_ops *best;
	struct event init;
	unsigned index, i, top = 0;
	int rc;

	if (st->format == NULL) {
		best = auto_best(line, n, &index);
		if (!auto_blank(line, n) && index < AUTO_FORMATS) {
			st->votes[index]++;
			if (++st->lines == AUTO_LEARN_LINES) {
				for (i = 1; i < AUTO_FORMATS; i++)
					if (st->votes[i] > st->votes[top])
						top = i;
				/*
				 * A clear majority of a structured format decides;
				 * text, or a mix, stays line by line (plain is what
				 * every line falls back to anyway).
				 */
				st->format = st->votes[top] * 4 >= AUTO_LEARN_LINES * 3 &&
				    parser_table[top] != &parser_plain ?
				    parser_table[top] : &parser_auto;
			}
		}
		return parser_run(best, ctx, line, n, ev);
	}
	if (st->format == &parser_auto)
		return parser_run(auto_best(line, n, &index), ctx, line, n, ev);
	/* The file's format first; a line it refuses is judged on its own. */
	init = *ev;
	if ((rc = st->format->parse(ctx, line, n, ev)) != PARSE_DECLINED)
		return rc;
	best = auto_best(line, n, &index);
	if (best != st->format) {
		*ev = init;
		return parser_run(best, ctx, line, n, ev);
	}
	init.parse_error = ev->parse_error;
	*ev = init;
	if ((rc = parser_plain.parse(ctx, line, n, ev)) != 0)
		return rc;
	return 1;
}

static int
auto_probe(const char *line, size_t n)
{
	return 0;
}

const struct parser_ops parser_auto = {
	.name = "auto",
	.help = "detect the format of each file from its first lines, and line by line where they differ (the default)",
	.probe = auto_probe,
	.parse = auto_parse,
};
