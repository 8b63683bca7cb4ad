/* SPDX-License-Identifier: MIT */
/* checkpoint.c: fuzz target for the checkpoint file loader: damaged state must never crash a start. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "checkpoint.h"
#include "log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct checkpoint_store cs;
	const char *why = NULL;
	char *text = malloc(size + 1);

	memcpy(text, data, size);
	text[size] = '\0';
	memset(&cs, 0, sizeof cs);
	if (checkpoint_parse(&cs, text, size, &why) != 0 && why == NULL)
		__builtin_trap();	/* a refusal always says why */
	checkpoint_drop_all(&cs);
	if (cs.count != 0 || cs.entries != NULL)
		__builtin_trap();
	free(text);
	return 0;
}
