/*
 * hold.h - channels a delivery lane leaves out for a while.
 *
 * When a peer refuses a channel's envelopes for a reason a quick retry
 * would not change (not a member, a bad signature), the lane holds that
 * channel until a given time and goes on with the peer's other channels.
 * Times are whatever clock the caller passes (sync uses sync_now_ms).
 */
#ifndef PL_HOLD_H
#define PL_HOLD_H

#include <stdint.h>

#include "../store/store.h"

struct hold {
	struct store_skip skip; /* the channels held, as node_next_batch takes them */
	uint64_t until[STORE_SKIP_MAX];
};

/* Forget the holds over at now. */
void hold_prune(struct hold *h, uint64_t now);

/* Hold channel until the given time (a channel held already: the new time); 0 if full. */
int hold_add(struct hold *h, const char *channel, uint64_t until);

/* When the first hold ends; 0 if nothing is held. */
uint64_t hold_next(const struct hold *h);

#endif
