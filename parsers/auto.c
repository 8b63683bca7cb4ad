/* SPDX-License-Identifier: MIT */
/* auto.c: per line, the format whose probe is surest. */
#include "config.h"

#include "parser.h"

static int
auto_parse(const struct parse_ctx *ctx, const char *line, size_t n,
    struct event *ev)
{
	const struct parser_ops *best = &parser_plain;
	int score, best_score = -1;
	size_t i;

	for (i = 0; parser_table[i] != NULL; i++) {
		if (parser_table[i] == &parser_auto)
			continue;
		score = parser_table[i]->probe(line, n);
		if (score > best_score) {
			best_score = score;
			best = parser_table[i];
		}
	}
	return best->parse(ctx, line, n, ev);
}

static int
auto_probe(const char *line, size_t n)
{
	return 0;
}

const struct parser_ops parser_auto = {
	.name = "auto",
	.help = "detect the format line by line (the default)",
	.probe = auto_probe,
	.parse = auto_parse,
};
