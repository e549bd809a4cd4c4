/* xml.c - the only user of libxml2: parse untrusted XML into a small tree. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <string.h>
#include <strings.h>

#include <libxml/SAX2.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include "depot_int.h"
#include "outdir.h"

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

/* What the SAX hooks below saw, through the parser context's _private. */
struct xml_watch {
	bool interrupted;
};

/* Between two nodes, look for Ctrl-C no more often than this. */
#define INTERRUPT_EVERY 4096u

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

/* ---- the linear scan before libxml2 ------------------------------------ */

/*
 * The document as code units: bytes (UTF-8 and the ASCII supersets), or
 * UTF-16 or UCS-4 units, which is how libxml2 tells encodings apart
 * before any declaration.  The scan only needs to know ASCII markup, so
 * every unit past ASCII reads as 0x80.
 */
struct units {
	const unsigned char *p;
	size_t n;       /* units after the byte order mark */
	unsigned width; /* bytes per unit: 1, 2 or 4 */
	bool be;
};

/* Past what a bail-out scan has looked at, libxml2 still reads this many
 * units, so that it reports the same error at the same place. */
#define SCAN_MARGIN 4096u
#define NPOS ((size_t)-1)

static unsigned
unit_at(const struct units *u, size_t i)
{
	const unsigned char *q = u->p + i * u->width;
	uint32_t c;

	if (u->width == 1)
		c = q[0];
	else if (u->width == 2)
		c = u->be ? (uint32_t)q[0] << 8 | q[1] :
		    (uint32_t)q[1] << 8 | q[0];
	else
		c = u->be ? (uint32_t)q[0] << 24 | (uint32_t)q[1] << 16 |
		    (uint32_t)q[2] << 8 | q[3] : (uint32_t)q[3] << 24 |
		    (uint32_t)q[2] << 16 | (uint32_t)q[1] << 8 | q[0];
	return c < 0x80 ? (unsigned)c : 0x80;
}

/* Whether the ASCII string s stands at unit i. */
static bool
units_at(const struct units *u, size_t i, const char *s)
{
	for (; *s != '\0'; s++, i++)
		if (i >= u->n || unit_at(u, i) != (unsigned char)*s)
			return false;
	return true;
}

/* The first unit of s (at most 3 ASCII characters) at or after i. */
static size_t
units_find(const struct units *u, size_t i, const char *s)
{
	for (; i < u->n; i++)
		if (unit_at(u, i) == (unsigned char)s[0] && units_at(u, i, s))
			return i;
	return NPOS;
}

