/*
 * alloc.h - the only allocator entry points, with fault injection.
 *
 * Setting PL_ALLOC_FAIL_AT=n in the environment makes the n-th allocation
 * (counting from 1) fail, so that tests can prove every allocation failure
 * ends in a clean error without a leak (curl's torture mode).
 */
#ifndef PL_ALLOC_H
#define PL_ALLOC_H

#include <stddef.h>

/* Caller frees with pl_free(). NULL on failure or injected failure. */
void *pl_malloc(size_t n);
void *pl_calloc(size_t n, size_t size);
void *pl_realloc(void *p, size_t n);
void pl_free(void *p);

/* Duplicate a string; caller frees with pl_free(). */
char *pl_strdup(const char *s);

/* Fail the n-th allocation from now (0 disables); returns how many ran since the last call. */
unsigned long pl_alloc_fail_at(unsigned long n);

#endif
