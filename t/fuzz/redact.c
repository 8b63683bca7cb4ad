/* SPDX-License-Identifier: MIT */
/* redact.c: fuzz target for redaction: spans in bounds, sorted and apart; secret fields and raw JSON go whole. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "redact.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct conf_redact c = {
		.enabled = 1, .secret_fields = 1, .key_values = 1, .bearer = 1,
		.url_credentials = 1, .aws = 1, .jwt = 1, .private_keys = 1, .cards = 1,
	};
	struct redact_span sp[REDACT_MAX_SPANS];
	struct redactor r;
	struct arena a;
	struct event ev;
	struct field f[2];
	char err[256];
	size_t n, i;

	if (redact_init(&r, &c, err, sizeof err) != 0)
		abort();
	n = redact_find(&r, (const char *)data, size, sp, REDACT_MAX_SPANS);
	for (i = 0; i < n && n <= REDACT_MAX_SPANS; i++)
		if (sp[i].a >= sp[i].b || sp[i].b > size || (i > 0 && sp[i].a <= sp[i - 1].b))
			abort();
	arena_init(&a, 4096, 1 << 24);
	memset(&ev, 0, sizeof ev);
	ev.message = (struct slice){ (const char *)data, size };
	f[0] = (struct field){ SLICE_LIT("token"), { (const char *)data, size }, FIELD_STRING };
	f[1] = (struct field){ SLICE_LIT("x"), { (const char *)data, size }, FIELD_RAW };
	ev.fields = f;
	ev.nfields = ev.fields_cap = 2;
	if (redact_event(&r, &a, &ev) != 0)
		abort();
	if (ev.nfields != 2 || f[0].val.p != redact_mask[REDACT_SECRET].p)
		abort();
	/* Raw JSON is kept or replaced whole, never cut into invalid JSON. */
	if (!((f[1].type == FIELD_RAW && f[1].val.n == size) ||
	    (f[1].type == FIELD_STRING && f[1].val.n >= 10 &&
	    memcmp(f[1].val.p, "[REDACTED:", 10) == 0)))
		abort();
	arena_free(&a);
	redact_free(&r);
	return 0;
}
