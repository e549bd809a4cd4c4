/* depot.h - the public API: open a depot zip, its metadata model, its VIBs. */
/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef DEPOT_H
#define DEPOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "names.h"
#include "xalloc.h"

/* A UTC instant; set is false when the document had no such date. */
struct dv_time {
	int64_t sec; /* seconds since 1970-01-01T00:00:00Z */
	int usec;
	bool set;
};

/* Format as YYYY-MM-DDTHH:MM:SS (esxcli's isoformat()[:19]); "" if unset. */
void dv_time_format(const struct dv_time *t, char out[20]);

enum dv_acceptance {
	DV_ACCEPT_UNKNOWN = -1, /* vmware.xml carries no level */
	DV_ACCEPT_COMMUNITY = 0,
	DV_ACCEPT_PARTNER = 5,
	DV_ACCEPT_ACCEPTED = 10,
	DV_ACCEPT_CERTIFIED = 15
};

/* "certified" and so on; "" for unknown. */
const char *dv_acceptance_name(enum dv_acceptance a);
/* esxcli's display name: "VMwareCertified" and so on; "" for unknown. */
const char *dv_acceptance_display(enum dv_acceptance a);
/* Parse the XML value; -DV_EFORMAT when it is not one of the four. */
int dv_acceptance_parse(const char *s, enum dv_acceptance *out);

struct dv_strlist {
	const char **v;
	size_t n;
};

struct depot_platform {
	const char *product; /* productLineID / productId: embeddedEsx, esxio */
	const char *version; /* 8.0, 7.0.0, 6.* */
	const char *locale;
};

struct depot_platforms {
	struct depot_platform *v;
	size_t n;
};

struct depot_relation {
	const char *name;
	const char *relation; /* <<, <=, =, >=, >> or NULL */
	const char *version;  /* NULL when the constraint has no version */
};

struct depot_relations {
	struct depot_relation *v;
	size_t n;
};

struct depot_checksum {
	const char *type;	    /* sha-256, sha-1, sha-256-gunzip1 */
	const char *verify_process; /* gunzip or NULL */
	const char *value;	    /* lower-case hex */
};

struct depot_payload {
	const char *name;
	const char *type; /* vgz, tgz, boot, vzstd, ... */
	uint64_t size;	  /* stored size */
	uint64_t uncompressed_size; /* 0 when not given */
	struct depot_checksum *checksums;
	size_t nchecksums;
};

struct depot_vib {
	const char *id; /* vendor_type_name_version */
	const char *name;
	const char *version;
	const char *vendor;
	const char *type;
	enum dv_acceptance acceptance;
	const char *summary;
	const char *description;
	struct dv_time release_date;
	struct depot_relations depends, conflicts, replaces, provides;
	struct depot_platforms platforms; /* system-requires softwarePlatform */
	struct dv_strlist tags;
	struct dv_strlist files; /* file-list, when the metadata gives one */
	struct depot_payload *payloads;
	size_t npayloads;
	bool maintenance_install; /* maintenance mode needed to install */
	bool maintenance_remove;
	bool live_install;
	bool live_remove;
	bool stateless_ready;
	bool overlay;
	bool cimom_restart;
	/* Depot-only fields. */
	const char *relative_path; /* as written in the metadata */
	const char *member;   /* outer-zip member it resolves to; NULL if remote */
	const char *metadata; /* which metadata zip described it */
	const char *source;   /* member inside that metadata zip */
	uint64_t packed_size; /* 0 when not given */
	bool has_packed_size;
	const char *sha256;   /* whole-VIB SHA-256, lower-case hex, or NULL */
	/* The same two facts as vmware.xml states them, when it does. */
	bool has_legacy;
	uint64_t legacy_packed_size;
	const char *legacy_sha256;
};

struct depot_bulletin {
	const char *id;
	const char *vendor;
	const char *summary;
	const char *description;
	const char *severity;
	const char *category;
	const char *urgency;
	const char *release_type;
	const char *kb_url;
	const char *contact;
	/* ESXi 7+ components; NULL for a plain 6.x bulletin. */
	const char *comp_name;
	const char *comp_name_ui;
	const char *comp_version;
	const char *comp_version_ui;
	struct dv_time release_date;
	struct depot_platforms platforms;
	struct dv_strlist vib_ids;
	const char *source;
};

struct depot_profile {
	const char *name;
	const char *creator;
	const char *profile_id; /* NULL when the document has none */
	const char *description;
	struct dv_time creation_time;
	struct dv_time modification_time;
	uint64_t serialno;
	bool readonly;
	enum dv_acceptance acceptance;
	struct dv_strlist vib_ids;
	struct dv_strlist bulletin_ids; /* ESXi 7+ <bulletinlist> */
	struct dv_strlist missing_vib_ids; /* named but not in the depot */
	const char *source;
};

struct depot_vendor {
	const char *name;
	const char *code;
	const char *index_member; /* the vendor index it points at */
};

struct depot_metadata {
	const char *member; /* the metadata zip inside the outer zip */
	struct depot_platforms platforms;
	size_t vibs, bulletins, profiles;
	size_t baseimages, addons, manifests, solutions, other;
	bool used_vmware_xml; /* VIBs came from vmware.xml: vibs/ is absent */
};

