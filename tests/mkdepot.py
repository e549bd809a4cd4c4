#!/usr/bin/env python3
"""mkdepot.py - builds ESXi offline depot test fixtures (zip files) from text specs.

Python 3 standard library only (plus the `openssl` CLI for signed VIBs). It shares
no code with the C reader on purpose: both sides implement the format from the
reference notes, so a misreading in one shows up as a test failure.

Usage
  mkdepot.py SPEC OUT.zip [--truth-out TRUTH.json]   build a depot/wrapper
  mkdepot.py --truth SPEC TRUTH.json                   write only the truth document
  mkdepot.py --vib SPEC NAME OUT.vib                   one VIB of SPEC as a bare .vib
  mkdepot.py --bench OUT.zip --size-mb N --vibs K      big ESXi-8-style depot
             [--truth-out TRUTH.json] [--print-spec]

The truth document is computed from the spec (the model the zip is built from),
never by reading the zip back. Raw [override] edits are NOT reflected in it.
Signed VIBs carry a signingTime, so build and truth must come from one run
(--truth-out) when a spec signs anything.

Spec format (full description with examples: testdata/depots/README.md)
  # comment                 whole-line comments only
  include OTHER.spec        read OTHER first (path relative to this file)
  [kind ARG]                start a section; re-opening a section merges into it
  key = value               set (for a list key: replace the whole list)
  key += value              append to a list key
  key -= value              remove items from a list key
  key = <<EOF ... EOF       heredoc value (lines verbatim, no final newline)

  Sections: [depot] [vendor KEY] [vib-defaults] [vib KEY] [vibs] (table)
  [bulletin-defaults] [bulletin ID] [components] (table) [profile-defaults]
  [profile KEY] [baseimage KEY] [addon KEY] [manifest KEY] [override] (directives)
  [wrapper] [member PATH]        (wrapper format = zip | tar | tar.gz; member
                                  sources spec= text= file= vib=SPEC NAME random=N,
                                  type= file|dir|symlink|hardlink|device|fifo,
                                  wrap=N, expand=yes (a spec's zip as the folder
                                  PATH), name-escapes=yes decodes \\xNN in PATH)

  [vibs] rows:       NAME VERSION [key=value ...]          (shell-style quoting)
  [components] rows: NAME VERSION VIBREF... [key=value ...]  -> bulletin NAME_VERSION
  [override] rows:   delete TARGET | replace TARGET (<<EOF | @FILE)
                     | add TARGET [stored] (<<EOF | @FILE)
                     TARGET = outer member glob, or ZIPMEMBER!GLOB (nested, any depth)
  VIB refs: a full VIB id (3+ underscores) is used literally; anything else must be
  the name of exactly one VIB. '*' = all, '!REF' removes one.
  Strings in vib sections may use {name} {version} {vendor} {short} {id}; in
  bulletins {id} {name} {version}; in profiles {name}.
"""

import calendar
import gzip
import hashlib
import io
import json
import os
import posixpath
import random
import re
import shlex
import subprocess
import sys
import tarfile
import tempfile
import urllib.parse
import zipfile
import zlib
from datetime import datetime, timedelta
from fnmatch import fnmatchcase
from xml.sax.saxutils import escape


class SpecError(Exception):
    pass


# ---------------------------------------------------------------------------
# Schema: every key a section may hold, with its default. Unknown keys are an
# error so that a typo in a spec fails loudly instead of being ignored.
# ---------------------------------------------------------------------------

class Words(list):
    """Default of a list key whose items are whitespace-separated words."""


class Lines(list):
    """Default of a list key whose items are whole lines (one item per op)."""


VIB_KEYS = {
    'name': '', 'version': '', 'vendor': '', 'type': 'bootbank',
    'acceptance': 'certified', 'summary': '{name} VIB', 'description': '{summary}',
    'release-date': '2025-01-01T00:00:00+00:00',
    'urls': Lines(), 'depends': Lines(), 'conflicts': Lines(), 'replaces': Lines(),
    'provides': Lines(), 'compatible-with': Lines(), 'tags': Lines(),
    'files': Words(), 'maintenance-mode': 'true', 'hwplatform': Lines(),
    'platform': Lines(), 'live-install': 'false', 'live-remove': 'false',
    'cimom-restart': 'false', 'stateless-ready': 'true', 'overlay': 'false',
    'payload': Lines(), 'payload-size': '4096', 'uncompressed-size-attr': 'yes',
    'checksums': Words(['sha256-gunzip', 'sha256', 'sha1-gunzip']),
    'sign': '', 'relative-path': '', 'xml-name': '', 'xml-copies': '1',
    'comment': '', 'metazip': '', 'depot-fields': '', 'ar-style': 'vibauthor',
}

BULLETIN_KEYS = {
    'id': '', 'vendor': 'VMware', 'summary': '{id}', 'severity': 'general',
    'category': 'enhancement', 'urgency': 'important', 'release-type': 'extension',
    'description': '{summary}', 'kb-url': 'http://kb.vmware.com',
    'contact': 'support@vmware.com', 'component-name': '', 'component-name-ui': '',
    'component-version': '', 'component-version-ui': '',
    'release-date': '2025-01-01T00:00:00+00:00', 'platform': Lines(), 'vibs': Words(),
    'metazip': '', 'xml-name': '', 'in-vmware-xml': 'yes',
}

PROFILE_KEYS = {
    'name': '', 'creator': 'VMware, Inc.', 'profile-id': '',
    'creation-time': '2025-01-01T00:00:00+00:00', 'modified-time': '{creation-time}',
    'serialno': '0', 'description': '', 'readonly': 'true', 'acceptance': 'partner',
    'vibs': Words(), 'bulletins': Words(), 'metazip': '', 'xml-name': '',
}

RELEASE_KEYS = {
    'name': '', 'ui-name': '', 'version': '', 'ui-version': '', 'vendor': 'VMware, Inc.',
    'summary': '', 'description': '', 'category': 'enhancement', 'doc-url': '',
    'release-date': '2025-01-01T00:00:00+00:00', 'acceptance': 'certified',
    'components': Words(), 'removed-components': Words(),
    'base-image-versions': Words(), 'file': '', 'metazip': '',
}

SCHEMA = {
    'depot': {
        'layout': 'vmware', 'metadata-zip': '', 'vmware-xml': 'yes',
        'vmware-xml-timestamp': '', 'vendor-index-copy': 'yes',
        'zip-date': '1980-01-01 00:00:00', 'seed': '', 'vib-compression': 'deflated',
    },
    'vendor': {
        'name': '', 'code': '', 'indexfile': 'vendor-index.xml', 'relative-path': '',
        'patch-url': '', 'content-name': 'VMware ESX',
        'content-type': 'http://www.vmware.com/depotmanagement/esx',
        'comment': '', 'metadata': Lines(), 'metadata-patchurl': 'no',
    },
    'vib': VIB_KEYS, 'vib-defaults': VIB_KEYS,
    'bulletin': BULLETIN_KEYS, 'bulletin-defaults': BULLETIN_KEYS,
    'profile': PROFILE_KEYS, 'profile-defaults': PROFILE_KEYS,
    'baseimage': RELEASE_KEYS, 'addon': RELEASE_KEYS, 'manifest': RELEASE_KEYS,
    'wrapper': {'zip-date': '1980-01-01 00:00:00', 'directory-entries': 'no',
                'format': 'zip'},
    'member': {'spec': '', 'text': '', 'file': '', 'vib': '', 'random': '',
               'compression': 'deflated', 'type': 'file', 'target': '',
               'mode': '', 'wrap': '0', 'name-escapes': 'no', 'expand': 'no'},
}
TABLE_KINDS = ('vibs', 'components', 'override')
ARG_KINDS = ('vendor', 'vib', 'bulletin', 'profile', 'baseimage', 'addon',
             'manifest', 'member')
HEREDOC_RE = re.compile(r'<<([A-Za-z_][A-Za-z0-9_]*)\s*$')
KEY_RE = re.compile(r'^([a-z][a-z0-9-]*)\s*(\+=|-=|=)\s?(.*)$')


# ---------------------------------------------------------------------------
# Parsing
# ---------------------------------------------------------------------------

class Section:
    def __init__(self, kind, arg, origin):
        self.kind, self.arg, self.origin = kind, arg, origin
        self.ops = {}          # key -> [(op, value, origin)], evaluated late

    def add(self, key, op, value, origin):
        schema = SCHEMA[self.kind]
        if key not in schema:
            raise SpecError(f'{origin}: unknown key {key!r} in [{self.kind}]')
        if op != '=' and not isinstance(schema[key], list):
            raise SpecError(f'{origin}: {op} needs a list key, {key!r} is not one')
        self.ops.setdefault(key, []).append((op, value, origin))


class Spec:
    def __init__(self, path):
        self.path = os.path.abspath(path)
        self.dir = os.path.dirname(self.path)
        self.sections = {}     # (kind, arg) -> Section, in first-seen order
        self.overrides = []    # (tokens, text_or_None, base_dir, origin)

    def section(self, kind, arg, origin):
        key = (kind, arg)
        if key not in self.sections:
            self.sections[key] = Section(kind, arg, origin)
        return self.sections[key]

    def of_kind(self, kind):
        return [s for (k, _), s in self.sections.items() if k == kind]

    def get(self, kind, arg=''):
        return self.sections.get((kind, arg))


