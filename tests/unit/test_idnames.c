// SPDX-License-Identifier: Apache-2.0
/* idnames: user and group names from the host's databases, cached and bounded. */
#include <errno.h>

#define UNIT_MAIN
#include "idnames.h"
#include "unit.h"

static unsigned slot_of(uint32_t id)
{
	return (id * 2654435761u) % IDNAMES_SLOTS;
}

UNIT_TEST(names_of_known_and_unknown_ids)
{
	static struct idnames c;
	char buf[IDNAME_MAX];

	CHECK_INT(idnames__get(&c, 0, false, buf, sizeof(buf)), 4);
	CHECK_STR(buf, "root");
	CHECK_INT(idnames__get(&c, 0, true, buf, sizeof(buf)), 4);
	CHECK_STR(buf, "root");
	CHECK_INT(idnames__get(&c, 3999999999u, false, buf, sizeof(buf)), -ENOENT);
	CHECK_INT(idnames__get(&c, 0, false, buf, 3), -ENOSPC); /* too small: nothing cut */
	CHECK_INT(c.misses, 3);
	CHECK_INT(c.hits, 1);
	CHECK_INT(c.evictions, 0);
}

UNIT_TEST(colliding_ids_evict_and_are_counted)
{
	static struct idnames c;
	char buf[IDNAME_MAX];
	uint32_t other = 1;

	while (slot_of(other) != slot_of(0))
		other++;
	CHECK_INT(idnames__get(&c, 0, false, buf, sizeof(buf)), 4);
	idnames__get(&c, other, false, buf, sizeof(buf));
	CHECK_INT(c.evictions, 1);
	/* root again: looked up again, and still right */
	CHECK_INT(idnames__get(&c, 0, false, buf, sizeof(buf)), 4);
	CHECK_STR(buf, "root");
	CHECK_INT(c.evictions, 2);
	CHECK_INT(c.misses, 3);
}

int main(void)
{
	return unit_run();
}
