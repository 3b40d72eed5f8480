/*
 * util.h — small helpers every layer uses: files, hex, numbers, time.
 */
#ifndef MF_UTIL_H
#define MF_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Read a whole file into a NUL-terminated malloc'd buffer (caller frees).
 * Returns 0, or -1 with "PATH: reason" in err. */
int mf_read_file(const char *path, char **buf, size_t *len, char *err, size_t errlen);

/* Write a file atomically (temp file + fsync + rename) with `mode`. */
int mf_write_file(const char *path, const void *data, size_t len, mode_t mode,
		  char *err, size_t errlen);

/* Lower-case hex of n bytes into out (2n+1 bytes). */
void mf_hex(const uint8_t *in, size_t n, char *out);
/* Parse exactly 2n hex digits; 0 or -1. */
int mf_unhex(const char *in, uint8_t *out, size_t n);

/* Parse a decimal unsigned integer in [min, max]; 0 or -1 (like strtonum). */
int mf_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out);

/* Milliseconds since the Unix epoch (CLOCK_REALTIME). */
uint64_t mf_now_ms(void);
/* Monotonic milliseconds. */
uint64_t mf_mono_ms(void);

/* snprintf into a fixed buffer; always NUL-terminates, returns dst. */
char *mf_strlcpy(char *dst, const char *src, size_t size);

/* Join dir and name into a malloc'd path. */
char *mf_path(const char *dir, const char *name);

/* 1 when s is valid UTF-8; otherwise 0 and *bad is the byte offset. */
int mf_utf8_valid(const char *s, size_t len, size_t *bad);

#endif
