/*
 * hold.c - channels a delivery lane leaves out for a while (hold.h).
 */
#include <stdio.h>
#include <string.h>

#include "hold.h"

void
hold_prune(struct hold *h, uint64_t now)
{
	size_t i = 0;

	while (i < h->skip.n)
		if (h->until[i] <= now) {
			h->skip.n--;
			memcpy(h->skip.channel[i], h->skip.channel[h->skip.n],
			       sizeof(h->skip.channel[i]));
			h->until[i] = h->until[h->skip.n];
		} else {
			i++;
		}
}

int
hold_add(struct hold *h, const char *channel, uint64_t until)
{
	size_t i;

	for (i = 0; i < h->skip.n && strcmp(h->skip.channel[i], channel) != 0; i++)
		;
	if (i == STORE_SKIP_MAX || strlen(channel) >= sizeof(h->skip.channel[i]))
		return 0;
	if (i == h->skip.n) {
		memcpy(h->skip.channel[i], channel, strlen(channel) + 1);
		h->skip.n++;
	}
	h->until[i] = until;
	return 1;
}

uint64_t
hold_next(const struct hold *h)
{
	uint64_t first = 0;
	size_t i;

	for (i = 0; i < h->skip.n; i++)
		if (first == 0 || h->until[i] < first)
			first = h->until[i];
	return first;
}
