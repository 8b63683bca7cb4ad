/* SPDX-License-Identifier: MIT */
/* errors.c: one place that turns an error code into words. */
#include "config.h"

#include <string.h>

#include "agent.h"

const char *
agent_strerror(int err)
{
	switch (err) {
	case AGENT_E_CONFIG:
		return "invalid configuration";
	case AGENT_E_USAGE:
		return "invalid usage";
	case AGENT_E_TOOBIG:
		return "size limit reached";
	case AGENT_E_PARSE:
		return "parse error";
	case AGENT_E_UNKNOWN:
		return "unknown name";
	case AGENT_E_CLOSED:
		return "shutting down";
	}
	if (err < 0 && err > AGENT_E_BASE)
		return strerror(-err);
	return "unknown error";
}
