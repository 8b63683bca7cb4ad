/* SPDX-License-Identifier: MIT */
/* registry.c: the list of formats. Adding one is a file and a line here. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "parser.h"

const struct parser_ops *const parser_table[] = {
	&parser_auto,
	&parser_cri,
	&parser_json,
	&parser_logfmt,
	&parser_clf,
	&parser_syslog,
	&parser_plain,
	NULL,
};

const struct parser_ops *
parser_find(const char *name)
{
	size_t i;

	for (i = 0; parser_table[i] != NULL; i++)
		if (strcmp(parser_table[i]->name, name) == 0)
			return parser_table[i];
	return NULL;
}

const char *
parser_names(void)
{
	static char names[256];
	size_t i, at = 0;

	if (names[0] == '\0')
		for (i = 0; parser_table[i] != NULL && at < sizeof names; i++)
			at += (size_t)snprintf(names + at, sizeof names - at,
			    "%s%s", i ? ", " : "", parser_table[i]->name);
	return names;
}
