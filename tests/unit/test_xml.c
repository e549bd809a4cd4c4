/* test_xml.c - the XML wrapper: tree shape and what it refuses. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <stdlib.h>

#include "../../depot/depot_int.h"
#include "unit.h"

static int
parse(const char *s, struct xdoc *doc, struct dv_error *err)
{
	return xml_parse(s, strlen(s), "t.xml", doc, err);
}

void
test_xml_tree(struct unit *u)
{
	struct dv_error err = DV_ERROR_INIT;
	struct xdoc doc;
	const char *s = "\xef\xbb\xbf<?xml version=\"1.0\"?>\r\n<!-- c -->"
	    "<vib version=\"5.0\">\r\n <name> x &amp; y </name>"
	    "<payload name=\"p\" size=\"3\"/><name>second</name>"
	    "<d><![CDATA[<raw>]]></d></vib>";

	CHECK(u, parse(s, &doc, &err) == 0);
	if (doc.root == NULL)
		return;
	CHECK_STR(u, doc.root->name, "vib");
	CHECK_STR(u, xnode_attr(doc.root, "version"), "5.0");
	CHECK_STR(u, xnode_child_text(doc.root, "name"), "x & y");
	CHECK_STR(u, xnode_attr(xnode_child(doc.root, "payload"), "size"), "3");
	CHECK_STR(u, xnode_child_text(doc.root, "d"), "<raw>");
	CHECK(u, xnode_child(doc.root, "Name") == NULL);
	CHECK(u, xnode_attr(doc.root, "missing") == NULL);
	xdoc_release(&doc);
}

void
test_xml_refuses_dtd(struct unit *u)
{
	static const char *docs[] = {
		"<?xml version=\"1.0\"?><!DOCTYPE l [<!ENTITY a \"aaaa\">"
		"<!ENTITY b \"&a;&a;&a;&a;\">]><l>&b;</l>",
		"<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>"
		"<x>&e;</x>",
		"<!DOCTYPE x SYSTEM \"http://example.invalid/x.dtd\"><x/>",
		"<!-- a --> <!DOCTYPE x><x/>",
	};
	struct dv_error err = DV_ERROR_INIT;
	struct xdoc doc;

	for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		CHECK(u, parse(docs[i], &doc, &err) == -DV_EXML);
		CHECK(u, strstr(err.msg, "t.xml: has a DTD") != NULL);
	}
}

void
test_xml_refuses_bad_input(struct unit *u)
{
	struct dv_error err = DV_ERROR_INIT;
	struct xdoc doc;

	CHECK(u, parse("<a><b></a>", &doc, &err) == -DV_EXML);
	CHECK(u, strstr(err.msg, "t.xml: malformed XML: line 1:") != NULL);
	CHECK(u, parse("", &doc, &err) == -DV_EXML);
	CHECK(u, parse("<x>&undefined;</x>", &doc, &err) == -DV_EXML);
	CHECK(u, parse("<?xml version=\"1.0\" encoding=\"no-such\"?><x/>",
	    &doc, &err) == -DV_EXML);
	CHECK(u, parse("<x>\xff\xfe</x>", &doc, &err) == -DV_EXML);
	CHECK(u, parse("just text", &doc, &err) == -DV_EXML);
}

void
test_xml_depth_limit(struct unit *u)
{
	struct dv_error err = DV_ERROR_INIT;
	struct sbuf sb = SBUF_INIT(SBUF_NOCAP);
	struct xdoc doc;
	int i;

	for (i = 0; i < DV_MAX_XML_DEPTH + 1; i++)
		sbuf_adds(&sb, "<a>");
	for (i = 0; i < DV_MAX_XML_DEPTH + 1; i++)
		sbuf_adds(&sb, "</a>");
	CHECK(u, xml_parse(sb.buf, sb.len, "deep.xml", &doc, &err) ==
	    -DV_ELIMIT);
	CHECK(u, strstr(err.msg, "deep.xml: elements nested deeper") != NULL);
	sbuf_reset(&sb);
	for (i = 0; i < DV_MAX_XML_DEPTH; i++)
		sbuf_adds(&sb, "<a>");
	for (i = 0; i < DV_MAX_XML_DEPTH; i++)
		sbuf_adds(&sb, "</a>");
	CHECK(u, xml_parse(sb.buf, sb.len, "ok.xml", &doc, &err) == 0);
	xdoc_release(&doc);
	sbuf_release(&sb);
}