def read_lines_with_heredocs(path):
    """Yields (lineno, line, heredoc_text_or_None) with heredoc bodies folded in."""
    with open(path, encoding='utf-8') as f:
        lines = f.read().split('\n')
    i = 0
    while i < len(lines):
        line, lineno = lines[i].rstrip('\r'), i + 1
        i += 1
        m = HEREDOC_RE.search(line)
        if m and not line.lstrip().startswith('#'):
            tag, body = m.group(1), []
            while i < len(lines) and lines[i].rstrip('\r') != tag:
                body.append(lines[i].rstrip('\r'))
                i += 1
            if i >= len(lines):
                raise SpecError(f'{path}:{lineno}: heredoc <<{tag} is not closed')
            i += 1
            yield lineno, line[:m.start()].rstrip(), '\n'.join(body)
        else:
            yield lineno, line, None


def parse_spec(path, spec=None, stack=()):
    path = os.path.abspath(path)
    if path in stack:
        raise SpecError(f'include loop: {" -> ".join(stack + (path,))}')
    if not os.path.isfile(path):
        raise SpecError(f'spec file not found: {path}')
    spec = spec or Spec(path)
    base = os.path.dirname(path)
    current = None
    for lineno, line, heredoc in read_lines_with_heredocs(path):
        origin = f'{os.path.basename(path)}:{lineno}'
        stripped = line.strip()
        if not stripped or stripped.startswith('#'):
            continue
        if stripped.startswith('include ') and heredoc is None:
            parse_spec(os.path.join(base, stripped[8:].strip()), spec, stack + (path,))
            current = None
            continue
        if stripped.startswith('[') and stripped.endswith(']'):
            head = stripped[1:-1].split(None, 1)
            kind, arg = head[0], (head[1].strip() if len(head) > 1 else '')
            if kind not in SCHEMA and kind not in TABLE_KINDS:
                raise SpecError(f'{origin}: unknown section [{kind}]')
            if (kind in ARG_KINDS) != bool(arg):
                raise SpecError(f'{origin}: [{kind}] ' +
                                ('needs an argument' if kind in ARG_KINDS else 'takes no argument'))
            current = kind if kind in TABLE_KINDS else spec.section(kind, arg, origin)
            continue
        if current is None:
            raise SpecError(f'{origin}: line outside any section: {stripped}')
        if current == 'override':
            spec.overrides.append((shlex.split(stripped), heredoc, base, origin))
        elif current == 'vibs':
            parse_vib_row(spec, stripped, origin)
        elif current == 'components':
            parse_component_row(spec, stripped, origin)
        else:
            m = KEY_RE.match(stripped)
            if not m:
                raise SpecError(f'{origin}: expected "key = value": {stripped}')
            key, op, value = m.group(1), m.group(2), m.group(3).strip()
            if heredoc is not None:
                if value:
                    raise SpecError(f'{origin}: text after <<TAG')
                value = heredoc
            current.add(key, op, value, origin)
    return spec


def split_row(row, origin, min_cols):
    tokens = shlex.split(row)
    plain = [t for t in tokens if '=' not in t]
    pairs = [t.split('=', 1) for t in tokens if '=' in t]
    if len(plain) < min_cols:
        raise SpecError(f'{origin}: row needs at least {min_cols} columns: {row}')
    return plain, pairs


def parse_vib_row(spec, row, origin):
    (name, version, *rest), pairs = split_row(row, origin, 2)
    if rest:
        raise SpecError(f'{origin}: [vibs] row is NAME VERSION [key=value...]')
    sec = spec.section('vib', name, origin)
    sec.add('version', '=', version, origin)
    for k, v in pairs:
        sec.add(k, '=', v, origin)


def parse_component_row(spec, row, origin):
    (name, version, *vibs), pairs = split_row(row, origin, 3)
    sec = spec.section('bulletin', f'{name}_{version}', origin)
    sec.add('component-name', '=', name, origin)
    sec.add('component-version', '=', version, origin)
    sec.add('vibs', '=', ' '.join(vibs), origin)
    for k, v in pairs:
        sec.add(k, '=', v, origin)


def evaluate(sections, kind):
    """Evaluates every key of a section chain (defaults first, then own)."""
    out = {}
    for key, default in SCHEMA[kind].items():
        value = type(default)(default) if isinstance(default, list) else default
        for sec in sections:
            if sec is None:
                continue
            for op, raw, origin in sec.ops.get(key, []):
                if isinstance(default, list):
                    items = raw.split() if isinstance(default, Words) else ([raw] if raw else [])
                    if op == '=':
                        value = type(default)(items)
                    elif op == '+=':
                        value = type(default)(value + items)
                    else:
                        value = type(default)(x for x in value if x not in items)
                else:
                    value = raw
        out[key] = value
    return out


def yes(value, what):
    v = value.strip().lower()
    if v in ('yes', 'true', '1'):
        return True
    if v in ('no', 'false', '0', ''):
        return False
    raise SpecError(f'{what}: expected yes/no, got {value!r}')


def substitute(value, table):
    """Replaces {token} placeholders; repeats so that defaults may chain."""
    if isinstance(value, list):
        return type(value)(substitute(v, table) for v in value)
    for _ in range(4):
        new = value
        for k, v in table.items():
            new = new.replace('{' + k + '}', v)
        if new == value:
            break
        value = new
    return value


# ---------------------------------------------------------------------------
# Model: the spec resolved into VIBs, bulletins, profiles, ... with paths.
# ---------------------------------------------------------------------------

def signed64(text):
    """A stable stand-in for Python 2's hash(): signed, so it may be negative."""
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], 'big', signed=True)


def zip_join(base_member, rel):
    """esximage UrlJoin for zip members: relative to the referring member's dir,
    with no '..' normalisation (so the file lands where a faithful reader looks)."""
    if '://' in rel:
        return None
    return posixpath.join(posixpath.dirname(base_member), rel)


class Model:
    """The resolved depot: vendors, vibs, bulletins, profiles, releases (dicts)."""


def resolve(spec):
    m = Model()
    dep = evaluate([spec.get('depot')], 'depot')
    m.layout = dep['layout']
    if m.layout not in ('vmware', 'vib2zip'):
        raise SpecError(f'[depot] layout must be vmware or vib2zip, not {m.layout!r}')
    m.seed = dep['seed'] or os.path.splitext(os.path.basename(spec.path))[0]
    m.metazip = dep['metadata-zip'] or 'metadata.zip'
    m.vmware_xml = yes(dep['vmware-xml'], 'vmware-xml')
    m.vendor_index_copy = yes(dep['vendor-index-copy'], 'vendor-index-copy')
    m.zip_date = parse_zip_date(dep['zip-date'])
    m.vmware_xml_ts = dep['vmware-xml-timestamp'] or \
        datetime(*m.zip_date).strftime('%Y-%m-%dT%H:%M:%S.000000')
    m.vib_compression = compression(dep['vib-compression'])

    m.vendors = []
    for sec in spec.of_kind('vendor'):
        v = evaluate([sec], 'vendor')
        v['name'] = v['name'] or sec.arg
        rp = v['relative-path']
        v['index-path'] = (rp.rstrip('/') + '/' + v['indexfile']) if rp else v['indexfile']
        v['entries'] = []
        for line in v['metadata']:
            (prod, ver, url, *extra), pairs = split_row(line, f'[vendor {sec.arg}] metadata', 3)
            if extra:
                raise SpecError(f'[vendor {sec.arg}] metadata is PRODUCT VERSION URL [opt=val..]')
            opts = {'locale': '', 'channel': []}
            for k, val in pairs:
                if k == 'channel':
                    opts['channel'].append(val)
                elif k == 'locale':
                    opts['locale'] = val
                else:
                    raise SpecError(f'[vendor {sec.arg}] metadata: unknown option {k}')
            if not any(k == 'channel' for k, _ in pairs):
                opts['channel'] = ['default']
            opts['channel'] = [c for c in opts['channel'] if c]
            v['entries'].append({'product': prod, 'version': ver, 'url': url,
                                 'path': zip_join(v['index-path'], url), **opts})
        m.vendors.append(v)

    # VIBs
    vdef = spec.get('vib-defaults')
    m.vibs = []
    for sec in spec.of_kind('vib'):
        v = evaluate([vdef, sec], 'vib')
        v['key'] = sec.arg
        v['name'] = v['name'] or sec.arg
        if not v['version']:
            raise SpecError(f'{sec.origin}: VIB {sec.arg} has no version')
        v['id'] = f"{v['vendor']}_{v['type']}_{v['name']}_{v['version']}"
        table = {'name': v['name'], 'version': v['version'], 'vendor': v['vendor'],
                 'short': v['name'][:8], 'id': v['id']}
        for k in list(v):
            if k not in ('key', 'name', 'version', 'vendor', 'type', 'id'):
                v[k] = substitute(v[k], table)
        table['summary'] = v['summary']
        v['description'] = substitute(v['description'], table)
        v['metazip'] = v['metazip'] or m.metazip
        if not v['relative-path']:
            v['relative-path'] = (f"vib20/{v['name']}/{v['id']}.vib" if m.layout == 'vmware'
                                  else f"{v['name']}-{v['version']}.x86_64.vib")
        v['outer-path'] = zip_join(v['metazip'], v['relative-path'])
        v['depot-fields'] = v['depot-fields'] or ('after-tags' if m.layout == 'vmware' else 'end')
        if not v['payload']:
            v['payload'] = [f"{v['name'][:8]} vgz {v['payload-size']}"]
        v['payloads'] = []
        for line in v['payload']:
            (pname, ptype, usize, *extra), pairs = split_row(line, f'VIB {v["key"]} payload', 3)
            if extra or set(dict(pairs)) - {'seed', 'zstd-flip', *GZIP_SHAPES}:
                raise SpecError(f'VIB {v["key"]}: payload is NAME TYPE SIZE [seed=S] '
                                '[zstd-flip=OFFSET|mid] [gzip-members=N,...] '
                                '[gzip-tail=HEX] [gzip-badcrc=K]')
            opts = dict(pairs)
            if len(pname) > 15:
                raise SpecError(f'VIB {v["key"]}: payload name {pname!r} exceeds 15 characters')
            flip = opts.get('zstd-flip')
            if flip is not None and (ptype != 'vzstd' or not (flip == 'mid' or flip.isdigit())):
                raise SpecError(f'VIB {v["key"]}: zstd-flip=OFFSET|mid is for vzstd payloads')
            if ptype == 'vzstd' and set(opts) & set(GZIP_SHAPES):
                raise SpecError(f'VIB {v["key"]}: gzip-* shapes are for vgz and tgz payloads')
            v['payloads'].append({'name': pname, 'type': ptype, 'usize': int(usize),
                                  'seed': opts.get('seed', f"{m.seed}/{v['id']}/{pname}"),
                                  'zstd-flip': flip,
                                  **{k: opts[k] for k in GZIP_SHAPES if k in opts}})
        copies = int(v['xml-copies'])
        v['xml-names'] = ([f"vibs/{v['xml-name']}"] if v['xml-name'] else []) + \
            [f"vibs/{v['name']}-{signed64(v['id'] + '#' + str(i))}.xml"
             for i in range(copies - (1 if v['xml-name'] else 0))]
        m.vibs.append(v)

    # Bulletins / components
    bdef = spec.get('bulletin-defaults')
    m.bulletins = []
    for sec in spec.of_kind('bulletin'):
        b = evaluate([bdef, sec], 'bulletin')
        b['id'] = b['id'] or sec.arg
        cname = b['component-name']
        table = {'id': b['id'], 'name': cname or b['id'], 'version': b['component-version']}
        for k in list(b):
            if k != 'id':
                b[k] = substitute(b[k], table)
        b['description'] = substitute(b['description'], {'summary': b['summary']})
        if cname:
            b['component-name-ui'] = b['component-name-ui'] or cname
            b['component-version-ui'] = b['component-version-ui'] or short_version(b['component-version'])
        b['metazip'] = b['metazip'] or m.metazip
        b['xml-file'] = 'bulletins/' + (b['xml-name'] or b['id'] + '.xml')
        b['vib-ids'] = resolve_vib_refs(m.vibs, b['vibs'], f'bulletin {b["id"]}')
        m.bulletins.append(b)

    # Image profiles
    pdef = spec.get('profile-defaults')
    m.profiles = []
    for sec in spec.of_kind('profile'):
        p = evaluate([pdef, sec], 'profile')
        p['key'] = sec.arg
        p['name'] = p['name'] or sec.arg
        table = {'name': p['name'], 'creation-time': p['creation-time']}
        for k in list(p):
            if k not in ('key', 'name'):
                p[k] = substitute(p[k], table)
        p['profile-id'] = p['profile-id'] or \
            hashlib.sha256(f"{p['name']}\0{p['creator']}".encode()).hexdigest()[:32]
        p['metazip'] = p['metazip'] or m.metazip
        p['xml-file'] = 'profiles/' + (p['xml-name'] or
                                       urllib.parse.quote(p['name'], safe='')[:50] +
                                       str(signed64(p['name'] + '\0' + p['key'])))
        p['vib-ids'] = resolve_vib_refs(m.vibs, p['vibs'], f'profile {p["key"]}')
        p['bulletin-ids'] = resolve_refs([b['id'] for b in m.bulletins], p['bulletins'],
                                         lambda r: r)
        m.profiles.append(p)

    # Base images, add-ons, manifests (JSON release units)
    m.releases = []
    for kind, folder in (('baseimage', 'baseimages'), ('addon', 'addons'),
                         ('manifest', 'manifests')):
        for sec in spec.of_kind(kind):
            r = evaluate([sec], kind)
            r['kind'], r['key'] = kind, sec.arg
            r['metazip'] = r['metazip'] or m.metazip
            r['path'] = f"{folder}/{r['file'] or sec.arg + '.json'}"
            r['component-map'] = resolve_components(m.bulletins, r['components'], sec.arg)
            m.releases.append(r)

    return m


