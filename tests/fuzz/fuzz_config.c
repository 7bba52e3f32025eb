/* fuzz_config.c - parleyd's configuration parser: any bytes are refused or read whole. */
#include "fuzz.h"
#include "parleyd/config.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config c;

	(void)fuzz_keys; /* shared set-up this target does not need */

	if (config_parse(&c, (const char *)data, size, "fuzz.conf") == PL_OK) {
		/* What was accepted is bounded and terminated. */
		if (strlen(c.party) == 0 || strlen(c.keys) >= sizeof(c.keys) ||
		    strlen(c.listen) >= sizeof(c.listen))
			abort();
	}
	return 0;
}
