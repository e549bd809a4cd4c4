/* platform.c - whether a VIB or component fits an ESXi release. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "platform.h"

/* A release field: 1 to 4 digits, so no field can overflow an int. */
static int
parse_field(const char **sp, int *out)
{
	const char *s = *sp;
	int v = 0, n = 0;

	while (isdigit((unsigned char)*s) && n < 4) {
		v = v * 10 + (*s++ - '0');
		n++;
	}
	if (n == 0 || isdigit((unsigned char)*s))
		return -DV_EFORMAT;
	*out = v;
	*sp = s;
	return 0;
}

int
dv_esxi_parse(const char *s, struct dv_esxi *out)
{
	struct dv_esxi v = {0, 0, -1};

	if (s == NULL || parse_field(&s, &v.major) != 0 || *s++ != '.' ||
	    parse_field(&s, &v.minor) != 0)
		return -DV_EFORMAT;
	if (*s == '.' || *s == 'U' || *s == 'u') {
		s++;
		if (parse_field(&s, &v.update) != 0)
			return -DV_EFORMAT;
	}
	/* A VIB version goes on with "-release"; nothing else may follow. */
	if (*s != '\0' && *s != '-')
		return -DV_EFORMAT;
	*out = v;
	return 0;
}

void
dv_esxi_format(const struct dv_esxi *v, char out[32])
{
	if (v->update >= 0)
		snprintf(out, 32, "%d.%d.%d", v->major, v->minor, v->update);
	else
		snprintf(out, 32, "%d.%d", v->major, v->minor);
}

bool
dv_platform_covers(const char *declared, const struct dv_esxi *esxi)
{
	const char *s = declared;
	int major, minor, update;

	if (s == NULL || *s == '\0' || *s == '*')
		return true;
	if (parse_field(&s, &major) != 0)
		return false;
	if (*s == '\0' || strcmp(s, ".*") == 0)
		return major == esxi->major; /* "8", "8.*": 8.x only */
	if (*s++ != '.' || parse_field(&s, &minor) != 0)
		return false;
	if (*s == '.' && s[1] == '*' && s[2] == '\0')
		return major == esxi->major && minor == esxi->minor;
	if (*s == '.') { /* a third field: not a bound */
		s++;
		if (parse_field(&s, &update) != 0)
			return false;
	}
	if (*s != '\0')
		return false;
	return esxi->major > major ||
	    (esxi->major == major && esxi->minor >= minor);
}

/* embeddedEsx and esx are ESXi hosts; esxio is a DPU's. */
static bool
is_esxi_product(const char *product)
{
	return product == NULL || *product == '\0' ||
	    strcmp(product, "embeddedEsx") == 0 || strcmp(product, "esx") == 0;
}

bool
dv_platforms_fit(const struct depot_platforms *p, const struct dv_esxi *esxi,
    char *reason, size_t len)
{
	char want[32], list[256] = "";
	size_t used = 0, nesxi = 0;

	if (p == NULL || p->n == 0)
		return true;
	for (size_t i = 0; i < p->n; i++) {
		const char *v = p->v[i].version ? p->v[i].version : "";

		if (!is_esxi_product(p->v[i].product))
			continue;
		if (dv_platform_covers(v, esxi))
			return true;
		if (used < sizeof(list))
			used += (size_t)snprintf(list + used, sizeof(list) - used,
			    "%s%s", nesxi ? ", " : "", v);
		nesxi++;
	}
	dv_esxi_format(esxi, want);
	if (nesxi == 0)
		snprintf(reason, len, "declares only non-ESXi platforms "
		    "(such as esxio, for DPUs), not ESXi %s", want);
	else
		snprintf(reason, len, "is for ESXi %s, which does not admit "
		    "ESXi %s: use the vendor's release for ESXi %d.%d", list,
		    want, esxi->major, esxi->minor);
	return false;
}

/* The dependency that marks a vmklinux driver, or NULL. */
static const char *
vmklinux_dependency(const struct depot_vib *v)
{
	for (size_t i = 0; i < v->depends.n; i++) {
		const char *name = v->depends.v[i].name;

		if (name != NULL &&
		    (strncmp(name, "com.vmware.driverAPI", 20) == 0 ||
		    strncmp(name, "vmklinux", 8) == 0))
			return name;
	}
	return NULL;
}

bool
dv_vib_is_vmklinux(const struct depot_vib *v)
{
	return vmklinux_dependency(v) != NULL;
}

bool
dv_vib_fits(const struct depot_vib *v, const struct dv_esxi *esxi,
    char *reason, size_t len)
{
	const char *dep;

	if (!dv_platforms_fit(&v->platforms, esxi, reason, len))
		return false;
	if (esxi->major >= 7 && (dep = vmklinux_dependency(v)) != NULL) {
		snprintf(reason, len, "is a vmklinux driver (it depends on "
		    "%s), which ESXi 7.0 and later cannot load: use the "
		    "vendor's native driver for ESXi %d.%d", dep, esxi->major,
		    esxi->minor);
		return false;
	}
	return true;
}

int
dv_profile_esxi(const struct depot *d, const struct depot_profile *p,
    struct dv_esxi *out)
{
	for (size_t i = 0; i < p->vib_ids.n; i++) {
		const struct depot_vib *v = depot_find_vib(d, p->vib_ids.v[i]);

		if (v != NULL && v->name != NULL &&
		    strcmp(v->name, "esx-base") == 0)
			return dv_esxi_parse(v->version, out) == 0 ? 0 :
			    -DV_ENOMATCH;
	}
	return -DV_ENOMATCH;
}
