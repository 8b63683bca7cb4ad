/* SPDX-License-Identifier: MIT */
/* conf.c: fuzz target for the config loader (comments, JSON, tables, ${VAR}). */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "conf.h"
#include "log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct conf_err err;
	struct conf *c = NULL;

	if (conf_parse((const char *)data, size, "fuzz.conf", &c, &err) == 0) {
		if (c == NULL || c->nsources == 0 || c->nsinks == 0)
			__builtin_trap();
	} else if (err.msg[0] == '\0')
		__builtin_trap();	/* every failure says why */
	conf_free(c);
	log_secrets_clear();
	return 0;
}
