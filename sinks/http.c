/* SPDX-License-Identifier: MIT */
/* http.c: batches POSTed to a collector with libcurl on the loop; retries, Retry-After, a disk spool, dead letters. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "batcher.h"
#include "curl_uv.h"
#include "gzip.h"
#include "log.h"
#include "sink.h"
#include "spool.h"
#include "timefmt.h"
#include "xmalloc.h"

enum { HTTP_POST, HTTP_PUT };
enum { HTTP_ENC_NDJSON, HTTP_ENC_JSON_ARRAY, HTTP_ENC_CLICKHOUSE, HTTP_ENC_LOKI,
	HTTP_ENC_OTLP, HTTP_ENC_ES_BULK };
enum { HTTP_GZIP, HTTP_PLAIN };
enum { SPOOL_PAUSE, SPOOL_DROP_OLDEST };

struct http_spool_opts {
	int enabled;
	size_t max_bytes;
	int when_full;
};

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
	struct batcher_opts batch;
	struct http_spool_opts spool;
};

static const char *const http_methods[] = { "POST", "PUT", NULL };
static const char *const http_encodings[] = { "ndjson", "json_array", "clickhouse",
	"loki", "otlp", "es_bulk", NULL };
static const char *const http_compress[] = { "gzip", "none", NULL };
static const char *const http_when_full[] = { "pause", "drop_oldest", NULL };

BATCHER_TABLE(http_batch_options, "5000", "4MiB", "1s");

static const struct conf_option http_spool_options[] = {
	{ "enabled", CONF_BOOL, "true", offsetof(struct http_spool_opts, enabled), 0, 0,
	  NULL, 0, "while the collector fails, requests go to state_dir/spool/<sink> (fsynced; checkpoints move on) and are sent from there, in order, when it is back; kept across restarts", NULL },
	{ "max_bytes", CONF_SIZE, "256MiB", offsetof(struct http_spool_opts, max_bytes),
	  65536, 1LL << 50, NULL, 0, "the spool's size on disk at most", NULL },
	{ "when_full", CONF_ENUM, "pause", offsetof(struct http_spool_opts, when_full), 0, 0,
	  http_when_full, 0, "pause: reading pauses until the collector takes requests again (nothing lost); drop_oldest: the oldest spooled requests make room (counted and logged)", NULL },
	{ NULL, 0, NULL, 0, 0, 0, NULL, 0, NULL, NULL },
};

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
	{ "batch", CONF_OBJECT, NULL, O(batch), 0, 0, NULL, 0,
	  "how events are grouped into requests", http_batch_options },
	{ "spool", CONF_OBJECT, NULL, O(spool), 0, 0, NULL, 0,
	  "the on-disk spool for when the collector is down (needs state_dir)", http_spool_options },
	{ NULL, 0, NULL, 0, 0, 0, NULL, 0, NULL, NULL },
};
#undef O

/*
 * A request: a span of the sink's queue (or a spooled one, from_spool),
 * whose body is made once and sent as often as needed.
 */
struct http_req {
	struct http_sink *hs;
	struct http_req *next;	/* in hs->reqs, oldest first */
	struct span span;
	int from_spool;
	struct spool_rec rec;	/* from_spool: what the spool holds */
	uv_work_t work;		/* the body is made on the thread pool */
	int ready;		/* the body is made */
	int body_rc;		/* what making it returned */
	struct buf body;
	unsigned nevents;
	unsigned flags;		/* encoding << 1 | gzip */
	char key[SPOOL_KEY_MAX];	/* Idempotency-Key */
	unsigned attempts;
	int64_t not_before;	/* ns; 0: now */
	int in_write;		/* in the spool write under way */
	CURL *easy;		/* while in flight */
	struct curl_slist *hdrs;
};

#define HTTP_FLAG_GZIP	1u

struct http_sink {
	struct sink *sink;
	const struct http_opts *o;
	uv_loop_t *loop;
	struct curl_uv cu;
	uv_timer_t wake;	/* the next retry, batch, or the end of a pause */
	struct batcher bt;	/* the pipeline's batches, until every span of them is done */
	struct http_req *reqs, **reqs_tail;	/* requests of spans, oldest first */
	unsigned inflight;
	int64_t paused_until;	/* Retry-After: the whole sink waits */
	int down_logged;
	long last_status;	/* of the last failure logged */
	CURLcode last_result;
	sink_closed_fn closed;
	int closing;
	/* The spool: while the collector fails, requests go there. */
	int has_spool;
	int spooling;		/* the collector failed: send from the spool, one at a time */
	struct spool spool;
	struct http_req *replay;	/* the spooled request being sent */
	uv_work_t swork;
	struct spool_write sw;
	struct buf sbuf;	/* the records of the write under way */
	unsigned swriting;	/* requests in it; 0: no write */
	uint64_t sevents;
	int64_t spool_not_before;
	unsigned spool_retry_ms;
	int spool_logged;
};

