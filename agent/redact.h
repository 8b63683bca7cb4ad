/* SPDX-License-Identifier: MIT */
/* redact.h: secrets out of events before any sink, the terminal or the metrics see them. */
#ifndef REDACT_H
#define REDACT_H

#include <regex.h>
#include <stddef.h>
#include <stdint.h>

#include "agent.h"
#include "arena.h"
#include "conf.h"

#define REDACT_MAX_SPANS 64	/* more in one value: the whole value goes */

/* What found a secret; its mask is [REDACTED:name], one length per kind. */
enum redact_rule {
	REDACT_SECRET,		/* a secret's field or key name: [REDACTED:secret] */
	REDACT_BEARER,
	REDACT_URL_PASSWORD,
	REDACT_AWS_KEY,
	REDACT_JWT,
	REDACT_PRIVATE_KEY,
	REDACT_CARD,
	REDACT_PATTERN,		/* the user's */
	REDACT_VALUE,		/* a whole value: too many finds, or raw JSON */
	REDACT_NRULES
};

/* The mask of a rule, and its length. */
extern const struct slice redact_mask[REDACT_NRULES];

/* A part of a text to replace: [a, b), and the rule that found it. */
struct redact_span {
	size_t a, b;
	enum redact_rule rule;
};

struct redactor {
	const struct conf_redact *c;	/* borrowed; outlives the redactor */
	regex_t *re;
	size_t nre;
	uint64_t k0, k1;	/* the key of hash_fields */
	uint64_t values;	/* values changed so far (message, fields) */
	/*
	 * Field names already judged: the same keys come on every line of a
	 * source, and a look here is cheaper than judging again.
	 */
	struct redact_name {
		unsigned char n;	/* 0: empty */
		unsigned char secret;
		char key[30];
	} names[128];	/* 64 sets of two */
};

/*
 * From a conf (which must outlive r): 0, or -1 with err saying which
 * pattern is not a valid regex.
 */
int	redact_init(struct redactor *r, const struct conf_redact *c, char *err,
	    size_t errlen);
void	redact_free(struct redactor *r);

/*
 * The secrets in p[0..n) by every rule that is on, sorted, merged, into
 * spans (at most max); how many, or max + 1 when there are more.
 */
size_t	redact_find(const struct redactor *r, const char *p, size_t n,
	    struct redact_span *spans, size_t max);

/*
 * Whether a field of this name holds a secret whole (password, api_key,
 * X-Auth-Token...): any case, with - _ . ignored, or ending so.
 */
int	redact_secret_name(const char *p, size_t n);

/*
 * Take the secrets out of ev: its message and fields, replaced values in
 * the arena. 0, or AGENT_E_TOOBIG when the arena is full (the caller
 * retries the line in a fresh batch).
 */
int	redact_event(struct redactor *r, struct arena *a, struct event *ev);

#endif
