/*
 * alloc.c - allocation with a counter for fault injection.
 *
 * Injection is for single-threaded test drivers; the counter and the
 * armed point are atomic (relaxed) so that the node's threads, which all
 * allocate through here, are not a data race, only a different count.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"

static atomic_ulong alloc_count;
static atomic_ulong alloc_fail; /* 0: nothing armed */
static pthread_once_t env_once = PTHREAD_ONCE_INIT;

static void
read_env(void)
{
	const char *s = getenv("PL_ALLOC_FAIL_AT");
	char *end;

	if (s != NULL && *s != '\0') {
		unsigned long v = strtoul(s, &end, 10);

		if (*end == '\0')
			atomic_store(&alloc_fail, v);
	}
}

static int
alloc_should_fail(void)
{
	unsigned long n, at;

	(void)pthread_once(&env_once, read_env);
	n = atomic_fetch_add_explicit(&alloc_count, 1, memory_order_relaxed) + 1;
	at = atomic_load_explicit(&alloc_fail, memory_order_relaxed);
	return at != 0 && n == at;
}

unsigned long
pl_alloc_fail_at(unsigned long n)
{
	unsigned long ran;

	(void)pthread_once(&env_once, read_env); /* the environment no longer overrides n */
	ran = atomic_exchange(&alloc_count, 0);
	atomic_store(&alloc_fail, n);
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
