/* SPDX-License-Identifier: MIT */
/* httpd.c: connections, http-parser callbacks, limits and timeouts, one response each. */
#include "config.h"

#include <http_parser.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "httpd.h"
#include "log.h"
#include "xmalloc.h"

/*
 * One request per connection, then "Connection: close": Prometheus
 * scrapes every few seconds, and a server that never keeps a connection
 * has no idle connections to defend.
 */
struct httpd_conn {
	uv_tcp_t tcp;
	uv_timer_t timer;
	uv_write_t wr;
	uv_shutdown_t shut;
	http_parser parser;
	struct httpd *h;
	char url[HTTPD_URL_MAX + 1];
	size_t url_len;
	size_t header_bytes;
	int answered;
	unsigned handles;	/* tcp and timer until both are closed */
	struct buf out;
	struct httpd_conn *prev, *next;
};

static const char *
httpd_reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 400: return "Bad Request";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 408: return "Request Timeout";
	case 414: return "URI Too Long";
	case 431: return "Request Header Fields Too Large";
	case 503: return "Service Unavailable";
	default: return "Error";
	}
}

static void
httpd_conn_closed(uv_handle_t *hd)
{
	struct httpd_conn *c = hd->data;
	struct httpd *h = c->h;

	if (--c->handles > 0)
		return;
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		h->conns = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	h->nconns--;
	buf_free(&c->out);
	free(c);
	if (h->closing && h->nconns == 0 && h->open_handles == 0 && h->on_closed != NULL)
		h->on_closed(h);
}

static void
httpd_conn_close(struct httpd_conn *c)
{
	if (!uv_is_closing((uv_handle_t *)&c->tcp))
		uv_close((uv_handle_t *)&c->tcp, httpd_conn_closed);
	if (!uv_is_closing((uv_handle_t *)&c->timer))
		uv_close((uv_handle_t *)&c->timer, httpd_conn_closed);
}

static void
httpd_linger_over(uv_timer_t *t)
{
	httpd_conn_close(t->data);
}

static void
httpd_shut(uv_shutdown_t *req, int status)
{
	struct httpd_conn *c = req->data;

	if (status != 0)
		httpd_conn_close(c);
}

/*
 * The response is out. Closing now would make the kernel answer whatever
 * the client is still sending (a 1 MiB header) with a reset, and the
 * client could lose our response: so shut our side, read and drop what
 * still comes until the client closes, for a second at most.
 */
static void
httpd_written(uv_write_t *wr, int status)
{
	struct httpd_conn *c = wr->data;

	if (status != 0) {
		httpd_conn_close(c);
		return;
	}
	c->shut.data = c;
	if (uv_shutdown(&c->shut, (uv_stream_t *)&c->tcp, httpd_shut) != 0) {
		httpd_conn_close(c);
		return;
	}
	uv_timer_start(&c->timer, httpd_linger_over, 1000, 0);
}

/* The one response of this connection; the body is already in c->out past the head. */
static void
httpd_respond(struct httpd_conn *c, int status, const char *ctype, const char *body,
    size_t n, int head_only)
{
	uv_buf_t b;

	if (c->answered)
		return;
	c->answered = 1;
	if (status >= 400)
		c->h->rejected++;
	uv_timer_stop(&c->timer);
	buf_clear(&c->out);
	buf_printf(&c->out, "HTTP/1.1 %d %s\r\nContent-Type: %s\r\n"
	    "Content-Length: %zu\r\nConnection: close\r\n\r\n", status,
	    httpd_reason(status), ctype, n);
	if (!head_only)
		buf_append(&c->out, body, n);
	if (c->out.failed) {
		httpd_conn_close(c);
		return;
	}
	b = uv_buf_init(c->out.p, (unsigned)c->out.len);
	c->wr.data = c;
	if (uv_write(&c->wr, (uv_stream_t *)&c->tcp, &b, 1, httpd_written) != 0)
		httpd_conn_close(c);
}

static void
httpd_error(struct httpd_conn *c, int status)
{
	char body[64];
	int n = snprintf(body, sizeof body, "%d %s\n", status, httpd_reason(status));

	httpd_respond(c, status, "text/plain; charset=utf-8", body, (size_t)n, 0);
}

static int
httpd_on_url(http_parser *p, const char *at, size_t n)
{
	struct httpd_conn *c = p->data;

	if (c->url_len + n > HTTPD_URL_MAX) {
		httpd_error(c, 414);
		return 1;
	}
	memcpy(c->url + c->url_len, at, n);
	c->url_len += n;
	return 0;
}

static int
httpd_on_header(http_parser *p, const char *at, size_t n)
{
	struct httpd_conn *c = p->data;

	c->header_bytes += n;
	if (c->header_bytes > HTTPD_HEADERS_MAX) {
		httpd_error(c, 431);
		return 1;
	}
	return 0;
}

static int
httpd_on_complete(http_parser *p)
{
	struct httpd_conn *c = p->data;
	struct httpd *h = c->h;
	const char *ctype = "text/plain; charset=utf-8";
	struct buf body;
	char *q;
	int status = 404;

	if (p->method != HTTP_GET && p->method != HTTP_HEAD) {
		httpd_error(c, 405);
		return 1;
	}
	c->url[c->url_len] = '\0';
	if ((q = strchr(c->url, '?')) != NULL)
		*q = '\0';
	buf_init(&body, 64 << 20);
	h->handle(h->arg, c->url, &body, &status, &ctype);
	h->requests++;
	httpd_respond(c, status, ctype, body.p, body.len, p->method == HTTP_HEAD);
	buf_free(&body);
	return 1;	/* one request per connection: stop parsing */
}