static void http_pump(struct http_sink *hs);
static void http_wake_closed(uv_handle_t *h);

/* A 64-bit FNV-1a of the body, for events from no file (stdin, the agent's own). */
static void
http_key_of_body(struct http_req *r, const char *p, size_t n)
{
	uint64_t h = 14695981039346656037ULL;
	size_t i;

	for (i = 0; i < n; i++)
		h = (h ^ (unsigned char)p[i]) * 1099511628211ULL;
	snprintf(r->key, sizeof r->key, "b%016llx-%u", (unsigned long long)h, r->nevents);
}

/* The span's events in one array, for encoders that take a whole batch. */
static struct event *
http_span_events(const struct span *sp)
{
	struct event *ev = xmalloc((sp->nevents + 1) * sizeof *ev);
	unsigned i, n = 0;

	for (i = 0; i < sp->nparts; i++) {
		memcpy(ev + n, sp->part[i].it->b->events + sp->part[i].from,
		    sp->part[i].n * sizeof *ev);
		n += sp->part[i].n;
	}
	return ev;
}

/* The body: encoded events, gzipped unless told not to. */
static int
http_body(struct http_sink *hs, struct http_req *r)
{
	struct encode_opts eo = { 0, 0, 0 };
	struct event *ev = NULL;
	struct buf text;
	unsigned i;
	int rc = 0;

	buf_init(&text, (size_t)1 << 30);
	if (hs->o->encoding == HTTP_ENC_JSON_ARRAY) {
		ev = http_span_events(&r->span);
		buf_putc(&text, '[');
		for (i = 0; i < r->nevents; i++) {
			if (i > 0)
				buf_putc(&text, ',');
			encoder_run(&enc_ndjson, &eo, &ev[i], 1, &text);
			if (text.len > 0 && text.p[text.len - 1] == '\n')
				text.len--;
		}
		buf_putc(&text, ']');
	} else if (hs->o->encoding == HTTP_ENC_LOKI)
		enc_loki_batch((ev = http_span_events(&r->span)), r->nevents, &text);
	else if (hs->o->encoding == HTTP_ENC_OTLP)
		enc_otlp_batch((ev = http_span_events(&r->span)), r->nevents, &text);
	else if (hs->o->encoding == HTTP_ENC_ES_BULK)
		enc_es_bulk_batch((ev = http_span_events(&r->span)), r->nevents, &text);
	else
		span_encode(&r->span, &enc_ndjson, &text);
	free(ev);
	if (text.failed) {
		rc = AGENT_E_TOOBIG;
		goto out;
	}
	if (span_key(&r->span, r->key, sizeof r->key) != 0)
		http_key_of_body(r, text.p, text.len);
	buf_init(&r->body, (size_t)1 << 30);
	if (r->flags & HTTP_FLAG_GZIP)
		rc = gzip_member(&r->body, text.p, text.len, (int)hs->o->level);
	else
		buf_append(&r->body, text.p, text.len);
out:
	buf_free(&text);
	return rc;
}

/*
 * Refused for good (a 4xx): what it held goes to state_dir/deadletter,
 * uncompressed: the events as ndjson, or a spooled body as it was encoded.
 */
