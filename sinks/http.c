/* SPDX-License-Identifier: MIT */
/* http.c: batches POSTed to a collector with libcurl on the loop; retries, Retry-After, dead letters. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "curl_uv.h"
#include "gzip.h"
#include "log.h"
#include "sink.h"
#include "timefmt.h"
#include "xmalloc.h"

enum { HTTP_POST, HTTP_PUT };
enum { HTTP_ENC_NDJSON, HTTP_ENC_JSON_ARRAY, HTTP_ENC_CLICKHOUSE, HTTP_ENC_LOKI,
	HTTP_ENC_OTLP, HTTP_ENC_ES_BULK };
enum { HTTP_GZIP, HTTP_PLAIN };

struct http_opts {
	char *url;
	int method;
	struct conf_strmap headers;
	char *bearer_token;
	char *user;
	char *password;
	int encoding;
	int compress;
	long long level;
	int tls_verify;
	char *ca_file;
	long long connect_timeout_ms;
	long long timeout_ms;
	long long retry_base_ms;
	long long retry_max_ms;
	long long retry_after_max_ms;
	long long max_in_flight;
};

static const char *const http_methods[] = { "POST", "PUT", NULL };
static const char *const http_encodings[] = { "ndjson", "json_array", "clickhouse",
	"loki", "otlp", "es_bulk", NULL };
static const char *const http_compress[] = { "gzip", "none", NULL };

#define O(f) offsetof(struct http_opts, f)
static const struct conf_option http_options[] = {
	{ "url", CONF_STRING, NULL, O(url), 0, 0, NULL, CONF_REQUIRED,
	  "where batches go, http:// or https://; for ClickHouse, e.g. http://127.0.0.1:8123/?query=INSERT%20INTO%20logs%20FORMAT%20JSONEachRow", NULL },
	{ "method", CONF_ENUM, "POST", O(method), 0, 0, http_methods, 0, "POST or PUT", NULL },
	{ "headers", CONF_STRMAP, NULL, O(headers), 0, 0, NULL, 0,
	  "extra request headers; values may take ${VAR} (such values never reach the agent's log)", NULL },
	{ "bearer_token", CONF_STRING, NULL, O(bearer_token), 0, 0, NULL, CONF_SECRET,
	  "sent as Authorization: Bearer ...", NULL },
	{ "user", CONF_STRING, NULL, O(user), 0, 0, NULL, CONF_SECRET, "basic auth user", NULL },
	{ "password", CONF_STRING, NULL, O(password), 0, 0, NULL, CONF_SECRET,
	  "basic auth password", NULL },
	{ "encoding", CONF_ENUM, "ndjson", O(encoding), 0, 0, http_encodings, 0,
	  "ndjson, json_array, clickhouse (JSONEachRow), loki (push API, streams by source and level; url .../loki/api/v1/push), otlp (OTLP/HTTP JSON logs; url .../v1/logs) or es_bulk (Elasticsearch; url .../INDEX/_bulk)", NULL },
	{ "compress", CONF_ENUM, "gzip", O(compress), 0, 0, http_compress, 0,
	  "gzip: Content-Encoding: gzip", NULL },
	{ "level", CONF_INT, "1", O(level), 1, 9, NULL, 0, "gzip level", NULL },
	{ "tls_verify", CONF_BOOL, "true", O(tls_verify), 0, 0, NULL, 0,
	  "check the server's certificate and name", NULL },
	{ "ca_file", CONF_STRING, NULL, O(ca_file), 0, 0, NULL, 0,
	  "CA bundle for tls_verify (default: the system's)", NULL },
	{ "connect_timeout", CONF_MS, "5s", O(connect_timeout_ms), 1, 600000, NULL, 0,
	  "to connect", NULL },
	{ "timeout", CONF_MS, "30s", O(timeout_ms), 1, 3600000, NULL, 0,
	  "for a whole request; past it the request is retried", NULL },
	{ "retry_base", CONF_MS, "500ms", O(retry_base_ms), 1, 3600000, NULL, 0,
	  "first backoff; each retry doubles it (full jitter), up to retry_max", NULL },
	{ "retry_max", CONF_MS, "30s", O(retry_max_ms), 1, 86400000, NULL, 0,
	  "longest backoff between retries (they go on: nothing is dropped)", NULL },
	{ "retry_after_max", CONF_MS, "5m", O(retry_after_max_ms), 0, 86400000, NULL, 0,
	  "a Retry-After longer than this is cut to it", NULL },
	{ "max_in_flight", CONF_INT, "2", O(max_in_flight), 1, 64, NULL, 0,
	  "requests under way at once", NULL },
	{ NULL, 0, NULL, 0, 0, 0, NULL, 0, NULL, NULL },
};
#undef O

/* A batch on its way: its body is made once and sent as often as needed. */
struct http_req {
	struct sink_item item;	/* first: the queue's link, batch and done */
	struct http_sink *hs;
	uv_work_t work;		/* the body is made on the thread pool */
	int ready;		/* the body is made */
	int body_rc;		/* what making it returned */
	struct buf body;
	char key[40];		/* Idempotency-Key */
	unsigned attempts;
	int64_t not_before;	/* ns; 0: now */
	CURL *easy;		/* while in flight */
	struct curl_slist *hdrs;
};

