/* xml.c - the only user of libxml2: parse untrusted XML into a small tree. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "depot_int.h"

/*
 * No XML_PARSE_NOENT (entities are never substituted), no DTDLOAD or
 * DTDATTR (nothing outside the document is read), no HUGE (libxml2 keeps
 * its own text and depth limits), NONET as a second lock on the network.
 */
#define XML_OPTIONS (XML_PARSE_NONET | XML_PARSE_NOERROR | \
    XML_PARSE_NOWARNING | XML_PARSE_NOCDATA)

struct xml_build {
	struct xdoc *doc;
	const char *what;
	size_t nodes;
	struct dv_error *err;
};

void
xml_library_init(void)
{
	xmlInitParser();
}

/*
 * The SAX callback libxml2 makes on "<!DOCTYPE name", before it reads a
 * single declaration of the internal subset: stop there.  The prolog scan
 * below only sees encodings with ASCII bytes; this refuses a DTD in any
 * other (UTF-16 say) before an entity is declared, let alone expanded,
 * whatever amplification limits the installed libxml2 has.
 */
static void
refuse_subset(void *ctx, const xmlChar *name, const xmlChar *external_id,
    const xmlChar *system_id)
{
	(void)name;
	(void)external_id;
	(void)system_id;
	xmlStopParser(ctx);
}

/*
 * A DOCTYPE can only stand before the root element.  Looking for it in the
 * prolog refuses entity bombs before libxml2 spends any work on them; the
 * check after parsing catches the same in encodings this scan cannot read.
 */
static bool
prolog_has_doctype(const char *p, size_t len)
{
	const char *end = p + len, *q;

	if (len >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
		p += 3;
	while (p < end) {
		if (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n') {
			p++;
		} else if (end - p >= 2 && memcmp(p, "<?", 2) == 0) {
			q = memmem(p, (size_t)(end - p), "?>", 2);
			if (q == NULL)
				return false;
			p = q + 2;
		} else if (end - p >= 4 && memcmp(p, "<!--", 4) == 0) {
			q = memmem(p + 4, (size_t)(end - p - 4), "-->", 3);
			if (q == NULL)
				return false;
			p = q + 3;
		} else {
			return end - p >= 2 && memcmp(p, "<!", 2) == 0;
		}
	}
	return false;
}

static char *
strip_dup(struct arena *a, const char *s)
{
	const char *e;

	while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' ||
	    e[-1] == '\n'))
		e--;
	return arena_strndup(a, s, (size_t)(e - s));
}

static int
build_node(struct xml_build *b, xmlNode *src, int depth, struct xnode **out)
{
	struct xnode *n, **tail;
	struct xattr *a, **atail;
	struct sbuf text = SBUF_INIT(DV_MAX_XML_BYTES);
	xmlNode *c;
	xmlAttr *p;
	xmlChar *v;
	int ret;

	if (depth > DV_MAX_XML_DEPTH)
		return dv_error_set(b->err, DV_ELIMIT,
		    "%s: elements nested deeper than %d", b->what,
		    DV_MAX_XML_DEPTH);
	if (++b->nodes > DV_MAX_XML_NODES)
		return dv_error_set(b->err, DV_ELIMIT,
		    "%s: more than %u elements", b->what, DV_MAX_XML_NODES);
	n = arena_alloc(&b->doc->arena, sizeof(*n));
	n->name = arena_strdup(&b->doc->arena, (const char *)src->name);
	atail = &n->attrs;
	for (p = src->properties; p != NULL; p = p->next) {
		a = arena_alloc(&b->doc->arena, sizeof(*a));
		a->name = arena_strdup(&b->doc->arena, (const char *)p->name);
		v = xmlNodeListGetString(src->doc, p->children, 1);
		a->value = arena_strdup(&b->doc->arena,
		    v != NULL ? (const char *)v : "");
		xmlFree(v);
		*atail = a;
		atail = &a->next;
	}
	tail = &n->children;
	for (c = src->children; c != NULL; c = c->next) {
		switch (c->type) {
		case XML_ELEMENT_NODE:
			if ((ret = build_node(b, c, depth + 1, tail)) != 0)
				goto out;
			tail = &(*tail)->next;
			break;
		case XML_TEXT_NODE:
		case XML_CDATA_SECTION_NODE:
			if (c->content != NULL)
				sbuf_adds(&text, (const char *)c->content);
			break;
		case XML_ENTITY_REF_NODE:
			ret = dv_error_set(b->err, DV_EXML,
			    "%s: entity references are not allowed", b->what);
			goto out;
		default:
			break; /* comments and processing instructions */
		}
	}
	n->text = strip_dup(&b->doc->arena, text.buf);
	*out = n;
	ret = 0;
out:
	sbuf_release(&text);
	return ret;
}