static void
http_dead_letter(struct http_sink *hs, struct http_req *r, long status)
{
	char dir[4096], path[4200];
	struct buf text;
	int fd = -1;

	hs->sink->st.dead++;
	if (hs->sink->state_dir == NULL) {
		log_error("sink %s: the collector refused a batch of %u events with HTTP %ld; no state_dir for a dead-letter file, so they are dropped (%llu batches so far)",
		    hs->sink->name, r->nevents, status, (unsigned long long)hs->sink->st.dead);
		return;
	}
	snprintf(dir, sizeof dir, "%s/deadletter", hs->sink->state_dir);
	snprintf(path, sizeof path, "%s/%s.ndjson", dir, hs->sink->name);
	buf_init(&text, (size_t)1 << 30);
	if (!r->from_spool)
		span_encode(&r->span, &enc_ndjson, &text);
	else if (!(r->flags & HTTP_FLAG_GZIP) ||
	    gunzip_member(&text, r->body.p, r->body.len) != 0) {
		buf_clear(&text);
		buf_append(&text, r->body.p, r->body.len);
	}
	if (text.len > 0 && text.p[text.len - 1] != '\n')
		buf_putc(&text, '\n');
	if ((mkdir(dir, 0700) != 0 && errno != EEXIST) ||
	    (fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600)) < 0 ||
	    write(fd, text.p, text.len) != (ssize_t)text.len || fsync(fd) != 0)
		log_error("sink %s: the collector refused a batch of %u events with HTTP %ld, and the dead-letter file %s cannot be written: %s",
		    hs->sink->name, r->nevents, status, path, strerror(errno));
	else
		log_error("sink %s: the collector refused a batch of %u events with HTTP %ld (not retried); written to %s (%llu batches so far)",
		    hs->sink->name, r->nevents, status, path, (unsigned long long)hs->sink->st.dead);
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

static void
http_req_unlink(struct http_sink *hs, struct http_req *r)
{
	struct http_req **pp;

	for (pp = &hs->reqs; *pp != r; pp = &(*pp)->next)
		;
	*pp = r->next;
	if (hs->reqs_tail == &r->next)
		hs->reqs_tail = pp;
}

/*
 * The request is done with: sent, dead-lettered, or spooled. A span's
 * batches are done once all their spans are; a spooled one moves the
 * spool on.
 */
static void
http_finish(struct http_sink *hs, struct http_req *r, int status)
{
	if (r->from_spool) {
		spool_pop(&hs->spool, &r->rec);
		hs->replay = NULL;
	} else {
		/* Not always the oldest: with max_in_flight, answers come in any order. */
		http_req_unlink(hs, r);
		batcher_span_done(&hs->bt, hs->sink, &r->span, status);
	}
	http_req_free(r);
	if (hs->spooling && spool_empty(&hs->spool) && hs->swriting == 0 &&
	    status == 0 && hs->replay == NULL && !hs->down_logged) {
		hs->spooling = 0;
		log_info("sink %s: the spool is sent; requests go straight to the collector again",
		    hs->sink->name);
	}
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
		hs->sink->st.sent++;
		if (hs->down_logged)
			log_info("sink %s: the collector takes batches again", hs->sink->name);
		hs->down_logged = 0;
		hs->sink->st.down = 0;
		hs->sink->st.last_error[0] = '\0';
		http_finish(hs, r, 0);
		http_pump(hs);
		return;
	}
	/*
	 * The collector says this batch is wrong: retrying would not help.
	 * Rejected credentials are not the batch's fault: those wait (and
	 * spool) until someone fixes them.
	 */
	if (result == CURLE_OK && status >= 400 && status < 500 && status != 401 &&
	    status != 403 && status != 408 && status != 429) {
		http_dead_letter(hs, r, status);
		http_finish(hs, r, 0);
		http_pump(hs);
		return;
	}
	/* 429, 5xx, 408, 401/403, timeouts, refused or reset connections: again, later. */
	hs->sink->st.retried++;
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
			    r->nevents, (long long)(wait / 1000000), r->attempts);
		else if (status == 401 || status == 403)
			log_error("sink %s: %s answered HTTP %ld: the credentials are rejected; fix them (the batches wait%s) — retrying in %lld ms (attempt %u)",
			    hs->sink->name, hs->o->url, status,
			    hs->has_spool ? " in the spool" : "", (long long)(wait / 1000000),
			    r->attempts);
		else
			log_warn("sink %s: %s answered HTTP %ld; retrying a batch of %u events in %lld ms (attempt %u)",
			    hs->sink->name, hs->o->url, status, r->nevents,
			    (long long)(wait / 1000000), r->attempts);
	}
	hs->down_logged = 1;
	hs->sink->st.down = 1;
	if (result != CURLE_OK)
		snprintf(hs->sink->st.last_error, sizeof hs->sink->st.last_error, "%s",
		    curl_easy_strerror(result));
	else
		snprintf(hs->sink->st.last_error, sizeof hs->sink->st.last_error,
		    "HTTP %ld", status);
	hs->last_status = status;
	hs->last_result = result;
	if (hs->has_spool && !hs->spooling) {
		hs->spooling = 1;
		log_warn("sink %s: the collector fails; requests go to the spool in %s until it takes them again",
		    hs->sink->name, hs->spool.dir);
	}
	http_pump(hs);
}