def short_version(version):
    """'1.14-1vmw.803.0.0.75399077' -> '1.14-1vmw', like VMware's uiString."""
    base, _, rel = version.partition('-')
    return f'{base}-{rel.split(".")[0]}' if rel else base


def resolve_refs(universe, tokens, lookup):
    out = []
    for tok in tokens:
        if tok == '*':
            out.extend(x for x in universe if x not in out)
        elif tok.startswith('!'):
            ref = lookup(tok[1:])
            out = [x for x in out if x != ref]
        else:
            ref = lookup(tok)
            if ref not in out:
                out.append(ref)
    return out


def resolve_vib_refs(vibs, tokens, what):
    ids = []
    for v in vibs:
        if v['id'] not in ids:
            ids.append(v['id'])

    def lookup(ref):
        if ref.count('_') >= 3:
            return ref          # a literal id: may deliberately name a missing VIB
        hits = {v['id'] for v in vibs if v['name'] == ref}
        if len(hits) != 1:
            raise SpecError(f'{what}: VIB reference {ref!r} matches {len(hits)} VIBs '
                            '(use the full VIB id)')
        return hits.pop()
    return resolve_refs(ids, tokens, lookup)


def resolve_components(bulletins, tokens, what):
    comps = [b for b in bulletins if b['component-name']]

    def lookup(ref):
        for b in comps:
            if ref in (b['id'], b['component-name']):
                return b['id']
        raise SpecError(f'{what}: unknown component {ref!r}')
    ids = resolve_refs([b['id'] for b in comps], tokens, lookup)
    by_id = {b['id']: b for b in comps}
    return {by_id[i]['component-name']: by_id[i]['component-version'] for i in ids}


def parse_zip_date(text):
    try:
        d = datetime.strptime(text.strip(), '%Y-%m-%d %H:%M:%S')
    except ValueError:
        raise SpecError(f'zip-date must be "YYYY-MM-DD HH:MM:SS", got {text!r}')
    if d.year < 1980:
        raise SpecError('zip-date must be 1980 or later')
    return (d.year, d.month, d.day, d.hour, d.minute, d.second)


def compression(name):
    try:
        return {'deflated': zipfile.ZIP_DEFLATED, 'stored': zipfile.ZIP_STORED}[name]
    except KeyError:
        raise SpecError(f'compression must be stored or deflated, not {name!r}')


XSD_DATETIME = re.compile(r'^(\d{4})-(\d\d)-(\d\d).(\d\d):(\d\d):(\d\d)(\.\d{1,6})?'
                          r'(Z|[+-]\d\d:\d\d)?$')


def utc_text(value):
    """xsd:dateTime -> 'YYYY-MM-DDTHH:MM:SS' in UTC, or None (esximage's rules)."""
    m = XSD_DATETIME.match(value.strip())
    if not m:
        return None
    try:
        dt = datetime(*(int(m.group(i)) for i in range(1, 7)))
    except ValueError:
        return None
    zone = m.group(8)
    if zone and zone != 'Z':
        sign = 1 if zone[0] == '+' else -1
        dt -= sign * timedelta(hours=int(zone[1:3]), minutes=int(zone[4:6]))
    return dt.strftime('%Y-%m-%dT%H:%M:%S')


# ---------------------------------------------------------------------------
# XML rendering. Text goes through escape(); attributes always use "...".
# ---------------------------------------------------------------------------

def a(value):
    return escape(value, {'"': '&quot;'})


def elem(tag, text):
    """<tag>text</tag>, or nothing when text is empty (how specs omit elements)."""
    return f'<{tag}>{escape(text)}</{tag}>' if text != '' else ''


def constraint_xml(line, tag='constraint'):
    parts = line.split()
    if tag == 'provide':
        name, version = parts[0], (parts[1] if len(parts) > 1 else '')
        return f'<provide name="{a(name)}"' + (f' version="{a(version)}"' if version else '') + '/>'
    if len(parts) == 1:
        return f'<constraint name="{a(parts[0])}"/>'
    if len(parts) != 3:
        raise SpecError(f'constraint must be "NAME" or "NAME RELATION VERSION": {line!r}')
    return f'<constraint name="{a(parts[0])}" relation="{a(parts[1])}" version="{a(parts[2])}"/>'


def platform_attrs(line):
    parts = line.split()
    if not 2 <= len(parts) <= 3:
        raise SpecError(f'platform must be "VERSION PRODUCT [LOCALE]": {line!r}')
    return parts[0], (parts[2] if len(parts) > 2 else ''), parts[1]


def maintenance_xml(value):
    parts = value.split()
    attrs = ''.join(f' {k}="{a(v)}"' for k, v in (p.split('=', 1) for p in parts if '=' in p))
    text = ' '.join(p for p in parts if '=' not in p)
    return f'<maintenance-mode{attrs}>{escape(text)}</maintenance-mode>'


CHECKSUM_KINDS = {
    'sha256-gunzip': ('sha-256', ' verify-process="gunzip"', 'sha256_gunzip'),
    'sha256': ('sha-256', '', 'sha256'),
    'sha1-gunzip': ('sha-1', ' verify-process="gunzip"', 'sha1_gunzip'),
    'sha256-gunzip1': ('sha-256-gunzip1', '', 'sha256_gunzip1'),
}


