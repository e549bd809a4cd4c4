/* test_output.c - JSON escaping and esxcli table layout. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <stdlib.h>

#include "../../cmd/output.h"
#include "unit.h"

static char *
capture(void (*fn)(FILE *))
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);

	fn(fp);
	fclose(fp);
	return buf;
}

static void
write_json(FILE *fp)
{
	struct dv_json j;

	dv_json_init(&j, fp);
	dv_json_object_begin(&j, NULL);
	dv_json_string(&j, "s", "q\"b\\n\n\x01\xff\xc3\xa9");
	dv_json_string(&j, "null", NULL);
	dv_json_array_begin(&j, "empty");
	dv_json_array_end(&j);
	dv_json_array_begin(&j, "a");
	dv_json_uint(&j, NULL, 9223372036854775807ull);
	dv_json_uint(&j, NULL, 18446744073709551615ull);
	dv_json_bool(&j, NULL, true);
	dv_json_array_end(&j);
	dv_json_object_end(&j);
	dv_json_finish(&j);
}

void
test_json_escapes(struct unit *u)
{
	char *out = capture(write_json);

	/* A bad byte becomes U+FFFD itself; a count past INT64_MAX (only
	 * hostile metadata says so) a floating-point number. */
	CHECK_STR(u, out, "{\n  \"s\": \"q\\\"b\\\\n\\n\\u0001"
	    "\xef\xbf\xbd\xc3\xa9\","
	    "\n  \"null\": null,\n  \"empty\": [],\n  \"a\": [\n"
	    "    9223372036854775807,\n    1.8446744073709552e19,\n"
	    "    true\n  ]\n}\n");
	free(out);
}

static void
write_table(FILE *fp)
{
	static const char *const h[] = {"Name", "Vendor"};
	struct table t;

	table_init(&t, 2, h);
	table_row(&t, (const char *const[]){"a", "\xc3\xa9t\xc3\xa9"});
	table_row(&t, (const char *const[]){"longer-name", NULL});
	table_row(&t, (const char *const[]){"b", "wider-than-header"});
	table_print(&t, fp);
	table_release(&t);
}

void
test_table_widths(struct unit *u)
{
	char *out = capture(write_table);

	CHECK_STR(u, out, "Name         Vendor\n-----------  ------\n"
	    "a            \xc3\xa9t\xc3\xa9\nlonger-name  \n"
	    "b            wider-than-header\n");
	free(out);
}

/* Reading: layout and key order do not matter; errors say where. */
void
test_json_parse(struct unit *u)
{
	static const char doc[] = "{\"b\":[\"x\" ,\n\t\"y\"], \"a\" : 1}";
	struct dv_error err = DV_ERROR_INIT;
	struct dv_json_value *v = NULL;
	const struct dv_json_value *b;

	CHECK(u, dv_json_parse(doc, sizeof(doc) - 1, "doc", &v, &err) == 0);
	b = dv_json_get(v, "b");
	CHECK(u, dv_json_is_array(b) && dv_json_count(b) == 2);
	CHECK_STR(u, dv_json_str(dv_json_at(b, 1)), "y");
	CHECK(u, dv_json_str(dv_json_get(v, "a")) == NULL);
	CHECK(u, dv_json_get(b, "x") == NULL && dv_json_at(b, 2) == NULL);
	CHECK(u, dv_json_count(dv_json_get(v, "a")) == 0);
	dv_json_free(v);

	CHECK(u, dv_json_parse("{\"a\":1,\n\"a\":2}", 14, "doc", &v,
	    &err) == -DV_EFORMAT && v == NULL);
	CHECK(u, strncmp(err.msg, "doc: line 2 column ", 19) == 0);
	CHECK(u, dv_json_parse("[\"\\u0000\"]", 10, "doc", &v, &err) ==
	    -DV_EFORMAT);
	CHECK(u, dv_json_parse("[1] [2]", 7, "doc", &v, &err) == -DV_EFORMAT);
	CHECK(u, dv_json_parse("[\"\xff\"]", 4, "doc", &v, &err) ==
	    -DV_EFORMAT);
}