#define HTTP_REQ(it)	((struct http_req *)(it))

struct http_sink {
	struct sink *sink;
	const struct http_opts *o;
	uv_loop_t *loop;
	struct curl_uv cu;
	uv_timer_t wake;	/* the next retry, or the end of a Retry-After pause */
	struct sink_queue q;	/* every batch not done, oldest first */
	unsigned inflight;
	int64_t paused_until;	/* Retry-After: the whole sink waits */
	uint64_t sent, retried, dead;
	int down_logged;
	long last_status;	/* of the last failure logged */
	CURLcode last_result;
	sink_closed_fn closed;
	int closing;
};

static void http_pump(struct http_sink *hs);
static void http_wake_closed(uv_handle_t *h);

/* A 64-bit FNV-1a of the body: the same batch always has the same key. */
static void
http_key(struct http_req *r, const char *p, size_t n)
{
	uint64_t h = 14695981039346656037ULL;
	size_t i;

	for (i = 0; i < n; i++)
		h = (h ^ (unsigned char)p[i]) * 1099511628211ULL;
	snprintf(r->key, sizeof r->key, "%016llx-%u", (unsigned long long)h, r->item.b->nevents);
}

/* The body: encoded events, gzipped unless told not to. */
static int
http_body(struct http_sink *hs, struct http_req *r)
{
	struct encode_opts eo = { 0, 0 };
	struct buf text;
	unsigned i;
	int rc = 0;

	buf_init(&text, (size_t)1 << 30);
	if (hs->o->encoding == HTTP_ENC_JSON_ARRAY) {
		buf_putc(&text, '[');
		for (i = 0; i < r->item.b->nevents; i++) {
			if (i > 0)
				buf_putc(&text, ',');
			encoder_run(&enc_ndjson, &eo, &r->item.b->events[i], 1, &text);
			if (text.len > 0 && text.p[text.len - 1] == '\n')
				text.len--;
		}
		buf_putc(&text, ']');
	} else if (hs->o->encoding == HTTP_ENC_LOKI)
		enc_loki_batch(r->item.b->events, r->item.b->nevents, &text);
	else if (hs->o->encoding == HTTP_ENC_OTLP)
		enc_otlp_batch(r->item.b->events, r->item.b->nevents, &text);
	else if (hs->o->encoding == HTTP_ENC_ES_BULK)
		enc_es_bulk_batch(r->item.b->events, r->item.b->nevents, &text);
	else
		encoder_run(&enc_ndjson, &eo, r->item.b->events, r->item.b->nevents, &text);
	if (text.failed) {
		rc = AGENT_E_TOOBIG;
		goto out;
	}
	http_key(r, text.p, text.len);
	buf_init(&r->body, (size_t)1 << 30);
	if (hs->o->compress == HTTP_GZIP)
		rc = gzip_member(&r->body, text.p, text.len, (int)hs->o->level);
	else
		buf_append(&r->body, text.p, text.len);
out:
	buf_free(&text);
	return rc;
}

