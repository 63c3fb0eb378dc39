/* SPDX-License-Identifier: MIT */
/*
 * MMIO bus dispatch (pure). A handful of devices per VM: a linear scan is
 * both smallest and fastest at this size.
 */
#include "mm/base/errno.h"
#include "vmm/dev/mmio_bus.h"

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

static bool covers(const struct mmio_dev *d, gpa_t gpa, unsigned len)
{
	return gpa >= d->base && gpa - d->base < d->size &&
	       len <= d->size - (gpa - d->base);
}

struct mmio_dev *mmio_find(struct mmio_bus *bus, gpa_t gpa, unsigned len)
{
	/* A driver talks to one device at a time: try the last one first. */
	if (bus->last < bus->ndevs && covers(bus->devs[bus->last], gpa, len))
		return bus->devs[bus->last];
	for (unsigned i = 0; i < bus->ndevs; i++) {
		if (covers(bus->devs[i], gpa, len)) {
			bus->last = i;
			return bus->devs[i];
		}
	}
	return NULL;
}

bool mmio_dev_read(struct mmio_bus *bus, struct mmio_dev *d, gpa_t gpa,
		   void *buf, unsigned len)
{
	if (d && d->mem) { /* plain memory: no callback needed */
		mem_copy(buf, (const u8 *)d->mem + (gpa - d->base), len);
		d->reads++;
		return true;
	}
	if (d && d->read && !d->read(d, gpa - d->base, buf, len)) {
		d->reads++;
		return true;
	}
	mem_set(buf, 0xff, len);
	bus->unbacked_reads++;
	bus->last_unbacked = gpa;
	return false;
}

bool mmio_dev_write(struct mmio_bus *bus, struct mmio_dev *d, gpa_t gpa,
		    const void *buf, unsigned len)
{
	if (d && d->mem) {
		mem_copy((u8 *)d->mem + (gpa - d->base), buf, len);
		d->writes++;
		return true;
	}
	if (d && d->write && !d->write(d, gpa - d->base, buf, len)) {
		d->writes++;
		return true;
	}
	bus->unbacked_writes++;
	bus->last_unbacked = gpa;
	return false;
}

bool mmio_read(struct mmio_bus *bus, gpa_t gpa, void *buf, unsigned len)
{
	return mmio_dev_read(bus, mmio_find(bus, gpa, len), gpa, buf, len);
}

bool mmio_write(struct mmio_bus *bus, gpa_t gpa, const void *buf, unsigned len)
{
	return mmio_dev_write(bus, mmio_find(bus, gpa, len), gpa, buf, len);
}