int
xml_parse(const char *data, size_t len, const char *what, struct xdoc *doc,
    struct dv_error *err)
{
	struct xml_build b = {doc, what, 0, err};
	xmlParserCtxt *ctxt = NULL;
	xmlDoc *xd = NULL;
	const xmlError *xe;
	xmlNode *root;
	char msg[256];
	size_t mlen;
	int ret;

	memset(doc, 0, sizeof(*doc));
	if (len > DV_MAX_XML_BYTES)
		return dv_error_set(err, DV_ELIMIT,
		    "%s: XML document larger than %u bytes", what,
		    DV_MAX_XML_BYTES);
	if (len == 0)
		return dv_error_set(err, DV_EXML, "%s: empty XML document",
		    what);
	if (prolog_has_doctype(data, len))
		return dv_error_set(err, DV_EXML,
		    "%s: has a DTD, which depot files never have; refused",
		    what);
	ctxt = xmlNewParserCtxt();
	if (ctxt == NULL)
		return dv_error_set(err, DV_EXML, "%s: cannot set up parser",
		    what);
	ctxt->sax->internalSubset = refuse_subset;
	xd = xmlCtxtReadMemory(ctxt, data, (int)len, NULL, NULL, XML_OPTIONS);
	/* Nothing else stops the parser: refuse_subset did. */
	if (ctxt->errNo == XML_ERR_USER_STOP) {
		ret = dv_error_set(err, DV_EXML,
		    "%s: has a DTD, which depot files never have; refused",
		    what);
		goto out;
	}
	if (xd == NULL) {
		xe = xmlCtxtGetLastError(ctxt);
		snprintf(msg, sizeof(msg), "%s",
		    xe != NULL && xe->message != NULL ? xe->message :
		    "not well-formed");
		mlen = strlen(msg);
		while (mlen > 0 && (msg[mlen - 1] == '\n' || msg[mlen - 1] == ' '))
			msg[--mlen] = '\0';
		ret = dv_error_set(err, DV_EXML, "%s: malformed XML: line %d: %s",
		    what, xe != NULL ? xe->line : 0, msg);
		goto out;
	}
	if (xd->intSubset != NULL || xd->extSubset != NULL) {
		ret = dv_error_set(err, DV_EXML,
		    "%s: has a DTD, which depot files never have; refused",
		    what);
		goto out;
	}
	root = xmlDocGetRootElement(xd);
	if (root == NULL) {
		ret = dv_error_set(err, DV_EXML, "%s: no root element", what);
		goto out;
	}
	ret = build_node(&b, root, 1, &doc->root);
out:
	if (ret != 0)
		xdoc_release(doc);
	xmlFreeDoc(xd);
	xmlFreeParserCtxt(ctxt);
	return ret;
}

void
xdoc_release(struct xdoc *doc)
{
	if (doc == NULL)
		return;
	arena_release(&doc->arena);
	doc->root = NULL;
}

const struct xnode *
xnode_child(const struct xnode *n, const char *name)
{
	const struct xnode *c;

	if (n == NULL)
		return NULL;
	for (c = n->children; c != NULL; c = c->next)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

const char *
xnode_child_text(const struct xnode *n, const char *name)
{
	const struct xnode *c = xnode_child(n, name);

	return c != NULL ? c->text : NULL;
}

const char *
xnode_attr(const struct xnode *n, const char *name)
{
	const struct xattr *a;

	if (n == NULL)
		return NULL;
	for (a = n->attrs; a != NULL; a = a->next)
		if (strcmp(a->name, name) == 0)
			return a->value;
	return NULL;
}