/* Refused for good (a 4xx): the batch goes to state_dir/deadletter, uncompressed. */
static void
http_dead_letter(struct http_sink *hs, struct http_req *r, long status)
{
	struct encode_opts eo = { 0, 0 };
	char dir[4096], path[4200];
	struct buf text;
	int fd = -1;

	hs->dead++;
	if (hs->sink->state_dir == NULL) {
		log_error("sink %s: the collector refused a batch of %u events with HTTP %ld; no state_dir for a dead-letter file, so they are dropped (%llu batches so far)",
		    hs->sink->name, r->item.b->nevents, status, (unsigned long long)hs->dead);
		return;
	}
	snprintf(dir, sizeof dir, "%s/deadletter", hs->sink->state_dir);
	snprintf(path, sizeof path, "%s/%s.ndjson", dir, hs->sink->name);
	buf_init(&text, (size_t)1 << 30);
	encoder_run(&enc_ndjson, &eo, r->item.b->events, r->item.b->nevents, &text);
	if ((mkdir(dir, 0700) != 0 && errno != EEXIST) ||
	    (fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600)) < 0 ||
	    write(fd, text.p, text.len) != (ssize_t)text.len || fsync(fd) != 0)
		log_error("sink %s: the collector refused a batch of %u events with HTTP %ld, and the dead-letter file %s cannot be written: %s",
		    hs->sink->name, r->item.b->nevents, status, path, strerror(errno));
	else
		log_error("sink %s: the collector refused a batch of %u events with HTTP %ld (not retried); written to %s (%llu batches so far)",
		    hs->sink->name, r->item.b->nevents, status, path, (unsigned long long)hs->dead);
	if (fd >= 0)
		close(fd);
	buf_free(&text);
}

static void
http_req_free(struct http_req *r)
{
	if (r->easy != NULL)
		curl_easy_cleanup(r->easy);
	curl_slist_free_all(r->hdrs);
	buf_free(&r->body);
	free(r);
}

/* The batch is done with (sent, or dead-lettered): off the list, done called. */
static void
http_finish(struct http_sink *hs, struct http_req *r, int status)
{
	/* Not always the oldest: with max_in_flight, answers come in any order. */
	sink_queue_remove(&hs->q, &r->item);
	r->item.done(hs->sink, r->item.b, status);
	http_req_free(r);
}

/* Full jitter: anywhere from 0 to base * 2^attempts, at most retry_max. */
static int64_t
http_backoff_ns(const struct http_sink *hs, unsigned attempts)
{
	int64_t cap = hs->o->retry_base_ms;

	while (attempts-- > 1 && cap < hs->o->retry_max_ms)
		cap *= 2;
	if (cap > hs->o->retry_max_ms)
		cap = hs->o->retry_max_ms;
	return (int64_t)((double)random() / RAND_MAX * (double)cap) * 1000000;
}

static void
http_done(CURL *easy, CURLcode result, void *arg)
{
	struct http_req *r = arg;
	struct http_sink *hs = r->hs;
	curl_off_t retry_after = 0;
	int64_t now = timefmt_now_ns(), wait;
	long status = 0;

	hs->inflight--;
	curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_getinfo(easy, CURLINFO_RETRY_AFTER, &retry_after);
	curl_easy_cleanup(easy);
	r->easy = NULL;
	curl_slist_free_all(r->hdrs);
	r->hdrs = NULL;
	if (result == CURLE_OK && status >= 200 && status < 300) {
		hs->sent++;
		if (hs->down_logged)
			log_info("sink %s: the collector takes batches again", hs->sink->name);
		hs->down_logged = 0;
		http_finish(hs, r, 0);
		http_pump(hs);
		return;
	}
	if (result == CURLE_OK && status >= 400 && status < 500 && status != 408 &&
	    status != 429) {
		/* The collector says this batch is wrong: retrying would not help. */
		http_dead_letter(hs, r, status);
		http_finish(hs, r, 0);
		http_pump(hs);
		return;
	}
	/* 429, 5xx, 408, timeouts, refused or reset connections: again, later. */
	hs->retried++;
	wait = http_backoff_ns(hs, r->attempts);
	if (retry_after > 0) {
		wait = (int64_t)retry_after * 1000000000;
		if (wait > hs->o->retry_after_max_ms * 1000000)
			wait = hs->o->retry_after_max_ms * 1000000;
		/* The collector asked for quiet: the whole sink waits, not this batch only. */
		if (now + wait > hs->paused_until)
			hs->paused_until = now + wait;
	}
	r->not_before = now + wait;
	/* Each new kind of failure is logged; the same one again, every tenth try. */
	if (!hs->down_logged || hs->last_status != status ||
	    hs->last_result != result || r->attempts % 10 == 0) {
		if (result != CURLE_OK)
			log_warn("sink %s: %s: %s; retrying a batch of %u events in %lld ms (attempt %u)",
			    hs->sink->name, hs->o->url, curl_easy_strerror(result),
			    r->item.b->nevents, (long long)(wait / 1000000), r->attempts);
		else
			log_warn("sink %s: %s answered HTTP %ld; retrying a batch of %u events in %lld ms (attempt %u)",
			    hs->sink->name, hs->o->url, status, r->item.b->nevents,
			    (long long)(wait / 1000000), r->attempts);
	}
	hs->down_logged = 1;
	hs->last_status = status;
	hs->last_result = result;
	http_pump(hs);
}

