/* SPDX-License-Identifier: MIT */
/* log.h: the agent's own leveled log on stderr. */
#ifndef LOG_H
#define LOG_H

#include "agent.h"

void	log_set_level(enum level l);
enum level log_get_level(void);

/*
 * Remember a value that must never appear in the log (a token from the
 * config or the environment). Every message is searched for each one and
 * shows [REDACTED] in its place. Values shorter than 4 bytes are ignored:
 * masking "a" would mangle every line and protect nothing.
 * Copies the value; log_secrets_clear() forgets them all.
 */
void	log_secret_add(const char *value, size_t len);
void	log_secrets_clear(void);

/*
 * Write one line: time, level, message. Control characters and escape
 * sequences in the message are shown, not sent to the terminal.
 */
void	log_msg(enum level l, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

#define log_debug(...)	log_msg(LEVEL_DEBUG, __VA_ARGS__)
#define log_info(...)	log_msg(LEVEL_INFO, __VA_ARGS__)
#define log_warn(...)	log_msg(LEVEL_WARN, __VA_ARGS__)
#define log_error(...)	log_msg(LEVEL_ERROR, __VA_ARGS__)

#endif
