/* SPDX-License-Identifier: MIT */
/* cri.c: fuzz target for the container runtime parser (and the parsers it calls on the message). */
#include "config.h"

#include "parse_one.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_parse_one(&parser_cri, data, size);
	return 0;
}
