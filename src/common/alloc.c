/*
 * alloc.c - allocation with a counter for fault injection.
 *
 * The counter is process-wide and not thread-safe on purpose: injection is
 * for single-threaded test drivers only.
 */
#include <stdlib.h>
#include <string.h>

#include "alloc.h"

static unsigned long alloc_count;
static unsigned long alloc_fail;
static int alloc_env_read;

static int
alloc_should_fail(void)
{
	if (!alloc_env_read) {
		const char *s = getenv("PL_ALLOC_FAIL_AT");
		char *end;

		alloc_env_read = 1;
		if (s != NULL && *s != '\0') {
			unsigned long v = strtoul(s, &end, 10);

			if (*end == '\0')
				alloc_fail = v;
		}
	}
	alloc_count++;
	return alloc_fail != 0 && alloc_count == alloc_fail;
}

unsigned long
pl_alloc_fail_at(unsigned long n)
{
	unsigned long ran = alloc_count;

	alloc_env_read = 1;
	alloc_count = 0;
	alloc_fail = n;
	return ran;
}

void *
pl_malloc(size_t n)
{
	if (alloc_should_fail())
		return NULL;
	return malloc(n == 0 ? 1 : n);
}

void *
pl_calloc(size_t n, size_t size)
{
	if (alloc_should_fail())
		return NULL;
	return calloc(n == 0 ? 1 : n, size == 0 ? 1 : size);
}

void *
pl_realloc(void *p, size_t n)
{
	if (alloc_should_fail())
		return NULL;
	return realloc(p, n == 0 ? 1 : n);
}

void
pl_free(void *p)
{
	free(p);
}

char *
pl_strdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = pl_malloc(n);

	if (d != NULL)
		memcpy(d, s, n);
	return d;
}
