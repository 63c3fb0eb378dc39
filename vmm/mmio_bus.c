/* SPDX-License-Identifier: MIT */
/*
 * MMIO bus dispatch (pure). A handful of devices per VM: a linear scan is
 * both smallest and fastest at this size.
 */
#include "vmm/errno.h"
#include "vmm/mmio_bus.h"

void mmio_bus_init(struct mmio_bus *bus)
{
	mem_set(bus, 0, sizeof(*bus));
}

static bool overlaps(const struct mmio_dev *a, gpa_t base, u64 size)
{
	return base < a->base + a->size && a->base < base + size;
}

int mmio_register(struct mmio_bus *bus, struct mmio_dev *d)
{
	if (!d->size || d->base + d->size < d->base)
		return -EINVAL;
	for (unsigned i = 0; i < bus->ndevs; i++)
		if (overlaps(bus->devs[i], d->base, d->size))
			return -EEXIST;
	if (bus->ndevs == MMIO_MAX_DEVS)
		return -ENOSPC;
	bus->devs[bus->ndevs++] = d;
	return 0;
}

struct mmio_dev *mmio_find(struct mmio_bus *bus, gpa_t gpa, unsigned len)
{
	for (unsigned i = 0; i < bus->ndevs; i++) {
		struct mmio_dev *d = bus->devs[i];

		if (gpa >= d->base && gpa - d->base < d->size &&
		    len <= d->size - (gpa - d->base))
			return d;
	}
	return NULL;
}

bool mmio_read(struct mmio_bus *bus, gpa_t gpa, void *buf, unsigned len)
{
	struct mmio_dev *d = mmio_find(bus, gpa, len);

	if (d && d->read && !d->read(d, gpa - d->base, buf, len)) {
		d->reads++;
		return true;
	}
	mem_set(buf, 0xff, len);
	bus->unbacked_reads++;
	bus->last_unbacked = gpa;
	return false;
}

bool mmio_write(struct mmio_bus *bus, gpa_t gpa, const void *buf, unsigned len)
{
	struct mmio_dev *d = mmio_find(bus, gpa, len);

	if (d && d->write && !d->write(d, gpa - d->base, buf, len)) {
		d->writes++;
		return true;
	}
	bus->unbacked_writes++;
	bus->last_unbacked = gpa;
	return false;
}