static void
http_wake_cb(uv_timer_t *t)
{
	http_pump(t->data);
}

static int
http_send(struct http_sink *hs, struct http_req *r)
{
	const struct http_opts *o = hs->o;
	char line[4200];
	CURL *e;
	size_t i;

	if ((e = curl_easy_init()) == NULL)
		return -ENOMEM;
	curl_easy_setopt(e, CURLOPT_URL, o->url);
	curl_easy_setopt(e, CURLOPT_PRIVATE, r);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_POSTFIELDS, r->body.p);
	curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)r->body.len);
	if (o->method == HTTP_PUT)
		curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, "PUT");
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, (long)o->connect_timeout_ms);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)o->timeout_ms);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, o->tls_verify ? 1L : 0L);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, o->tls_verify ? 2L : 0L);
	if (o->ca_file != NULL)
		curl_easy_setopt(e, CURLOPT_CAINFO, o->ca_file);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	if (o->user != NULL) {
		curl_easy_setopt(e, CURLOPT_USERNAME, o->user);
		curl_easy_setopt(e, CURLOPT_PASSWORD, o->password ? o->password : "");
	}
	r->hdrs = curl_slist_append(NULL, o->encoding == HTTP_ENC_JSON_ARRAY ||
	    o->encoding == HTTP_ENC_LOKI || o->encoding == HTTP_ENC_OTLP ?
	    "Content-Type: application/json" : "Content-Type: application/x-ndjson");
	if (o->compress == HTTP_GZIP)
		r->hdrs = curl_slist_append(r->hdrs, "Content-Encoding: gzip");
	snprintf(line, sizeof line, "Idempotency-Key: %s", r->key);
	r->hdrs = curl_slist_append(r->hdrs, line);
	if (o->bearer_token != NULL) {
		snprintf(line, sizeof line, "Authorization: Bearer %s", o->bearer_token);
		r->hdrs = curl_slist_append(r->hdrs, line);
	}
	for (i = 0; i < o->headers.n; i++) {
		snprintf(line, sizeof line, "%s: %s", o->headers.k[i], o->headers.v[i]);
		r->hdrs = curl_slist_append(r->hdrs, line);
	}
	/* No "Expect: 100-continue" round trip for every batch. */
	r->hdrs = curl_slist_append(r->hdrs, "Expect:");
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, r->hdrs);
	r->easy = e;
	r->attempts++;
	if (curl_uv_add(&hs->cu, e) != 0) {
		r->easy = NULL;
		curl_easy_cleanup(e);
		return -EIO;
	}
	hs->inflight++;
	return 0;
}

