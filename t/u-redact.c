/* SPDX-License-Identifier: MIT */
/* u-redact.c: each redaction rule finds its secrets, leaves look-alikes, and can be turned off. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "redact.h"
#include "tap.h"

static struct conf_redact all_on = {
	.enabled = 1, .secret_fields = 1, .key_values = 1, .bearer = 1,
	.url_credentials = 1, .aws = 1, .jwt = 1, .private_keys = 1, .cards = 1,
};

/* in, redacted, is want. */
static void
redacts(struct redactor *r, const char *in, const char *want)
{
	struct arena a;
	struct event ev;
	char name[256];
	size_t i;

	arena_init(&a, 4096, 1 << 20);
	memset(&ev, 0, sizeof ev);
	ev.message = (struct slice){ in, strlen(in) };
	redact_event(r, &a, &ev);
	/* A TAP line is one line. */
	snprintf(name, sizeof name, "%s -> %.*s", in, (int)ev.message.n, ev.message.p);
	for (i = 0; name[i] != '\0'; i++)
		if (name[i] == '\n')
			name[i] = ' ';
	tap_ok(ev.message.n == strlen(want) && memcmp(ev.message.p, want, ev.message.n) == 0,
	    "%s", name);
	arena_free(&a);
}

int
main(void)
{
	struct conf_redact c = all_on;
	struct redactor r;
	struct arena a;
	struct event ev;
	struct field f[6];
	struct redact_span sp[4];
	char err[256], many[2000];
	size_t i;

	tap_ok(redact_init(&r, &c, err, sizeof err) == 0, "built-in rules");
	redacts(&r, "user=bob password=hunter2 ok", "user=bob password=[REDACTED:secret] ok");
	redacts(&r, "{\"api_key\": \"k-123\", \"n\": 1}", "{\"api_key\": \"[REDACTED:secret]\", \"n\": 1}");
	redacts(&r, "GET /cb?code=7&access_token=abc.def&x=1", "GET /cb?code=7&access_token=[REDACTED:secret]&x=1");
	redacts(&r, "X-Auth-Token: 0123abcd", "X-Auth-Token: [REDACTED:secret]");
	redacts(&r, "passport=12 tokens=3 tokenizer: on", "passport=12 tokens=3 tokenizer: on");
	redacts(&r, "Authorization: Bearer abcDEF123456.xyz-_~+/=", "Authorization: Bearer [REDACTED:bearer]");
	redacts(&r, "authorization: Basic dXNlcjpwYXNzd29yZA==", "authorization: Basic [REDACTED:bearer]");
	redacts(&r, "a bearer of bad news", "a bearer of bad news");
	redacts(&r, "dsn postgres://app:s3cr3t@db:5432/x and https://user@host/ok",
	    "dsn postgres://app:[REDACTED:url_password]@db:5432/x and https://user@host/ok");
	redacts(&r, "key AKIAIOSFODNN7EXAMPLE; not AKIAIOSFODNN7EXAMPL nor AKIAIOSFODNN7EXAMPLEX",
	    "key [REDACTED:aws_key]; not AKIAIOSFODNN7EXAMPL nor AKIAIOSFODNN7EXAMPLEX");
	redacts(&r, "aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
	    "aws_secret_access_key=[REDACTED:secret]");
	redacts(&r, "t eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln end; eyJust.words", "t [REDACTED:jwt] end; eyJust.words");
	redacts(&r, "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEE\n-----END EC PRIVATE KEY-----\nafter",
	    "[REDACTED:private_key]\nafter");
	redacts(&r, "cut -----BEGIN PRIVATE KEY-----\nMIIEvQIBADAN", "cut [REDACTED:private_key]");
	redacts(&r, "-----BEGIN CERTIFICATE----- is public", "-----BEGIN CERTIFICATE----- is public");
	redacts(&r, "cards 4111111111111111, 5500 0000 0000 0004, 3782-822463-10005 paid",
	    "cards [REDACTED:card], [REDACTED:card], [REDACTED:card] paid");
	redacts(&r, "not cards: 4111111111111112, order 12345678901234567890123, 2026-11-23",
	    "not cards: 4111111111111112, order 12345678901234567890123, 2026-11-23");
	redacts(&r, "nothing secret here: /api/items/42 took 12ms", "nothing secret here: /api/items/42 took 12ms");
	tap_ok(r.values == 13, "the 13 values changed counted: %llu", (unsigned long long)r.values);
	{
		/* The quick look (16, 8, 1 bytes at a time) must see a secret wherever it lies. */
		static const char *const planted[] = { "pwd=hunter2", "4111 1111 1111 1111",
		    "AKIAIOSFODNN7EXAMPLE", "bearer abcdefghijkl", "u://a:pw@h" };
		char text[128];
		unsigned missed = 0, k, pad;
		size_t ns;

		for (k = 0; k < sizeof planted / sizeof planted[0]; k++)
			for (pad = 0; pad < 40; pad++) {
				memset(text, 'x', pad);
				text[pad] = ' ';
				snprintf(text + pad + 1, sizeof text - pad - 1, "%s ....", planted[k]);
				ns = redact_find(&r, text, strlen(text), sp, 4);
				if (ns != 1 && missed++ == 0)
					tap_diag("missed in: %s", text);
			}
		tap_ok(missed == 0, "secrets found at every offset from 0 to 40 (%u missed)", missed);
	}
	redact_free(&r);

	/* Each rule can be turned off. */
	c.cards = 0;
	c.bearer = 0;
	c.key_values = 0;
	redact_init(&r, &c, err, sizeof err);
	redacts(&r, "4111111111111111 Bearer abcdefghijkl password=x", "4111111111111111 Bearer abcdefghijkl password=x");
	redact_free(&r);
	c = all_on;
	c.enabled = 0;
	redact_init(&r, &c, err, sizeof err);
	redacts(&r, "password=hunter2", "password=hunter2");
	redact_free(&r);

	/* The user's patterns; a bad one is refused with its index. */
	c = all_on;
	c.patterns.v = (char *[]){ "ssn=[0-9]{3}-[0-9]{2}-[0-9]{4}", "([" };
	c.patterns.n = 2;
	tap_ok(redact_init(&r, &c, err, sizeof err) == -1 && strstr(err, "redact.patterns[1]") != NULL,
	    "a bad pattern: %s", err);
	c.patterns.n = 1;
	tap_ok(redact_init(&r, &c, err, sizeof err) == 0, "a good pattern");
	redacts(&r, "a ssn=123-45-6789 b ssn=987-65-4321", "a [REDACTED:pattern] b [REDACTED:pattern]");
	/* Overlapping finds are one replacement; past the span cap the value goes whole. */
	tap_is_int((long long)redact_find(&r, "password=ssn=123-45-6789", 24, sp, 4), 1,
	    "overlapping finds merge into one span");
	for (i = 0; i + 18 < sizeof many; i += 18)
		memcpy(many + i, "ssn=123-45-6789 ", 16), many[i + 16] = 'x', many[i + 17] = ' ';
	many[i] = '\0';
	redacts(&r, many, "[REDACTED:value]");
	redact_free(&r);

	/* Fields: by name, dropped, hashed; raw JSON and numbers go whole. */
	c = all_on;
	c.drop_fields.v = (char *[]){ "cookie_jar" };
	c.drop_fields.n = 1;
	c.hash_fields.v = (char *[]){ "email" };
	c.hash_fields.n = 1;
	c.hash_key = "k";
	redact_init(&r, &c, err, sizeof err);
	arena_init(&a, 4096, 1 << 20);
	memset(&ev, 0, sizeof ev);
	ev.message = SLICE_LIT("m");
	f[0] = (struct field){ SLICE_LIT("DB_Password"), SLICE_LIT("x"), FIELD_STRING };
	f[1] = (struct field){ SLICE_LIT("cookie_jar"), SLICE_LIT("sid=1"), FIELD_STRING };
	f[2] = (struct field){ SLICE_LIT("email"), SLICE_LIT("bob@example.com"), FIELD_STRING };
	f[3] = (struct field){ SLICE_LIT("req"), SLICE_LIT("{\"h\":\"Bearer abcdefghijkl\"}"), FIELD_RAW };
	f[4] = (struct field){ SLICE_LIT("pan"), SLICE_LIT("4111111111111111"), FIELD_NUMBER };
	f[5] = (struct field){ SLICE_LIT("n"), SLICE_LIT("42"), FIELD_NUMBER };
	ev.fields = f;
	ev.nfields = ev.fields_cap = 6;
	redact_event(&r, &a, &ev);
	tap_ok(ev.nfields == 5 && ev.fields[0].val.n == redact_mask[REDACT_SECRET].n &&
	    memcmp(ev.fields[0].val.p, "[REDACTED:secret]", ev.fields[0].val.n) == 0,
	    "a secret's field name: its value goes; a dropped field is gone");
	tap_ok(strcmp(ev.fields[1].key.p, "email") == 0 && ev.fields[1].val.n == 16 &&
	    strspn(ev.fields[1].val.p, "0123456789abcdef") >= 16, "a hashed field: 16 hex digits");
	tap_ok(ev.fields[2].type == FIELD_STRING && ev.fields[2].val.p == redact_mask[REDACT_BEARER].p &&
	    ev.fields[3].type == FIELD_STRING && ev.fields[3].val.p == redact_mask[REDACT_CARD].p &&
	    ev.fields[4].type == FIELD_NUMBER, "raw JSON and a card number go whole, as strings, masked by kind; 42 stays");
	{
		char first[16];
		struct event ev2;
		struct field g = { SLICE_LIT("email"), SLICE_LIT("bob@example.com"), FIELD_STRING };
		struct redactor r2;

		memcpy(first, ev.fields[1].val.p, 16);
		memset(&ev2, 0, sizeof ev2);
		ev2.fields = &g;
		ev2.nfields = 1;
		redact_init(&r2, &c, err, sizeof err);
		redact_event(&r2, &a, &ev2);
		tap_ok(memcmp(first, g.val.p, 16) == 0, "with hash_key the same value hashes the same in another run");
		redact_free(&r2);
	}
	arena_free(&a);
	redact_free(&r);
	return tap_done();
}
