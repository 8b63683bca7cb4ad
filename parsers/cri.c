/* SPDX-License-Identifier: MIT */
/* cri.c: container runtime lines (containerd, CRI-O): "TIME STREAM TAG MESSAGE"; Docker's json-file is json. */
#include "config.h"

#include <string.h>

#include "parser.h"
#include "timeparse.h"

/*
 * "2026-11-22T10:00:00.123456789Z stdout F message". The tag is F for a
 * full line or P for a part of one: the source joins P parts with the F
 * that ends them before the line gets here (cri_join), so a P seen here
 * is a line whose end never came, and the event is marked partial.
 */
size_t
cri_header(const char *line, size_t n, int64_t *ns, struct slice *stream,
    char *tag)
{
	size_t i, used, start;

	if ((used = time_parse_rfc3339(line, n, ns)) == 0 || used >= n ||
	    line[used] != ' ')
		return 0;
	start = i = used + 1;
	while (i < n && line[i] != ' ')
		i++;
	stream->p = line + start;
	stream->n = i - start;
	if (!((stream->n == 6 && memcmp(stream->p, "stdout", 6) == 0) ||
	    (stream->n == 6 && memcmp(stream->p, "stderr", 6) == 0)))
		return 0;
	if (i + 2 > n || line[i] != ' ' || (line[i + 1] != 'F' && line[i + 1] != 'P') ||
	    (i + 2 < n && line[i + 2] != ' '))
		return 0;
	*tag = line[i + 1];
	return i + 2 < n ? i + 3 : i + 2;
}

/* Docker's json-file: {"log":"message\n","stream":"stdout","time":"..."}. */
static int
cri_docker(const struct parse_ctx *ctx, const char *line, size_t n,
    struct event *ev, struct slice *inner)
{
	unsigned i;
	int rc;

	if ((rc = parser_json.parse(ctx, line, n, ev)) != 0)
		return rc;
	for (i = 0; i < ev->nfields; i++)
		if (ev->fields[i].key.n == 3 && memcmp(ev->fields[i].key.p, "log", 3) == 0 &&
		    ev->fields[i].type == FIELD_STRING)
			break;
	if (i == ev->nfields)
		return parser_decline(ctx, ev, "cri", "a JSON line without a \"log\" string", 0);
	*inner = ev->fields[i].val;
	memmove(&ev->fields[i], &ev->fields[i + 1], (ev->nfields - i - 1) * sizeof *ev->fields);
	ev->nfields--;
	ev->key_bloom = ~0ULL;	/* a key left: keep the duplicate check exact */
	return 0;
}

/*
 * The runtime's header gives the time and the stream; what the program
 * wrote is parsed again with auto, so a JSON or logfmt application log
 * inside a container keeps its own level, message and fields.
 */
static int
cri_parse(const struct parse_ctx *ctx, const char *line, size_t n,
    struct event *ev)
{
	struct slice stream, inner;
	int64_t ns;
	size_t at;
	char tag = 'F';
	int rc;

	if (n > 0 && line[0] == '{') {
		if ((rc = cri_docker(ctx, line, n, ev, &inner)) != 0)
			return rc;
	} else {
		if ((at = cri_header(line, n, &ns, &stream, &tag)) == 0)
			return parser_decline(ctx, ev, "cri",
			    "expected \"TIME stdout|stderr F|P message\"", 0);
		ev->time_ns = ns;
		ev->flags &= ~EVENT_TIME_RECV;
		if ((rc = parser_add_field(ctx, ev, SLICE_LIT("stream"), stream,
		    FIELD_STRING)) != 0)
			return rc;
		inner = (struct slice){ line + at, n - at };
	}
	if (tag == 'P')
		ev->flags |= EVENT_PARTIAL;
	if (inner.n > 0 && inner.p[inner.n - 1] == '\n')
		inner.n--;
	ev->message = inner;
	rc = parser_run(&parser_auto, ctx, inner.p, inner.n, ev);
	return rc == 1 ? 0 : rc;
}

static int
cri_probe(const char *line, size_t n)
{
	struct slice stream;
	int64_t ns;
	char tag;

	if (n > 8 && memcmp(line, "{\"log\":\"", 8) == 0)
		return 95;
	return cri_header(line, n, &ns, &stream, &tag) != 0 ? 95 : 0;
}

const struct parser_ops parser_cri = {
	.name = "cri",
	.help = "container runtime lines (containerd, CRI-O): TIME stdout|stderr F|P message, P parts joined",
	.probe = cri_probe,
	.parse = cri_parse,
};
