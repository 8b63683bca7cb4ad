/* SPDX-License-Identifier: MIT */
/* u-conf.c: config parsing: paths in every error, defaults, ${VAR}, secrets kept out of the log. */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "log.h"
#include "parser.h"
#include "sink.h"
#include "tap.h"

#define GOOD_TAIL "\"sources\":[{\"path\":\"/var/log/a.log\"}],\"sinks\":[{\"type\":\"stdout\"}]"

static struct conf *
good(const char *text, const char *name)
{
	struct conf_err err;
	struct conf *c = NULL;
	int rc = conf_parse(text, strlen(text), "t.conf", &c, &err);

	if (!tap_ok(rc == 0 && c != NULL, "accepted: %s", name))
		tap_diag("  %s", err.msg);
	return c;
}

static void
bad(const char *text, const char *want, const char *name)
{
	struct conf_err err;
	struct conf *c = NULL;
	int rc = conf_parse(text, strlen(text), "t.conf", &c, &err);

	tap_ok(rc == AGENT_E_CONFIG && c == NULL, "rejected: %s", name);
	tap_contains(err.msg, want, name);
}

/* What log_msg writes to stderr while f runs. */
static void
capture_log(const char *msg, char *out, size_t len)
{
	char path[] = "/tmp/u-conf-log.XXXXXX";
	int fd = mkstemp(path), save = dup(2);
	ssize_t n;

	dup2(fd, 2);
	log_msg(LEVEL_ERROR, "%s", msg);
	dup2(save, 2);
	close(save);
	lseek(fd, 0, SEEK_SET);
	n = read(fd, out, len - 1);
	out[n > 0 ? n : 0] = '\0';
	close(fd);
	unlink(path);
}

