/* SPDX-License-Identifier: MIT */
/* curl_uv.h: libcurl's multi socket API driven by the libuv loop (no threads of its own). */
#ifndef CURL_UV_H
#define CURL_UV_H

#include <curl/curl.h>
#include <uv.h>

struct curl_uv_sock;

/* Called on the loop when a transfer ends, with curl's result for it. */
typedef void (*curl_uv_done_fn)(CURL *easy, CURLcode result, void *arg);

struct curl_uv {
	uv_loop_t *loop;
	CURLM *multi;
	uv_timer_t timer;
	curl_uv_done_fn done;
	unsigned open_handles;	/* the timer and socket polls, until closed */
	struct curl_uv_sock *socks;
	void (*on_closed)(struct curl_uv *c);
};

int	curl_uv_init(struct curl_uv *c, uv_loop_t *loop, curl_uv_done_fn done);
/* Start a transfer; easy's CURLOPT_PRIVATE is handed back to done as arg. */
int	curl_uv_add(struct curl_uv *c, CURL *easy);
/* Stop every transfer (their done is not called) and close; on_closed later. */
void	curl_uv_close(struct curl_uv *c, void (*on_closed)(struct curl_uv *c));

#endif