struct depot {
	struct arena arena; /* owns everything below */
	const char *path;   /* the file, or the label of an in-memory zip */
	const void *mem;    /* the zip's bytes when opened from memory */
	size_t memlen;
	struct depot_vendor *vendors;
	size_t nvendors;
	struct depot_metadata *metadata;
	size_t nmetadata;
	struct depot_vib **vibs; /* sorted by name, then version */
	struct depot_vib **vibs_by_id; /* the same, sorted by id for lookups */
	size_t nvibs;
	struct depot_bulletin **bulletins; /* sorted by component name */
	size_t nbulletins;
	struct depot_profile **profiles; /* sorted by name */
	size_t nprofiles;
	struct dv_diags warnings; /* DV_DIAG_WARNINGs for cmd/ to print */
	struct depot_source *source; /* where the files are read from */
	unsigned open_flags; /* enum depot_open_flags it was opened with */
};

/*
 * Set up the libraries the depot code wraps; once, before any other call
 * and before any thread starts.
 */
void depot_library_init(void);

/*
 * Open the depot zip at path and read all of its metadata.  Only the
 * central directory of the outer zip, index.xml, the vendor indexes and
 * the metadata zips are read, never the VIBs.  On failure *out is NULL
 * and err says why; with DV_EWRAPPER (a vendor package) it names the
 * depots, VIBs or archives the zip holds.  Errors: DV_EIO, DV_ENOTZIP,
 * DV_EZIP, DV_ENOTDEPOT, DV_EWRAPPER, DV_EMISSING, DV_EXML, DV_EFORMAT,
 * DV_ELIMIT, DV_EPATH.
 */
int depot_open(const char *path, struct depot **out, struct dv_error *err);
/*
 * The same for any depot: a zip, an unpacked depot's folder (or its
 * index.xml), or an online depot's URL (http://, https://, file://) read
 * with the network options net (NULL for none).  From a URL only the
 * indexes and metadata zips are downloaded.  path is the label messages
 * use: a URL's token shows as <token>.  More errors: DV_ENET, DV_EDENIED.
 */
struct http_opts;
int depot_open_net(const char *where, const struct http_opts *net,
    struct depot **out, struct dv_error *err);
/* What a caller of depot_open_flags can do without. */
enum depot_open_flags {
	/*
	 * vmware.xml beside vibs/ only cross-checks each VIB file's size
	 * and SHA-256 for verify (has_legacy stays false): a listing needs
	 * none of it, and parsing it is a third of what list-profiles costs.
	 */
	DEPOT_OPEN_NO_CROSSCHECK = 1 << 0,
};
/* depot_open_net, leaving out what flags (enum depot_open_flags) say. */
int depot_open_flags(const char *where, const struct http_opts *net,
    unsigned flags, struct depot **out, struct dv_error *err);
/*
 * The same for a zip held in memory (an inner depot of a vendor package);
 * label names it in messages.  mem must outlive the depot.
 */
int depot_open_mem(const void *mem, size_t len, const char *label,
    struct depot **out, struct dv_error *err);
void depot_free(struct depot *d);

/*
 * One VIB file of a depot, open for reading: its bytes come from src
 * (vib.h's struct byte_source), which lives as long as the file.
 */
struct depot_vib_file;
struct byte_source;
/*
 * Open VIB v of depot d: a zip's member, an unpacked depot's file, or
 * from an online depot the file downloaded to a temporary file (checked
 * against the metadata's size and SHA-256 as it streams; removed when
 * closed).  On failure *out is NULL.  Errors: DV_EMISSING ("FILE: MEMBER:
 * the VIB file is missing", also for a VIB with no member in the zip),
 * DV_EIO, DV_ENOTZIP, DV_EZIP, DV_EPATH; from a URL also DV_EFORMAT (no
 * size or SHA-256 to check), DV_ENET, DV_EDENIED, DV_EDIGEST, DV_EINTR.
 */
int depot_open_vib(const struct depot *d, const struct depot_vib *v,
    struct depot_vib_file **out, struct dv_error *err);
const struct byte_source *depot_vib_file_source(
    const struct depot_vib_file *f);
void depot_vib_file_close(struct depot_vib_file *f);

/* dv_path_check and the other rules on hostile names: names.h. */

/*
 * Whether vendor i is the first to point at its vendor index: two vendors
 * may share one, which is then read (or copied) once.
 */
bool depot_vendor_index_first(const struct depot *d, size_t i);

/* Find a VIB by id; NULL when absent. */
const struct depot_vib *depot_find_vib(const struct depot *d, const char *id);
/*
 * A component's acceptance level: the lowest of its VIBs' (components
 * carry none of their own), or DV_ACCEPT_UNKNOWN when none of its VIBs is
 * in the depot or one has no level.
 */
enum dv_acceptance depot_bulletin_acceptance(const struct depot *d,
    const struct depot_bulletin *b);
/*
 * Find the one profile named name.  DV_ENOMATCH when none,
 * DV_EAMBIGUOUS when two profiles with different ids share the name.
 */
int depot_find_profile(const struct depot *d, const char *name,
    const struct depot_profile **out, struct dv_error *err);
/* Whether all of a profile's VIBs are stateless-ready. */
bool depot_profile_stateless_ready(const struct depot *d,
    const struct depot_profile *p);

/* What kind of depot, in an admin's words: "patch depot with image
 * profiles", "component depot" or "offline bundle". */
const char *depot_kind_name(const struct depot *d);

/* Compare VIB versions the way esximage does (Version.__cmp__). */
int dv_version_cmp(const char *a, const char *b);

#endif
