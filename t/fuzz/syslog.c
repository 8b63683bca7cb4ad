/* SPDX-License-Identifier: MIT */
/* syslog.c: fuzz target for the syslog parser and the encoders behind it. */
#include "config.h"

#include "parse_one.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_parse_one(&parser_syslog, data, size);
	return 0;
}