static const http_parser_settings httpd_settings = {
	.on_url = httpd_on_url,
	.on_header_field = httpd_on_header,
	.on_header_value = httpd_on_header,
	.on_message_complete = httpd_on_complete,
};

static void
httpd_alloc(uv_handle_t *hd, size_t suggested, uv_buf_t *b)
{
	static char slab[16384];	/* parsed before the next read: one is enough */

	*b = uv_buf_init(slab, sizeof slab);
}

static void
httpd_read(uv_stream_t *s, ssize_t n, const uv_buf_t *b)
{
	struct httpd_conn *c = s->data;
	size_t used;

	if (n < 0) {
		httpd_conn_close(c);
		return;
	}
	if (n == 0 || c->answered)
		return;		/* after the response: dropped */
	used = http_parser_execute(&c->parser, &httpd_settings, b->base, (size_t)n);
	if (c->answered)
		return;
	if (HTTP_PARSER_ERRNO(&c->parser) != HPE_OK || used != (size_t)n)
		httpd_error(c, HTTP_PARSER_ERRNO(&c->parser) == HPE_HEADER_OVERFLOW ?
		    431 : 400);
}

static void
httpd_timeout(uv_timer_t *t)
{
	httpd_error(t->data, 408);
}

static void
httpd_accept(uv_stream_t *server, int status)
{
	struct httpd *h = server->data;
	struct httpd_conn *c;

	if (status < 0)
		return;
	c = xcalloc(1, sizeof *c);
	c->h = h;
	uv_tcp_init(h->loop, &c->tcp);
	uv_timer_init(h->loop, &c->timer);
	c->tcp.data = c->timer.data = c;
	c->handles = 2;
	buf_init(&c->out, 64 << 20);
	c->next = h->conns;
	if (h->conns != NULL)
		h->conns->prev = c;
	h->conns = c;
	h->nconns++;
	if (uv_accept(server, (uv_stream_t *)&c->tcp) != 0) {
		httpd_conn_close(c);
		return;
	}
	if (h->nconns > HTTPD_MAX_CONNS || h->closing) {
		httpd_error(c, 503);
		return;
	}
	http_parser_init(&c->parser, HTTP_REQUEST);
	c->parser.data = c;
	uv_timer_start(&c->timer, httpd_timeout, HTTPD_TIMEOUT_MS, 0);
	uv_read_start((uv_stream_t *)&c->tcp, httpd_alloc, httpd_read);
}

/* "127.0.0.1:9464" or "[::1]:9464" into a sockaddr. */
static int
httpd_addr(const char *addr, struct sockaddr_storage *ss)
{
	char host[128];
	const char *colon;
	char *end;
	long port;
	size_t n;

	if ((colon = strrchr(addr, ':')) == NULL)
		return UV_EINVAL;
	port = strtol(colon + 1, &end, 10);
	if (*end != '\0' || end == colon + 1 || port < 0 || port > 65535)
		return UV_EINVAL;
	n = (size_t)(colon - addr);
	if (n >= sizeof host)
		return UV_EINVAL;
	memcpy(host, addr, n);
	host[n] = '\0';
	if (n >= 2 && host[0] == '[' && host[n - 1] == ']') {
		host[n - 1] = '\0';
		return uv_ip6_addr(host + 1, (int)port, (struct sockaddr_in6 *)ss);
	}
	return uv_ip4_addr(host, (int)port, (struct sockaddr_in *)ss);
}

static void
httpd_listener_closed(uv_handle_t *hd)
{
	struct httpd *h = hd->data;

	h->open_handles--;
	if (h->closing && h->nconns == 0 && h->open_handles == 0 && h->on_closed != NULL)
		h->on_closed(h);
}

int
httpd_start(struct httpd *h, uv_loop_t *loop, const char *addr,
    httpd_handler handle, void *arg, char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	int rc;

	memset(h, 0, sizeof *h);
	h->loop = loop;
	h->handle = handle;
	h->arg = arg;
	if ((rc = httpd_addr(addr, &ss)) != 0) {
		snprintf(err, errlen, "\"%s\" is not HOST:PORT", addr);
		return rc;
	}
	uv_tcp_init(loop, &h->listener);
	h->listener.data = h;
	h->open_handles = 1;
	if ((rc = uv_tcp_bind(&h->listener, (struct sockaddr *)&ss, 0)) != 0 ||
	    (rc = uv_listen((uv_stream_t *)&h->listener, 128, httpd_accept)) != 0) {
		snprintf(err, errlen, "cannot listen on %s: %s", addr, uv_strerror(rc));
		h->closing = 1;
		uv_close((uv_handle_t *)&h->listener, httpd_listener_closed);
		return rc;
	}
	h->listening = 1;
	return 0;
}

void
httpd_close(struct httpd *h, void (*on_closed)(struct httpd *h))
{
	struct httpd_conn *c, *next;

	h->closing = 1;
	h->on_closed = on_closed;
	if (h->listening && !uv_is_closing((uv_handle_t *)&h->listener)) {
		h->listening = 0;
		uv_close((uv_handle_t *)&h->listener, httpd_listener_closed);
	}
	for (c = h->conns; c != NULL; c = next) {
		next = c->next;
		httpd_conn_close(c);
	}
	if (h->nconns == 0 && h->open_handles == 0 && on_closed != NULL)
		on_closed(h);
}
