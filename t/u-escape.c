/* SPDX-License-Identifier: MIT */
/* u-escape.c: what reaches JSON outputs and the terminal. */
#include "config.h"

#include <string.h>

#include "buf.h"
#include "escape.h"
#include "tap.h"

static void
json(const char *in, size_t n, const char *want, const char *name)
{
	struct buf b;

	buf_init(&b, 1 << 20);
	esc_json_string(&b, in, n);
	tap_is_mem(b.p, b.len, want, name);
	buf_free(&b);
}

static void
text(const char *in, size_t n, const char *want, const char *name)
{
	struct buf b;

	buf_init(&b, 1 << 20);
	esc_text(&b, in, n);
	tap_is_mem(b.p, b.len, want, name);
	buf_free(&b);
}

#define S(x) x, sizeof(x) - 1

int
main(void)
{
	uint32_t cp;

	json(S("plain"), "\"plain\"", "json: plain ASCII");
	json(S(""), "\"\"", "json: empty");
	json(S("a\"b\\c"), "\"a\\\"b\\\\c\"", "json: quote and backslash");
	json(S("l1\nl2\r\t"), "\"l1\\nl2\\r\\t\"", "json: newline, CR, tab");
	json(S("nul\0here"), "\"nul\\u0000here\"", "json: NUL is escaped, not a terminator");
	json(S("\x1b[2J\x07"), "\"\\u001b[2J\\u0007\"", "json: ESC and BEL escaped");
	json(S("\x7f"), "\"\\u007f\"", "json: DEL escaped");
	json(S("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"),
	    "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"", "json: valid UTF-8 passes");
	json(S("bad\xff\xfe!"), "\"bad\xef\xbf\xbd\xef\xbf\xbd!\"", "json: invalid bytes become U+FFFD");
	json(S("\xc0\xaf"), "\"\xef\xbf\xbd\xef\xbf\xbd\"", "json: overlong form is invalid");
	json(S("\xed\xa0\x80"), "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"", "json: encoded surrogate is invalid");
	json(S("\xe2\x82"), "\"\xef\xbf\xbd\xef\xbf\xbd\"", "json: truncated sequence");
	json(S("\xc2\x85"), "\"\\u0085\"", "json: C1 control escaped");
	json(S("a\xe2\x80\xae" "b"), "\"a\\u202eb\"", "json: bidi override escaped");

	text(S("plain text"), "plain text", "text: plain");
	text(S("\x1b]0;owned\x07"), "\\e]0;owned\\x07", "text: OSC title change neutralised");
	text(S("\x1b[2J\x1b[31mred"), "\\e[2J\\e[31mred", "text: CSI neutralised");
	text(S("a\r\nb"), "a\\r\\nb", "text: CR LF visible");
	text(S("\xc2\x9b" "31m"), "\\u009b31m", "text: 8-bit CSI neutralised");
	text(S("x\xe2\x80\xaey"), "x\\u202ey", "text: bidi override shown");
	text(S("\xff"), "\\xff", "text: invalid byte shown as hex");
	text(S("caf\xc3\xa9"), "caf\xc3\xa9", "text: UTF-8 passes");
	text(S("q\"b\\"), "q\"b\\", "text: quotes and backslashes pass");

	tap_is_int((long long)utf8_decode((const unsigned char *)"\xf4\x90\x80\x80", 4, &cp), 0,
	    "utf8: past U+10FFFF is invalid");
	tap_is_int((long long)utf8_decode((const unsigned char *)"\xf0\x9f\x98\x80", 4, &cp), 4,
	    "utf8: 4-byte emoji");
	tap_is_int(cp, 0x1f600, "utf8: its code point");
	return tap_done();
}