static void
http_wake_cb(uv_timer_t *t)
{
	http_pump(t->data);
}

static const char *
http_content_type(unsigned flags)
{
	unsigned enc = flags >> 1;

	return enc == HTTP_ENC_JSON_ARRAY || enc == HTTP_ENC_LOKI || enc == HTTP_ENC_OTLP ?
	    "Content-Type: application/json" : "Content-Type: application/x-ndjson";
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
	/* From the request, not the config: a spooled one keeps what it was made as. */
	r->hdrs = curl_slist_append(NULL, http_content_type(r->flags));
	if (r->flags & HTTP_FLAG_GZIP)
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
		    r->nevents, agent_strerror(r->body_rc != 0 ? r->body_rc : status));
		http_finish(hs, r, r->body_rc != 0 ? r->body_rc : status);
		http_pump(hs);
		return;
	}
	r->ready = 1;
	http_pump(hs);
}

/* A request for the span, its body made on the thread pool. */
static void
http_req_new(struct http_sink *hs, const struct span *sp)
{
	struct http_req *r = xcalloc(1, sizeof *r);

	r->hs = hs;
	r->span = *sp;
	r->nevents = sp->nevents;
	r->flags = (unsigned)hs->o->encoding << 1 |
	    (hs->o->compress == HTTP_GZIP ? HTTP_FLAG_GZIP : 0);
	*hs->reqs_tail = r;
	hs->reqs_tail = &r->next;
	r->work.data = r;
	uv_queue_work(hs->loop, &r->work, http_body_work, http_body_after);
}

static void
http_spool_work(uv_work_t *w)
{
	struct http_sink *hs = w->data;

	spool_write_run(&hs->sw);
}

static void
http_spool_after(uv_work_t *w, int status)
{
	struct http_sink *hs = w->data;
	struct http_req *r, *next, *done;
	unsigned n = hs->swriting;

	(void)status;
	spool_write_end(&hs->spool, &hs->sw, n, hs->sevents);
	hs->swriting = 0;
	buf_clear(&hs->sbuf);
	if (hs->sw.err != 0) {
		/* Disk full under the spool, say: the requests stay here; reading pauses. */
		for (r = hs->reqs; r != NULL; r = r->next)
			r->in_write = 0;
		hs->spool_retry_ms = hs->spool_retry_ms == 0 ? 100 :
		    hs->spool_retry_ms >= 15000 ? 30000 : hs->spool_retry_ms * 2;
		hs->spool_not_before = timefmt_now_ns() + (int64_t)hs->spool_retry_ms * 1000000;
		if (!hs->spool_logged || hs->spool_retry_ms == 30000)
			log_error("sink %s: cannot write to the spool in %s: %s; %u requests wait in memory, retrying in %u ms",
			    hs->sink->name, hs->spool.dir, strerror(-hs->sw.err), n,
			    hs->spool_retry_ms);
		hs->spool_logged = 1;
		http_pump(hs);
		return;
	}
	if (hs->spool_logged)
		log_info("sink %s: writing to the spool again", hs->sink->name);
	hs->spool_logged = 0;
	hs->spool_retry_ms = 0;
	/*
	 * On disk: as good as sent, so checkpoints move past them. Taken off
	 * the list first: a done may read more lines and come back here.
	 */
	for (r = hs->reqs, done = NULL; r != NULL; r = next) {
		next = r->next;
		if (!r->in_write)
			continue;
		http_req_unlink(hs, r);
		r->next = done;
		done = r;
	}
	for (r = done; r != NULL; r = next) {
		next = r->next;
		batcher_span_done(&hs->bt, hs->sink, &r->span, 0);
		http_req_free(r);
	}
	http_pump(hs);
}

/*
 * While spooling: the ready requests not on their way go to the spool, in
 * order, in one write and one fsync.
 */
