#!/usr/bin/env python3
# mkseeds.py - regenerate the seed corpora in testdata/fuzz/<target>/.
# SPDX-License-Identifier: BSD-2-Clause
"""Build every seed from the text fixtures and from hostile ideas.

usage: mkseeds.py MKZIP [OUTDIR]

MKZIP is build/fuzz-replay/mkzip (make fuzz-replay-bins builds it); OUTDIR
defaults to testdata/fuzz.  Seeds are named seed-* (grown from a fixture)
or hostile-* (an attack or a broken format); files found by fuzzing
(crash-*, leak-*, timeout-*, oom-*) are never touched.  Every depot zip
comes from tests/mkdepot.py with the payloads shrunk to 40 bytes; zips
built here go through mkzip (minizip.c), never through libzip.  Each seed
stays under 16 KB.  The output is the same on every run (and machine).
"""

import gzip
import hashlib
import io
import os
import re
import shutil
import struct
import subprocess
import sys
import tarfile
import tempfile
import zipfile
import zlib

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(TOP, "tests", "hostile"))
import mkarchive  # noqa: E402  (hand-built hostile zips)
SPECS = os.path.join(TOP, "testdata", "depots")
MKDEPOT = os.path.join(TOP, "tests", "mkdepot.py")
MAX_SEED = 16 * 1024

MKZIP = None
OUT = None
TMP = None
written = {}


