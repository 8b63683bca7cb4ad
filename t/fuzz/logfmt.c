/* SPDX-License-Identifier: MIT */
/* logfmt.c: fuzz target for the logfmt parser and the encoders behind it. */
#include "config.h"

#include "parse_one.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_parse_one(&parser_logfmt, data, size);
	return 0;
}