static void
http_spool_write(struct http_sink *hs, int64_t now)
{
	struct http_req *r;
	int rc;

	if (hs->swriting > 0 || now < hs->spool_not_before)
		return;
	hs->sevents = 0;
	for (r = hs->reqs; r != NULL && r->ready; r = r->next) {
		if (r->easy != NULL || r->nevents == 0)
			continue;
		/* No more than fits (unless it is the only one: it must go somewhere). */
		if (hs->swriting > 0 && hs->spool.bytes + hs->sbuf.len + r->body.len + 128 >
		    hs->spool.max_bytes)
			break;
		if (spool_encode(&hs->sbuf, r->key, r->nevents, r->flags, r->body.p,
		    r->body.len) != 0)
			break;
		r->in_write = 1;
		hs->swriting++;
		hs->sevents += r->nevents;
		if (hs->sbuf.len >= ((size_t)8 << 20))
			break;
	}
	if (hs->swriting == 0)
		return;
	if ((rc = spool_write_begin(&hs->spool, hs->sbuf.p, hs->sbuf.len, &hs->sw)) != 0) {
		for (r = hs->reqs; r != NULL; r = r->next)
			r->in_write = 0;
		hs->swriting = 0;
		buf_clear(&hs->sbuf);
		hs->spool_not_before = now + 1000000000;
		if (!hs->spool_logged)
			log_error("sink %s: the spool in %s %s; reading pauses until the collector takes requests again",
			    hs->sink->name, hs->spool.dir, rc == -ENOSPC ?
			    "is full (spool.max_bytes)" : strerror(-rc));
		hs->spool_logged = 1;
		return;
	}
	hs->swork.data = hs;
	uv_queue_work(hs->loop, &hs->swork, http_spool_work, http_spool_after);
}

/* The spool's oldest request, loaded to be sent. */
static struct http_req *
http_replay(struct http_sink *hs)
{
	struct http_req *r;

	if (hs->replay != NULL || spool_empty(&hs->spool))
		return hs->replay;
	r = xcalloc(1, sizeof *r);
	if (spool_peek(&hs->spool, &r->rec) != 0) {
		buf_free(&r->rec.body);
		free(r);
		return NULL;
	}
	r->hs = hs;
	r->from_spool = 1;
	r->ready = 1;
	r->body = r->rec.body;
	memset(&r->rec.body, 0, sizeof r->rec.body);
	r->nevents = r->rec.nevents;
	r->flags = r->rec.flags;
	snprintf(r->key, sizeof r->key, "%s", r->rec.key);
	hs->replay = r;
	return r;
}

static void
http_wake_at(struct http_sink *hs, int64_t *next, int64_t t)
{
	(void)hs;
	if (t > 0 && (*next == 0 || t < *next))
		*next = t;
}

/* Cut what is due, spool or send what may go now, sleep until the next. */
static void
http_pump(struct http_sink *hs)
{
	struct http_req *r;
	struct span sp;
	int64_t now = timefmt_now_ns(), next = 0, due;

	while (batcher_cut(&hs->bt, now, hs->closed != NULL, &sp, &due))
		http_req_new(hs, &sp);
	http_wake_at(hs, &next, due);
	/* A span of no events (only lines filtered out): nothing to send. */
again:
	for (r = hs->reqs; r != NULL; r = r->next)
		if (r->ready && r->nevents == 0 && r->easy == NULL && !r->in_write) {
			/* Its done may come back here: start over afterwards. */
			http_finish(hs, r, 0);
			goto again;
		}
	if (hs->closed != NULL && hs->reqs == NULL && batcher_empty(&hs->bt) &&
	    hs->swriting == 0 && (!hs->sink->drain || hs->replay == NULL) &&
	    (!hs->sink->drain || spool_empty(&hs->spool))) {
		if (!hs->closing) {
			hs->closing = 1;
			uv_close((uv_handle_t *)&hs->wake, http_wake_closed);
		}
		return;
	}
	if (hs->spooling) {
		http_spool_write(hs, now);
		if (hs->swriting == 0 && hs->spool_not_before > now)
			http_wake_at(hs, &next, hs->spool_not_before);
	}
	if (now < hs->paused_until) {
		http_wake_at(hs, &next, hs->paused_until);
		goto out;
	}
	if (hs->spooling) {
		/*
		 * One request at a time, the oldest: the spool's, or when it is
		 * empty the first still held here. It probes the collector;
		 * when it gets through, the rest follow.
		 */
		if (hs->inflight > 0)
			goto out;
		if ((r = http_replay(hs)) == NULL && spool_empty(&hs->spool))
			for (r = hs->reqs; r != NULL && (!r->ready || r->in_write); r = r->next)
				;
		if (r == NULL || !r->ready || r->in_write)
			goto out;
		if (r->not_before > now)
			http_wake_at(hs, &next, r->not_before);
		else if (http_send(hs, r) != 0)
			r->not_before = now + 1000000000;
		goto out;
	}
	for (r = hs->reqs; r != NULL && hs->inflight < hs->o->max_in_flight; r = r->next) {
		if (r->easy != NULL || !r->ready)
			continue;
		if (r->not_before > now) {
			http_wake_at(hs, &next, r->not_before);
			continue;
		}
		if (http_send(hs, r) != 0)
			r->not_before = now + 1000000000;
	}
out:
	hs->sink->st.spool_bytes = hs->spool.bytes;
	hs->sink->st.spool_events = hs->spool.events;
	hs->sink->st.spool_dropped = hs->spool.dropped_events;
	hs->sink->st.spool_corrupt = hs->spool.corrupt;
	if (next != 0)
		uv_timer_start(&hs->wake, http_wake_cb,
		    (uint64_t)((next > now ? next - now : 0) / 1000000) + 1, 0);
}

