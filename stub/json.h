/*
 * --json: one JSON document on stdout for --info and --verify (schema in
 * include/INFO_JSON.md). The document is built in memory and written at
 * the end, so a die() half-way through still leaves exactly one document:
 * {"ok": false, "error": ...}. Keys are NULL inside arrays.
 */
#ifndef FREEZE_STUB_JSON_H
#define FREEZE_STUB_JSON_H

#include <stdint.h>

#define JSON_SCHEMA "freeze-image-info/1"

/*
 * --json given (mode: "info" or "verify"): json_on() is then true, and a
 * die() writes the failure document. json_open() starts the document.
 */
void json_want(const char *mode);
void json_open(void);
int json_on(void);
void json_obj(const char *key);
void json_arr(const char *key);
void json_end(void); /* closes the innermost object/array */
void json_str(const char *key, const char *s); /* NULL: null */
void json_strn(const char *key, const char *s, uint64_t n);
void json_u64(const char *key, uint64_t v);
void json_i64(const char *key, int64_t v);
void json_hex(const char *key, uint64_t v); /* "0x..." */
void json_bool(const char *key, int v);
__attribute__((format(printf, 2, 3))) void json_fmt(const char *key, const char *fmt, ...);
/* From warn(): kept for the document's "warnings". */
void json_warn(const char *msg);
/* "freeze: ..." lines explaining a refusal, kept for "details". */
void json_detail(const char *msg);
/* Close the document with "ok": true, write it, exit 0. */
__attribute__((noreturn)) void json_finish(void);
/* From die(): drop what was built, write the failure document, exit. */
__attribute__((noreturn)) void json_fail(int status, const char *msg);

#endif