static bool
is_space(unsigned c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Where a name ends: any markup character (a superset of XML's rules). */
static bool
ends_name(unsigned c)
{
	return is_space(c) || c == '>' || c == '/' || c == '=' || c == '<' ||
	    c == '"' || c == '\'';
}

static unsigned long
line_of(const struct units *u, size_t at)
{
	unsigned long line = 1;

	for (size_t i = 0; i < at && i < u->n; i++)
		if (unit_at(u, i) == '\n')
			line++;
	return line;
}

/*
 * How libxml2 sees the first bytes: a byte order mark or "<?" in UTF-16
 * or UCS-4, else bytes.  -1 for EBCDIC, which no depot is written in.
 */
static int
units_detect(const unsigned char *p, size_t len, struct units *u)
{
	static const struct {
		const char *start;
		size_t len;
		unsigned width, skip;
		bool be;
	} forms[] = {
		{"\x00\x00\xfe\xff", 4, 4, 4, true},
		{"\xff\xfe\x00\x00", 4, 4, 4, false},
		{"\x00\x00\x00\x3c", 4, 4, 0, true},
		{"\x3c\x00\x00\x00", 4, 4, 0, false},
		{"\x00\x3c\x00\x3f", 4, 2, 0, true},
		{"\x3c\x00\x3f\x00", 4, 2, 0, false},
		{"\xfe\xff", 2, 2, 2, true},
		{"\xff\xfe", 2, 2, 2, false},
		{"\xef\xbb\xbf", 3, 1, 3, false},
	};

	memset(u, 0, sizeof(*u));
	if (len >= 4 && memcmp(p, "\x4c\x6f\xa7\x94", 4) == 0)
		return -1;
	u->p = p;
	u->width = 1;
	u->n = len;
	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++)
		if (len >= forms[i].len &&
		    memcmp(p, forms[i].start, forms[i].len) == 0) {
			u->p = p + forms[i].skip;
			u->width = forms[i].width;
			u->be = forms[i].be;
			u->n = (len - forms[i].skip) / forms[i].width;
			break;
		}
	return 0;
}

/*
 * Whether libxml2 would read the document in the units the scan used: an
 * encoding declared in the XML declaration must be one in which ASCII
 * stays ASCII (UTF-7 or EBCDIC would hide markup from the scan).
 */
static bool
encoding_fits(const char *enc, unsigned width)
{
	static const char *const wide2[] = {"UTF-16", "UTF-16LE", "UTF-16BE",
	    "UTF16", "UCS-2", "ISO-10646-UCS-2", NULL};
	static const char *const wide4[] = {"UCS-4", "UCS4", "UTF-32",
	    "ISO-10646-UCS-4", NULL};
	static const char *const bytes[] = {"UTF-8", "UTF8", "US-ASCII",
	    "ASCII", "LATIN1", "ISO-LATIN-1", NULL};
	static const char *const families[] = {"ISO-8859-", "ISO8859-",
	    "ISO_8859-", "WINDOWS-125", "CP125", NULL};
	const char *const *list = width == 2 ? wide2 : width == 4 ? wide4 :
	    bytes;
	size_t k;

	for (; *list != NULL; list++)
		if (strcasecmp(enc, *list) == 0)
			return true;
	if (width != 1)
		return false;
	for (list = families; *list != NULL; list++) {
		k = strlen(*list);
		if (strncasecmp(enc, *list, k) == 0 && enc[k] >= '0' &&
		    enc[k] <= '9' && strspn(enc + k, "0123456789") ==
		    strlen(enc + k) && strlen(enc + k) <= 2)
			return true;
	}
	return false;
}

/* The encoding named by the XML declaration into enc ("" for none). */
static void
declared_encoding(const struct units *u, char *enc, size_t size)
{
	size_t i, end, k = 0;
	unsigned q;

	enc[0] = '\0';
	if (!units_at(u, 0, "<?xml") || u->n < 6 || !is_space(unit_at(u, 5)))
		return;
	end = units_find(u, 5, "?>");
	if (end == NPOS)
		return;
	for (i = 5; i + 8 <= end; i++) {
		if (!units_at(u, i, "encoding"))
			continue;
		for (i += 8; i < end && is_space(unit_at(u, i)); i++)
			;
		if (i >= end || unit_at(u, i) != '=')
			return;
		for (i++; i < end && is_space(unit_at(u, i)); i++)
			;
		if (i >= end || ((q = unit_at(u, i)) != '"' && q != '\''))
			return;
		for (i++; i < end && unit_at(u, i) != q && k + 1 < size; i++)
			enc[k++] = (char)unit_at(u, i);
		enc[k] = '\0';
		return;
	}
}

struct scan_counts {
	uint64_t elements, attrs, ns, texts;
	uint32_t children[DV_MAX_XML_DEPTH + 2];
};

/* "WHAT: line N: <before>LIMIT<after>", LIMIT from dv_limits.h. */
static int
scan_limit(const struct units *u, size_t at, const char *what,
    struct dv_error *err, const char *before, unsigned limit,
    const char *after)
{
	return dv_error_set(err, DV_ELIMIT, "%s: line %lu: %s%u%s", what,
	    line_of(u, at), before, limit, after);
}

/*
 * One start tag at units[i] ("<" and a name): count its attributes and
 * namespace declarations and measure their names and values.  *next is
 * past the tag, or NPOS when the tag is not well-formed; *empty tells
 * "<a/>" from "<a>".
 */
static int
scan_start_tag(const struct units *u, size_t i, struct scan_counts *sc,
    const char *what, size_t *next, bool *empty, struct dv_error *err)
{
	size_t k = i + 1, start;
	unsigned attrs = 0, ns = 0, q;
	bool is_ns;

	*next = NPOS;
	while (k < u->n && !ends_name(unit_at(u, k)))
		k++;
	if (k == i + 1)
		return 0;
	if (k - (i + 1) > DV_MAX_XML_NAME_BYTES)
		return scan_limit(u, i, what, err,
		    "element name longer than ", DV_MAX_XML_NAME_BYTES,
		    " characters");
	for (;;) {
		while (k < u->n && is_space(unit_at(u, k)))
			k++;
		if (k >= u->n)
			return 0;
		if (unit_at(u, k) == '>' || units_at(u, k, "/>")) {
			*empty = unit_at(u, k) == '/';
			*next = k + (*empty ? 2 : 1);
			return 0;
		}
		for (start = k; k < u->n && !ends_name(unit_at(u, k)); k++)
			;
		if (k == start)
			return 0;
		if (k - start > DV_MAX_XML_NAME_BYTES)
			return scan_limit(u, start, what, err,
			    "attribute name longer than ",
			    DV_MAX_XML_NAME_BYTES,
			    " characters");
		is_ns = units_at(u, start, "xmlns") && (k - start == 5 ||
		    unit_at(u, start + 5) == ':');
		while (k < u->n && is_space(unit_at(u, k)))
			k++;
		if (k >= u->n || unit_at(u, k) != '=')
			return 0;
		for (k++; k < u->n && is_space(unit_at(u, k)); k++)
			;
		if (k >= u->n || ((q = unit_at(u, k)) != '"' && q != '\''))
			return 0;
		for (start = ++k; k < u->n && unit_at(u, k) != q; k++)
			;
		if (k >= u->n)
			return 0;
		if (k - start > DV_MAX_XML_ATTR_BYTES)
			return scan_limit(u, start, what, err,
			    "attribute value longer than ",
			    DV_MAX_XML_ATTR_BYTES,
			    " characters");
		k++;
		if (++attrs > DV_MAX_XML_ATTRS)
			return scan_limit(u, i, what, err,
			    "an element with more than ", DV_MAX_XML_ATTRS,
			    " attributes");
		if (++sc->attrs > DV_MAX_XML_DOC_ATTRS)
			return scan_limit(u, i, what, err,
			    "more than ", DV_MAX_XML_DOC_ATTRS,
			    " attributes in the document");
		if (is_ns && ++ns > DV_MAX_XML_NS)
			return scan_limit(u, i, what, err,
			    "an element with more than ", DV_MAX_XML_NS,
			    " namespace declarations");
		if (is_ns && ++sc->ns > DV_MAX_XML_DOC_NS)
			return scan_limit(u, i, what, err,
			    "more than ", DV_MAX_XML_DOC_NS,
			    " namespace declarations in the document");
	}
}

/*
 * Count, in one pass and before libxml2 parses anything, everything whose
 * number or size makes libxml2's (or our) work grow faster than the
 * document: see dv_limits.h.  The scan reads a superset of XML's syntax;
 * where it meets something it cannot read, the document is not
 * well-formed there, and *checked says how many units libxml2 is given,
 * so that it reports that error without ever reading an unchecked rest.
 */
static int
prescan(const struct units *u, const char *what, size_t *checked,
    struct dv_error *err)
{
	struct scan_counts *sc = xcalloc(1, sizeof(*sc));
	size_t i = 0, k, at = NPOS;
	unsigned depth = 0;
	bool root_done = false, empty = false;
	int ret = 0;

	while (i < u->n) {
		if ((i & 0xfffff) == 0 && outdir_interrupted()) {
			ret = dv_error_set(err, DV_EINTR, "%s: interrupted; "
			    "nothing was written", what);
			goto out;
		}
		if (unit_at(u, i) != '<') {
			while (i < u->n && unit_at(u, i) != '<')
				i++;
			if (depth > 0 && ++sc->texts > DV_MAX_XML_TEXTS)
				goto texts;
			continue;
		}
		if (units_at(u, i, "<!--") || units_at(u, i, "<![CDATA[") ||
		    units_at(u, i, "<?")) {
			const char *close = units_at(u, i, "<!--") ? "-->" :
			    units_at(u, i, "<?") ? "?>" : "]]>";
			k = units_find(u, i + 2, close);
			if (k == NPOS)
				break;
			i = k + strlen(close);
			if (++sc->texts > DV_MAX_XML_TEXTS)
				goto texts;
			continue;
		}
		if (units_at(u, i, "<!")) {
			at = i; /* a DTD: libxml2 stops at its name */
			break;
		}
		if (units_at(u, i, "</")) {
			for (k = i + 2; k < u->n && !ends_name(unit_at(u, k));
			    k++)
				;
			while (k < u->n && is_space(unit_at(u, k)))
				k++;
			if (k >= u->n || unit_at(u, k) != '>' || depth == 0) {
				at = i;
				break;
			}
			sc->children[depth--] = 0;
			root_done = depth == 0;
			i = k + 1;
			continue;
		}
		if (root_done) {
			at = i; /* content after the root element */
			break;
		}
		if (++sc->elements > DV_MAX_XML_NODES) {
			ret = dv_error_set(err, DV_ELIMIT, "%s: more than %u "
			    "elements", what, DV_MAX_XML_NODES);
			goto out;
		}
		if (depth + 1 > DV_MAX_XML_DEPTH) {
			ret = dv_error_set(err, DV_ELIMIT, "%s: elements "
			    "nested deeper than %d", what, DV_MAX_XML_DEPTH);
			goto out;
		}
		if (++sc->children[depth] > DV_MAX_XML_CHILDREN) {
			ret = scan_limit(u, i, what, err,
			    "an element with more than ", DV_MAX_XML_CHILDREN,
			    " child elements");
			goto out;
		}
		if ((ret = scan_start_tag(u, i, sc, what, &k, &empty,
		    err)) != 0)
			goto out;
		if (k == NPOS) {
			at = i;
			break;
		}
		if (!empty)
			sc->children[++depth] = 0;
		else
			root_done = depth == 0;
		i = k;
	}
	*checked = at == NPOS || u->n - at <= SCAN_MARGIN ? u->n :
	    at + SCAN_MARGIN;
	goto out;
texts:
	ret = scan_limit(u, i, what, err,
	    "more than ", DV_MAX_XML_TEXTS,
	    " text nodes, comments and processing instructions");
out:
	free(sc);
	return ret;
}

/* Check the whole document before libxml2; *len becomes what it parses. */
static int
check_document(const char *data, size_t *len, const char *what,
    struct dv_error *err)
{
	struct units u;
	char enc[64];
	size_t checked = 0;
	int ret;

	if (units_detect((const unsigned char *)data, *len, &u) != 0)
		return dv_error_set(err, DV_EXML, "%s: in EBCDIC, which depot "
		    "files never are", what);
	declared_encoding(&u, enc, sizeof(enc));
	if (enc[0] != '\0' && !encoding_fits(enc, u.width))
		return dv_error_set(err, DV_EXML, "%s: declares the encoding "
		    "%s, which depot files never use (they are UTF-8)", what,
		    enc);
	if ((ret = prescan(&u, what, &checked, err)) != 0)
		return ret;
	*len = (size_t)(u.p - (const unsigned char *)data) +
	    checked * u.width;
	return 0;
}

/* ---- libxml2, watched -------------------------------------------------- */

/* Stop the parser when Ctrl-C was pressed, at the next element or text. */
static void
watch_interrupt(void *ctx)
{
	xmlParserCtxt *ctxt = ctx;
	struct xml_watch *w = ctxt->_private;

	if (outdir_interrupted() && !w->interrupted) {
		w->interrupted = true;
		xmlStopParser(ctxt);
	}
}

static void
watched_start(void *ctx, const xmlChar *localname, const xmlChar *prefix,
    const xmlChar *uri, int nb_namespaces, const xmlChar **namespaces,
    int nb_attributes, int nb_defaulted, const xmlChar **attributes)
{
	xmlSAX2StartElementNs(ctx, localname, prefix, uri, nb_namespaces,
	    namespaces, nb_attributes, nb_defaulted, attributes);
	watch_interrupt(ctx);
}

static void
watched_characters(void *ctx, const xmlChar *ch, int len)
{
	xmlSAX2Characters(ctx, ch, len);
	watch_interrupt(ctx);
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
	if (b->nodes % INTERRUPT_EVERY == 0 && outdir_interrupted())
		return dv_error_set(b->err, DV_EINTR,
		    "%s: interrupted; nothing was written", b->what);
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
	struct xml_watch watch = {false};
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
	if ((ret = check_document(data, &len, what, err)) != 0)
		return ret;
	ctxt = xmlNewParserCtxt();
	if (ctxt == NULL)
		return dv_error_set(err, DV_EXML, "%s: cannot set up parser",
		    what);
	ctxt->_private = &watch;
	ctxt->sax->internalSubset = refuse_subset;
	ctxt->sax->startElementNs = watched_start;
	ctxt->sax->characters = watched_characters;
	xd = xmlCtxtReadMemory(ctxt, data, (int)len, NULL, NULL, XML_OPTIONS);
	if (watch.interrupted) {
		ret = dv_error_set(err, DV_EINTR, "%s: interrupted; nothing "
		    "was written", what);
		goto out;
	}
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
