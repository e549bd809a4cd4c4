/* fuzz_index.c - fuzz target: index.xml and vendor-index.xml of a depot. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <sys/stat.h>

#include <string.h>

#include "../../depot/depot.h"
#include "fuzz.h"
#include "minizip.h"

/*
 * Input: one selector byte, then an XML document.  The document becomes
 * index.xml (selector 0 mod 3), vendor-index.xml (1) or both (2) of a
 * depot zip written around it by minizip; the rest of the depot is a
 * fixed, valid one, so the fuzzer spends its time on the two index
 * documents and the paths they lead to, not on getting a zip right.
 * The fixed vendor index and metadata zip are also stored under vmw/,
 * so an index that points elsewhere can still find something.
 */
static const char fixed_index[] =
    "<vendorList><vendor><name>VMware</name><code>VMW</code>"
    "<indexfile>vendor-index.xml</indexfile><patchUrl></patchUrl>"
    "<relativePath></relativePath><content><name>VMware ESX</name>"
    "<type>http://www.vmware.com/depotmanagement/esx</type></content>"
    "</vendor></vendorList>";

static const char fixed_vendor_index[] =
    "<metaList><metadata><productId>embeddedEsx</productId>"
    "<version>8.0</version><locale></locale><url>metadata.zip</url>"
    "<channelName>default</channelName></metadata></metaList>";

static const char meta_vib[] =
    "<vib version=\"5.0\"><type>bootbank</type><name>ne1000</name>"
    "<version>0.9.2-1vmw.803.0.0.24022510</version><vendor>VMW</vendor>"
    "<summary>ne1000 VIB</summary><description>ne1000 VIB</description>"
    "<release-date>2025-04-09T17:23:44.018611+00:00</release-date>"
    "<urls/><relationships><depends/><conflicts/><replaces/><provides/>"
    "<compatibleWith/></relationships><software-tags/><relative-path>"
    "vib20/ne1000/VMW_bootbank_ne1000_0.9.2-1vmw.803.0.0.24022510.vib"
    "</relative-path><packed-size>8</packed-size><system-requires>"
    "<maintenance-mode>true</maintenance-mode><softwarePlatform "
    "version=\"8.0\" locale=\"\" productLineID=\"embeddedEsx\"/>"
    "</system-requires><file-list/><acceptance-level>partner"
    "</acceptance-level><live-install-allowed>false</live-install-allowed>"
    "<live-remove-allowed>false</live-remove-allowed><cimom-restart>false"
    "</cimom-restart><stateless-ready>true</stateless-ready><overlay>false"
    "</overlay><payloads/></vib>";

static const char meta_bulletin[] =
    "<bulletin><id>Intel-ne1000_0.9.2-1vmw.803.0.0.24022510</id>"
    "<vendor>VMware</vendor><summary>ne1000</summary><severity>general"
    "</severity><category>enhancement</category><urgency>important"
    "</urgency><releaseType>extension</releaseType><description>ne1000"
    "</description><kbUrl>http://kb.vmware.com</kbUrl><contact>"
    "support@vmware.com</contact><componentNameSpec name=\"Intel-ne1000\" "
    "uiString=\"Intel-ne1000\"/><componentVersionSpec "
    "version=\"0.9.2-1vmw.803.0.0.24022510\" uiString=\"0.9.2-1vmw\"/>"
    "<releaseDate>2025-04-10T00:00:00+00:00</releaseDate><platforms>"
    "<softwarePlatform version=\"8.0\" locale=\"\" "
    "productLineID=\"embeddedEsx\"/></platforms><vibList><vibID>"
    "VMW_bootbank_ne1000_0.9.2-1vmw.803.0.0.24022510</vibID></vibList>"
    "</bulletin>";

static const char meta_profile[] =
    "<imageprofile><name>ESXi-8.0U3e-24677879-standard</name><creator>"
    "VMware, Inc.</creator><profileID>1a2b3c4d5e6f708192a3b4c5d6e7f809"
    "</profileID><creationtime>2025-04-10T02:00:00+02:00</creationtime>"
    "<modifiedtime>2025-04-10T02:00:00+02:00</modifiedtime><serialno>1"
    "</serialno><description>d</description><readonly>true</readonly>"
    "<viblist><vib><vib-id>VMW_bootbank_ne1000_0.9.2-1vmw.803.0.0.24022510"
    "</vib-id></vib></viblist><acceptancelevel>partner</acceptancelevel>"
    "<bulletinlist><bulletin-id>Intel-ne1000_0.9.2-1vmw.803.0.0.24022510"
    "</bulletin-id></bulletinlist></imageprofile>";

static const char fake_vib[] = "!<arch>\n";

#define FILE_MODE (S_IFREG | 0644)

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct minizip meta;
	static bool have_meta;
	struct dv_error err = DV_ERROR_INIT;
	struct depot *d = NULL;
	struct minizip z;
	const char *index = fixed_index, *vindex = fixed_vendor_index;
	size_t ilen = sizeof(fixed_index) - 1;
	size_t vlen = sizeof(fixed_vendor_index) - 1;
	int sel, ret;

	fuzz_init();
	if (size < 1)
		return 0;
	sel = data[0] % 3;
	if (sel == 0 || sel == 2) {
		index = (const char *)data + 1;
		ilen = size - 1;
	}
	if (sel == 1 || sel == 2) {
		vindex = (const char *)data + 1;
		vlen = size - 1;
	}
	if (!have_meta) {
		minizip_init(&meta);
		minizip_add(&meta, "vendor-index.xml", fixed_vendor_index,
		    sizeof(fixed_vendor_index) - 1, FILE_MODE);
		minizip_add(&meta, "vibs/ne1000.xml", meta_vib,
		    sizeof(meta_vib) - 1, FILE_MODE);
		minizip_add(&meta, "bulletins/ne1000.xml", meta_bulletin,
		    sizeof(meta_bulletin) - 1, FILE_MODE);
		minizip_add(&meta, "profiles/standard", meta_profile,
		    sizeof(meta_profile) - 1, FILE_MODE);
		minizip_finish(&meta);
		have_meta = true;
	}
	minizip_init(&z);
	minizip_add(&z, "index.xml", index, ilen, FILE_MODE);
	minizip_add(&z, "vendor-index.xml", vindex, vlen, FILE_MODE);
	minizip_add(&z, "metadata.zip", meta.out.buf, meta.out.len,
	    FILE_MODE);
	minizip_add(&z, "vmw/vendor-index.xml", vindex, vlen, FILE_MODE);
	minizip_add(&z, "vmw/metadata.zip", meta.out.buf, meta.out.len,
	    FILE_MODE);
	minizip_add(&z, "vib20/ne1000/"
	    "VMW_bootbank_ne1000_0.9.2-1vmw.803.0.0.24022510.vib", fake_vib,
	    sizeof(fake_vib) - 1, FILE_MODE);
	minizip_finish(&z);

	ret = depot_open_mem(z.out.buf, z.out.len, "fuzz.zip", &d, &err);
	if (ret != 0) {
		FUZZ_ASSERT(err.code != 0 && err.msg[0] != '\0');
		FUZZ_ASSERT(d == NULL);
	}
	if (d != NULL)
		fuzz_walk_depot(d);
	depot_free(d);
	minizip_release(&z);
	return 0;
}
