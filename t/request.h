/* SPDX-License-Identifier: MIT */
/* request.h: an event as the parsers leave a request, for unit tests of what reads one. */
#ifndef T_REQUEST_H
#define T_REQUEST_H

#include <string.h>

#include "agent.h"

/* method may be NULL (no method field), latency too; f holds at least 4 fields. */
static inline struct event
t_request(const char *method, const char *path, const char *status, const char *latency,
    const char *source, struct field *f)
{
	struct event ev;
	unsigned n = 0;

	memset(&ev, 0, sizeof ev);
	ev.level = status[0] == '5' ? LEVEL_ERROR : LEVEL_INFO;
	ev.source = (struct slice){ source, strlen(source) };
	if (method != NULL)
		f[n++] = (struct field){ SLICE_LIT("method"), { method, strlen(method) },
		    FIELD_STRING };
	f[n++] = (struct field){ SLICE_LIT("path"), { path, strlen(path) }, FIELD_STRING };
	f[n++] = (struct field){ SLICE_LIT("status"), { status, strlen(status) }, FIELD_NUMBER };
	if (latency != NULL)
		f[n++] = (struct field){ SLICE_LIT("latency"), { latency, strlen(latency) },
		    FIELD_NUMBER };
	ev.fields = f;
	ev.nfields = ev.fields_cap = n;
	return ev;
}

#endif