def seed(target, name, data):
    """Write one seed; skip (and say so) one that is too big or repeated."""
    if isinstance(data, str):
        data = data.encode()
    if len(data) > MAX_SEED:
        print("mkseeds: skipped %s/%s: %d bytes" % (target, name, len(data)),
              file=sys.stderr)
        return
    h = hashlib.sha256(data).hexdigest()
    if (target, h) in written:
        return
    written[(target, h)] = name
    d = os.path.join(OUT, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def mkzip(members):
    """A stored zip written by minizip: members is [(name, bytes)]."""
    args = [MKZIP, os.path.join(TMP, "z.zip")]
    for i, (name, data) in enumerate(members):
        p = os.path.join(TMP, "m%d" % i)
        with open(p, "wb") as f:
            f.write(data if isinstance(data, bytes) else data.encode())
        args += [name, p]
    subprocess.run(args, check=True)
    with open(os.path.join(TMP, "z.zip"), "rb") as f:
        return f.read()


def pyzip(members, **kw):
    """A zip written by Python's zipfile (deflated unless told)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", kw.pop("compression", zipfile.ZIP_DEFLATED)) as z:
        for m in members:
            name, data = m[0], m[1]
            zi = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
            zi.compress_type = z.compression
            if len(m) > 2:
                zi.external_attr = m[2] << 16
                zi.create_system = 3
            with z.open(zi, "w", force_zip64=kw.get("zip64", False)) as w:
                w.write(data if isinstance(data, bytes) else data.encode())
    return buf.getvalue()


def members(zbytes):
    with zipfile.ZipFile(io.BytesIO(zbytes)) as z:
        return [(i.filename, z.read(i.filename)) for i in z.infolist()]


# ---- fixtures: the specs with payloads shrunk --------------------------

def shrunk_specs():
    """Copy the specs, payloads at 40 bytes, into TMP/specs."""
    d = os.path.join(TMP, "specs")
    os.makedirs(d)
    for name in sorted(os.listdir(SPECS)):
        if not name.endswith(".spec"):
            continue
        with open(os.path.join(SPECS, name)) as f:
            text = f.read()
        text = re.sub(r"^(payload\s*\+?=\s*\S+\s+\S+\s+)\d+", r"\g<1>40",
                      text, flags=re.M)
        text = re.sub(r"^(random\s*=\s*)\d+", r"\g<1>64", text, flags=re.M)
        if "[wrapper]" not in text:
            text += "\n[vib-defaults]\npayload-size = 40\n"
        with open(os.path.join(d, name), "w") as f:
            f.write(text)
    for extra in os.listdir(SPECS):
        if not extra.endswith(".spec") and \
                os.path.isfile(os.path.join(SPECS, extra)):
            shutil.copy(os.path.join(SPECS, extra), d)
    return d


def build(specdir, name, text=None):
    """Build a spec (or the text given, saved as name.spec) to bytes."""
    spec = os.path.join(specdir, name + ".spec")
    if text is not None:
        with open(spec, "w") as f:
            f.write(text)
    out = os.path.join(TMP, name + ".out")
    r = subprocess.run([sys.executable, MKDEPOT, spec, out],
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    if r.returncode != 0:
        print("mkseeds: %s: %s" % (name, r.stderr.decode().strip()),
              file=sys.stderr)
        return None
    with open(out, "rb") as f:
        return f.read()


def ar_members(data):
    """The members of an ar archive (enough for the fixtures' VIBs)."""
    out = []
    p = 8
    while p + 60 <= len(data):
        name = data[p:p + 16].decode("latin-1").strip()
        size = int(data[p + 48:p + 58].decode().strip() or 0)
        out.append((name.rstrip("/"), data[p + 60:p + 60 + size]))
        p += 60 + size + (size & 1)
    return out


def ar(members, magic=b"!<arch>\n"):
    """An ar archive; a member is (name, data[, raw size field])."""
    b = bytearray(magic)
    for m in members:
        name, data = m[0], m[1]
        size = m[2] if len(m) > 2 else str(len(data)).encode()
        hdr = (name.encode().ljust(16) + b"0".ljust(12) + b"0".ljust(6) +
               b"0".ljust(6) + b"100644".ljust(8) + size.ljust(10) + b"`\n")
        b += hdr[:60] + data
        if len(data) & 1:
            b += b"\n"
    return bytes(b)


def gz(data, mtime=0):
    return gzip.compress(data, mtime=mtime)


def zstd(data):
    """A zstd frame from the zstd tool, or a hand-made raw-block frame."""
    if shutil.which("zstd"):
        r = subprocess.run(["zstd", "-q", "-c", "-19"], input=data,
                           stdout=subprocess.PIPE)
        if r.returncode == 0:
            return r.stdout
    # Magic, frame header (single segment, 1-byte content size), one
    # last raw block.
    assert len(data) < 256
    return (b"\x28\xb5\x2f\xfd" + bytes([0x20, len(data)]) +
            struct.pack("<I", (len(data) << 3) | 1)[:3] + data)


def tar(entries, fmt=tarfile.GNU_FORMAT):
    """entries: [(name, data or None, kwargs for TarInfo)]."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=fmt) as t:
        for name, data, kw in entries:
            ti = tarfile.TarInfo(name)
            ti.mtime = 1577836800
            for k, v in kw.items():
                setattr(ti, k, v)
            if data is not None:
                ti.size = len(data)
                t.addfile(ti, io.BytesIO(data))
            else:
                t.addfile(ti)
    # tarfile pads to 10240-byte records; keep the two end blocks only.
    data = buf.getvalue()
    n = (len(data.rstrip(b"\0")) + 511) // 512 * 512
    return data[:n] + b"\0" * 1024


# ---- the targets --------------------------------------------------------

XML_SEL = {"vib": 0, "vib-depot": 1, "bulletin": 2, "profile": 3,
           "legacy": 4, "all": 5}

HOSTILE_XML = {
    "billion-laughs": '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol '
    '"lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">'
    '<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">'
    ']><vib><name>&lol4;</name><summary a="&lol4;"/></vib>',
    "external-entity-file": '<?xml version="1.0"?><!DOCTYPE v [<!ENTITY e '
    'SYSTEM "file:///etc/passwd">]><vib><name>&e;</name></vib>',
    "external-entity-url": '<!DOCTYPE v [<!ENTITY e SYSTEM '
    '"http://example.invalid/x">]><vib><name>&e;</name></vib>',
    "external-dtd": '<!DOCTYPE vib SYSTEM "http://example.invalid/vib.dtd">'
    '<vib/>',
    "dtd-after-comment": '<!-- x --><?pi x?>\n<!DOCTYPE vib [<!ELEMENT vib '
    'ANY>]><vib/>',
    "parameter-entity": '<!DOCTYPE x [<!ENTITY % p SYSTEM "file:///etc/'
    'passwd"> %p;]><x/>',
    "undefined-entity": '<vib><name>&nope;</name></vib>',
    "char-refs": '<vib><name>&#x41;&#66;&#x10FFFF;&amp;&lt;&gt;&quot;&apos;'
    '</name><version>1&#x0A;2</version></vib>',
    "bad-char-ref": '<vib><name>&#0;&#xD800;&#x110000;</name></vib>',
    "invalid-encoding": '<?xml version="1.0" encoding="x-no-such"?><vib/>',
    "latin1": '<?xml version="1.0" encoding="ISO-8859-1"?><vib><name>'
    '\xe9\xff</name></vib>',
    "bom-crlf": '\ufeff<?xml version="1.0"?>\r\n<vib>\r\n<name>a</name>\r\n'
    '</vib>\r\n',
    "cdata": '<vib><name><![CDATA[<x>&amp;]]]]><![CDATA[>]]></name></vib>',
    "unclosed": '<vib><name>a</vib>',
    "two-roots": '<vib/><vib/>',
    "text-only": 'just text',
    "empty-root": '<a/>',
    "attr-entity": '<vib version="&amp;&#x27;&lt;"><name>x</name></vib>',
    "namespaces": '<v:vib xmlns:v="urn:x"><v:name>n</v:name><name>m</name>'
    '</v:vib>',
    "dup-attrs": '<vib a="1" a="2"/>',
    "nul-in-text": '<vib><name>a\x00b</name></vib>',
    "invalid-utf8": b'<vib><name>\xc3\x28\xff\xfe\xed\xa0\x80</name></vib>',
    "xml11": '<?xml version="1.1"?><vib><name>&#x1;</name></vib>',
    "pi-and-comments": '<?xml version="1.0"?><?x y?><!--a--><vib><!--b-->'
    '<?z?><name>n<!--c-->m</name></vib><!--d-->',
}


def hostile_xml_docs():
    docs = dict(HOSTILE_XML)
    docs["deep-63"] = "<a>" * 63 + "</a>" * 63
    docs["deep-64"] = "<a>" * 64 + "</a>" * 64
    docs["deep-65"] = "<a>" * 65 + "</a>" * 65
    docs["deep-300"] = "<a>" * 300 + "</a>" * 300
    docs["utf16-billion-laughs"] = (
        '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE l [<!ENTITY a '
        '"aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c '
        '"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><vib><name>&c;</name></vib>'
    ).encode("utf-16")
    docs["utf16-vib"] = '<?xml version="1.0" encoding="UTF-16"?><vib><name>' \
        'x</name></vib>'.encode("utf-16")
    docs["many-attrs"] = "<vib " + " ".join('a%d="%d"' % (i, i)
                                            for i in range(600)) + "/>"
    docs["long-text"] = "<vib><name>" + "x" * 15000 + "</name></vib>"
    # The counts the scan before libxml2 bounds (dv_limits.h), just past
    # and just within each limit, and encodings that hide markup.
    docs["attrs-64"] = "<vib " + " ".join('a%d=""' % i for i in range(64)) + "/>"
    docs["attrs-65"] = "<vib " + " ".join('a%d=""' % i for i in range(65)) + "/>"
    docs["nsdecl-9"] = "<vib " + " ".join('xmlns:p%d="u"' % i
                                          for i in range(9)) + "/>"
    docs["nsdecl-33-doc"] = "<vib>" + '<x xmlns:p="u"/>' * 33 + "</vib>"
    docs["texts-comments"] = "<vib><name>" + " <!---->" * 1500 + "</name></vib>"
    docs["long-name"] = "<vib><%s/></vib>" % ("n" * 1025)
    docs["long-attr-name"] = '<vib %s=""/>' % ("n" * 1025)
    docs["utf16-attrs-65"] = ('<?xml version="1.0" encoding="UTF-16"?><vib ' +
                              " ".join('a%d=""' % i for i in range(65)) +
                              "/>").encode("utf-16")
    docs["encoding-utf7"] = '<?xml version="1.0" encoding="UTF-7"?><vib/>'
    docs["ebcdic"] = '<?xml version="1.0" encoding="IBM037"?><vib><name>x' \
        '</name></vib>'.encode("cp037")
    docs["content-after-root"] = "<vib/><vib " + " ".join(
        'a%d=""' % i for i in range(200)) + "/>"
    return docs


def xml_target(fixture_docs):
    for name, kind, data in fixture_docs:
        seed("fuzz_xml", "seed-%s-%s" % (kind, name),
             bytes([XML_SEL[kind]]) + data)
    for name, data in sorted(hostile_xml_docs().items()):
        if isinstance(data, str):
            data = data.encode()
        seed("fuzz_xml", "hostile-" + name, bytes([XML_SEL["all"]]) + data)
    ids = "".join("<vib><vib-id>V_bootbank_v%d_1.0</vib-id></vib>" % i
                  for i in range(250))
    seed("fuzz_xml", "hostile-profile-250-vibs", bytes([XML_SEL["profile"]]) +
         ("<imageprofile><name>p</name><creator>c</creator><viblist>%s"
          "</viblist><acceptancelevel>partner</acceptancelevel>"
          "</imageprofile>" % ids).encode())
    hostile_vib = (
        '<vib version="5.0"><type>bootbank</type><name>a\'b"c</name>'
        '<version>1.0-1;$(id)`x`</version><vendor>V\nW</vendor>'
        '<relative-path>../../etc/passwd</relative-path>'
        '<packed-size>18446744073709551616</packed-size>'
        '<release-date>2025-13-99T99:99:99+99:99</release-date>'
        '<relationships><depends><constraint name="x" relation="&lt;&lt;" '
        'version=""/><constraint name=""/></depends></relationships>'
        '<acceptance-level>gold</acceptance-level><payloads><payload '
        'name="0123456789abcdefXYZ" type="vgz" size="-1" '
        'uncompressed-size="99999999999999999999"><checksum '
        'checksum-type="sha-256">zz</checksum></payload></payloads></vib>')
    for kind in ("vib", "vib-depot"):
        seed("fuzz_xml", "hostile-fields-" + kind,
             bytes([XML_SEL[kind]]) + hostile_vib.encode())


def index_target(fixture_index):
    for name, which, data in fixture_index:
        seed("fuzz_index", "seed-%s-%s" % (which, name),
             bytes([0 if which == "index" else 1]) + data)
    vendor = ("<vendor><name>%s</name><code>%s</code><indexfile>%s"
              "</indexfile><relativePath>%s</relativePath></vendor>")
    cases = {
        "escape-relative-path": vendor % ("V", "V", "vendor-index.xml",
                                          "../../etc"),
        "absolute-indexfile": vendor % ("V", "V", "/etc/passwd", ""),
        "backslash": vendor % ("V", "V", "vendor-index.xml", "a\\..\\.."),
        "drive-letter": vendor % ("V", "V", "C:\\x.xml", ""),
        "self-reference": vendor % ("V", "V", "index.xml", ""),
        "other-folder": vendor % ("V", "V", "vendor-index.xml", "vmw/"),
        "dot-components": vendor % ("V", "V", "./vendor-index.xml", "./././"),
        "url-indexfile": vendor % ("V", "V", "http://example.invalid/v.xml",
                                   ""),
        "missing-fields": "<vendor><name>V</name></vendor>",
        "empty-fields": vendor % ("", "", "", ""),
        "control-chars": vendor % ("V&#x9;", "V", "vendor-index.xml\n", ""),
        "dup-vendors": (vendor % ("V", "V", "vendor-index.xml", "")) * 2 +
        vendor % ("W", "W", "vendor-index.xml", "vmw"),
        "many-vendors": "".join(vendor % ("V%d" % i, "C", "vendor-index.xml",
                                          "") for i in range(120)),
        "deep-path": vendor % ("V", "V", "vendor-index.xml", "a/" * 400),
    }
    for name, body in sorted(cases.items()):
        seed("fuzz_index", "hostile-index-" + name,
             b"\x00<vendorList>" + body.encode() + b"</vendorList>")
    meta = ("<metadata><productId>%s</productId><version>%s</version>"
            "<locale></locale><url>%s</url></metadata>")
    vcases = {
        "escape-url": meta % ("embeddedEsx", "8.0", "../../metadata.zip"),
        "absolute-url": meta % ("embeddedEsx", "8.0", "/metadata.zip"),
        "remote-url": meta % ("embeddedEsx", "8.0",
                              "https://example.invalid/m.zip"),
        "not-a-zip": meta % ("embeddedEsx", "8.0", "index.xml"),
        "self-reference": meta % ("embeddedEsx", "8.0", "vendor-index.xml"),
        "missing-zip": meta % ("embeddedEsx", "8.0", "nowhere.zip"),
        "other-folder": meta % ("embeddedEsx", "8.0", "vmw/metadata.zip"),
        "one-url-two-platforms": meta % ("embeddedEsx", "8.0", "metadata.zip")
        + meta % ("esxio", "8.0", "metadata.zip"),
        "many-metadata": "".join(meta % ("p%d" % i, "8.0", "metadata.zip")
                                 for i in range(120)),
        "vib-as-metadata": meta % ("embeddedEsx", "8.0", "vib20/ne1000/"
                                   "VMW_bootbank_ne1000_0.9.2-1vmw.803.0.0."
                                   "24022510.vib"),
        "missing-fields": "<metadata><url>metadata.zip</url></metadata>",
    }
    for name, body in sorted(vcases.items()):
        seed("fuzz_index", "hostile-vendor-index-" + name,
             b"\x01<metaList>" + body.encode() + b"</metaList>")
    for name, data in sorted(hostile_xml_docs().items()):
        if name.startswith(("billion", "external", "utf16", "deep-300")):
            if isinstance(data, str):
                data = data.encode()
            seed("fuzz_index", "hostile-xml-" + name, b"\x02" + data)


META_KIND = {"vibs": 0, "bulletins": 1, "profiles": 2, "vmware.xml": 3}


def records(flags, docs):
    """fuzz_metadata's input: flags, then kind byte + document, NUL-split."""
    return bytes([flags]) + b"\0".join(bytes([k]) + d for k, d in docs)


def metadata_target(metas):
    for name, docs in metas:
        plain = [(META_KIND[k], d) for k, d in docs if k != "vmware.xml"]
        legacy = [(META_KIND[k], d) for k, d in docs if k == "vmware.xml"]
        seed("fuzz_metadata", "seed-" + name, records(0, plain))
        if legacy:
            seed("fuzz_metadata", "seed-legacy-" + name, records(0, legacy))
            both = [plain[0]] + legacy if plain else legacy
            seed("fuzz_metadata", "seed-crosscheck-" + name,
                 records(0, both))
    vib = ('<vib version="5.0"><type>bootbank</type><name>%s</name><version>'
           '%s</version><vendor>VMW</vendor><relative-path>%s'
           '</relative-path><packed-size>%s</packed-size><acceptance-level>'
           'partner</acceptance-level><payloads/></vib>')
    prof = ('<imageprofile><name>%s</name><creator>c</creator><profileID>%s'
            '</profileID><serialno>%s</serialno><viblist>%s</viblist>'
            '<acceptancelevel>partner</acceptancelevel></imageprofile>')
    vid = "<vib><vib-id>%s</vib-id></vib>"
    ne = "VMW_bootbank_ne1000_0.9.2-1vmw.803.0.0.24022510"
    cases = {
        "dup-vib-ids-differ": [(0, vib % ("ne1000", "0.9.2-1vmw.803.0.0."
                                          "24022510", "a.vib", "1")),
                               (0, vib % ("ne1000", "0.9.2-1vmw.803.0.0."
                                          "24022510", "b.vib", "2"))],
        "dup-profile-names": [(2, prof % ("P", "id1", "1", vid % ne)),
                              (2, prof % ("P", "id2", "1", vid % ne))],
        "profile-serials": [(2, prof % ("P", "id1", "1", vid % ne)),
                            (2, prof % ("Q", "id1", "2", vid % ne)),
                            (2, prof % ("R", "id1", "2", ""))],
        "profile-missing-vibs": [(2, prof % ("P", "id", "1", "".join(
            vid % ("V_bootbank_x%d_1" % i) for i in range(200))))],
        "relative-path-escape": [(0, vib % ("x", "1", "../../etc/passwd",
                                            "1"))],
        "relative-path-remote": [(0, vib % ("x", "1", "http://e.invalid/x.vib",
                                            "1"))],
        "relative-path-absolute": [(0, vib % ("x", "1", "/x.vib", "1"))],
        "vmware-xml-disagrees": [(0, vib % ("ne1000", "0.9.2-1vmw.803.0.0."
                                            "24022510", "x.vib", "8")),
                                 (3, "<vibList>" + vib % (
                                     "ne1000", "0.9.2-1vmw.803.0.0.24022510",
                                     "x.vib", "9") + "</vibList>")],
        "versions": [(0, vib % ("v", ver, "v%d.vib" % i, "1"))
                     for i, ver in enumerate(["1.0-1", "1.0-01", "1.0.0-1",
                                              "1.a-1", "-1", "1-", "1..0-1",
                                              "99999999999999999999-1",
                                              "1.0-1.2.3.4.5.6.7.8.9"])],
        "bulletin-many-vibs": [(1, "<bulletin><id>b</id><vibList>" + "".join(
            "<vibID>V_bootbank_v%d_1</vibID>" % i for i in range(400)) +
            "</vibList></bulletin>")],
    }
    for name, docs in sorted(cases.items()):
        seed("fuzz_metadata", "hostile-" + name,
             records(1, [(k, d.encode()) for k, d in docs]))


def patch_cd_size(z, member, size):
    """Make the central directory lie about one member's size."""
    b = bytearray(z)
    i = b.find(b"PK\x01\x02")
    while i >= 0:
        n = struct.unpack_from("<H", b, i + 28)[0]
        if b[i + 46:i + 46 + n] == member.encode():
            struct.pack_into("<I", b, i + 24, size)
        i = b.find(b"PK\x01\x02", i + 4)
    return bytes(b)


def depot_members_stored(zbytes):
    """The depot's members, the metadata zip rebuilt stored by mkzip."""
    out = []
    for name, data in members(zbytes):
        if name.endswith("metadata.zip"):
            data = mkzip(members(data))
        out.append((name, data))
    return out


TINY_SPEC = """# tiny: two VIBs, two components, one profile, no vmware.xml
[depot]
layout = vmware
seed = tiny
zip-date = 2025-04-10 00:00:00
vmware-xml = no
vib-compression = stored

[vendor VMware]
code = VMW
metadata = embeddedEsx 8.0 metadata.zip

[vib-defaults]
vendor = VMware
platform = 8.0 embeddedEsx
payload-size = 40
checksums = sha256-gunzip sha256

[vibs]
esx-base  8.0.3-0.55.24677879
ne1000    0.9.2-1vmw.803.0.0.24022510  acceptance=partner

[components]
ESXi          8.0.3-0.55.24677879          esx-base
Intel-ne1000  0.9.2-1vmw.803.0.0.24022510  ne1000

[profile-defaults]
creator = VMware, Inc.
acceptance = partner

[profile ESXi-8.0U3e-standard]
vibs = *
bulletins = *
"""


def depot_target(depots, specdir):
    # The err-* and dup-* fixtures differ in one document: fuzz_metadata
    # has those documents; here the zip around them is what matters.
    for name, z in depots:
        if not name.startswith(("err-", "dup-")):
            seed("fuzz_depot_zip", "seed-" + name, z)
    mini = dict(depots)["tiny"]
    stored = depot_members_stored(mini)
    seed("fuzz_depot_zip", "seed-tiny-stored", mkzip(stored))
    # Keep the VIBs out where only the metadata matters, to stay small.
    meta_only = [m for m in stored if not m[0].endswith(".vib")]
    z = mkzip(meta_only)
    seed("fuzz_depot_zip", "hostile-missing-vibs", z)
    seed("fuzz_depot_zip", "hostile-truncated-half", mini[:len(mini) // 2])
    seed("fuzz_depot_zip", "hostile-truncated-end", mini[:-10])
    seed("fuzz_depot_zip", "hostile-no-eocd", mini[:mini.rfind(b"PK\x05\x06")])
    seed("fuzz_depot_zip", "hostile-cd-size-lies",
         patch_cd_size(mini, "index.xml", 0xfffffff0))
    seed("fuzz_depot_zip", "hostile-cd-size-small",
         patch_cd_size(mini, "metadata.zip", 10))
    b = bytearray(mkzip(meta_only))
    i = b.find(b"<vendorList>")
    b[i + 1] ^= 0x20
    seed("fuzz_depot_zip", "hostile-crc-mismatch", bytes(b))
    b = bytearray(mkzip(meta_only))
    i = b.find(b"index.xml")
    b[i] = ord("I")  # the local header's name only
    seed("fuzz_depot_zip", "hostile-local-header-name", bytes(b))
    seed("fuzz_depot_zip", "hostile-dup-index",
         mkzip(meta_only + [("index.xml", b"<vendorList/>")]))
    seed("fuzz_depot_zip", "hostile-zip64",
         pyzip([(n, d) for n, d in meta_only], zip64=True))
    seed("fuzz_depot_zip", "hostile-symlink-index",
         pyzip([("index.xml", "vendor-index.xml", 0o120777)] +
               [m for m in meta_only if m[0] != "index.xml"]))
    # Zips no honest writer makes, by tests/hostile/mkarchive.py.
    good = pyzip(meta_only)
    seed("fuzz_depot_zip", "hostile-overlap-nested",
         mkarchive.overlapped(good, 3, 0, "nested"))
    seed("fuzz_depot_zip", "hostile-overlap-quoted",
         mkarchive.overlapped(good, 3, 1, "quoted"))
    for case in ("encrypted-trad", "encrypted-aes", "zip64-locator-wrong",
                 "zip64-offset-past-end", "stored-past-end"):
        seed("fuzz_depot_zip", "hostile-" + case,
             mkarchive.case_bytes(case, good))
    seed("fuzz_depot_zip", "hostile-empty-zip", b"PK\x05\x06" + b"\0" * 18)
    seed("fuzz_depot_zip", "hostile-empty-file", b"")
    seed("fuzz_depot_zip", "hostile-dir-entries",
         mkzip([("vib20/", b""), ("metadata.zip/", b"")] + meta_only))
    bomb = b"<vendorList>" + b" " * (8 << 20) + b"</vendorList>"
    seed("fuzz_depot_zip", "hostile-index-bomb",
         pyzip([("index.xml", bomb)] +
               [m for m in meta_only if m[0] != "index.xml"]))
    # Metadata whose VIB escapes, and a metadata zip naming itself.
    md = dict(members(dict(meta_only)["metadata.zip"]))
    for k in list(md):
        if k.startswith("vibs/"):
            md[k] = re.sub(rb"<relative-path>[^<]*", b"<relative-path>"
                           b"../../etc/passwd", md[k])
    esc = [(n, mkzip(sorted(md.items())) if n == "metadata.zip" else d)
           for n, d in meta_only]
    seed("fuzz_depot_zip", "hostile-relative-path-escape", mkzip(esc))
    md2 = dict(members(dict(meta_only)["metadata.zip"]))
    md2["vendor-index.xml"] = md2["vendor-index.xml"].replace(
        b"metadata.zip", b"metadata.zip/../metadata.zip")
    seed("fuzz_depot_zip", "hostile-metadata-self",
         mkzip([(n, mkzip(sorted(md2.items())) if n == "metadata.zip" else
                 d) for n, d in meta_only]))
    # A vendor package (not a depot) and a 42.zip-style nest.
    seed("fuzz_depot_zip", "hostile-wrapper",
         mkzip([("pkg/depot.zip", mini), ("pkg/README.txt", b"x")]))
    inner = mkzip(meta_only)
    for i in range(12):
        inner = mkzip([("nest-%d.zip" % i, inner)])
    seed("fuzz_depot_zip", "hostile-nest-12", inner)


def vib_target(vibs):
    for name, data in vibs:
        seed("fuzz_vib", "seed-" + name, data)
    desc, sig, payloads = None, b"", []
    for name, data in vibs:
        ms = ar_members(data)
        if len(ms) >= 3:
            desc = ms[0][1]
            payloads = ms[2:]
            break
    assert desc is not None
    pl = payloads[0][1]
    raw = b"x" * 40
    cases = {
        "magic-only": b"!<arch>\n",
        "bad-magic": b"!<arch>X" + ar([("descriptor.xml", desc)])[8:],
        "empty": b"",
        "size-overflow": ar([("descriptor.xml", desc, b"9999999999")]),
        "size-negative": ar([("descriptor.xml", desc, b"-1")]),
        "size-hex": ar([("descriptor.xml", desc, b"0x10")]),
        "size-spaces": ar([("descriptor.xml", desc, b" 1 2")]),
        "size-past-end": ar([("descriptor.xml", desc), ("sig.pkcs7", sig),
                             ("p", pl, b"99999")]),
        "no-sig": ar([("descriptor.xml", desc)] + payloads),
        "sig-first": ar([("sig.pkcs7", sig), ("descriptor.xml", desc)] +
                        payloads),
        "gnu-names": ar([("descriptor.xml/", desc), ("sig.pkcs7/", sig)] +
                        [(n + "/", d) for n, d in payloads]),
        "gnu-long-names": ar([("//", b"a-very-long-payload-name/\n"),
                              ("descriptor.xml", desc), ("sig.pkcs7", sig),
                              ("/0", pl)]),
        "long-name-bad-offset": ar([("descriptor.xml", desc),
                                    ("sig.pkcs7", sig), ("/99999", pl)]),
        "odd-no-pad": b"!<arch>\n" + ar([("descriptor.xml", desc + b" ")])[8:]
        .rstrip(b"\n"),
        "truncated-header": ar([("descriptor.xml", desc)])[:40],
        "gzip-never-ends": ar([("descriptor.xml", desc), ("sig.pkcs7", sig),
                               ("p", zlib.compressobj(9, zlib.DEFLATED, 31)
                                .compress(b"\0" * (4 << 20)))]),
        "gzip-bomb": ar([("descriptor.xml", desc), ("sig.pkcs7", sig),
                         ("p", gz(b"\0" * (8 << 20)))]),
        "gzip-bad-crc": ar([("descriptor.xml", desc), ("sig.pkcs7", sig),
                            ("p", gz(raw)[:-8] + b"\0" * 8)]),
        "gzip-trailing": ar([("descriptor.xml", desc), ("sig.pkcs7", sig),
                             ("p", gz(raw) + b"junk")]),
        "gzip-two-members": ar([("descriptor.xml", desc), ("sig.pkcs7", sig),
                                ("p", gz(raw) + gz(raw))]),
        "gzip-zstd": ar([("descriptor.xml", desc), ("sig.pkcs7", sig),
                         ("p", gz(zstd(raw)))]),
        "zstd-bare": ar([("descriptor.xml", desc), ("sig.pkcs7", sig),
                         ("p", zstd(raw))]),
        "garbage-sig": ar([("descriptor.xml", desc), ("sig.pkcs7",
                           b"-----BEGIN PKCS7-----\nAAAA\n-----END PKCS7-----"
                           b"\n")] + payloads),
        "truncated-pem": ar([("descriptor.xml", desc), ("sig.pkcs7",
                             b"-----BEGIN PKCS7-----\nMIIB")] + payloads),
        "many-members": ar([("descriptor.xml", desc), ("sig.pkcs7", sig)] +
                           [("p%d" % i, b"") for i in range(180)]),
        "descriptor-dtd": ar([("descriptor.xml", HOSTILE_XML["billion-laughs"]
                               .encode()), ("sig.pkcs7", sig)] + payloads),
        "dup-payload": ar([("descriptor.xml", desc), ("sig.pkcs7", sig)] +
                          payloads + payloads),
        "trailing-bytes": ar([("descriptor.xml", desc), ("sig.pkcs7", sig)] +
                             payloads) + b"x",
    }
    for name, data in sorted(cases.items()):
        seed("fuzz_vib", "hostile-" + name, data)


def tar_target():
    files = [("a/", None, {"type": tarfile.DIRTYPE}),
             ("a/file.txt", b"hello\n", {}),
             ("a/link", None, {"type": tarfile.SYMTYPE, "linkname": "file.txt"}),
             ("a/hard", None, {"type": tarfile.LNKTYPE,
                               "linkname": "a/file.txt"}),
             ("a/dev", None, {"type": tarfile.CHRTYPE, "devmajor": 1,
                              "devminor": 3}),
             ("a/fifo", None, {"type": tarfile.FIFOTYPE})]
    plain = tar(files)
    cases = {
        "gnu": plain,
        "ustar": tar(files[:2], tarfile.USTAR_FORMAT),
        "pax": tar(files[:2] + [("p/" + "n" * 300, b"x", {})],
                   tarfile.PAX_FORMAT),
        "gnu-longname": tar([("l/" + "n" * 300, b"x", {}),
                             ("k", None, {"type": tarfile.SYMTYPE,
                                          "linkname": "t" * 200})]),
        "escape": tar([("../../x", b"x", {}), ("/abs", b"y", {}),
                       ("a\\..\\..\\x", b"z", {}), ("./././x", b"w", {})]),
        "symlink-then-file": tar([("d", None, {"type": tarfile.SYMTYPE,
                                              "linkname": "/tmp"}),
                                  ("d/x", b"x", {})]),
        "control-names": tar([("a\nb", b"x", {}), ("\x1b[31m", b"y", {})]),
        "pax-path-max": tar([("x" * 5000, b"x", {})], tarfile.PAX_FORMAT),
        "empty": b"\0" * 1024,
        "truncated": plain[:700],
        "v7": tar(files[:2], tarfile.USTAR_FORMAT)[:512].replace(
            b"ustar\x0000", b"\0" * 8),
    }
    big = bytearray(tar([("big", b"x" * 10, {})]))
    big[124:136] = b"\x80" + b"\0" * 3 + b"\xff" * 8  # base-256 size
    cases["size-base256"] = bytes(big)
    neg = bytearray(tar([("neg", b"x" * 10, {})]))
    neg[124:136] = b"\xff" * 12
    cases["size-negative"] = bytes(neg)
    for name, data in sorted(cases.items()):
        kind = "seed" if name in ("gnu", "ustar", "pax") else "hostile"
        seed("fuzz_tar", "%s-tar-%s" % (kind, name), b"\x00" + data)
        seed("fuzz_tar", "%s-tarsrc-%s" % (kind, name), b"\x01" + data)
        seed("fuzz_tar", "%s-targz-%s" % (kind, name), b"\x00" + gz(data))
    raw = b"payload bytes " * 20
    gcases = {
        "seed-gzip": gz(raw),
        "seed-gzip-empty": gz(b""),
        "hostile-gzip-never-ends": zlib.compressobj(9, zlib.DEFLATED, 31)
        .compress(b"\0" * (4 << 20)),
        "hostile-gzip-truncated": gz(raw)[:20],
        "hostile-gzip-bad-crc": gz(raw)[:-8] + b"\0" * 8,
        "hostile-gzip-two-members": gz(raw) + gz(raw),
        "hostile-gzip-trailing": gz(raw) + b"garbage",
        "hostile-gzip-bomb": gz(b"\0" * (8 << 20)),
        "hostile-gzip-header-flags": b"\x1f\x8b\x08\x1f" + b"\0" * 6 +
        b"\xff\xff" + b"x" * 20,
    }
    for name, data in sorted(gcases.items()):
        seed("fuzz_tar", name, b"\x02" + data)
    zcases = {
        "seed-zstd": zstd(raw),
        "seed-zstd-empty": zstd(b""),
        "hostile-zstd-truncated": zstd(raw)[:9],
        "hostile-zstd-skippable": b"\x50\x2a\x4d\x18\x04\0\0\0abcd" +
        zstd(raw),
        "hostile-zstd-bomb": zstd(b"\0" * (8 << 20)),
    }
    for name, data in sorted(zcases.items()):
        seed("fuzz_tar", name, b"\x03" + data)


def script_target():
    def fields(*f):
        out = b""
        for x in f:
            if isinstance(x, int):
                out += bytes([x])
            else:
                out += (x.encode() if isinstance(x, str) else x) + b"\0"
        return out
    hostile = ["it's", "'; rm -rf / #", "$(touch /tmp/pwned)", "`id`",
               "a\nb", "back\\slash", '"dq"', "$HOME ${PATH}", "-n", "*",
               "'\\''", "\xff\xfe", "\\\n", "}", "steps() {", "#x", ""]
    cases = {
        "seed-empty": b"",
        "seed-simple": fields("datastore1", "esxstage", 2,
                              0, "depot.zip", 1 | (4 << 1), "ESXi-standard",
                              1, "8.0", 2, "esx-base 8.0.3", "tools 12.5",
                              3, "vib.vib", 0, 2, "7.0", "8.0", 1, "x 1"),
        "seed-all-kinds": fields("ds", "dir", 5,
                                 0, "p.zip", 1, "prof", 0, 0,
                                 1, "c.zip", 2, 0, 1, "c 1",
                                 2, "d.zip", 0x10, 1, "6.*", 0,
                                 3, "v.vib", 6, 0, 1, "v 1",
                                 4, "fw.bin", 0, "MT_0000000001", "20.1.1000",
                                 0, 0),
    }
    for i, h in enumerate(hostile):
        cases["hostile-quote-%02d" % i] = fields(h, h, 2, 0, h, 1, h, 1, h,
                                                 2, h, h, 4, h, 0, h, h)
    # Then the release the fit checks used and --force's warnings.
    cases["seed-warnings"] = fields("ds", "dir", 1, 2, "c.zip", 0, 0, 0,
                                    "8.0.3", 3, "c.zip: is for ESXi 9.0",
                                    "it's $(id) `x`", "a\nb'")
    for name, data in sorted(cases.items()):
        seed("fuzz_script", name, data)


def package_target(specdir, depots):
    for name in ("wrapper-fling", "wrapper-nested", "wrapper-mft",
                 "wrapper-nmst", "wrapper-hpe-cp", "wrapper-expanded",
                 "wrapper-twice", "intel-nvm-linux", "intel-nvm-efi",
                 "nest8", "nest10", "wrapper-intel"):
        z = build(specdir, name)
        if z is not None:
            seed("fuzz_package", "seed-" + name, z)
    for name, z in depots:
        if name in ("mini8", "vib2zip", "component7"):
            seed("fuzz_package", "seed-depot-" + name, z)
    hostile = {
        "escape-zip": "[wrapper]\n[member ../../x]\ntext = x\n",
        "absolute-zip": "[wrapper]\n[member /abs]\ntext = x\n",
        "drive-zip": "[wrapper]\n[member C:\\x]\ntext = x\n",
        "backslash-zip": "[wrapper]\n[member a\\..\\..\\x]\ntext = x\n",
        "dots-zip": "[wrapper]\n[member ./././x]\ntext = x\n",
        "symlink-then-file-tar": "[wrapper]\nformat = tar\n[member d]\n"
        "type = symlink\ntarget = /tmp\n[member d/x]\ntext = x\n",
        "hardlink-tar": "[wrapper]\nformat = tar\n[member a]\ntext = x\n"
        "[member b]\ntype = hardlink\ntarget = a\n",
        "device-tar": "[wrapper]\nformat = tar.gz\n[member dev]\n"
        "type = device\n",
        "fifo-zip": "[wrapper]\n[member f]\ntype = fifo\n",
        "symlink-zip": "[wrapper]\n[member l]\ntype = symlink\n"
        "target = ../../etc/passwd\n",
        "newline-name": "[wrapper]\n[member a\\x0ab]\nname-escapes = yes\n"
        "text = x\n",
        "nul-name": "[wrapper]\n[member a\\x00b]\nname-escapes = yes\n"
        "text = x\n",
        "bad-utf8-name": "[wrapper]\n[member \\xff\\xfe]\nname-escapes = yes\n"
        "text = x\n",
        "long-name": "[wrapper]\nformat = tar\n[member %s]\ntext = x\n" %
        ("d/" * 2100 + "x"),
        "bare-vib-in-tar": "[wrapper]\nformat = tar.gz\n[member x.vib]\n"
        "vib = mini8.spec ne1000\n",
    }
    for name, text in sorted(hostile.items()):
        z = build(specdir, "h-" + name, text)
        if z is not None:
            seed("fuzz_package", "hostile-" + name, z)
    mini = dict(depots)["tiny"]
    for n, d in members(mini):
        if n.endswith(".vib"):
            seed("fuzz_package", "seed-bare-vib", d)
            break
    seed("fuzz_package", "hostile-dup-names",
         mkzip([("a.txt", b"1"), ("a.txt", b"2"), ("A.TXT", b"3")]))
    seed("fuzz_package", "hostile-gzip-never-ends",
         zlib.compressobj(9, zlib.DEFLATED, 31).compress(b"\0" * (4 << 20)))
    seed("fuzz_package", "hostile-targz-bomb",
         gz(tar([("zeros", b"\0" * (8 << 20), {})])))


def main():
    global MKZIP, OUT, TMP
    if len(sys.argv) not in (2, 3):
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        sys.exit(2)
    MKZIP = os.path.abspath(sys.argv[1])
    OUT = os.path.abspath(sys.argv[2] if len(sys.argv) == 3 else
                          os.path.join(TOP, "testdata", "fuzz"))
    # mkdepot.py seeds random= members with the spec's absolute path, so
    # the specs go to the same place on every run.
    TMP = os.path.join(tempfile.gettempdir(), "esxstage-mkseeds")
    shutil.rmtree(TMP, ignore_errors=True)
    os.makedirs(TMP)
    try:
        for t in os.listdir(OUT) if os.path.isdir(OUT) else []:
            for f in os.listdir(os.path.join(OUT, t)):
                if f.startswith(("seed-", "hostile-")):
                    os.unlink(os.path.join(OUT, t, f))
        specdir = shrunk_specs()
        depots = [("tiny", build(specdir, "tiny", TINY_SPEC))]
        for name in ("mini8", "component7", "esxi6-bundle", "vib2zip",
                     "multi-vendor", "dup-profiles", "dup-vibs",
                     "err-bad-acceptance", "err-bad-date",
                     "err-missing-vib", "err-missing-metadata",
                     "err-bad-vib-xml", "mft-depot", "hpe-cp-depot"):
            z = build(specdir, name)
            if z is not None:
                depots.append((name, z))
        docs, index, vibs, metas = [], [], [], []
        for name, z in depots:
            for mname, data in members(z):
                if mname == "index.xml":
                    index.append((name, "index", data))
                elif mname.endswith("vendor-index.xml"):
                    index.append((name, "vendor-index", data))
                elif mname.endswith(".vib"):
                    short = os.path.basename(mname)[:-4].split("_")
                    vibs.append((name + "-" + short[min(2, len(short) - 1)],
                                 data))
                    ms = ar_members(data)
                    if ms and ms[0][0] == "descriptor.xml":
                        docs.append((name + "-" + str(len(vibs)), "vib",
                                     ms[0][1]))
                elif mname.endswith("metadata.zip"):
                    md = []
                    for n, d in members(data):
                        top = n.split("/")[0]
                        if top in META_KIND and (top == "vmware.xml" or
                                                 "/" in n):
                            md.append((top, d))
                    metas.append((name, md))
                    for n, d in members(data):
                        base = os.path.basename(n)[:40]
                        if n.startswith("vibs/"):
                            docs.append((name + "-" + base, "vib-depot", d))
                        elif n.startswith("bulletins/"):
                            docs.append((name + "-" + base, "bulletin", d))
                        elif n.startswith("profiles/"):
                            docs.append((name + "-" + base, "profile", d))
                        elif n == "vmware.xml":
                            docs.append((name, "legacy", d))
        xml_target(docs)
        index_target(index)
        metadata_target(metas)
        depot_target(depots, specdir)
        vib_target(vibs)
        tar_target()
        script_target()
        package_target(specdir, depots)
    finally:
        shutil.rmtree(TMP)
    total = 0
    for t in sorted(os.listdir(OUT)):
        fs = os.listdir(os.path.join(OUT, t))
        size = sum(os.path.getsize(os.path.join(OUT, t, f)) for f in fs)
        total += size
        print("%-16s %4d files %8d bytes" % (t, len(fs), size))
    print("%-16s %4s       %8d bytes" % ("total", "", total))


if __name__ == "__main__":
    main()