static int
http_open(struct sink *s, uv_loop_t *loop)
{
	struct http_sink *hs = xcalloc(1, sizeof *hs);
	char dir[4200];

	hs->sink = s;
	/* Ours: the conf goes away on reload while the last batches finish. */
	hs->o = conf_opts_dup(http_options, s->conf->opts, sizeof *hs->o);
	hs->loop = loop;
	hs->reqs_tail = &hs->reqs;
	batcher_init(&hs->bt, &hs->o->batch, s->hold_max);
	s->max_age_ms = hs->o->batch.max_age_ms;
	buf_init(&hs->sbuf, (size_t)1 << 31);
	if (hs->o->spool.enabled && s->state_dir != NULL) {
		snprintf(dir, sizeof dir, "%s/spool", s->state_dir);
		if (mkdir(dir, 0700) != 0 && errno != EEXIST)
			log_warn("sink %s: cannot create %s: %s", s->name, dir, strerror(errno));
		snprintf(dir, sizeof dir, "%s/spool/%s", s->state_dir, s->name);
		if (spool_open(&hs->spool, dir, s->name, hs->o->spool.max_bytes,
		    hs->o->spool.when_full == SPOOL_DROP_OLDEST) == 0) {
			hs->has_spool = 1;
			hs->spooling = !spool_empty(&hs->spool);
		} else {
			spool_close(&hs->spool);
			log_warn("sink %s: no spool; while the collector is down, batches wait in memory and reading pauses",
			    s->name);
		}
	}
	if (curl_uv_init(&hs->cu, loop, http_done) != 0) {
		if (hs->has_spool)
			spool_close(&hs->spool);
		buf_free(&hs->sbuf);
		conf_opts_free(http_options, (void *)hs->o);
		free(hs);
		log_error("sink %s: libcurl cannot start", s->name);
		return -ENOMEM;
	}
	uv_timer_init(loop, &hs->wake);
	hs->wake.data = hs;
	s->priv = hs;
	if (hs->spooling)
		uv_timer_start(&hs->wake, http_wake_cb, 0, 0);
	return 0;
}

static int
http_write(struct sink *s, struct batch *b, sink_done_fn done)
{
	struct http_sink *hs = s->priv;

	if (hs->closed != NULL)
		return AGENT_E_CLOSED;
	batcher_add(&hs->bt, xmalloc(sizeof(struct sink_item)), b, done, timefmt_now_ns());
	http_pump(hs);
	return 0;
}

static void
http_closed_cb(struct curl_uv *c)
{
	struct http_sink *hs = (struct http_sink *)((char *)c - offsetof(struct http_sink, cu));
	struct sink *s = hs->sink;
	sink_closed_fn closed = hs->closed;

	if (hs->replay != NULL) {
		/* Still in the spool: sent after the restart. */
		buf_free(&hs->replay->rec.body);
		http_req_free(hs->replay);
	}
	if (hs->has_spool)
		spool_close(&hs->spool);
	buf_free(&hs->sbuf);
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
 * Closing waits for every batch to be sent or spooled (the agent's stop
 * deadline bounds that): what neither took is not acknowledged, and is
 * read again after a restart. The spool is sent first only at the end of
 * input (--oneshot, stdin), not on a signal: it waits for the next start.
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
	.help = "Batches to an HTTP collector (ClickHouse, Vector, Fluentd, your own): gzip, retries with backoff and Retry-After, an Idempotency-Key per batch from the bytes it holds, a disk spool while the collector is down, refused batches to a dead-letter file.",
	.options = http_options,
	.opts_size = sizeof(struct http_opts),
	.open = http_open,
	.write = http_write,
	.close = http_close,
};
