/* SPDX-License-Identifier: MIT */
/* httpd.h: a tiny HTTP/1.1 server on the loop for /metrics and /health. */
#ifndef HTTPD_H
#define HTTPD_H

#include <uv.h>

#include "buf.h"

#define HTTPD_MAX_CONNS		64
#define HTTPD_URL_MAX		2048	/* longer: 414 */
#define HTTPD_HEADERS_MAX	8192	/* more header bytes: 431 */
#define HTTPD_TIMEOUT_MS	5000	/* a request not complete by then: 408 */

/*
 * The answer to GET path: fill body, set *status (200, 404...) and
 * *ctype. Called on the loop; must not block.
 */
typedef void (*httpd_handler)(void *arg, const char *path, struct buf *body,
    int *status, const char **ctype);

struct httpd_conn;

struct httpd {
	uv_loop_t *loop;
	uv_tcp_t listener;
	int listening;
	unsigned nconns;
	struct httpd_conn *conns;
	httpd_handler handle;
	void *arg;
	uint64_t requests, rejected;	/* served; refused (bad, slow, over the limit) */
	int closing;
	unsigned open_handles;
	void (*on_closed)(struct httpd *h);
};

/* Listen on "HOST:PORT" ("127.0.0.1:9464", "[::1]:9464"); 0 or a negative code with err. */
int	httpd_start(struct httpd *h, uv_loop_t *loop, const char *addr,
	    httpd_handler handle, void *arg, char *err, size_t errlen);
/* Close the listener and every connection; on_closed once all are. */
void	httpd_close(struct httpd *h, void (*on_closed)(struct httpd *h));

#endif
