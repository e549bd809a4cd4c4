/* platform.h - whether a VIB or component fits an ESXi release. */
/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef DV_PLATFORM_H
#define DV_PLATFORM_H

#include <stdbool.h>
#include <stddef.h>

#include "depot.h"

/* An ESXi release; update is -1 when the text did not say. */
struct dv_esxi {
	int major;
	int minor;
	int update;
};

/*
 * Parse a release as admins and depots write it: "8.0", "8.0.3",
 * "8.0U3", "8.0u3", or a VIB version such as "8.0.3-0.35.24280767"
 * (the part before '-').  Returns 0, or -DV_EFORMAT when s is not a
 * release (the caller names what held it).
 */
int dv_esxi_parse(const char *s, struct dv_esxi *out);

/* "8.0" or "8.0.3" (with the update when it is known). */
void dv_esxi_format(const struct dv_esxi *v, char out[32]);

/*
 * Whether a declared softwarePlatform version ("6.*", "7.0.0", "8.0")
 * admits the release.  A plain version names the release a VIB was built
 * for, and newer releases take it too (ESXi 8.0 installs 7.0 native
 * drivers; the host's dependency check has the last word), so it admits
 * that major.minor and later ones, never an older one (a 9.0 VIB on 8.0).
 * A "*" limits the range: "6.*" admits 6.x only, "8.0.*" 8.0 only.  The
 * third field is not a bound: VMware's 7.0.0 components install on 7.0
 * Update 3.
 */
bool dv_platform_covers(const char *declared, const struct dv_esxi *esxi);

/*
 * Whether a platform list (a VIB's system-requires, a component's
 * <platforms>, a metadata zip's) admits the release.  An empty list
 * declares nothing and fits.  Only ESXi products count (embeddedEsx,
 * esx, or none named); a list naming only esxio (DPU) does not fit.
 * When it does not fit, reason (len bytes) says what the list declares.
 */
bool dv_platforms_fit(const struct depot_platforms *p,
    const struct dv_esxi *esxi, char *reason, size_t len);

/*
 * Whether a VIB is a vmklinux driver: one that depends on the 5.x/6.x
 * driver API (com.vmware.driverAPI-*, vmklinux*).  ESXi 7.0 removed
 * vmklinux, so such a VIB cannot load there.
 */
bool dv_vib_is_vmklinux(const struct depot_vib *v);

/*
 * Whether a VIB fits the release: its own platforms admit it and it is
 * not a vmklinux driver on 7.0 or later.  Older native drivers with no
 * platform of their own fit.  On false, reason says why and what to do,
 * without naming the VIB (the caller names it).
 */
bool dv_vib_fits(const struct depot_vib *v, const struct dv_esxi *esxi,
    char *reason, size_t len);

/*
 * The release an image profile carries: the version of its esx-base VIB.
 * Returns 0, or -DV_ENOMATCH when the profile has no esx-base VIB in
 * the depot (a partial profile) or its version is not a release.
 */
int dv_profile_esxi(const struct depot *d, const struct depot_profile *p,
    struct dv_esxi *out);

#endif
