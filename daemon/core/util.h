/*
 * util.h — small helpers every layer uses: files, hex, numbers, time.
 */
#ifndef MF_UTIL_H
#define MF_UTIL_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * Allocation that cannot fail: on out of memory these print
 * "out of memory (N bytes)" to stderr and the log, then abort().  A node
 * that cannot allocate a few bytes cannot keep its store consistent
 * either, and a checked-everywhere NULL path is code nobody tests.
 */
void *mf_xmalloc(size_t n);
void *mf_xcalloc(size_t nmemb, size_t size);
void *mf_xrealloc(void *p, size_t n);
char *mf_xstrdup(const char *s);
/* At most n bytes of s, always NUL-terminated. */
char *mf_xstrndup(const char *s, size_t n);

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

/* Join dir and name into a malloc'd path (never NULL: mf_xmalloc). */
char *mf_path(const char *dir, const char *name);

/*
 * Z85 (ZeroMQ RFC 32), byte-compatible with zmq_z85_encode/decode so the
 * core can make and read CURVE keys without linking libzmq.
 * Encode: size must be a multiple of 4; dest holds size * 5 / 4 + 1 chars.
 * Decode: strlen(s) must be a non-zero multiple of 5; dest holds strlen(s) * 4 / 5
 * bytes.  Both return dest, or NULL on a bad size or character.
 */
char *mf_z85_encode(char *dest, const uint8_t *data, size_t size);
uint8_t *mf_z85_decode(uint8_t *dest, const char *s);

/* 1 when s is valid UTF-8; otherwise 0 and *bad is the byte offset. */
int mf_utf8_valid(const char *s, size_t len, size_t *bad);

/* pthread_create with every signal blocked in the new thread, so that
 * SIGTERM, SIGHUP and SIGINT always reach the thread that runs the event
 * loop (and interrupt its poll).  0, or the error number. */
int mf_thread_start(pthread_t *th, void *(*fn)(void *), void *arg);
size_t mf_utf8_put(unsigned cp, char *o);

#endif
