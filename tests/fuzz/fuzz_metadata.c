/* fuzz_metadata.c - fuzz target: a metadata zip's documents, merged. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../depot/depot.h"
#include "../../depot/image.h"
#include "fuzz.h"
#include "minizip.h"

/*
 * Input: a flags byte, then records separated by NUL bytes (which XML
 * cannot hold).  A record's first byte says where its document goes in
 * the metadata zip: 0 vibs/, 1 bulletins/, 2 profiles/, 3 vmware.xml
 * (the legacy aggregate, read in full only when there is no vibs/),
 * each mod 4.  Flags bit 0 adds one valid VIB, bulletin and profile
 * that the fuzzed ones can name, merge with or clash with.
 *
 * What fuzz_xml cannot reach: several documents at once, so that the
 * depot reader's merging (duplicate ids, serial numbers, profile names),
 * reference checks and the vmware.xml cross-check all run; index.xml
 * and vendor-index.xml are fixed and valid, and minizip writes both
 * zips, so every CRC is right.
 */
static const char fixed_index[] =
    "<vendorList><vendor><name>VMware</name><code>VMW</code>"
    "<indexfile>vendor-index.xml</indexfile><relativePath></relativePath>"
    "</vendor></vendorList>";

static const char fixed_vendor_index[] =
    "<metaList><metadata><productId>embeddedEsx</productId>"
    "<version>8.0</version><locale></locale><url>metadata.zip</url>"
    "</metadata></metaList>";

static const char fixed_vib[] =
    "<vib version=\"5.0\"><type>bootbank</type><name>ne1000</name>"
    "<version>0.9.2-1vmw.803.0.0.24022510</version><vendor>VMW</vendor>"
    "<summary>ne1000</summary><release-date>2025-04-09T17:23:44+00:00"
    "</release-date><relative-path>vib20/ne1000/"
    "VMW_bootbank_ne1000_0.9.2-1vmw.803.0.0.24022510.vib</relative-path>"
    "<packed-size>8</packed-size><system-requires><softwarePlatform "
    "version=\"8.0\" locale=\"\" productLineID=\"embeddedEsx\"/>"
    "</system-requires><acceptance-level>partner</acceptance-level>"
    "<payloads/></vib>";

static const char fixed_bulletin[] =
    "<bulletin><id>Intel-ne1000_0.9.2</id><vendor>VMware</vendor>"
    "<componentNameSpec name=\"Intel-ne1000\" uiString=\"ne1000\"/>"
    "<componentVersionSpec version=\"0.9.2\" uiString=\"0.9.2\"/>"
    "<releaseDate>2025-04-10T00:00:00+00:00</releaseDate><vibList>"
    "<vibID>VMW_bootbank_ne1000_0.9.2-1vmw.803.0.0.24022510</vibID>"
    "</vibList></bulletin>";

static const char fixed_profile[] =
    "<imageprofile><name>ESXi-standard</name><creator>VMware</creator>"
    "<profileID>1a2b</profileID><creationtime>2025-04-10T02:00:00+02:00"
    "</creationtime><serialno>1</serialno><viblist><vib><vib-id>"
    "VMW_bootbank_ne1000_0.9.2-1vmw.803.0.0.24022510</vib-id></vib>"
    "</viblist><acceptancelevel>partner</acceptancelevel></imageprofile>";

#define FILE_MODE (S_IFREG | 0644)

/*
 * Every profile through the image model and esximage's checks, with the
 * depot's VIBs as the pool; every problem is one non-empty line.
 */
static void
validate_profiles(const struct depot *d)
{
	struct image_vib *pool = calloc(d->nvibs + 1, sizeof(*pool));

	FUZZ_ASSERT(pool != NULL);
	for (size_t i = 0; i < d->nvibs; i++) {
		pool[i].vib = d->vibs[i];
		pool[i].depot = d;
		pool[i].origin = d->path;
	}
	for (size_t i = 0; i < d->nprofiles; i++) {
		struct image img;
		struct image_report r;
		image_from_profile(&img, d, d->profiles[i]);
		image_report_init(&r);
		image_validate(&img, pool, d->nvibs, &r);
		for (size_t k = 0; k < r.n; k++)
			FUZZ_ASSERT(r.v[k].text[0] != '\0' &&
			    strchr(r.v[k].text, '\n') == NULL);
		image_report_release(&r);
		image_release(&img);
	}
	free(pool);
}
/* More documents add nothing the merge has not seen with a few. */
#define MAX_RECORDS 64

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const dirs[] = {"vibs/", "bulletins/", "profiles/"};
	struct dv_error err = DV_ERROR_INIT;
	struct minizip meta, z;
	struct depot *d = NULL;
	const uint8_t *p, *end, *nul;
	char name[64];
	size_t n = 0, len;
	int ret;

	fuzz_init();
	if (size < 1)
		return 0;
	minizip_init(&meta);
	minizip_add(&meta, "vendor-index.xml", fixed_vendor_index,
	    sizeof(fixed_vendor_index) - 1, FILE_MODE);
	if (data[0] & 1) {
		minizip_add(&meta, "vibs/fixed.xml", fixed_vib,
		    sizeof(fixed_vib) - 1, FILE_MODE);
		minizip_add(&meta, "bulletins/fixed.xml", fixed_bulletin,
		    sizeof(fixed_bulletin) - 1, FILE_MODE);
		minizip_add(&meta, "profiles/fixed", fixed_profile,
		    sizeof(fixed_profile) - 1, FILE_MODE);
	}
	end = data + size;
	for (p = data + 1; p < end && n < MAX_RECORDS; p = nul + 1) {
		nul = memchr(p, '\0', (size_t)(end - p));
		if (nul == NULL)
			nul = end;
		len = (size_t)(nul - p);
		if (len == 0)
			continue;
		if (p[0] % 4 == 3) {
			/* One vmware.xml; a second is a duplicate name. */
			minizip_add(&meta, "vmware.xml", p + 1, len - 1,
			    FILE_MODE);
		} else {
			snprintf(name, sizeof(name), "%s%zu.xml", dirs[p[0] % 4],
			    n);
			minizip_add(&meta, name, p + 1, len - 1, FILE_MODE);
		}
		n++;
	}
	minizip_finish(&meta);
	minizip_init(&z);
	minizip_add(&z, "index.xml", fixed_index, sizeof(fixed_index) - 1,
	    FILE_MODE);
	minizip_add(&z, "vendor-index.xml", fixed_vendor_index,
	    sizeof(fixed_vendor_index) - 1, FILE_MODE);
	minizip_add(&z, "metadata.zip", meta.out.buf, meta.out.len, FILE_MODE);
	minizip_finish(&z);

	ret = depot_open_mem(z.out.buf, z.out.len, "fuzz.zip", &d, &err);
	if (ret != 0) {
		FUZZ_ASSERT(err.code != 0 && err.msg[0] != '\0');
		FUZZ_ASSERT(-ret == err.code);
		FUZZ_ASSERT(d == NULL);
	}
	if (d != NULL) {
		fuzz_walk_depot(d);
		validate_profiles(d);
	}
	depot_free(d);
	minizip_release(&z);
	minizip_release(&meta);
	return 0;
}
