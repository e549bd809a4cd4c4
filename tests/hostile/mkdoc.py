#!/usr/bin/env python3
"""mkdoc.py - hostile XML documents, profiles and signatures inside depots.

Python standard library only (plus the openssl CLI for signatures).  It
builds depots with tests/mkdepot.py's own functions, swapping one of its
renderers (or its signer) for a hostile one, so that the depot around the
hostile document stays consistent: every size and SHA-256 in the metadata
matches, and only the hostile part can make the reader fail.  Nothing
here is shared with the C reader.

usage:
  mkdoc.py doc SPEC OUT PLACE KIND [--target T] [--file F] [--url U]
                                   [--replace FROM TO]
                                   [--count N] [--utf16] [--encoding E]
      PLACE  index | vendor-index | vib | bulletin | profile | descriptor
             (inside a depot), or vibfile (OUT is the target's bare .vib)
      KIND   laughs | laughs16 (UTF-16, past any byte-level prolog scan)
             xxe-file | xxe-file16 (an external entity naming --file)
             xxe-url (an external DTD and entity at --url)
             dtd (an internal subset that declares a default attribute)
             xinclude (an XInclude element naming --file)
             bigtext (a 100 MiB text node) | deep (100,000 levels)
             deep-limit (70 levels: past the reader's own limit only)
             bad-encoding (an encoding no one has) | bom | crlf | bom-crlf
             replace (the target document with FROM replaced by TO)
             attrs | nsdecl | children | texts | longvalue | longname |
             longattrname | manyattrs | manyns: --count N of that shape
             (N attributes on one element, N bytes of a value, ...)
             declared (an XML declaration naming --encoding E)
             ebcdic (the document in EBCDIC, code page 037)
      --utf16 writes the hostile document in UTF-16 with a declaration
  mkdoc.py profile SPEC OUT N      the -standard profile names N VIB ids:
                                   the depot's own, then made-up ones
  mkdoc.py sig SPEC OUT MODE KEYS  the ne1000 VIB signed the MODE way,
                                   with keys from tests/mkkeys.sh in KEYS
  mkdoc.py crl KEYS OUT CERT...    a CRL by KEYS/ca revoking each CERT
  mkdoc.py listen PORTFILE LOG     accept TCP connections on 127.0.0.1
                                   (port written to PORTFILE), logging
                                   each to LOG; exits after 120 s
  mkdoc.py measure OUT CMD...      run CMD; write "SECONDS MAXRSS_KB" to
                                   OUT; exit with CMD's status
"""

import os
import re
import resource
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
import mkdepot  # noqa: E402  (the fixture generator: same tree, no C code)

MIB = 1 << 20
DECL = '<?xml version="1.0" encoding="%s"?>\n'

# Which element's text gets the entity reference in each document: one
# the listings show, so an expansion would appear in their output.
ELEMENT = {'index': 'name', 'vendor-index': 'productId', 'vib': 'name',
           'bulletin': 'vendor', 'profile': 'name', 'descriptor': 'name',
           'vibfile': 'name'}


class Raw(str):
    """A document whose bytes are not its text's UTF-8 (UTF-16, or huge):
    mkdepot calls .encode() on every rendered document."""

    def __new__(cls, data, label='raw'):
        s = super().__new__(cls, label)
        s.data = data
        return s

    def encode(self, *args, **kwargs):
        return self.data


def with_text(text, elem, extra):
    """Append extra to the text of the first <elem>...</elem>."""
    new, n = re.subn(r'(<%s>[^<]*)(</%s>)' % (elem, elem),
                     lambda m: m.group(1) + extra + m.group(2), text, count=1)
    if n != 1:
        sys.exit(f'mkdoc: no <{elem}> in the document')
    return new


def root_of(text):
    return re.match(r'\s*<([A-Za-z][\w-]*)', text).group(1)


