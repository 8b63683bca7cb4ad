/* SPDX-License-Identifier: MIT */
/* escape.c: fuzz target for the two escapings: their output must be safe whatever the input. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "escape.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf b;
	size_t i, len;
	uint32_t cp;

	buf_init(&b, 1 << 26);
	esc_json_string(&b, (const char *)data, size);
	/* Valid UTF-8, no raw control byte, no ESC: safe JSON and safe to print. */
	for (i = 0; i < b.len; i += len) {
		if ((len = utf8_decode((unsigned char *)b.p + i, b.len - i, &cp)) == 0)
			abort();
		if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0))
			abort();
	}
	buf_clear(&b);
	esc_text(&b, (const char *)data, size);
	for (i = 0; i < b.len; i += len) {
		if ((len = utf8_decode((unsigned char *)b.p + i, b.len - i, &cp)) == 0)
			abort();
		if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0) ||
		    (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069))
			abort();
	}
	buf_free(&b);
	return 0;
}
