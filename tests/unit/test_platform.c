/* test_platform.c - platform ranges, vmklinux drivers, profile releases. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include "../../depot/platform.h"
#include "unit.h"

static struct dv_esxi
esxi(const char *s)
{
	struct dv_esxi v = {-1, -1, -1};

	(void)dv_esxi_parse(s, &v);
	return v;
}

void
test_esxi_parse(struct unit *u)
{
	struct dv_esxi v;
	char out[32];

	CHECK(u, dv_esxi_parse("8.0", &v) == 0 && v.major == 8 &&
	    v.minor == 0 && v.update == -1);
	CHECK(u, dv_esxi_parse("8.0.3", &v) == 0 && v.update == 3);
	CHECK(u, dv_esxi_parse("7.0U3", &v) == 0 && v.major == 7 &&
	    v.update == 3);
	CHECK(u, dv_esxi_parse("7.0u2", &v) == 0 && v.update == 2);
	/* An esx-base version carries the release before its '-'. */
	CHECK(u, dv_esxi_parse("8.0.3-0.35.24280767", &v) == 0 &&
	    v.major == 8 && v.update == 3);
	dv_esxi_format(&v, out);
	CHECK_STR(u, out, "8.0.3");
	v.update = -1;
	dv_esxi_format(&v, out);
	CHECK_STR(u, out, "8.0");
	CHECK(u, dv_esxi_parse("8", &v) == -DV_EFORMAT);
	CHECK(u, dv_esxi_parse("", &v) == -DV_EFORMAT);
	CHECK(u, dv_esxi_parse(NULL, &v) == -DV_EFORMAT);
	CHECK(u, dv_esxi_parse("8.x", &v) == -DV_EFORMAT);
	CHECK(u, dv_esxi_parse("8.0 beta", &v) == -DV_EFORMAT);
	CHECK(u, dv_esxi_parse("99999.0", &v) == -DV_EFORMAT); /* no overflow */
	CHECK(u, dv_esxi_parse("8.0.3.1", &v) == -DV_EFORMAT);
}

void
test_platform_covers(struct unit *u)
{
	struct dv_esxi e803 = esxi("8.0.3"), e70 = esxi("7.0U3");
	struct dv_esxi e90 = esxi("9.0"), e67 = esxi("6.7");

	CHECK(u, dv_platform_covers("8.0", &e803));
	CHECK(u, dv_platform_covers("8.0.0", &e803));
	CHECK(u, dv_platform_covers("8.*", &e803));
	CHECK(u, dv_platform_covers("8", &e803));
	CHECK(u, dv_platform_covers("8.0.*", &e803));
	CHECK(u, dv_platform_covers("*", &e803));
	CHECK(u, dv_platform_covers("", &e803));
	/* Newer than the host: never. */
	CHECK(u, !dv_platform_covers("9.0", &e803));
	CHECK(u, !dv_platform_covers("8.1", &e803));
	CHECK(u, !dv_platform_covers("9.*", &e803));
	/* Older: a plain release admits later ones, a wildcard does not. */
	CHECK(u, dv_platform_covers("7.0.0", &e803));
	CHECK(u, dv_platform_covers("6.7.0", &e90));
	CHECK(u, !dv_platform_covers("6.*", &e803));
	CHECK(u, !dv_platform_covers("7.0.*", &e803));
	CHECK(u, !dv_platform_covers("6", &e803));
	CHECK(u, dv_platform_covers("6.*", &e67));
	/* Not a version. */
	CHECK(u, !dv_platform_covers("80x", &e803));
	CHECK(u, !dv_platform_covers("8.0x", &e803));
	CHECK(u, !dv_platform_covers("8.0.0.1", &e803));
	CHECK(u, !dv_platform_covers("x", &e803));
	/* VMware's own 7.0.0 components install on 7.0 Update 3. */
	CHECK(u, dv_platform_covers("7.0.0", &e70));
	CHECK(u, !dv_platform_covers("8.0", &e70));
}