def laughs_dtd(root):
    ents = ['<!ENTITY lol0 "lol">'] + [
        '<!ENTITY lol%d "%s">' % (i, ('&lol%d;' % (i - 1)) * 10)
        for i in range(1, 10)]
    return '<!DOCTYPE %s [\n %s\n]>\n' % (root, '\n '.join(ents))


def hostile(text, kind, elem, opts):
    doc = hostile_text(text, kind, elem, opts)
    if not opts.utf16:
        return doc
    doc = doc.data.decode() if isinstance(doc, Raw) else doc
    return Raw((DECL % 'UTF-16' + doc).encode('utf-16'), kind)


def hostile_text(text, kind, elem, opts):
    root = root_of(text)
    if kind in ('laughs', 'laughs16'):
        utf16 = kind == 'laughs16'
        doc = (DECL % ('UTF-16' if utf16 else 'UTF-8') + laughs_dtd(root) +
               with_text(text, elem, '&lol9;'))
        return Raw(doc.encode('utf-16')) if utf16 else doc
    if kind in ('xxe-file', 'xxe-file16'):
        utf16 = kind == 'xxe-file16'
        doc = (DECL % ('UTF-16' if utf16 else 'UTF-8') +
               '<!DOCTYPE %s [<!ENTITY xxe SYSTEM "file://%s">]>\n' %
               (root, opts.file) + with_text(text, elem, '&xxe;'))
        return Raw(doc.encode('utf-16')) if utf16 else doc
    if kind == 'xxe-url':
        return ('<!DOCTYPE %s SYSTEM "%s/ext.dtd" [<!ENTITY xxe SYSTEM '
                '"%s/entity">]>\n' % (root, opts.url, opts.url) +
                with_text(text, elem, '&xxe;'))
    if kind == 'dtd':
        return ('<!DOCTYPE %s [<!ELEMENT %s ANY><!ATTLIST %s injected CDATA '
                '"from-the-dtd">]>\n' % (root, root, root) + text)
    if kind == 'xinclude':
        return with_text(text, elem,
                         '<xi:include xmlns:xi="http://www.w3.org/2001/XInclude"'
                         ' href="file://%s" parse="text"/>' % opts.file)
    if kind == 'bigtext':
        head, tail = with_text(text, elem, '\0').split('\0')
        return Raw(b''.join([head.encode(), b'A' * (100 * MIB), tail.encode()]),
                   'bigtext')
    if kind in ('deep', 'deep-limit'):
        n = 100000 if kind == 'deep' else 70
        return with_text(text, elem, '<d>' * n + '</d>' * n)
    if kind == 'bad-encoding':
        return DECL % 'x-no-such-encoding' + text
    if kind == 'declared':
        return DECL % opts.encoding + text
    if kind == 'ebcdic':
        return Raw((DECL % 'IBM037' + text).encode('cp037'), kind)
    if kind in ('bom', 'crlf', 'bom-crlf'):
        doc = text
        if 'crlf' in kind:
            doc = DECL % 'UTF-8' + doc
            doc = doc.replace('\r\n', '\n').replace('\n', '\r\n')
            doc = doc.replace('><', '>\r\n<')
        if 'bom' in kind:
            doc = '\ufeff' + doc
        return doc
    if kind in COUNTED:
        return counted(text, kind, elem, opts.count)
    if kind == 'replace':
        if opts.replace[0] not in text:
            sys.exit(f'mkdoc: {opts.replace[0]!r} is not in the document')
        return text.replace(opts.replace[0], opts.replace[1], 1)
    sys.exit(f'mkdoc: unknown kind {kind}')


def with_attrs(text, elem, attrs):
    """Add attrs (text) to the first <elem> start tag."""
    new, n = re.subn(r'<%s>' % elem, '<%s%s>' % (elem, attrs), text, count=1)
    if n != 1:
        sys.exit(f'mkdoc: no <{elem}> in the document')
    return new


