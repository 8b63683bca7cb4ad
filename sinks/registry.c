/* SPDX-License-Identifier: MIT */
/* registry.c: the list of sinks. Adding one is a file and a line here. */
#include "config.h"

#include <string.h>

#include "sink.h"

const struct sink_ops *const sink_table[] = {
	&sink_stdout,
	NULL,
};

const struct sink_ops *
sink_find(const char *name)
{
	size_t i;

	for (i = 0; sink_table[i] != NULL; i++)
		if (strcmp(sink_table[i]->name, name) == 0)
			return sink_table[i];
	return NULL;
}

const char *
sink_names(void)
{
	return "stdout";
}
