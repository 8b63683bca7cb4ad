/* SPDX-License-Identifier: MIT */
/* plain.c: fuzz target for the plain parser and the encoders behind it. */
#include "config.h"

#include "parse_one.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_parse_one(&parser_plain, data, size);
	return 0;
}