def vib_xml(v, payloads, depot=None):
    """descriptor.xml (depot=None) or the vibs/*.xml form (depot = (path, size, sha))."""
    rel = ''.join([
        '<relationships>',
        *(f'<{tag}>' + ''.join(constraint_xml(c, 'provide' if tag == 'provides' else 'constraint')
                               for c in v[key]) + f'</{tag}>' if v[key] else f'<{tag}/>'
          for tag, key in (('depends', 'depends'), ('conflicts', 'conflicts'),
                           ('replaces', 'replaces'), ('provides', 'provides'),
                           ('compatibleWith', 'compatible-with'))),
        '</relationships>'])
    urls = ''.join(f'<url key="{a(k)}">{escape(u)}</url>'
                   for k, _, u in (line.partition(' ') for line in v['urls']))
    tags = ''.join(elem('tag', t) for t in v['tags'])
    sysreq = ''.join([
        maintenance_xml(v['maintenance-mode']),
        *(f'<hwplatform vendor="{a(p[0])}"' + (f' model="{a(p[1])}"' if len(p) > 1 else '') + '/>'
          for p in (h.split(None, 1) for h in v['hwplatform'])),
        *('<softwarePlatform version="%s" locale="%s" productLineID="%s"/>' %
          tuple(a(x) for x in platform_attrs(p)) for p in v['platform'])])
    pl = []
    for p in payloads:
        attrs = f'name="{a(p["name"])}" type="{a(p["type"])}" size="{p["size"]}"'
        if yes(v['uncompressed-size-attr'], 'uncompressed-size-attr'):
            attrs += f' uncompressed-size="{p["usize"]}"'
        if p['type'] == 'vzstd':
            attrs += f' compression-option="level={ZSTD_LEVEL}"'
        sums = []
        for kind in v['checksums']:
            if kind not in CHECKSUM_KINDS:
                raise SpecError(f'VIB {v["key"]}: unknown checksum kind {kind!r}')
            ctype, vp, field = CHECKSUM_KINDS[kind]
            sums.append(f'<checksum checksum-type="{ctype}"{vp}>{p[field]}</checksum>')
        pl.append(f'<payload {attrs}>' + ''.join(sums) + '</payload>')
    depot_fields = ''
    if depot:
        path, size, sha = depot
        depot_fields = (f'<relative-path>{escape(path)}</relative-path>'
                        f'<packed-size>{size}</packed-size>'
                        f'<checksum checksum-type="sha-256">{sha}</checksum>')
    after_tags = depot_fields if v['depot-fields'] == 'after-tags' else ''
    at_end = depot_fields if v['depot-fields'] == 'end' else ''
    comment = f'<!-- {v["comment"]} -->' if v['comment'] else ''
    return ''.join([
        '<vib version="5.0">', elem('type', v['type']), elem('name', v['name']),
        elem('version', v['version']), elem('vendor', v['vendor']),
        elem('summary', v['summary']), elem('description', v['description']),
        elem('release-date', v['release-date']),
        f'<urls>{urls}</urls>' if urls else '<urls/>', rel,
        f'<software-tags>{tags}</software-tags>' if tags else '<software-tags/>',
        after_tags,
        f'<system-requires>{sysreq}</system-requires>',
        '<file-list>' + ''.join(elem('file', f) for f in v['files']) + '</file-list>'
        if v['files'] else '<file-list/>',
        elem('acceptance-level', v['acceptance']),
        elem('live-install-allowed', v['live-install']),
        elem('live-remove-allowed', v['live-remove']),
        elem('cimom-restart', v['cimom-restart']),
        elem('stateless-ready', v['stateless-ready']), elem('overlay', v['overlay']),
        '<payloads>' + ''.join(pl) + '</payloads>', comment, at_end, '</vib>'])


def bulletin_xml(b):
    spec = ''
    if b['component-name']:
        spec = (f'<componentNameSpec name="{a(b["component-name"])}" '
                f'uiString="{a(b["component-name-ui"])}"/>'
                f'<componentVersionSpec version="{a(b["component-version"])}" '
                f'uiString="{a(b["component-version-ui"])}"/>')
    plats = ''.join('<softwarePlatform version="%s" locale="%s" productLineID="%s"/>' %
                    tuple(a(x) for x in platform_attrs(p)) for p in b['platform'])
    return ''.join([
        '<bulletin>', elem('id', b['id']), elem('vendor', b['vendor']),
        elem('summary', b['summary']), elem('severity', b['severity']),
        elem('category', b['category']), elem('urgency', b['urgency']),
        elem('releaseType', b['release-type']), elem('description', b['description']),
        elem('kbUrl', b['kb-url']), elem('contact', b['contact']), spec,
        elem('releaseDate', b['release-date']),
        f'<platforms>{plats}</platforms>' if plats else '<platforms/>',
        '<vibList>' + ''.join(elem('vibID', i) for i in b['vib-ids']) + '</vibList>',
        '</bulletin>'])


def profile_xml(p):
    bl = ''
    if p['bulletin-ids']:
        bl = '<bulletinlist>' + ''.join(elem('bulletin-id', i) for i in p['bulletin-ids']) + \
             '</bulletinlist>'
    return ''.join([
        '<imageprofile>', elem('name', p['name']), elem('creator', p['creator']),
        elem('profileID', p['profile-id']), elem('creationtime', p['creation-time']),
        elem('modifiedtime', p['modified-time']), elem('serialno', p['serialno']),
        elem('description', p['description']), elem('readonly', p['readonly']),
        '<viblist>' + ''.join(f'<vib>{elem("vib-id", i)}</vib>' for i in p['vib-ids']) +
        '</viblist>',
        elem('acceptancelevel', p['acceptance']), bl, '</imageprofile>'])


def index_xml(vendors):
    out = ['<vendorList>']
    comments = []
    for v in vendors:
        out += ['  <vendor>', f'    <name>{escape(v["name"])}</name>',
                f'    <code>{escape(v["code"])}</code>',
                f'    <indexfile>{escape(v["indexfile"])}</indexfile>',
                f'    <patchUrl>{escape(v["patch-url"])}</patchUrl>',
                f'    <relativePath>{escape(v["relative-path"])}</relativePath>',
                '    <content>', f'      <name>{escape(v["content-name"])}</name>',
                f'      <type>{escape(v["content-type"])}</type>', '    </content>',
                '  </vendor>']
        if v['comment']:
            comments.append(f'  <!-- {v["comment"]} -->')
    return '\n'.join(out + comments + ['</vendorList>', ''])


def vendor_index_xml(v):
    out = ['<metaList>']
    for e in v['entries']:
        out += ['  <metadata>', f'    <productId>{escape(e["product"])}</productId>',
                f'    <version>{escape(e["version"])}</version>',
                f'    <locale>{escape(e["locale"])}</locale>']
        if yes(v['metadata-patchurl'], 'metadata-patchurl'):
            out.append('    <patchUrl></patchUrl>')
        out.append(f'    <url>{escape(e["url"])}</url>')
        out += [f'    <channelName>{escape(c)}</channelName>' for c in e['channel']]
        out.append('  </metadata>')
    return '\n'.join(out + ['</metaList>', ''])


def vmware_xml(m, bulletins, built):
    """Legacy aggregate (§5.4): one <bulletin> per bulletin, VIBs expanded."""
    vibs = {v['id']: v for v in m.vibs}
    L = ['<metadataResponse>', '  <version>3.0</version>',
         f'  <timestamp>{escape(m.vmware_xml_ts)}</timestamp>']
    for b in bulletins:
        L.append('  <bulletin>')
        for tag, key in (('id', 'id'), ('vendor', 'vendor'), ('summary', 'summary'),
                         ('severity', 'severity'), ('category', 'category'),
                         ('urgency', 'urgency'), ('releaseType', 'release-type'),
                         ('description', 'description'), ('kbUrl', 'kb-url'),
                         ('contact', 'contact')):
            L.append(f'    <{tag}>{escape(b[key])}</{tag}>')
        if b['component-name']:
            L.append(f'    <componentNameSpec name="{a(b["component-name"])}" '
                     f'uiString="{a(b["component-name-ui"])}"/>')
            L.append(f'    <componentVersionSpec uiString="{a(b["component-version-ui"])}" '
                     f'version="{a(b["component-version"])}"/>')
        L.append(f'    <releaseDate>{escape(b["release-date"])}</releaseDate>')
        L.append('    <platforms>')
        L += ['      <softwarePlatform locale="%s" version="%s" productLineID="%s"/>' %
              (a(loc), a(ver), a(prod)) for ver, loc, prod in map(platform_attrs, b['platform'])]
        L += ['    </platforms>', '    <vibList>']
        for vid in b['vib-ids']:
            v = vibs.get(vid)
            if v is None:
                continue        # a deliberately missing VIB cannot be expanded
            size, sha = built[v['key']]['size'], built[v['key']]['sha256']
            live = yes(v['live-install'], 'live-install') and yes(v['live-remove'], 'live-remove')
            L += ['      <vib>', '        <vibVersion>1.4.5</vibVersion>',
                  f'        <vibID>{escape(vid)}</vibID>',
                  f'        <name>{escape(v["name"])}</name>',
                  f'        <version>{escape(v["version"])}</version>',
                  f'        <vendor>{escape(v["vendor"])}</vendor>',
                  f'        <vibType>{escape(v["type"])}</vibType>',
                  f'        <summary>{escape(v["summary"])}</summary>',
                  '        <systemReqs>',
                  '          <maintenanceMode>%s</maintenanceMode>' %
                  escape(' '.join(x for x in v['maintenance-mode'].split() if '=' not in x))]
            plats = [platform_attrs(p) for p in v['platform']] or [('', '', 'embeddedEsx')]
            L += ['          <swPlatform locale="%s" version="%s" productLineID="%s"/>' %
                  (a(loc), a(ver), a(prod)) for ver, loc, prod in plats]
            L += ['        </systemReqs>', '        <relationships>']
            for tag, key in (('depends', 'depends'), ('conflicts', 'conflicts'),
                             ('replaces', 'replaces'), ('provides', 'provides'),
                             ('compatibleWith', 'compatible-with')):
                if not v[key]:
                    L.append(f'          <{tag}/>')
                    continue
                L.append(f'          <{tag}>')
                L += ['            ' + constraint_xml(c, 'provide' if key == 'provides'
                                                     else 'constraint') for c in v[key]]
                L.append(f'          </{tag}>')
            L += ['        </relationships>', '        <postInstall>',
                  f'          <rebootRequired>{"false" if live else "true"}</rebootRequired>',
                  '          <hostdRestart>false</hostdRestart>', '        </postInstall>',
                  '        <softwareTags>']
            L += [f'          <tag>{escape(t)}</tag>' for t in v['tags']]
            L += ['        </softwareTags>', '        <vibFile>', '          <sourceUrl></sourceUrl>',
                  f'          <relativePath>{escape(v["relative-path"])}</relativePath>',
                  f'          <packedSize>{size}</packedSize>', '          <checksum>',
                  '            <checksumType>sha-256</checksumType>',
                  f'            <checksum>{sha}</checksum>', '          </checksum>',
                  '        </vibFile>', '      </vib>']
        L += ['    </vibList>', '  </bulletin>']
    return '\n'.join(L + ['</metadataResponse>', ''])


