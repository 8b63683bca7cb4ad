/* SPDX-License-Identifier: MIT */
/* curl_uv.c: uv_poll per socket curl asks about, one uv_timer for curl's timeouts. */
#include "config.h"

#include <stdlib.h>

#include "curl_uv.h"
#include "xmalloc.h"

struct curl_uv_sock {
	uv_poll_t poll;
	struct curl_uv *c;
	curl_socket_t fd;
	struct curl_uv_sock *prev, *next;	/* c->socks: closed at the end whatever curl says */
};

static void curl_uv_sock_closed(uv_handle_t *h);

static void
curl_uv_sock_close(struct curl_uv_sock *cs)
{
	struct curl_uv *c = cs->c;

	if (cs->prev != NULL)
		cs->prev->next = cs->next;
	else
		c->socks = cs->next;
	if (cs->next != NULL)
		cs->next->prev = cs->prev;
	uv_poll_stop(&cs->poll);
	uv_close((uv_handle_t *)&cs->poll, curl_uv_sock_closed);
}

static void
curl_uv_closed(uv_handle_t *h)
{
	struct curl_uv *c = h->data;

	if (--c->open_handles == 0 && c->on_closed != NULL)
		c->on_closed(c);
}

static void
curl_uv_sock_closed(uv_handle_t *h)
{
	struct curl_uv_sock *cs = h->data;
	struct curl_uv *c = cs->c;

	free(cs);
	if (--c->open_handles == 0 && c->on_closed != NULL)
		c->on_closed(c);
}

/* Finished transfers: hand each to done. */
static void
curl_uv_check(struct curl_uv *c)
{
	CURLMsg *msg;
	int left;
	void *arg;
	CURL *easy;
	CURLcode result;

	while ((msg = curl_multi_info_read(c->multi, &left)) != NULL) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		easy = msg->easy_handle;
		result = msg->data.result;
		curl_easy_getinfo(easy, CURLINFO_PRIVATE, (char **)&arg);
		curl_multi_remove_handle(c->multi, easy);
		c->done(easy, result, arg);
	}
}

static void
curl_uv_poll_cb(uv_poll_t *p, int status, int events)
{
	struct curl_uv_sock *cs = p->data;
	struct curl_uv *c = cs->c;
	int flags = 0, running;

	if (status < 0)
		flags = CURL_CSELECT_ERR;
	if (events & UV_READABLE)
		flags |= CURL_CSELECT_IN;
	if (events & UV_WRITABLE)
		flags |= CURL_CSELECT_OUT;
	curl_multi_socket_action(c->multi, cs->fd, flags, &running);
	curl_uv_check(c);
}

static void
curl_uv_timer_cb(uv_timer_t *t)
{
	struct curl_uv *c = t->data;
	int running;

	curl_multi_socket_action(c->multi, CURL_SOCKET_TIMEOUT, 0, &running);
	curl_uv_check(c);
}

/* curl: watch s for what (in, out, both), or stop watching it. */
static int
curl_uv_socket_cb(CURL *easy, curl_socket_t s, int what, void *userp, void *socketp)
{
	struct curl_uv *c = userp;
	struct curl_uv_sock *cs = socketp;
	int events = 0;

	if (what == CURL_POLL_REMOVE) {
		if (cs != NULL)
			curl_uv_sock_close(cs);
		return 0;
	}
	if (cs == NULL) {
		cs = xcalloc(1, sizeof *cs);
		cs->c = c;
		cs->fd = s;
		if (uv_poll_init_socket(c->loop, &cs->poll, s) != 0) {
			free(cs);
			return -1;
		}
		cs->poll.data = cs;
		c->open_handles++;
		cs->next = c->socks;
		if (c->socks != NULL)
			c->socks->prev = cs;
		c->socks = cs;
		curl_multi_assign(c->multi, s, cs);
	}
	if (what == CURL_POLL_IN || what == CURL_POLL_INOUT)
		events |= UV_READABLE;
	if (what == CURL_POLL_OUT || what == CURL_POLL_INOUT)
		events |= UV_WRITABLE;
	uv_poll_start(&cs->poll, events, curl_uv_poll_cb);
	return 0;
}

/* curl: call back in timeout_ms (-1: never). Never from inside this call. */
static int
curl_uv_timer_set(CURLM *multi, long timeout_ms, void *userp)
{
	struct curl_uv *c = userp;

	if (timeout_ms < 0)
		uv_timer_stop(&c->timer);
	else
		uv_timer_start(&c->timer, curl_uv_timer_cb, (uint64_t)timeout_ms, 0);
	return 0;
}

int
curl_uv_init(struct curl_uv *c, uv_loop_t *loop, curl_uv_done_fn done)
{
	c->loop = loop;
	c->done = done;
	c->on_closed = NULL;
	c->socks = NULL;
	if ((c->multi = curl_multi_init()) == NULL)
		return -1;
	uv_timer_init(loop, &c->timer);
	c->timer.data = c;
	c->open_handles = 1;
	curl_multi_setopt(c->multi, CURLMOPT_SOCKETFUNCTION, curl_uv_socket_cb);
	curl_multi_setopt(c->multi, CURLMOPT_SOCKETDATA, c);
	curl_multi_setopt(c->multi, CURLMOPT_TIMERFUNCTION, curl_uv_timer_set);
	curl_multi_setopt(c->multi, CURLMOPT_TIMERDATA, c);
	return 0;
}

int
curl_uv_add(struct curl_uv *c, CURL *easy)
{
	return curl_multi_add_handle(c->multi, easy) == CURLM_OK ? 0 : -1;
}

void
curl_uv_close(struct curl_uv *c, void (*on_closed)(struct curl_uv *c))
{
	c->on_closed = on_closed;
	/* Removing handles makes curl close its sockets: REMOVE callbacks run. */
	curl_multi_cleanup(c->multi);
	c->multi = NULL;
	while (c->socks != NULL)
		curl_uv_sock_close(c->socks);
	uv_close((uv_handle_t *)&c->timer, curl_uv_closed);
}