int
main(void)
{
	struct conf *c;
	struct conf_err err;
	struct buf ref;
	size_t size;
	char logged[1024];

	c = good("{" GOOD_TAIL "}", "minimal");
	if (c != NULL) {
		tap_is_int((long long)c->nsources, 1, "one source");
		tap_is_int((long long)c->sources[0].max_line, 65536, "max_line_bytes default 64KiB");
		tap_ok(c->sources[0].format == &parser_auto, "format default auto");
		tap_is_int(c->pipeline.level, LEVEL_DEBUG, "pipeline.level default debug");
		tap_is_int(c->pipeline.max_fields, 128, "pipeline.max_fields default 128");
		tap_ok(c->state_dir == NULL, "state_dir unset by default");
		tap_ok(c->sinks[0].ops == &sink_stdout, "stdout sink");
	}
	conf_free(c);

	c = good("// a comment\n{ /* block\n comment */ \"log_level\": \"warn\", // trailing\n"
	    "\"pipeline\": {\"level\": \"info\", \"max_fields\": 16},"
	    "\"sources\": [{\"path\": \"/x//y.log\", \"name\": \"x\", \"format\": \"json\", \"max_line_bytes\": \"1MiB\"}],"
	    "\"sinks\": [{\"type\": \"stdout\", \"encoding\": \"pretty\", \"color\": \"never\"}]}",
	    "comments and every key");
	if (c != NULL) {
		tap_is_str(c->sources[0].path, "/x//y.log", "// inside a string is not a comment");
		tap_is_int((long long)c->sources[0].max_line, 1 << 20, "\"1MiB\"");
		tap_is_int(c->log_level, LEVEL_WARN, "log_level");
		tap_is_int(c->pipeline.level, LEVEL_INFO, "pipeline.level");
	}
	conf_free(c);

	bad("{\"sorces\":[], " GOOD_TAIL "}", "sorces: unknown key (known here: state_dir, log_level, checkpoint_interval, checkpoint_forget_after, max_open_files, metrics, pipeline, sources, sinks, slo)",
	    "unknown top-level key");
	bad("{\"sources\":[{\"path\":\"/a\"}],\"sinks\":[{\"type\":\"stdout\"},{\"type\":\"stdout\",\"color\":\"purple\"}]}",
	    "sinks[1].color: expected one of \"auto\", \"always\", \"never\", got \"purple\"",
	    "bad enum names its path");
	bad("{\"sources\":[{\"path\":\"/a\",\"max_line_bytes\":\"lots\"}],\"sinks\":[{\"type\":\"stdout\"}]}",
	    "sources[0].max_line_bytes: expected a size like \"64KiB\"", "bad size names its path");
	bad("{\"sources\":[{\"path\":\"/a\",\"max_line_bytes\":10}],\"sinks\":[{\"type\":\"stdout\"}]}",
	    "sources[0].max_line_bytes: expected a size", "size below the minimum");
	bad("{\"sources\":[{\"path\":\"/a\",\"max_line_bytes\":1.5}],\"sinks\":[{\"type\":\"stdout\"}]}",
	    "got 1.5", "a fraction is not a size");
	bad("{\"pipeline\":{\"max_fields\":\"many\"}," GOOD_TAIL "}",
	    "pipeline.max_fields: expected an integer from 1 to 4096, got \"many\"", "bad integer");
	bad("{\"pipeline\":{\"level\":3}," GOOD_TAIL "}",
	    "pipeline.level: expected one of \"debug\", \"info\", \"warn\", \"error\", \"fatal\", got 3",
	    "a number where a level name goes");
	bad("{\"sources\":[{\"name\":\"x\"}],\"sinks\":[{\"type\":\"stdout\"}]}",
	    "sources[0].path: required key is missing", "missing path");
	bad("{\"sources\":[{\"path\":\"/a\",\"format\":\"xml\"}],\"sinks\":[{\"type\":\"stdout\"}]}",
	    "sources[0].format: expected a format name (auto, cri, json, logfmt, clf, syslog, plain), got \"xml\"", "unknown format");
	bad("{\"sources\":[{\"path\":\"/a\"}],\"sinks\":[{\"type\":\"kafka\"}]}",
	    "sinks[0].type: expected a sink type (stdout, file, http, null), got \"kafka\"", "unknown sink type");
	bad("{\"sources\":[{\"path\":\"/a\"}],\"sinks\":[{\"encoding\":\"pretty\"}]}",
	    "sinks[0].type: required key is missing", "sink without a type");
	bad("{\"sources\":[{\"path\":\"/a\"}],\"sinks\":[{\"type\":\"stdout\",\"encodng\":\"pretty\"}]}",
	    "sinks[0].encodng: unknown key (known here: type, name, encoding, color, compress, level)", "typo in a sink key");
	bad("{\"sources\":[{\"path\":\"/a\"},{\"path\":\"/a\"}],\"sinks\":[{\"type\":\"stdout\"}]}",
	    "sources[1].path: the same path as sources[0]", "a path twice");
	bad("{\"log_level\":\"info\",\"log_level\":\"warn\"," GOOD_TAIL "}",
	    "log_level: key given twice", "duplicate key");
	bad("{\"sources\":[],\"sinks\":[{\"type\":\"stdout\"}]}", "sources: expected at least one source", "no sources");
	bad("{\"sources\":[{\"path\":\"/a\"}]}", "sinks: required key is missing", "no sinks");
	bad("{\"sources\":{}," "\"sinks\":[]}", "sources: expected an array", "sources not an array");
	bad("[]", "expected an object", "top level not an object");
	bad("{\n  \"sources\": [\n    {\"path\": \"/a\",}\n  ]\n}", "line 3, column", "JSON syntax error: line and column");
	bad("", "line 1, column 1", "empty file");
	bad("{\"state_dir\":\"relative/dir\"," GOOD_TAIL "}", "state_dir: expected an absolute path", "relative state_dir");
	bad("{\"sources\":[{\"path\":\"/a\",\"name\":\"${LOGAGENT_T_UNSET}\"}],\"sinks\":[{\"type\":\"stdout\"}]}",
	    "sources[0].name: environment variable LOGAGENT_T_UNSET is not set", "unset variable");
	bad("{\"sources\":[{\"path\":\"${oops\"}],\"sinks\":[{\"type\":\"stdout\"}]}",
	    "sources[0].path: unterminated ${", "unterminated ${");

	setenv("LOGAGENT_T_DIR", "/var/log/app", 1);
	c = good("{\"sources\":[{\"path\":\"${LOGAGENT_T_DIR}/a.log\",\"name\":\"cost $${HOME}\"}],\"sinks\":[{\"type\":\"stdout\"}]}",
	    "${VAR} expands");
	if (c != NULL) {
		tap_is_str(c->sources[0].path, "/var/log/app/a.log", "expanded path");
		tap_is_str(c->sources[0].name, "cost ${HOME}", "$${ is a literal ${");
	}
	conf_free(c);

	/* A value from the environment is never quoted back, nor logged. */
	setenv("LOGAGENT_T_SECRET", "hunter2-very-secret", 1);
	bad("{\"log_level\":\"${LOGAGENT_T_SECRET}\"," GOOD_TAIL "}",
	    "log_level: expected one of", "a bad value from the environment is rejected");
	{
		struct conf *c2 = NULL;

		const char *t = "{\"log_level\":\"${LOGAGENT_T_SECRET}\"," GOOD_TAIL "}";

		conf_parse(t, strlen(t), "t", &c2, &err);
		tap_ok(strstr(err.msg, "hunter2") == NULL, "the error does not show the value");
		conf_free(c2);
	}
	capture_log("connecting with token hunter2-very-secret now", logged, sizeof logged);
	tap_ok(strstr(logged, "hunter2") == NULL, "the agent's log masks the value");
	tap_contains(logged, "token [REDACTED] now", "and says where it was");
	capture_log("title \x1b]0;owned\x07 and \x1b[2J", logged, sizeof logged);
	tap_ok(strchr(logged, '\x1b') == NULL, "the agent's log escapes ESC");

	tap_ok(conf_parse_size("64KiB", &size) == 0 && size == 65536, "size 64KiB");
	tap_ok(conf_parse_size("10MB", &size) == 0 && size == 10000000, "size 10MB");
	tap_ok(conf_parse_size("8 MiB", &size) == 0 && size == 8 << 20, "size 8 MiB");
	tap_ok(conf_parse_size("1G", &size) == 0 && size == 1 << 30, "size 1G");
	tap_ok(conf_parse_size("12", &size) == 0 && size == 12, "size 12");
	tap_ok(conf_parse_size("lots", &size) != 0, "size lots");
	tap_ok(conf_parse_size("-1", &size) != 0, "size -1");
	tap_ok(conf_parse_size("99999999999999999999999", &size) != 0, "size overflow");
	tap_ok(conf_parse_size("5 parsecs", &size) != 0, "size unknown unit");

	buf_init(&ref, 1 << 20);
	conf_reference(&ref);
	buf_putc(&ref, '\0');
	tap_contains(ref.p, "| `max_line_bytes` | a size like", "reference lists source keys");
	tap_contains(ref.p, "## `sinks[] with type \"stdout\"`", "reference lists each sink type");
	tap_contains(ref.p, "| `color` |", "reference lists sink keys");
	buf_free(&ref);
	log_secrets_clear();
	return tap_done();
}
