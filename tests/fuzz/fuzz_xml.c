/* fuzz_xml.c - fuzz target: the XML reader and the metadata parsers. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <string.h>

#include "../../depot/depot_int.h"
#include "../../depot/parse.h"
#include "fuzz.h"

/*
 * Input: one selector byte, then the document.  The selector picks what
 * reads the tree (a VIB's descriptor.xml, a metadata zip's vibs/ entry,
 * a bulletin, a profile, the <vib> records of a legacy vmware.xml) or,
 * from 5 up, all of them in turn.
 */
enum { SEL_VIB, SEL_VIB_DEPOT, SEL_BULLETIN, SEL_PROFILE, SEL_LEGACY,
    SEL_ALL };

/* The tree keeps the limits xml_parse promises. */
static size_t
check_tree(const struct xnode *n, int depth)
{
	size_t count = 0;

	for (; n != NULL; n = n->next) {
		FUZZ_ASSERT(depth <= DV_MAX_XML_DEPTH);
		FUZZ_ASSERT(n->name != NULL);
		count++;
		(void)strlen(n->name);
		if (n->text != NULL)
			(void)strlen(n->text);
		for (const struct xattr *a = n->attrs; a != NULL; a = a->next) {
			FUZZ_ASSERT(a->name != NULL && a->value != NULL);
			FUZZ_ASSERT(xnode_attr(n, a->name) != NULL);
		}
		count += check_tree(n->children, depth + 1);
	}
	return count;
}

static void
run(int sel, const struct xnode *root)
{
	struct dv_error err = DV_ERROR_INIT;
	struct arena a = ARENA_INIT;
	struct depot_vib *v;
	struct depot_bulletin *b;
	struct depot_profile *p;

	switch (sel) {
	case SEL_VIB:
	case SEL_VIB_DEPOT:
		v = NULL;
		if (parse_vib(&a, root, "fuzz.xml", sel == SEL_VIB_DEPOT, &v,
		    &err) == 0) {
			FUZZ_ASSERT(v != NULL);
			fuzz_touch_vib(v);
		} else {
			FUZZ_ASSERT(err.code != 0 && err.msg[0] != '\0');
		}
		break;
	case SEL_BULLETIN:
		b = NULL;
		if (parse_bulletin(&a, root, "fuzz.xml", &b, &err) == 0) {
			FUZZ_ASSERT(b != NULL);
			fuzz_touch_bulletin(b);
		} else {
			FUZZ_ASSERT(err.code != 0 && err.msg[0] != '\0');
		}
		break;
	case SEL_PROFILE:
		p = NULL;
		if (parse_profile(&a, root, "fuzz.xml", &p, &err) == 0) {
			FUZZ_ASSERT(p != NULL);
			fuzz_touch_profile(p);
		} else {
			FUZZ_ASSERT(err.code != 0 && err.msg[0] != '\0');
		}
		break;
	case SEL_LEGACY:
		for (const struct xnode *n = root->children; n != NULL;
		    n = n->next) {
			if (strcmp(n->name, "vib") != 0)
				continue;
			v = NULL;
			if (parse_legacy_vib(&a, n, "fuzz.xml", &v, &err) == 0)
				fuzz_touch_vib(v);
		}
		break;
	}
	arena_release(&a);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dv_error err = DV_ERROR_INIT;
	struct xdoc doc;
	int sel;

	fuzz_init();
	if (size < 1)
		return 0;
	sel = data[0] & 7;
	memset(&doc, 0, sizeof(doc));
	if (xml_parse((const char *)data + 1, size - 1, "fuzz.xml", &doc,
	    &err) != 0) {
		/* A refusal always says why. */
		FUZZ_ASSERT(err.code != 0 && err.msg[0] != '\0');
		xdoc_release(&doc);
		return 0;
	}
	FUZZ_ASSERT(doc.root != NULL);
	FUZZ_ASSERT(check_tree(doc.root, 1) <= DV_MAX_XML_NODES);
	if (sel >= SEL_ALL) {
		for (int s = SEL_VIB; s < SEL_ALL; s++)
			run(s, doc.root);
	} else {
		run(sel, doc.root);
	}
	xdoc_release(&doc);
	return 0;
}