# Kinds made at a size (--count N), the shapes whose cost libxml2 2.9 or a
# naive reader makes grow faster than the document.
COUNTED = ('attrs', 'nsdecl', 'children', 'texts', 'longvalue', 'longname',
           'longattrname', 'manyattrs', 'manyns')


def counted(text, kind, elem, n):
    if kind == 'attrs':        # N attributes on one element
        return Raw(with_attrs(text, elem, '\0').encode().replace(
            b'\0', b''.join(b' a%d=""' % i for i in range(n))), kind)
    if kind == 'nsdecl':       # N namespace declarations on one element
        return Raw(with_attrs(text, elem, '\0').encode().replace(
            b'\0', b''.join(b' xmlns:p%d="u"' % i for i in range(n))), kind)
    if kind == 'manyattrs':    # N elements of 4 attributes each
        return with_text(text, elem, '<x a="" b="" c="" d=""/>' * (n // 4))
    if kind == 'manyns':       # N elements declaring one namespace each
        return with_text(text, elem, '<x xmlns:p="u"/>' * n)
    if kind == 'children':     # N child elements of one element
        return Raw(with_text(text, elem, '\0').encode().replace(
            b'\0', b'<c/>' * n), kind)
    if kind == 'texts':        # N text nodes between comments
        return Raw(with_text(text, elem, '\0').encode().replace(
            b'\0', b' <!---->' * n), kind)
    if kind == 'longvalue':    # one attribute value of N bytes
        return Raw(with_attrs(text, elem, '\0').encode().replace(
            b'\0', b' v="' + b'v' * n + b'"'), kind)
    if kind == 'longname':     # one element name of N bytes
        return with_text(text, elem, '<%s/>' % ('n' * n))
    if kind == 'longattrname':  # one attribute name of N bytes
        return with_attrs(text, elem, ' %s=""' % ('n' * n))
    sys.exit(f'mkdoc: unknown kind {kind}')


class Opts:
    target = file = url = None
    replace = None
    count = 0
    utf16 = False
    encoding = 'UTF-8'


def parse_opts(args):
    o, rest = Opts(), []
    it = iter(args)
    for a in it:
        if a == '--utf16':
            o.utf16 = True
        elif a in ('--target', '--file', '--url', '--encoding'):
            setattr(o, a[2:], next(it))
        elif a == '--count':
            o.count = int(next(it))
        elif a == '--replace':
            o.replace = (next(it), next(it))
        else:
            rest.append(a)
    return o, rest


def patch_doc(place, kind, opts):
    """Swap mkdepot's renderer of PLACE for one that makes it hostile."""
    t = hostile
    elem = ELEMENT[place]
    target = opts.target
    if place == 'index':
        orig = mkdepot.index_xml
        mkdepot.index_xml = lambda vendors: t(orig(vendors), kind, elem, opts)
    elif place == 'vendor-index':
        orig = mkdepot.vendor_index_xml
        mkdepot.vendor_index_xml = lambda v: t(orig(v), kind, elem, opts)
    elif place in ('vib', 'descriptor', 'vibfile'):
        orig = mkdepot.vib_xml
        want = target or 'ne1000'

        def vib_xml(v, payloads, depot=None):
            text = orig(v, payloads, depot)
            if v['name'] != want or (depot is None) != (place != 'vib'):
                return text
            return t(text, kind, elem, opts)
        mkdepot.vib_xml = vib_xml
    elif place == 'bulletin':
        orig = mkdepot.bulletin_xml
        want = target or 'Intel-ne1000'
        mkdepot.bulletin_xml = lambda b: (t(orig(b), kind, elem, opts)
                                          if b['id'].startswith(want) else orig(b))
    elif place == 'profile':
        orig = mkdepot.profile_xml
        want = target or 'ESXi-8.0U3e-24677879-standard'
        mkdepot.profile_xml = lambda p: (t(orig(p), kind, elem, opts)
                                         if p['name'] == want else orig(p))
    else:
        sys.exit(f'mkdoc: unknown place {place}')


def build(spec, out):
    data, _ = mkdepot.build_output(spec)
    mkdepot.write_atomic(out, data)


def cmd_doc(args):
    opts, rest = parse_opts(args)
    spec, out, place, kind = rest
    patch_doc(place, kind, opts)
    if place == 'vibfile':
        name = opts.target or 'ne1000'
        m = mkdepot.resolve(mkdepot.parse_spec(spec))
        with open(out + '.tmp', 'wb') as f:
            mkdepot.build_vib([v for v in m.vibs if v['name'] == name][0], f)
        os.replace(out + '.tmp', out)
    else:
        build(spec, out)


def cmd_profile(args):
    spec, out, n = args[0], args[1], int(args[2])
    orig = mkdepot.profile_xml

    def profile_xml(p):
        if not p['name'].endswith('-standard'):
            return orig(p)
        ids = list(p['vib-ids'])
        ids += ['HOS_bootbank_ghost-%06d_1.0-1' % i for i in range(n - len(ids))]
        return orig(dict(p, **{'vib-ids': ids}))
    mkdepot.profile_xml = profile_xml
    build(spec, out)


def openssl(*args, stdin=None):
    r = subprocess.run(['openssl', *args], input=stdin, capture_output=True)
    if r.returncode != 0:
        sys.exit('mkdoc: openssl %s failed: %s' % (args[0], r.stderr.decode()))
    return r.stdout


CA_CNF = """[ca]
default_ca = test
[test]
dir = {d}
database = {d}/index.txt
new_certs_dir = {d}
serial = {d}/serial
crlnumber = {d}/crlnumber
default_md = sha256
default_crl_days = 3650
policy = any
unique_subject = no
copy_extensions = none
[any]
commonName = supplied
organizationName = optional
countryName = optional
[signer]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = codeSigning
"""


def ca_dir(tmp):
    with open(os.path.join(tmp, 'ca.cnf'), 'w') as f:
        f.write(CA_CNF.format(d=tmp))
    open(os.path.join(tmp, 'index.txt'), 'w').close()
    for name in ('serial', 'crlnumber'):
        with open(os.path.join(tmp, name), 'w') as f:
            f.write('%016X\n' % (int(time.time() * 1000) ^ os.getpid()))
    return os.path.join(tmp, 'ca.cnf')


def issue(tmp, name, subject, issuer_crt, issuer_key, dates=None):
    """A signer certificate issued by issuer, optionally between dates."""
    key, csr, crt = (os.path.join(tmp, name + x) for x in ('.key', '.csr', '.crt'))
    openssl('req', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', key,
            '-subj', subject, '-out', csr)
    cnf = ca_dir(tempfile.mkdtemp(dir=tmp))
    extra = ['-startdate', dates[0], '-enddate', dates[1]] if dates else ['-days', '3650']
    openssl('ca', '-batch', '-config', cnf, '-notext', '-extensions', 'signer',
            '-cert', issuer_crt, '-keyfile', issuer_key, '-in', csr, '-out', crt,
            *extra)
    return crt, key


def smime_sign(descriptor, crt, key, extra=(), tool='smime', outform='PEM'):
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, 'descriptor.xml')
        with open(src, 'wb') as f:
            f.write(descriptor)
        args = [tool, '-sign', '-binary', '-md', 'sha256', '-outform', outform,
                '-in', src, '-signer', crt, '-inkey', key, *extra]
        if tool == 'smime':
            args.append('-nosmimecap')
        return openssl(*args)


def cmd_sig(args):
    spec, out, mode, keys = args
    k = lambda n: os.path.join(keys, n)  # noqa: E731
    tmp = tempfile.mkdtemp(prefix='mkdoc-')
    partner = (k('partner.crt'), k('partner.key'))

    def signer(descriptor):
        if mode == 'rogue':
            return smime_sign(descriptor, k('rogue.crt'), k('rogue.key'))
        if mode == 'rogue-with-root':
            return smime_sign(descriptor, k('rogue.crt'), k('rogue.key'),
                              ['-certfile', k('rogueca.crt')])
        if mode == 'other-descriptor':
            other = descriptor.replace(b'</summary>', b' (edited)</summary>', 1)
            assert other != descriptor
            return smime_sign(other, *partner)
        if mode == 'wrong-purpose':
            return smime_sign(descriptor, k('wrongpurpose.crt'), k('wrongpurpose.key'))
        if mode == 'leaf-as-ca':
            crt, key = issue(tmp, 'sub', '/O=Example Partner Corp/CN=Issued by a leaf',
                             *partner)
            return smime_sign(descriptor, crt, key, ['-certfile', partner[0]])
        if mode == 'expired':
            crt, key = issue(tmp, 'old', '/O=Example Partner Corp/CN=Expired Signer',
                             k('ca.crt'), k('ca.key'),
                             ('20190416000000Z', '20220415000000Z'))
            return smime_sign(descriptor, crt, key)
        if mode == 'cms':
            return smime_sign(descriptor, *partner, tool='cms')
        if mode == 'der':
            return smime_sign(descriptor, *partner, outform='DER')
        if mode == 'attached':
            return smime_sign(descriptor, *partner, ['-nodetach'])
        if mode == 'no-certs':
            return smime_sign(descriptor, *partner, ['-nocerts'])
        if mode == 'two-signers':
            return smime_sign(descriptor, *partner,
                              ['-signer', k('rogue.crt'), '-inkey', k('rogue.key')])
        if mode == 'partner':
            return smime_sign(descriptor, *partner)
        sys.exit(f'mkdoc: unknown signature mode {mode}')

    orig = mkdepot.sign_descriptor

    def sign_descriptor(name, descriptor):
        if b'<name>ne1000</name>' in descriptor:
            return signer(descriptor)
        return orig(name, descriptor)
    mkdepot.sign_descriptor = sign_descriptor
    build(spec, out)


def cmd_crl(args):
    keys, out, certs = args[0], args[1], args[2:]
    with tempfile.TemporaryDirectory() as tmp:
        cnf = ca_dir(tmp)
        ca = ['-config', cnf, '-cert', os.path.join(keys, 'ca.crt'),
              '-keyfile', os.path.join(keys, 'ca.key')]
        for c in certs:
            openssl('ca', '-batch', *ca, '-revoke', c)
        openssl('ca', '-batch', *ca, '-gencrl', '-out', out)


def cmd_listen(args):
    portfile, log = args
    s = socket.socket()
    s.bind(('127.0.0.1', 0))
    s.listen(16)
    s.settimeout(1.0)
    with open(portfile + '.tmp', 'w') as f:
        f.write('%d\n' % s.getsockname()[1])
    os.replace(portfile + '.tmp', portfile)
    end = time.time() + 120
    while time.time() < end:
        try:
            c, addr = s.accept()
        except socket.timeout:
            continue
        with open(log, 'a') as f:
            f.write('connection from %s:%d\n' % addr)
        c.close()


def cmd_measure(args):
    out, cmd = args[0], args[1:]
    t0 = time.monotonic()
    rc = subprocess.call(cmd)
    secs = time.monotonic() - t0
    kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    with open(out, 'w') as f:
        f.write('%.2f %d\n' % (secs, kb))
    return rc if rc >= 0 else 128 - rc


def main(argv):
    cmds = {'doc': cmd_doc, 'profile': cmd_profile, 'sig': cmd_sig,
            'crl': cmd_crl, 'listen': cmd_listen, 'measure': cmd_measure}
    if not argv or argv[0] not in cmds:
        sys.exit(__doc__)
    return cmds[argv[0]](argv[1:]) or 0


if __name__ == '__main__':
    try:
        sys.exit(main(sys.argv[1:]))
    except mkdepot.SpecError as e:
        sys.exit(f'mkdoc: {e}')
