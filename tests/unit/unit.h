/* unit.h - the unit test list and the tiny assertion helpers. */
/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef UNIT_H
#define UNIT_H

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "../../depot/error.h"
#include "../../depot/sbuf.h"

struct unit {
	const char *name;
	int failed;
};

/* An explicit list, so the order is plain and nothing registers itself. */
#define UNIT_TESTS(X)                                                        \
	X(date_parse_forms)                                                  \
	X(date_parse_rejects)                                                \
	X(date_format_utc)                                                   \
	X(version_order)                                                     \
	X(acceptance_levels)                                                 \
	X(path_join_resolves)                                                \
	X(path_join_refuses)                                                 \
	X(sbuf_cap)                                                          \
	X(xml_tree)                                                          \
	X(xml_refuses_dtd)                                                   \
	X(xml_refuses_bad_input)                                             \
	X(xml_depth_limit)                                                   \
	X(json_escapes)                                                      \
	X(json_parse)                                                        \
	X(tar_write_read)                                                    \
	X(zip_writer_sources)                                                \
	X(zip_writer_refusals)                                               \
	X(zip_writer_dos_times)                                              \
	X(zip_stored_read)                                                   \
	X(zip_open_refusals)                                                 \
	X(zip_write_stored)                                                  \
	X(zip_close_with_ranges)                                             \
	X(zip_write_stored_zip64_count)                                      \
	X(zip_write_stored_zip64_big)                                        \
	X(zip_deflated_read)                                                 \
	X(zip_deflated_damaged)                                              \
	X(zip_deflated_bomb)                                                 \
	X(zip_deflated_interrupted)                                          \
	X(suggest_typos)                                                     \
	X(table_widths)                                                      \
	X(sh_quote_hostile)                                                  \
	X(bundle_order)                                                      \
	X(bundle_order_cycle)                                                \
	X(member_names)                                                      \
	X(out_path_rules)                                                    \
	X(path_check)                                                        \
	X(shown_name)                                                        \
	X(suffix_and_base)                                                   \
	X(entry_problems)                                                    \
	X(depot_folders)                                                     \
	X(tar_header_detect)                                                 \
	X(outdir_rules)                                                      \
	X(outdir_begin_refusals)                                             \
	X(outdir_begin_recovers)                                             \
	X(outdir_commit_existing)                                            \
	X(outdir_same_remove_reserve)                                        \
	X(outdir_through_link)                                               \
	X(outdir_name_clashes)                                               \
	X(outdir_copy)                                                       \
	X(outdir_without_renameat2)                                          \
	X(outdir_sync_failures)                                              \
	X(outdir_stage_failures)                                             \
	X(outdir_mount_point)                                                \
	X(outdir_copy_fails)                                                 \
	X(outdir_commit_corners)                                             \
	X(walk_intel_tool)                                                   \
	X(walk_expanded_depot)                                               \
	X(walk_nested_duplicate)                                             \
	X(esxi_parse)                                                        \
	X(platform_covers)                                                   \
	X(platforms_fit)                                                     \
	X(vib_fits)                                                          \
	X(profile_esxi)                                                      \
	X(depot_open_model)                                                  \
	X(depot_open_mem)                                                    \
	X(depot_open_wrapper)                                                \
	X(depot_open_errors)                                                 \
	X(depot_open_warnings)                                               \
	X(depot_open_vib)                                                    \
	X(out_params_null)                                                   \
	X(hash_digests)                                                      \
	X(trust_files)                                                       \
	X(sig_verify_verdicts)                                               \
	X(verify_signed_depot)                                               \
	X(verify_signing_rules)                                              \
	X(verify_structure)                                                  \
	X(verify_one_vib)                                                    \
	X(http_token)                                                        \
	X(http_into_fd)                                                      \
	X(error_codes)                                                       \
	X(diags_list)                                                        \
	X(crc32_matches_zlib)                                                \
	X(source_folder_forms)                                               \
	X(source_relative_folder)                                            \
	X(source_file_urls)                                                  \
	X(source_zip_named_folder)                                           \
	X(source_folder_reads)                                               \
	X(source_folder_files)                                               \
	X(source_zip_reads)                                                  \
	X(source_url_forms)                                                  \
	X(source_url_download_refusals)                                      \
	X(gzip_members_and_padding)                                          \
	X(gzip_damage_reasons)                                               \
	X(gzip_pull_stops)                                                   \
	X(bundle_check_good)                                                 \
	X(bundle_check_sums_problems)                                        \
	X(bundle_check_manifest_problems)                                    \
	X(bundle_check_refusals)                                             \
	X(bundle_check_hostile_tars)                                         \
	X(bundle_check_limits)                                               \
	X(bundle_steps_refusals)                                             \
	X(tar_source_failures)                                               \
	X(tar_damage)                                                        \
	X(tar_entry_kinds)                                                   \
	X(tar_read_limits)                                                   \
	X(tar_writer_failures)                                               \
	X(arc_layer_damage)                                                  \
	X(sig_verify_shapes)                                                 \
	X(sig_verify_signer_names)                                           \
	X(sig_verify_limits)                                                 \
	X(trust_file_shapes)                                                 \
	X(sig_verify_revoked)                                                \
	X(unpack_disk_failures)                                              \
	X(unpack_vibs_elsewhere)

#define UNIT_DECLARE(name) void test_##name(struct unit *u);
UNIT_TESTS(UNIT_DECLARE)
#undef UNIT_DECLARE

/* fixture.c: a spec of testdata/depots built into a zip (make check's
 * $FIXTURES, else made now), the mkkeys.sh folder, a scratch folder. */
const char *unit_fixture(const char *spec);
const char *unit_keys(void);
const char *unit_scratch(void);
void unit_cleanup(void);

/* expect.c: whether a call returned -code and err says code with want in
 * its message (else it prints what came instead); a fresh empty folder
 * NAME in the scratch folder (the last four stay valid); a file of dir
 * holding text. */
bool unit_err(struct unit *u, int ret, const struct dv_error *err, int code,
    const char *want);
const char *unit_dir(const char *name);
bool unit_write(const char *dir, const char *name, const char *text);
/* A shell command, formatted: whether it ran and exited 0.  A file's
 * bytes appended to out: whether it could be read. */
bool unit_sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
bool unit_slurp(const char *path, struct sbuf *out);

#define CHECK(u, cond)                                                       \
	do {                                                                 \
		if (!(cond)) {                                               \
			printf("  %s:%d: CHECK(%s) failed\n", __FILE__,      \
			    __LINE__, #cond);                                \
			(u)->failed++;                                       \
		}                                                            \
	} while (0)

#define CHECK_STR(u, got, want)                                              \
	do {                                                                 \
		const char *g_ = (got), *w_ = (want);                        \
		if (g_ == NULL || strcmp(g_, w_) != 0) {                     \
			printf("  %s:%d: got '%s', want '%s'\n", __FILE__,   \
			    __LINE__, g_ ? g_ : "(null)", w_);               \
			(u)->failed++;                                       \
		}                                                            \
	} while (0)

#endif