void
test_platforms_fit(struct unit *u)
{
	struct depot_platform two[] = {
		{"embeddedEsx", "5.5.0", ""}, {"embeddedEsx", "6.0.0", ""},
	};
	struct depot_platform dpu[] = {{"esxio", "8.0", ""}};
	struct depot_platform both[] = {
		{"esxio", "8.0", ""}, {"embeddedEsx", "8.0", ""},
	};
	struct depot_platforms p_two = {two, 2}, p_dpu = {dpu, 1};
	struct depot_platforms p_both = {both, 2}, none = {NULL, 0};
	struct dv_esxi e80 = esxi("8.0"), e60 = esxi("6.0"), e51 = esxi("5.1");
	char reason[256] = "";

	CHECK(u, dv_platforms_fit(&none, &e80, reason, sizeof(reason)));
	CHECK(u, dv_platforms_fit(&p_two, &e60, reason, sizeof(reason)));
	CHECK(u, dv_platforms_fit(&p_two, &e80, reason, sizeof(reason)));
	CHECK(u, !dv_platforms_fit(&p_two, &e51, reason, sizeof(reason)));
	CHECK_STR(u, reason, "is for ESXi 5.5.0, 6.0.0, which does not admit "
	    "ESXi 5.1: use the vendor's release for ESXi 5.1");
	CHECK(u, !dv_platforms_fit(&p_dpu, &e80, reason, sizeof(reason)));
	CHECK(u, strstr(reason, "esxio") != NULL);
	CHECK(u, dv_platforms_fit(&p_both, &e80, reason, sizeof(reason)));
}

void
test_vib_fits(struct unit *u)
{
	struct depot_platform p90[] = {{"embeddedEsx", "9.0", ""}};
	struct depot_relation vmklinux[] = {
		{"vmkapi_2_1_0_0", NULL, NULL},
		{"com.vmware.driverAPI-9.2.1.0", NULL, NULL},
	};
	struct depot_relation native[] = {{"vmkapi_2_5_0_0", NULL, NULL}};
	struct depot_vib v90 = {.id = "VMW_bootbank_x_1.0-1vmw.900",
	    .platforms = {p90, 1}};
	struct depot_vib old = {.id = "VFrontDe_bootbank_net51-r8169_6.011",
	    .depends = {vmklinux, 2}};
	struct depot_vib nat = {.id = "VMW_bootbank_vmkusb-nic-fling_2.1",
	    .depends = {native, 1}};
	struct dv_esxi e803 = esxi("8.0.3"), e67 = esxi("6.7"),
	    e90 = esxi("9.0");
	char reason[256] = "";

	CHECK(u, !dv_vib_fits(&v90, &e803, reason, sizeof(reason)));
	CHECK_STR(u, reason, "is for ESXi 9.0, which does not admit ESXi "
	    "8.0.3: use the vendor's release for ESXi 8.0");
	CHECK(u, dv_vib_fits(&v90, &e90, reason, sizeof(reason)));
	CHECK(u, dv_vib_is_vmklinux(&old));
	CHECK(u, !dv_vib_is_vmklinux(&nat));
	CHECK(u, !dv_vib_fits(&old, &e803, reason, sizeof(reason)));
	CHECK_STR(u, reason, "is a vmklinux driver (it depends on "
	    "com.vmware.driverAPI-9.2.1.0), which ESXi 7.0 and later cannot "
	    "load: use the vendor's native driver for ESXi 8.0");
	/* vmklinux loads on 6.x; an older native driver fits 8.0. */
	CHECK(u, dv_vib_fits(&old, &e67, reason, sizeof(reason)));
	CHECK(u, dv_vib_fits(&nat, &e803, reason, sizeof(reason)));
}

void
test_profile_esxi(struct unit *u)
{
	struct depot_vib base = {.id = "VMware_bootbank_esx-base_8.0.3-0.35.2",
	    .name = "esx-base", .version = "8.0.3-0.35.2"};
	struct depot_vib *byid[] = {&base};
	const char *ids[] = {"VMware_bootbank_esx-base_8.0.3-0.35.2"};
	const char *other[] = {"VMW_bootbank_missing_1.0-1"};
	struct depot d = {.vibs_by_id = byid, .nvibs = 1};
	struct depot_profile p = {.vib_ids = {ids, 1}};
	struct depot_profile partial = {.vib_ids = {other, 1}};
	struct dv_esxi v = {0, 0, 0};

	CHECK(u, dv_profile_esxi(&d, &p, &v) == 0 && v.major == 8 &&
	    v.minor == 0 && v.update == 3);
	CHECK(u, dv_profile_esxi(&d, &partial, &v) == -DV_ENOMATCH);
	base.version = "garbage";
	CHECK(u, dv_profile_esxi(&d, &p, &v) == -DV_ENOMATCH);
}