def release_json(r):
    kind = {'baseimage': 'baseImage', 'addon': 'addon', 'manifest': 'manifest'}[r['kind']]
    doc = {'releaseID': r['key'], 'releaseType': kind, 'category': r['category'],
           'vendor': r['vendor'], 'summary': r['summary'], 'description': r['description'],
           'docURL': r['doc-url'], 'acceptanceLevel': r['acceptance'],
           'releaseDate': r['release-date'], 'schemaVersion': '1.0'}
    if r['kind'] != 'baseimage':
        doc['nameSpec'] = {'name': r['name'] or r['key'],
                           'uiString': r['ui-name'] or r['name'] or r['key']}
    doc['versionSpec'] = {'version': r['version'],
                          'uiString': r['ui-version'] or r['version']}
    doc['components'] = r['component-map']
    if r['kind'] == 'baseimage':
        doc['quickPatchCompatibleVersions'] = []
    else:
        doc['supportedBaseImageVersions'] = r['base-image-versions']
        doc['removedComponents'] = r['removed-components']
    if r['kind'] == 'manifest':
        doc['hardwareSupportInfo'] = {'manager': {'name': r['vendor']},
                                      'package': {'name': r['name'] or r['key'],
                                                  'version': r['version']}}
    return json.dumps(doc, indent=2) + '\n'


# ---------------------------------------------------------------------------
# Payloads and the .vib ar archive
# ---------------------------------------------------------------------------

GZ_BLOCK = 65535
CHUNK = 16 * GZ_BLOCK        # multiple of 4 so randbytes() calls never split a word


def payload_stream(seed, size):
    """Deterministic, incompressible bytes. random.Random with a str seed is
    stable across Python versions and much faster than a hash-counter stream."""
    rnd = random.Random(seed)
    left = size
    while left > 0:
        n = min(CHUNK, left)
        yield rnd.randbytes(n)
        left -= n


def gzip_stored(chunks, size):
    """A gzip stream made of deflate *stored* blocks. Its bytes depend on nothing
    but the input (no zlib version differences) and it costs no CPU to compress,
    which keeps a 1 GB bench fast. It is valid gzip for any reader."""
    yield b'\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03'   # no name, mtime 0, OS unix
    crc, done = 0, 0
    for chunk in chunks:
        crc = zlib.crc32(chunk, crc)
        for off in range(0, len(chunk), GZ_BLOCK):
            block = chunk[off:off + GZ_BLOCK]
            done += len(block)
            final = 1 if done == size else 0
            n = len(block)
            yield bytes([final, n & 0xff, n >> 8, ~n & 0xff, (~n >> 8) & 0xff]) + block
    if size == 0:
        yield b'\x01\x00\x00\xff\xff'
    yield crc.to_bytes(4, 'little') + (size & 0xffffffff).to_bytes(4, 'little')


SPOOL_MAX = 64 << 20


ZSTD_LEVEL = 18     # ESXi 9's compression-option="level=18"


def zstd_compress(data):
    """One zstd frame (with its content checksum) from the zstd CLI: an
    implementation that shares nothing with the reader's (libarchive/libzstd
    through depot/vib.c)."""
    try:
        r = subprocess.run(['zstd', '-q', '-c', f'-{ZSTD_LEVEL}', '--check', '-'],
                           input=data, capture_output=True)
    except FileNotFoundError:
        raise SpecError('zstd is not installed (needed for vzstd payloads; '
                        'sh scripts/deps.sh installs it)')
    if r.returncode != 0:
        raise SpecError(f'zstd failed: {r.stderr.decode(errors="replace").strip()}')
    return r.stdout


def make_vzstd_payload(p):
    """ESXi 9's vzstd payload: gzip(zstd(vmtar)) (vib-and-workflow.md A.3/A.4).
    The stand-in for the vmtar is pseudo-random bytes with 4 bits of entropy each,
    so zstd really compresses (Huffman and FSE coded blocks, not raw ones).
    sha-256-gunzip1 is the digest of the zstd frame (the gzip layer removed);
    the gunzip ones, of what zstd expands to.  zstd-flip=OFFSET|mid changes
    one byte of the frame *after* those digests and before gzip, so the
    stored bytes (their size and sha-256, the VIB's) match the damage and
    only the gunzip1 and zstd levels can tell."""
    low = bytes(0x40 | (i & 0x0f) for i in range(256))
    plain = b''.join(chunk.translate(low)
                     for chunk in payload_stream(p['seed'], p['usize']))
    frame = zstd_compress(plain)
    digests = dict(sha256_gunzip=hashlib.sha256(plain).hexdigest(),
                   sha1_gunzip=hashlib.sha1(plain).hexdigest(),
                   sha256_gunzip1=hashlib.sha256(frame).hexdigest())
    if p.get('zstd-flip') is not None:
        k = len(frame) // 2 if p['zstd-flip'] == 'mid' else int(p['zstd-flip'])
        if k >= len(frame):
            raise SpecError(f'payload {p["name"]}: zstd-flip={k} is past the '
                            f'{len(frame)}-byte zstd frame')
        frame = frame[:k] + bytes([frame[k] ^ 0x01]) + frame[k + 1:]
    stored = b''.join(gzip_stored([frame], len(frame)))
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_MAX)
    spool.write(stored)
    spool.seek(0)
    return dict(p, size=len(stored), data=spool,
                sha256=hashlib.sha256(stored).hexdigest(), **digests)


GZIP_SHAPES = ('gzip-members', 'gzip-tail', 'gzip-badcrc')


def make_gzip_members_payload(p):
    """A payload written as several gzip members back to back, each made by
    Python's gzip module (zlib), as `gzip -c a; gzip -c b` or pigz -i write
    them; gzip -d and Python's gzip (esximage) read them as one stream.
    gzip-members=N1,N2,... gives the expanded bytes of each member but the
    last, which takes the rest (0 is an empty member); gzip-tail=HEX adds
    bytes after the last member; gzip-badcrc=K spoils member K's CRC-32
    (1-based).  The digests are of the bytes as stored and as expanded, so
    that only the gzip layer's own checks can tell a shape apart.  The
    plain bytes have 4 bits of entropy each, so zlib really compresses."""
    low = bytes(0x40 | (i & 0x0f) for i in range(256))
    plain = b''.join(chunk.translate(low)
                     for chunk in payload_stream(p['seed'], p['usize']))
    try:
        sizes = [int(n) for n in p['gzip-members'].split(',')] \
            if p.get('gzip-members') else []
        tail = bytes.fromhex(p.get('gzip-tail', ''))
        bad = int(p['gzip-badcrc']) if p.get('gzip-badcrc') else 0
    except ValueError as e:
        raise SpecError(f'payload {p["name"]}: bad gzip shape: {e}')
    if any(n < 0 for n in sizes) or sum(sizes) > len(plain):
        raise SpecError(f'payload {p["name"]}: gzip-members add up past its '
                        f'{len(plain)} bytes')
    members, off = [], 0
    for n in sizes + [len(plain) - sum(sizes)]:
        members.append(gzip.compress(plain[off:off + n], compresslevel=6, mtime=0))
        off += n
    if not 0 <= bad <= len(members):
        raise SpecError(f'payload {p["name"]}: gzip-badcrc={bad}: there are '
                        f'{len(members)} members')
    if bad:
        spoilt = bytearray(members[bad - 1])
        spoilt[-8] ^= 0xff
        members[bad - 1] = bytes(spoilt)
    stored = b''.join(members) + tail
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_MAX)
    spool.write(stored)
    spool.seek(0)
    return dict(p, size=len(stored), data=spool,
                sha256=hashlib.sha256(stored).hexdigest(),
                sha256_gunzip=hashlib.sha256(plain).hexdigest(),
                sha1_gunzip=hashlib.sha1(plain).hexdigest(),
                sha256_gunzip1=hashlib.sha256(plain).hexdigest())


def make_payload(p):
    """Generates one payload into a spooled temp file and digests it on the way."""
    if p['type'] == 'vzstd':
        return make_vzstd_payload(p)
    if any(k in p for k in GZIP_SHAPES):
        return make_gzip_members_payload(p)
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_MAX)
    raw256, raw1, stored256, size = hashlib.sha256(), hashlib.sha1(), hashlib.sha256(), 0

    def hashed_input():
        for chunk in payload_stream(p['seed'], p['usize']):
            raw256.update(chunk)
            raw1.update(chunk)
            yield chunk
    for piece in gzip_stored(hashed_input(), p['usize']):
        stored256.update(piece)
        spool.write(piece)
        size += len(piece)
    spool.seek(0)
    # One gzip layer only: gunzip1 is the fully decompressed stream.
    return dict(p, size=size, data=spool, sha256_gunzip=raw256.hexdigest(),
                sha1_gunzip=raw1.hexdigest(), sha256=stored256.hexdigest(),
                sha256_gunzip1=raw256.hexdigest())


