/* SPDX-License-Identifier: MIT */
/* linesplit.c: fuzz target for the line splitter, fed in uneven pieces. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "agent.h"
#include "linesplit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fuzz_split {
	size_t max_line;
	size_t bytes;
	uint64_t last_end;
	uint64_t size;
};

static void
fuzz_line(void *arg, const char *line, size_t n, unsigned flags, uint64_t end)
{
	struct fuzz_split *fs = arg;
	volatile char sink = 0;
	size_t i;

	if (n > fs->max_line)
		abort();	/* the cap is the whole point */
	if (end < fs->last_end || end > fs->size)
		abort();	/* offsets only grow, and stay inside the input */
	fs->last_end = end;
	if (memchr(line, '\n', n) != NULL)
		abort();
	for (i = 0; i < n; i++)	/* touch every byte: ASan checks the range */
		sink ^= line[i];
	(void)sink;
	fs->bytes += n;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_split fs;
	struct linesplit ls;
	size_t at = 0, step, room;
	char *p;

	if (size < 2)
		return 0;
	/* The first byte picks the line cap, the second the read size. */
	fs.max_line = 1 + data[0] % 64;
	fs.bytes = 0;
	fs.last_end = 0;
	step = 1 + data[1] % 97;
	data += 2;
	size -= 2;
	fs.size = size;
	linesplit_init(&ls, fs.max_line, 128, 0);
	while (at < size) {
		linesplit_space(&ls, &p, &room);
		if (room > step)
			room = step;
		if (room > size - at)
			room = size - at;
		memcpy(p, data + at, room);
		at += room;
		linesplit_commit(&ls, room, fuzz_line, &fs);
	}
	linesplit_finish(&ls, fuzz_line, &fs);
	if (fs.bytes > size || linesplit_offset(&ls) != size)
		abort();	/* every byte is accounted for */
	linesplit_free(&ls);
	return 0;
}
