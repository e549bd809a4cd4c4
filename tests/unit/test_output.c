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
	struct json j;

	json_init(&j, fp);
	json_object_begin(&j, NULL);
	json_string(&j, "s", "q\"b\\n\n\x01\xff\xc3\xa9");
	json_string(&j, "null", NULL);
	json_array_begin(&j, "empty");
	json_array_end(&j);
	json_array_begin(&j, "a");
	json_uint(&j, NULL, 18446744073709551615ull);
	json_bool(&j, NULL, true);
	json_array_end(&j);
	json_object_end(&j);
	json_finish(&j);
}

void
test_json_escapes(struct unit *u)
{
	char *out = capture(write_json);

	CHECK_STR(u, out, "{\n  \"s\": \"q\\\"b\\\\n\\n\\u0001\\ufffd\xc3\xa9\","
	    "\n  \"null\": null,\n  \"empty\": [],\n  \"a\": [\n"
	    "    18446744073709551615,\n    true\n  ]\n}\n");
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