/* Send what may go now; sleep until the next batch may. */
static void
http_pump(struct http_sink *hs)
{
	struct http_req *r;
	int64_t now = timefmt_now_ns(), next = 0;

	if (hs->closed != NULL && hs->q.head == NULL) {
		if (!hs->closing) {
			hs->closing = 1;
			uv_close((uv_handle_t *)&hs->wake, http_wake_closed);
		}
		return;
	}
	if (now < hs->paused_until) {
		uv_timer_start(&hs->wake, http_wake_cb,
		    (uint64_t)((hs->paused_until - now) / 1000000) + 1, 0);
		return;
	}
	for (r = HTTP_REQ(hs->q.head); r != NULL && hs->inflight < hs->o->max_in_flight;
	    r = HTTP_REQ(r->item.next)) {
		if (r->easy != NULL || !r->ready)
			continue;
		if (r->not_before > now) {
			if (next == 0 || r->not_before < next)
				next = r->not_before;
			continue;
		}
		if (http_send(hs, r) != 0) {
			r->not_before = now + 1000000000;
			continue;
		}
	}
	if (next != 0)
		uv_timer_start(&hs->wake, http_wake_cb, (uint64_t)((next - now) / 1000000) + 1, 0);
}

static int
http_open(struct sink *s, uv_loop_t *loop)
{
	struct http_sink *hs = xcalloc(1, sizeof *hs);

	hs->sink = s;
	/* Ours: the conf goes away on reload while the last batches finish. */
	hs->o = conf_opts_dup(http_options, s->conf->opts, sizeof *hs->o);
	hs->loop = loop;
	if (curl_uv_init(&hs->cu, loop, http_done) != 0) {
		conf_opts_free(http_options, (void *)hs->o);
		free(hs);
		log_error("sink %s: libcurl cannot start", s->name);
		return -ENOMEM;
	}
	uv_timer_init(loop, &hs->wake);
	hs->wake.data = hs;
	s->priv = hs;
	return 0;
}

/* On the thread pool: encode and gzip, so the loop keeps parsing. */
static void
http_body_work(uv_work_t *w)
{
	struct http_req *r = w->data;

	r->body_rc = http_body(r->hs, r);
}

static void
http_body_after(uv_work_t *w, int status)
{
	struct http_req *r = w->data;
	struct http_sink *hs = r->hs;

	if (r->body_rc != 0 || status != 0) {
		log_error("sink %s: a batch of %u events cannot be encoded: %s", hs->sink->name,
		    r->item.b->nevents, agent_strerror(r->body_rc != 0 ? r->body_rc : status));
		http_finish(hs, r, r->body_rc != 0 ? r->body_rc : status);
		http_pump(hs);
		return;
	}
	r->ready = 1;
	http_pump(hs);
}

static int
http_write(struct sink *s, struct batch *b, sink_done_fn done)
{
	struct http_sink *hs = s->priv;
	struct http_req *r;

	if (hs->closed != NULL)
		return AGENT_E_CLOSED;
	r = xcalloc(1, sizeof *r);
	r->item.b = b;
	r->item.done = done;
	r->hs = hs;
	sink_queue_append(&hs->q, &r->item);
	r->work.data = r;
	uv_queue_work(hs->loop, &r->work, http_body_work, http_body_after);
	return 0;
}

static void
http_closed_cb(struct curl_uv *c)
{
	struct http_sink *hs = (struct http_sink *)((char *)c - offsetof(struct http_sink, cu));
	struct sink *s = hs->sink;
	sink_closed_fn closed = hs->closed;

	conf_opts_free(http_options, (void *)hs->o);
	free(hs);
	s->priv = NULL;
	closed(s);
}

static void
http_wake_closed(uv_handle_t *h)
{
	struct http_sink *hs = h->data;

	curl_uv_close(&hs->cu, http_closed_cb);
}

/*
 * Closing waits for every batch to be sent (the agent's stop deadline
 * bounds that): what a collector has not taken is not acknowledged, and is
 * read again after a restart.
 */
static void
http_close(struct sink *s, sink_closed_fn closed)
{
	struct http_sink *hs = s->priv;

	hs->closed = closed;
	http_pump(hs);
}

const struct sink_ops sink_http = {
	.name = "http",
	.help = "Batches to an HTTP collector (ClickHouse, Vector, Fluentd, your own): gzip, retries with backoff and Retry-After, an Idempotency-Key per batch, refused batches to a dead-letter file.",
	.options = http_options,
	.opts_size = sizeof(struct http_opts),
	.open = http_open,
	.write = http_write,
	.close = http_close,
};