AR_STYLES = {'vibauthor': ('', '0'), 'python3': ('', '0o0'), 'gnu': ('/', '644')}


def ar_header(name, size, style):
    slash, mode = AR_STYLES[style]
    return ('%-16s%-12s%-6s%-6s%-8s%-10d`\n' % (name + slash, '0', '0', '0', mode, size)).encode()


SIGNED_ANY = False      # set once a signature is made: its signingTime varies per run


def sign_descriptor(signer, descriptor):
    """Detached PEM PKCS7 over descriptor.xml, as VMware's sig.pkcs7."""
    global SIGNED_ANY
    SIGNED_ANY = True
    env = re.sub(r'[^A-Za-z0-9]', '_', signer).upper()
    names = {k: f'ESXSTAGE_SIGN_{env}_{k}' for k in ('CERT', 'KEY', 'CHAIN')}
    for k in ('CERT', 'KEY'):
        if not os.environ.get(names[k]):
            raise SpecError(f'VIB is signed by {signer!r} but ${names[k]} is not set '
                            f'(set {names["CERT"]} and {names["KEY"]} to PEM files)')
    with tempfile.TemporaryDirectory() as tmp:
        src, out = os.path.join(tmp, 'descriptor.xml'), os.path.join(tmp, 'sig.pkcs7')
        with open(src, 'wb') as f:
            f.write(descriptor)
        cmd = ['openssl', 'smime', '-sign', '-binary', '-md', 'sha256', '-nosmimecap',
               '-outform', 'PEM', '-in', src, '-out', out,
               '-signer', os.environ[names['CERT']], '-inkey', os.environ[names['KEY']]]
        if os.environ.get(names['CHAIN']):
            cmd += ['-certfile', os.environ[names['CHAIN']]]
        try:
            r = subprocess.run(cmd, capture_output=True, text=True)
        except FileNotFoundError:
            raise SpecError('openssl is not installed (needed to sign VIBs)')
        if r.returncode != 0:
            raise SpecError(f'openssl smime -sign failed for signer {signer}: {r.stderr.strip()}')
        with open(out, 'rb') as f:
            return f.read()


class HashingWriter:
    """Passes writes through to a sink (or nowhere) while counting and hashing."""

    def __init__(self, sink=None):
        self.sink, self.sha, self.size = sink, hashlib.sha256(), 0

    def write(self, data):
        self.sha.update(data)
        self.size += len(data)
        if self.sink is not None:
            self.sink.write(data)


def build_vib(v, sink):
    """Writes the .vib for VIB dict v to sink (None: only digest it).
    Returns {'size', 'sha256', 'payloads'} for the metadata."""
    payloads = [make_payload(p) for p in v['payloads']]
    try:
        names = [p['name'] for p in payloads]
        if len(set(names)) != len(names):
            raise SpecError(f'VIB {v["key"]}: duplicate payload name')
        descriptor = vib_xml(v, payloads).encode()
        sig = sign_descriptor(v['sign'], descriptor) if v['sign'] else b''
        style = v['ar-style']
        if style not in AR_STYLES:
            raise SpecError(f'VIB {v["key"]}: ar-style must be one of {", ".join(AR_STYLES)}')
        out = HashingWriter(sink)
        out.write(b'!<arch>\n')
        for name, data in (('descriptor.xml', descriptor), ('sig.pkcs7', sig)):
            out.write(ar_header(name, len(data), style))
            out.write(data + (b'\n' if len(data) & 1 else b''))
        for p in payloads:
            out.write(ar_header(p['name'], p['size'], style))
            while True:
                block = p['data'].read(1 << 20)
                if not block:
                    break
                out.write(block)
            if p['size'] & 1:
                out.write(b'\n')
        return {'size': out.size, 'sha256': out.sha.hexdigest(), 'payloads': payloads}
    finally:
        for p in payloads:
            p['data'].close()


# ---------------------------------------------------------------------------
# Zip writing (deterministic: fixed dates, fixed attributes, given order)
# ---------------------------------------------------------------------------

def zip_info(name, date, comp, is_dir=False):
    zi = zipfile.ZipInfo(name, date)
    zi.compress_type = zipfile.ZIP_STORED if is_dir else comp
    zi.create_system = 3
    zi.external_attr = (0o40755 << 16 | 0x10) if is_dir else (0o100644 << 16)
    return zi


