/*
 * A small JSON emitter for --json (stub/json.h). Strings are bytes (paths
 * can hold anything): valid UTF-8 is copied, '"', '\\' and control
 * characters are escaped, and each byte that is not part of valid UTF-8
 * becomes \udcXX (XX the byte): Python's "surrogateescape", so
 * os.fsencode() of the decoded value gives back the exact bytes. (\u00XX
 * would not: it could not be told from a real U+00XX in valid UTF-8.)
 */
#include <linux/mman.h>
#include <stdarg.h>

#include "exit_status.h"
#include "json.h"
#include "lib.h"
#include "print.h"
#include "sys.h"

/* Reserved, not committed: only the pages written are ever touched. */
#define DOC_MAX (256UL << 20)
#define MSG_MAX (1UL << 20)
#define DEPTH_MAX 32

struct json {
	char *doc, *msg; /* the document; NUL-separated messages */
	uint64_t len, msg_len, details;
	const char *mode;
	unsigned depth;
	uint32_t used;   /* bit d: level d has a member already */
	uint32_t arrays; /* bit d: level d is an array */
	int full;        /* something did not fit */
};

static struct json state = { 0 };
static struct json *const js = &state;

int json_on(void)
{
	return js->mode != 0;
}

static void *reserve(uint64_t size)
{
	long p = sys_mmap(0, size, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	return p < 0 && p > -4096 ? 0 : (void *)p;
}

static void put(char c)
{
	if (js->doc && js->len < DOC_MAX)
		js->doc[js->len++] = c;
	else
		js->full = 1;
}

static void puts_raw(const char *s)
{
	while (*s)
		put(*s++);
}

static void put_u64(uint64_t v)
{
	char tmp[24];
	int i = 0;

	do {
		tmp[i++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (i)
		put(tmp[--i]);
}

/* Length of the valid UTF-8 sequence at s (at most n bytes), or 0. */
static unsigned utf8_len(const uint8_t *s, uint64_t n)
{
	unsigned len, i;
	uint8_t lo = 0x80, hi = 0xbf;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4;
	else
		return 0;
	/* No overlong forms, no surrogates, nothing past U+10FFFF. */
	if (s[0] == 0xe0)
		lo = 0xa0;
	else if (s[0] == 0xed)
		hi = 0x9f;
	else if (s[0] == 0xf0)
		lo = 0x90;
	else if (s[0] == 0xf4)
		hi = 0x8f;
	if (n < len || s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < len; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return len;
}

static void put_escape(const char *prefix, uint8_t b)
{
	puts_raw(prefix);
	put("0123456789abcdef"[b >> 4]);
	put("0123456789abcdef"[b & 15]);
}

static void put_string(const char *s, uint64_t n)
{
	const uint8_t *p = (const uint8_t *)s;

	put('"');
	for (uint64_t i = 0; i < n;) {
		uint8_t c = p[i];
		unsigned len = utf8_len(p + i, n - i);
		if (c == '"' || c == '\\') {
			put('\\');
			put((char)c);
		} else if (c == '\n') {
			puts_raw("\\n");
		} else if (c == '\t') {
			puts_raw("\\t");
		} else if (c < 0x20 || c == 0x7f) {
			put_escape("\\u00", c);
		} else if (!len) {
			put_escape("\\udc", c);
		} else {
			for (unsigned k = 0; k < len; k++)
				put((char)p[i + k]);
			i += len;
			continue;
		}
		i++;
	}
	put('"');
}

/* The comma and the key before a member. */
static void member(const char *key)
{
	if (js->used & (1U << js->depth))
		put(',');
	js->used |= 1U << js->depth;
	if (key) {
		put_string(key, strlen(key));
		put(':');
	}
}

static void open_level(const char *key, char c)
{
	member(key);
	put(c);
	if (js->depth + 1 >= DEPTH_MAX) {
		js->full = 1;
		return;
	}
	js->depth++;
	js->used &= ~(1U << js->depth);
	js->arrays &= ~(1U << js->depth);
	js->arrays |= (uint32_t)(c == '[') << js->depth;
}

void json_obj(const char *key)
{
	open_level(key, '{');
}

void json_arr(const char *key)
{
	open_level(key, '[');
}

void json_end(void)
{
	if (!js->depth)
		return;
	put(js->arrays & (1U << js->depth) ? ']' : '}');
	js->depth--;
}

void json_str(const char *key, const char *s)
{
	if (!s) {
		member(key);
		puts_raw("null");
		return;
	}
	json_strn(key, s, strlen(s));
}

void json_strn(const char *key, const char *s, uint64_t n)
{
	member(key);
	put_string(s, n);
}

void json_u64(const char *key, uint64_t v)
{
	member(key);
	put_u64(v);
}

void json_i64(const char *key, int64_t v)
{
	member(key);
	if (v < 0)
		put('-');
	put_u64(v < 0 ? -(uint64_t)v : (uint64_t)v);
}

void json_hex(const char *key, uint64_t v)
{
	char s[24];

	format(s, sizeof(s), "0x%lx", (unsigned long)v);
	json_str(key, s);
}

void json_bool(const char *key, int v)
{
	member(key);
	puts_raw(v ? "true" : "false");
}

void json_fmt(const char *key, const char *fmt, ...)
{
	char s[512];
	va_list ap;

	va_start(ap, fmt);
	vformat(s, sizeof(s), fmt, ap);
	va_end(ap);
	json_str(key, s);
}

static void keep(const char *msg, int detail)
{
	uint64_t n = strlen(msg) + 2;

	if (!js->msg) { /* before json_open(): none are made yet */
		out(2, "freeze: %s%s\n", detail ? "" : "warning: ", msg);
		return;
	}
	if (js->msg_len + n > MSG_MAX) {
		js->full = 1;
		return;
	}
	js->msg[js->msg_len] = detail ? 'd' : 'w';
	memcpy(js->msg + js->msg_len + 1, msg, n - 1);
	js->msg_len += n;
}

void json_warn(const char *msg)
{
	keep(msg, 0);
}

void json_detail(const char *msg)
{
	keep(msg, 1);
}

/* The kept messages of one kind ('w' or 'd') as an array. */
static void messages(const char *key, char kind)
{
	json_arr(key);
	for (uint64_t i = 0; i < js->msg_len; i += strlen(js->msg + i) + 1)
		if (js->msg[i] == kind)
			json_str(0, js->msg + i + 1);
	json_end();
}

static __attribute__((noreturn)) void write_out(int status)
{
	put('\n');
	for (uint64_t at = 0; at < js->len;) {
		long n = sys_write(1, js->doc + at, js->len - at);
		if (n <= 0) {
			status = status ? status : FZ_EXIT_IO;
			break;
		}
		at += (uint64_t)n;
	}
	sys_exit_group(status);
}

/* The members every document starts with. */
static void head(void)
{
	js->len = js->depth = js->used = js->arrays = 0;
	json_obj(0);
	json_str("schema", JSON_SCHEMA);
	json_str("mode", js->mode);
}

void json_want(const char *mode)
{
	js->mode = mode;
}

/*
 * Only once the stub's fixed mappings (payload, stacks) are made: a
 * mapping the kernel placed could be in their way.
 */
void json_open(void)
{
	js->doc = reserve(DOC_MAX);
	js->msg = reserve(MSG_MAX);
	if (!js->doc || !js->msg)
		die("cannot map memory for the JSON document");
	head();
}

void json_finish(void)
{
	if (js->full)
		json_fail(FZ_EXIT_FAILURE, "the JSON document is too large");
	while (js->depth > 1)
		json_end();
	json_bool("ok", 1);
	json_u64("exit_status", 0);
	messages("warnings", 'w');
	json_end();
	write_out(0);
}

void json_fail(int status, const char *msg)
{
	js->full = 0;
	if (!js->doc) /* exiting: nothing else will be mapped */
		js->doc = reserve(DOC_MAX);
	head();
	json_bool("ok", 0);
	json_u64("exit_status", (unsigned)status);
	json_str("error", msg);
	messages("details", 'd');
	messages("warnings", 'w');
	json_end();
	write_out(status);
}
