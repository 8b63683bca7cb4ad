/* SPDX-License-Identifier: MIT */
/* parse_one.h: the shared body of the parser fuzz targets. */
#ifndef PARSE_ONE_H
#define PARSE_ONE_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "buf.h"
#include "escape.h"
#include "parser.h"
#include "sink.h"

/*
 * Parse the input as one line with ops (in a heap copy of exactly its
 * size, so ASan sees any read past the end), then encode the event both
 * ways: an encoder must take whatever a parser gives it. The source's
 * parse options are one of three sets, chosen by the input's length so a
 * crash replays the same way: none, flattening with ms latencies, and
 * keys, a strptime time format and a latency key of the source's own.
 */
static const struct parse_opts fuzz_opts_flat = {
	.flatten = 1, .latency_unit = LATENCY_UNIT_MS,
};
static const struct parse_opts fuzz_opts_own = {
	.time_key = { "t", 1 }, .time_format = TIME_FORMAT_PATTERN,
	.time_pattern = "%Y-%m-%d %H:%M:%S", .level_key = { "l", 1 },
	.latency_key = { "d", 1 }, .latency_unit = LATENCY_UNIT_US,
};

/* Wrapped pretty text: no row wider than the terminal. */
static inline void
fuzz_rows_fit(const struct buf *out, unsigned width)
{
	size_t i = 0, e;

	while (i < out->len) {
		for (e = i; e < out->len && out->p[e] != '\n'; e++)
			;
		if (term_width(out->p + i, e - i) > width)
			abort();
		i = e + 1;
	}
}

static inline void
fuzz_parse_one(const struct parser_ops *ops, const uint8_t *data, size_t size)
{
	struct parse_ctx ctx;
	struct arena a;
	struct event ev;
	struct encode_opts eo = { 1, 1, 40 };
	struct buf out;
	char *line = malloc(size ? size : 1);

	memcpy(line, data, size);
	arena_init(&a, 4096, 1 << 24);
	ctx.arena = &a;
	ctx.max_fields = 16;
	ctx.max_depth = 16;
	ctx.opts = size % 3 == 0 ? &parse_opts_default : size % 3 == 1 ?
	    &fuzz_opts_flat : &fuzz_opts_own;
	memset(&ev, 0, sizeof ev);
	ev.message = (struct slice){ line, size };
	ev.source = SLICE_LIT("fuzz");
	parser_run(ops, &ctx, line, size, &ev);
	buf_init(&out, 1 << 26);
	encoder_run(&enc_ndjson, &eo, &ev, 1, &out);
	buf_clear(&out);
	encoder_run(&enc_pretty, &eo, &ev, 1, &out);
	fuzz_rows_fit(&out, eo.width);
	buf_free(&out);
	arena_free(&a);
	free(line);
}

#endif