def zip_bytes(members, date):
    """members: list of (name, bytes, compress_type); names ending in / are dirs."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, 'w') as zf:
        for name, data, comp in members:
            zf.writestr(zip_info(name, date, comp, name.endswith('/')), data)
    return buf.getvalue()


def unzip_members(data):
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return [(zi.filename, zf.read(zi), zi.compress_type, zi.date_time)
                for zi in zf.infolist()]


def rezip(members):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, 'w') as zf:
        for name, data, comp, date in members:
            zf.writestr(zip_info(name, date, comp, name.endswith('/')), data)
    return buf.getvalue()


def apply_override(members, date, tokens, text, base, origin, shown=None):
    """members: list of [name, data, comp] of one zip level, edited in place.
    shown is the full TARGET as written in the spec, for messages."""
    verb, target = tokens[0], tokens[1] if len(tokens) > 1 else ''
    shown = shown or target
    if verb not in ('delete', 'replace', 'add') or not target:
        raise SpecError(f'{origin}: override must be delete|replace|add TARGET ...')
    if '!' in target:
        outer, inner = target.split('!', 1)
        hits = [m for m in members if fnmatchcase(m[0], outer)]
        if len(hits) != 1:
            raise SpecError(f'{origin}: {outer!r} matches {len(hits)} members, need 1')
        nested = [list(x) for x in unzip_members(hits[0][1])]
        flat = [[n, d, c] for n, d, c, _ in nested]
        apply_override(flat, date, [verb, inner] + tokens[2:], text, base, origin, shown)
        dates = {n: dt for n, _, _, dt in nested}
        hits[0][1] = rezip([(n, d, c, dates.get(n, date)) for n, d, c in flat])
        return
    args = tokens[2:]
    comp = zipfile.ZIP_DEFLATED
    if args[:1] == ['stored']:
        comp, args = zipfile.ZIP_STORED, args[1:]
    content = None
    if verb != 'delete':
        if text is not None and not args:
            content = (text + '\n').encode()
        elif len(args) == 1 and args[0].startswith('@') and text is None:
            try:
                with open(os.path.join(base, args[0][1:]), 'rb') as f:
                    content = f.read()
            except OSError as e:
                raise SpecError(f'{origin}: {args[0]}: {e.strerror}')
        else:
            raise SpecError(f'{origin}: {verb} needs <<TAG text or @FILE')
    hits = [m for m in members if fnmatchcase(m[0], target)]
    if verb == 'add':
        if hits:
            raise SpecError(f'{origin}: add {shown!r}: member exists (use replace)')
        members.append([target, content, comp])
    elif not hits:
        raise SpecError(f'{origin}: {verb} {shown!r}: no such member')
    elif verb == 'delete':
        members[:] = [m for m in members if m not in hits]
    else:
        for m in hits:
            m[1] = content


# ---------------------------------------------------------------------------
# Depot and wrapper builders
# ---------------------------------------------------------------------------

def metadata_members(m, mz, built):
    """Members of the metadata zip at outer path mz."""
    out = []
    if m.vendor_index_copy:
        owners = [v for v in m.vendors if any(e['path'] == mz for e in v['entries'])]
        if owners or m.vendors:
            out.append(('vendor-index.xml', vendor_index_xml((owners or m.vendors)[0])))
    bulletins = [b for b in m.bulletins if b['metazip'] == mz]
    if m.vmware_xml:
        out.append(('vmware.xml', vmware_xml(
            m, [b for b in bulletins if yes(b['in-vmware-xml'], 'in-vmware-xml')], built)))
    for v in m.vibs:
        if v['metazip'] == mz:
            b = built[v['key']]
            text = vib_xml(v, b['payloads'], (v['relative-path'], b['size'], b['sha256']))
            out += [(name, text) for name in v['xml-names']]
    out += [(b['xml-file'], bulletin_xml(b)) for b in bulletins]
    out += [(p['xml-file'], profile_xml(p)) for p in m.profiles if p['metazip'] == mz]
    out += [(r['path'], release_json(r)) for r in m.releases if r['metazip'] == mz]
    names = [n for n, _ in out]
    dup = {n for n in names if names.count(n) > 1}
    if dup:
        raise SpecError(f'metadata zip {mz}: duplicate member names {sorted(dup)}')
    return [(n, t.encode(), zipfile.ZIP_DEFLATED) for n, t in out]


def metazip_paths(m):
    paths = [m.metazip]
    for item in m.vibs + m.bulletins + m.profiles + m.releases:
        if item['metazip'] not in paths:
            paths.append(item['metazip'])
    for v in m.vendors:
        for e in v['entries']:
            if e['path'] and e['path'] not in paths:
                paths.append(e['path'])
    return paths


def check_vib_paths(m):
    """Two VIB sections must not write the same .vib member."""
    seen = {}
    for v in m.vibs:
        p = v['outer-path']
        if p and p in seen:
            raise SpecError(f'VIBs {seen[p]} and {v["key"]} share the file {p}')
        seen[p] = v['key']


def depot_members(m, built):
    """All non-VIB outer members, in real-depot order."""
    index = [('index.xml', index_xml(m.vendors).encode(), zipfile.ZIP_DEFLATED)]
    vindex = []
    for v in m.vendors:
        text = vendor_index_xml(v).encode()
        prev = [x for x in vindex if x[0] == v['index-path']]
        if prev and prev[0][1] != text:
            raise SpecError(f'two vendors write different {v["index-path"]}')
        if not prev:
            vindex.append((v['index-path'], text, zipfile.ZIP_DEFLATED))
    metas = [(mz, zip_bytes(metadata_members(m, mz, built), m.zip_date), zipfile.ZIP_DEFLATED)
             for mz in metazip_paths(m)]
    return index, vindex, metas


def build_depot(spec, m, out_path=None, stream=False):
    """Returns (zip bytes or None when streamed to out_path, built-VIB table)."""
    built = {}
    check_vib_paths(m)
    if stream:
        # The metadata holds each VIB's size and digest, and VIBs are never held
        # in memory here, so the VIBs are written first and the small index and
        # metadata members last. Readers use the central directory: order is moot.
        if spec.overrides:
            raise SpecError('[override] cannot be combined with streaming (bench) builds')
        with zipfile.ZipFile(out_path, 'w', allowZip64=True) as zf:
            for v in sorted(m.vibs, key=lambda v: v['outer-path'] or ''):
                if not v['outer-path']:         # remote URL: metadata only
                    built[v['key']] = build_vib(v, None)
                    continue
                expected = sum(p['usize'] for p in v['payloads'])
                zi = zip_info(v['outer-path'], m.zip_date, m.vib_compression)
                with zf.open(zi, 'w', force_zip64=expected > (1 << 31) - (1 << 24)) as f:
                    built[v['key']] = build_vib(v, f)
            index, vindex, metas = depot_members(m, built)
            for name, data, comp in index + vindex + metas:
                zf.writestr(zip_info(name, m.zip_date, comp), data)
        return None, built
    vib_members = []
    for v in m.vibs:
        buf = io.BytesIO()
        built[v['key']] = build_vib(v, buf)
        if v['outer-path']:
            vib_members.append((v['outer-path'], buf.getvalue(), m.vib_compression))
    vib_members.sort(key=lambda x: x[0])
    index, vindex, metas = depot_members(m, built)
    if m.layout == 'vmware':
        members = index + vindex + metas + vib_members
    else:   # VIB2ZIP order as seen in real bundles
        members = index + vib_members + vindex + metas
    return finish_zip(spec, members, m.zip_date), built


def finish_zip(spec, members, date):
    members = [list(x) for x in members]
    for tokens, text, base, origin in spec.overrides:
        apply_override(members, date, tokens, text, base, origin)
    return zip_bytes([tuple(x) for x in members], date)


def depot_truth(m, built):
    vibs, seen = [], set()
    for v in m.vibs:
        if v['id'] in seen:
            continue
        seen.add(v['id'])
        size, sha = built[v['key']]['size'], built[v['key']]['sha256']
        vibs.append({'id': v['id'], 'name': v['name'], 'version': v['version'],
                     'vendor': v['vendor'], 'type': v['type'],
                     'acceptance_level': v['acceptance'] or 'community',
                     'release_date_utc': utc_text(v['release-date']),
                     'summary': v['summary'], 'relative_path': v['relative-path'],
                     'packed_size': size, 'sha256': sha})
    # Same profileID: the higher serialno wins (esximage ImageProfile.__add__).
    winners = {}
    for p in m.profiles:
        cur = winners.get(p['profile-id'])
        if cur is None or int(p['serialno'] or 0) > int(cur['serialno'] or 0):
            winners[p['profile-id']] = p
    profiles = [{'name': p['name'], 'profile_id': p['profile-id'], 'vendor': p['creator'],
                 'acceptance_level': p['acceptance'] or None,
                 'creation_time': utc_text(p['creation-time']),
                 'modification_time': utc_text(p['modified-time']),
                 'vib_ids': p['vib-ids']} for p in winners.values()]
    # Same bulletin id: the newer releaseDate wins (Bulletin.__add__).
    comps = {}
    for b in m.bulletins:
        cur = comps.get(b['id'])
        if cur is None or (utc_text(b['release-date']) or '') > (utc_text(cur['release-date']) or ''):
            comps[b['id']] = b
    components = [{'id': b['id'], 'name': b['component-name'] or b['id'],
                   'version': b['component-version'] if b['component-name'] else '',
                   'vendor': b['vendor'], 'summary': b['summary'],
                   'release_date_utc': utc_text(b['release-date']),
                   'vib_ids': b['vib-ids']} for b in comps.values()]
    return {'vibs': sorted(vibs, key=lambda x: x['id']),
            'profiles': sorted(profiles, key=lambda x: (x['name'], x['profile_id'])),
            'components': sorted(components, key=lambda x: x['id'])}


MEMBER_TYPES = ('file', 'dir', 'symlink', 'hardlink', 'device', 'fifo')


def sha256_hex(data):
    return hashlib.sha256(data).hexdigest()


def member_name(sec, mem):
    """The member's stored name: the section argument, with \\xNN decoded
    when name-escapes is set (control bytes, NUL, for hostile fixtures)."""
    if not yes(mem['name-escapes'], 'name-escapes'):
        return sec.arg
    return re.sub(r'\\x([0-9a-fA-F]{2})', lambda m: chr(int(m.group(1), 16)), sec.arg)


def bare_vib(spec_dir, value, origin):
    """vib = DEPOT.spec NAME: the .vib that spec builds for VIB NAME."""
    parts = value.split()
    if len(parts) != 2:
        raise SpecError(f'{origin}: vib = SPEC NAME')
    dspec = parse_spec(os.path.join(spec_dir, parts[0]))
    m = resolve(dspec)
    hits = [v for v in m.vibs if v['name'] == parts[1]]
    if len(hits) != 1:
        raise SpecError(f'{origin}: {parts[0]} has {len(hits)} VIBs named {parts[1]!r}')
    buf = io.BytesIO()
    build_vib(hits[0], buf)
    return buf.getvalue()


def wrap_zip(data, levels, date):
    """levels zips around data: the outermost holds nest-LEVELS.zip, ...,
    the innermost holds data as nest-1.zip. Returns (bytes, inner chain)."""
    chain = []
    for k in range(1, levels + 1):
        data = zip_bytes([(f'nest-{k}.zip', data, zipfile.ZIP_STORED)], date)
        chain.insert(0, f'nest-{k}.zip')
    return data, chain


def tar_bytes(members, date, gz):
    """members: (name, data, type, mode, target). Deterministic: fixed mtime,
    owner root, GNU format; gzip from stored deflate blocks."""
    mtime = calendar.timegm(date + (0, 0, 0))
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode='w', format=tarfile.GNU_FORMAT) as tf:
        for name, data, kind, mode, target in members:
            ti = tarfile.TarInfo(name)
            ti.mtime, ti.uid, ti.gid, ti.uname, ti.gname = mtime, 0, 0, 'root', 'root'
            ti.mode = mode
            if kind == 'dir':
                ti.type = tarfile.DIRTYPE
            elif kind == 'symlink':
                ti.type, ti.linkname = tarfile.SYMTYPE, target
            elif kind == 'hardlink':
                ti.type, ti.linkname = tarfile.LNKTYPE, target
            elif kind == 'device':
                ti.type, ti.devmajor, ti.devminor = tarfile.CHRTYPE, 1, 3
            elif kind == 'fifo':
                ti.type = tarfile.FIFOTYPE
            else:
                ti.size = len(data)
            # tarfile would strip nothing here, but be explicit: the stored
            # name is exactly what the spec says, hostile or not.
            ti.name = name
            tf.addfile(ti, io.BytesIO(data) if kind == 'file' else None)
    raw = buf.getvalue()
    return b''.join(gzip_stored([raw], len(raw))) if gz else raw


def zip_member_bytes(members, date):
    """members: (name, data, type, mode, target, compress). Zip has no hard
    links; a symlink stores its target as data, as Info-ZIP does."""
    buf = io.BytesIO()
    types = {'file': 0o100000, 'dir': 0o040000, 'symlink': 0o120000,
             'device': 0o020000, 'fifo': 0o010000}
    with zipfile.ZipFile(buf, 'w') as zf:
        for name, data, kind, mode, target, comp in members:
            if kind == 'hardlink':
                raise SpecError(f'member {name!r}: a zip cannot hold a hard link')
            zi = zip_info('x/' if kind == 'dir' else 'x', date, comp, kind == 'dir')
            zi.filename = name          # kept verbatim, NUL and all
            zi.external_attr = (types[kind] | mode) << 16 | (0x10 if kind == 'dir' else 0)
            if kind == 'symlink':
                data = target.encode()
            zf.writestr(zi, data)
    return buf.getvalue()


def build_wrapper(spec):
    w = evaluate([spec.get('wrapper')], 'wrapper')
    date = parse_zip_date(w['zip-date'])
    fmt = w['format']
    if fmt not in ('zip', 'tar', 'tar.gz'):
        raise SpecError(f'[wrapper] format must be zip, tar or tar.gz, not {fmt!r}')
    if fmt != 'zip' and spec.overrides:
        raise SpecError('[override] works on zip wrappers only')
    members, nested, files = [], [], []
    for sec in spec.of_kind('member'):
        mem = evaluate([sec], 'member')
        name = member_name(sec, mem)
        kind = mem['type']
        if kind not in MEMBER_TYPES:
            raise SpecError(f'{sec.origin}: type must be one of {", ".join(MEMBER_TYPES)}')
        sources = [k for k in ('spec', 'text', 'file', 'vib', 'random') if mem[k]]
        if kind == 'file' and len(sources) != 1:
            raise SpecError(f'{sec.origin}: [member] needs exactly one of '
                            'spec, text, file, vib, random')
        if kind != 'file' and sources:
            raise SpecError(f'{sec.origin}: a {kind} member has no content')
        if kind in ('symlink', 'hardlink') and not mem['target']:
            raise SpecError(f'{sec.origin}: a {kind} needs target =')
        mode = int(mem['mode'], 8) if mem['mode'] else (0o755 if kind == 'dir' else 0o644)
        data, truth = b'', None
        if mem['spec']:
            data, truth = build_output(os.path.join(spec.dir, mem['spec']))
        elif mem['text']:
            data = (mem['text'] + '\n').encode()
        elif mem['file']:
            with open(os.path.join(spec.dir, mem['file']), 'rb') as f:
                data = f.read()
        elif mem['vib']:
            data = bare_vib(spec.dir, mem['vib'], sec.origin)
        elif mem['random']:
            data = b''.join(payload_stream(f'{spec.path}:{name}', int(mem['random'])))
        inner_path = name
        if kind == 'file' and int(mem['wrap']) > 0:
            files.append({'path': name, 'sha256': sha256_hex(data), 'size': len(data)})
            inner = data
            data, chain = wrap_zip(data, int(mem['wrap']), date)
            inner_path = '!'.join([name] + chain)
            files[-1]['path'] = inner_path
            layer = data
            for i in range(len(chain)):
                files.append({'path': '!'.join([name] + chain[:i]),
                              'sha256': sha256_hex(layer), 'size': len(layer)})
                layer = unzip_members(layer)[0][1]
            assert layer == inner
        elif kind == 'file' and yes(mem['expand'], 'expand'):
            # The zip's members as files of the folder PATH: a depot
            # "already unzipped" inside a package.
            if not mem['spec']:
                raise SpecError(f'{sec.origin}: expand = yes needs spec =')
            for iname, idata, _, _ in unzip_members(data):
                if iname.endswith('/'):
                    continue
                full = f'{name.rstrip("/")}/{iname}'
                files.append({'path': full, 'sha256': sha256_hex(idata), 'size': len(idata)})
                members.append((full, idata, 'file', mode, '',
                                compression(mem['compression'])))
            if truth is not None:
                nested.append((name.rstrip('/'), truth))
            continue
        elif kind == 'file':
            files.append({'path': name, 'sha256': sha256_hex(data), 'size': len(data)})
        if truth is not None:
            nested.append((inner_path, truth))
            for f in truth.get('files', []):
                files.append(dict(f, path=f'{inner_path}!{f["path"]}'))
        members.append((name, data, kind, mode, mem['target'],
                        compression(mem['compression'])))
    if yes(w['directory-entries'], 'directory-entries'):
        dirs = []
        for name, *_ in members:
            parts = name.split('/')[:-1]
            for i in range(1, len(parts) + 1):
                d = '/'.join(parts[:i]) + '/'
                if d not in dirs and not any(m[0] == d for m in members):
                    dirs.append(d)
        members = [(d, b'', 'dir', 0o755, '', zipfile.ZIP_STORED) for d in dirs] + members
    truth = {'vibs': [], 'profiles': [], 'components': [], 'depots': [], 'files': files}
    for path, t in nested:
        for sub in t.get('depots', []):
            truth['depots'].append(dict(sub, path=f'{path}!{sub["path"]}'))
        if 'depots' not in t:
            truth['depots'].append(dict(t, path=path))
        for k in ('vibs', 'profiles', 'components'):
            truth[k] += t[k]
    if fmt != 'zip':
        return tar_bytes([m[:5] for m in members], date, fmt == 'tar.gz'), truth
    if all(m[2] == 'file' or (m[2] == 'dir' and m[1] == b'') for m in members) and \
            all(m[3] in (0o644, 0o755) and '\0' not in m[0] for m in members):
        # The plain case keeps the exact bytes the existing fixtures had.
        return finish_zip(spec, [(n, d, c) for n, d, _, _, _, c in members], date), truth
    return zip_member_bytes(members, date), truth


def build_output(spec_path, out_path=None, stream=False):
    """Builds one spec; returns (zip bytes or None if streamed, truth)."""
    spec = parse_spec(spec_path)
    if spec.get('wrapper') or spec.of_kind('member'):
        return build_wrapper(spec)
    m = resolve(spec)
    data, built = build_depot(spec, m, out_path, stream)
    return data, depot_truth(m, built)


def write_atomic(path, data=None, writer=None):
    d = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix='.' + os.path.basename(path) + '.', dir=d)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)       # mkstemp's 0600 would surprise other users
    try:
        with os.fdopen(fd, 'wb') as f:
            if writer:
                writer(f)
            else:
                f.write(data)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def write_json(path, doc):
    write_atomic(path, (json.dumps(doc, indent=2, sort_keys=False) + '\n').encode())


# ---------------------------------------------------------------------------
# Bench: a big ESXi-8-style depot, expressed as a spec so it uses the same code.
# ---------------------------------------------------------------------------

def bench_spec(size_mb, nvibs):
    if nvibs < 2:
        raise SpecError('--vibs must be at least 2 (one of them is tools-light)')
    per_vib = max(0, (size_mb << 20) // nvibs - 4096)   # ~4 KB of headers/XML per VIB
    lines = [
        '# generated by mkdepot.py --bench',
        '[depot]', 'seed = bench', 'vib-compression = stored',
        '[vendor VMware]', 'code = VMW', 'metadata = embeddedEsx 8.0 metadata.zip',
        '[vib-defaults]', 'vendor = VMW', 'platform = 8.0 embeddedEsx',
        'release-date = 2025-04-09T17:23:44.018611+00:00',
        f'payload-size = {per_vib}', 'depends = vmkapi_2_13_0_0',
        '[bulletin-defaults]', 'platform = 8.0 embeddedEsx',
        'release-date = 2025-04-10T00:00:00+00:00',
        '[profile-defaults]', 'creation-time = 2025-04-10T00:00:00+00:00', 'serialno = 1',
        '[vibs]', 'tools-light 12.5.0.24276846-24677879',
    ]
    names = [f'bench-drv{i:04d}' for i in range(1, nvibs)]
    lines += [f'{n} 1.0.{i}-1vmw.803.0.0.24022510' for i, n in enumerate(names, 1)]
    lines += ['[components]', 'VMware-VM-Tools 12.5.0.24276846-24677879 tools-light']
    lines += [f'VMware-{n} 1.0.{i}-1vmw.803.0.0.24022510 {n}' for i, n in enumerate(names, 1)]
    lines += ['[profile ESXi-8.0U3e-bench-standard]', 'vibs = *', 'bulletins = *',
              '[profile ESXi-8.0U3e-bench-no-tools]', 'vibs = * !tools-light',
              'bulletins = * !VMware-VM-Tools_12.5.0.24276846-24677879']
    return '\n'.join(lines) + '\n'


# ---------------------------------------------------------------------------
# Command line
# ---------------------------------------------------------------------------

USAGE = """usage: mkdepot.py SPEC OUT.zip [--truth-out TRUTH.json]
       mkdepot.py --truth SPEC TRUTH.json
       mkdepot.py --vib SPEC NAME OUT.vib
       mkdepot.py --bench OUT.zip --size-mb N --vibs K [--truth-out TRUTH.json] [--print-spec]"""


def main(argv):
    args, opts = [], {}
    it = iter(argv)
    for arg in it:
        if arg in ('--truth-out', '--size-mb', '--vibs'):
            opts[arg] = next(it, None)
            if opts[arg] is None:
                raise SpecError(f'{arg} needs a value')
        elif arg in ('--truth', '--bench', '--print-spec', '--vib'):
            opts[arg] = True
        elif arg in ('-h', '--help'):
            print(USAGE)
            return 0
        elif arg.startswith('--'):
            raise SpecError(f'unknown option {arg}\n{USAGE}')
        else:
            args.append(arg)

    if opts.get('--vib'):
        # One VIB of a spec as a bare .vib file (the same bytes the depot holds).
        if len(args) != 3:
            raise SpecError(USAGE)
        spec_dir = os.path.dirname(os.path.abspath(args[0]))
        write_atomic(args[2], bare_vib(spec_dir, f'{os.path.basename(args[0])} {args[1]}',
                                       '--vib'))
        return 0

    if opts.get('--truth'):
        if len(args) != 2:
            raise SpecError(USAGE)
        _, truth = build_output(args[0])
        if SIGNED_ANY:
            print('mkdepot: warning: signed VIBs: their sha256 differs on every build; '
                  'use --truth-out when building', file=sys.stderr)
        write_json(args[1], truth)
        return 0

    if opts.get('--bench'):
        if len(args) != 1 or '--size-mb' not in opts or '--vibs' not in opts:
            raise SpecError(USAGE)
        text = bench_spec(int(opts['--size-mb']), int(opts['--vibs']))
        if opts.get('--print-spec'):
            sys.stdout.write(text)
            return 0
        with tempfile.TemporaryDirectory() as tmp:
            sp = os.path.join(tmp, 'bench.spec')
            with open(sp, 'w') as f:
                f.write(text)
            spec = parse_spec(sp)
            m = resolve(spec)
            result = {}

            def writer(f):
                result['built'] = build_depot(spec, m, f, stream=True)[1]
            write_atomic(args[0], writer=writer)
            if '--truth-out' in opts:
                write_json(opts['--truth-out'], depot_truth(m, result['built']))
        return 0

    if len(args) != 2:
        raise SpecError(USAGE)
    data, truth = build_output(args[0])
    write_atomic(args[1], data)
    if opts.get('--truth-out'):
        write_json(opts['--truth-out'], truth)
    return 0


if __name__ == '__main__':
    try:
        sys.exit(main(sys.argv[1:]))
    except SpecError as e:
        print(f'mkdepot: {e}', file=sys.stderr)
        sys.exit(2)
    except (OSError, ValueError) as e:
        print(f'mkdepot: {e}', file=sys.stderr)
        sys.exit(1)
