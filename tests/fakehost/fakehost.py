#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""fakehost.py - a stateful fake ESXi host for testing generated install scripts.

The commands a generated install.sh runs on a real host (esxcli, vim-cmd,
vmware, reboot, mst, mlxfwmanager, nvmupdaten64e) are answered from a model of
the host kept in $FAKEHOST_STATE/state.json: the running image, the pending
(after-reboot) image, maintenance mode, acceptance level, VMs, NIC firmware.
Output and exit codes follow the real tools (see README.md for what is
modelled, what is approximated and why).

Python 3 standard library only.  Usage:

  fakehost.py init STATE_DIR [options]        create/reset a host (see --help)
  fakehost.py show [--key a.b.c] [STATE_DIR]  print the state (JSON or one value)
  fakehost.py fwimage OUT.bin --psid P --version V   write a fake Mellanox image
  fakehost.py install-nvmupdate DIR [--cfg-version V]  put a bundled nvmupdaten64e in DIR
  fakehost.py nvmupdate [--bundled-dir DIR] ARGS...   behave as a bundled nvmupdaten64e
  fakehost.py TOOL ARGS...                     run TOOL (esxcli, vim-cmd, vmware, ...)
"""

import argparse
import contextlib
import copy
import datetime
import fcntl
import io
import json
import os
import posixpath
import re
import shlex
import shutil
import sys
import tarfile
import textwrap
import time
import uuid
import xml.etree.ElementTree as ET
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
TOOLS = ('esxcli', 'vim-cmd', 'vmware', 'reboot', 'mst', 'mlxfwmanager', 'nvmupdaten64e',
         'secureBoot.py', 'df')
STATE_FILE = 'state.json'
CALLS_LOG = 'calls.log'

ACCEPTANCE = (('certified', 'VMwareCertified', 15), ('accepted', 'VMwareAccepted', 10),
              ('partner', 'PartnerSupported', 5), ('community', 'CommunitySupported', 0))
XML2DISP = {x: d for x, d, _ in ACCEPTANCE}
DISP2XML = {d: x for x, d, _ in ACCEPTANCE}
TRUST = {x: t for x, _, t in ACCEPTANCE}

MSG_OK = 'Operation finished successfully.'
MSG_REBOOT = ('The update completed successfully, but the system needs to be rebooted '
              'for the changes to be effective.')
MSG_NOCHANGE = 'Host was not updated, no changes required.'
MSG_DRYRUN = 'Dryrun only, host not changed. The following installers will be applied: [%s]'


class EsxError(Exception):
    """An esxcli-software error: printed as ' [Class]\\n message\\n Please refer ...'."""

    def __init__(self, cls, msg):
        Exception.__init__(self, msg)
        self.cls, self.msg = cls, msg

    def render(self):
        lines = [' [%s]' % self.cls]
        lines += [' ' + line for line in self.msg.split('\n')]
        lines.append(' Please refer to the log file for more details.')
        return '\n'.join(lines)


class Usage(Exception):
    """An esxcli command-line error: printed as 'Error: ...', exit 1."""


# ---------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------

def out(text=''):
    sys.stdout.write(text + '\n')


def err(text):
    sys.stderr.write(text + '\n')


def today():
    d = os.environ.get('FAKEHOST_DATE', '').strip()
    if re.match(r'^\d{4}-\d\d-\d\d$', d):
        return d
    return datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%d')


def now_iso():
    d = os.environ.get('FAKEHOST_DATE', '').strip()
    if re.match(r'^\d{4}-\d\d-\d\d$', d):
        return d + 'T00:00:00'
    return datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%S')


def _field_key(field):
    m = re.match(r'(\d+)(.*)$', field)
    return (int(m.group(1)), m.group(2)) if m else (-1, field)


def version_key(text):
    """esximage Version: split on '.', each field -> (leading int or -1, rest)."""
    return tuple(_field_key(f) for f in text.split('.'))


def vib_version_key(text):
    """esximage VibVersion: (version, release), split at the first '-'."""
    ver, _, rel = text.partition('-')
    return (version_key(ver), version_key(rel))


def cmp_versions(a, b):
    ka, kb = vib_version_key(a), vib_version_key(b)
    return (ka > kb) - (ka < kb)


def parse_bool(text, default=None):
    t = (text or '').strip().lower()
    if t in ('1', 'true', 'yes', 'on'):
        return True
    if t in ('0', 'false', 'no', 'off'):
        return False
    return default


def sh_join(argv):
    return ' '.join(shlex.quote(a) for a in argv).replace('\n', '\\n')


# ---------------------------------------------------------------------------
# Output formatters (esxcli table / simple / keyvalue)
# ---------------------------------------------------------------------------

def fmt_table(headers, rows):
    widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(headers)]
    lines = ['  '.join(h.ljust(w) for h, w in zip(headers, widths)).rstrip(),
             '  '.join('-' * w for w in widths)]
    for r in rows:
        lines.append('  '.join(c.ljust(w) for c, w in zip(r, widths)).rstrip())
    return '\n'.join(lines)


def _simple_value(kind, val):
    if kind.endswith('[]'):
        return ', '.join(val)
    if kind == 'boolean':
        return 'true' if val else 'false'
    return str(val)


def fmt_simple(header, fields, indent='   '):
    lines = [header] if header is not None else []
    for name, kind, val in fields:
        v = _simple_value(kind, val)
        if '\n' in v:
            v = v.replace('\n', '\n' + indent + '   ')
        lines.append('%s%s: %s' % (indent, name, v))
    return '\n'.join(lines)


def fmt_keyvalue(typename, fields):
    """One structure: 'Type.Field.type=value', fields sorted by key (as esxcli
    does: Message, RebootRequired, VIBsInstalled, ...).  A list field gives one
    'Type.Field.string[] = item' line per item, or one 'Type.Field.string[] = '
    line when empty: a real host spaces '=' in list lines (a public playbook
    matches 'VIBsInstalled.string[] = '), not in others.
    FAKEHOST_KV_LISTS=joined gives one comma-joined line per list;
    FAKEHOST_KV_SPACES=all spaces every '=', none no '=' at all."""
    joined = os.environ.get('FAKEHOST_KV_LISTS', 'lines') == 'joined'
    spaces = os.environ.get('FAKEHOST_KV_SPACES', 'lists')
    eq_list = '=' if spaces == 'none' else ' = '
    eq = ' = ' if spaces == 'all' else '='
    lines = []
    for name, kind, val in sorted(fields, key=lambda f: f[0].replace(' ', '')):
        key = '%s.%s.%s' % (typename, name.replace(' ', ''), kind)
        if kind.endswith('[]'):
            if joined or not val:
                lines.append('%s%s%s' % (key, eq_list, ','.join(val)))
            else:
                lines.extend('%s%s%s' % (key, eq_list, v) for v in val)
        elif kind == 'boolean':
            lines.append('%s%s%s' % (key, eq, 'true' if val else 'false'))
        else:
            lines.append('%s%s%s' % (key, eq, val))
    return '\n'.join(lines)


# ---------------------------------------------------------------------------
# VIB descriptors, ar archives
# ---------------------------------------------------------------------------

def _text(el, tag, default=''):
    if el is None:
        return default
    c = el.find(tag)
    if c is None:
        return default
    return (c.text or '').strip()


def _constraints(rel, tag):
    res = []
    if rel is None or rel.find(tag) is None:
        return res
    for c in rel.find(tag):
        name = c.get('name', '')
        if c.get('relation'):
            res.append('%s %s %s' % (name, c.get('relation'), c.get('version', '')))
        elif c.get('version'):
            res.append('%s = %s' % (name, c.get('version')))
        else:
            res.append(name)
    return res


def parse_vib_xml(data, where):
    """descriptor.xml or depot vibs/*.xml -> VIB record (a plain dict)."""
    try:
        root = ET.fromstring(data)
    except ET.ParseError as e:
        raise EsxError('VibFormatError', 'Could not parse VIB XML data from %s: %s.' % (where, e))
    name = _text(root, 'name')
    if not name:
        raise EsxError('VibFormatError', 'Missing VIB name.')
    version = _text(root, 'version')
    if not version or version.count('-') > 1:
        raise EsxError('VibFormatError', "Could not parse '%s' to a Vib version." % version)
    vendor = _text(root, 'vendor')
    vtype = _text(root, 'type') or 'bootbank'
    vid = '%s_%s_%s_%s' % (vendor, vtype, name, version)
    acc = _text(root, 'acceptance-level') or 'community'
    if acc not in XML2DISP:
        raise EsxError('VibFormatError', "VIB '%s' has invalid acceptance level '%s'." % (vid, acc))
    sysreq = root.find('system-requires')
    mm_install = mm_remove = True
    hw = []
    if sysreq is not None:
        mm = sysreq.find('maintenance-mode')
        if mm is not None:
            base = parse_bool(mm.text, True)
            mm_install = parse_bool(mm.get('on-install'), base)
            mm_remove = parse_bool(mm.get('on-remove'), base)
        for h in sysreq.findall('hwplatform'):
            hw.append(' '.join(x for x in (h.get('vendor', ''), h.get('model', '')) if x))
    rel = root.find('relationships')
    provides = []
    if rel is not None and rel.find('provides') is not None:
        for p in rel.find('provides'):
            provides.append(p.get('name', '') + (' = ' + p.get('version') if p.get('version') else ''))
    tags = [(t.text or '').strip() for t in root.findall('software-tags/tag')]
    payloads = [p.get('name', '') for p in root.findall('payloads/payload')]
    urls = [(u.text or '').strip() for u in root.findall('urls/url')]
    return {
        'id': vid, 'name': name, 'version': version, 'vendor': vendor, 'type': vtype,
        'summary': _text(root, 'summary'), 'description': _text(root, 'description'),
        'release_date': _text(root, 'release-date'), 'acceptance': acc,
        'live_install': parse_bool(_text(root, 'live-install-allowed'), False),
        'live_remove': parse_bool(_text(root, 'live-remove-allowed'), False),
        'stateless_ready': parse_bool(_text(root, 'stateless-ready'), False),
        'overlay': parse_bool(_text(root, 'overlay'), False),
        'mm_install': mm_install, 'mm_remove': mm_remove,
        'depends': _constraints(rel, 'depends'), 'conflicts': _constraints(rel, 'conflicts'),
        'replaces': _constraints(rel, 'replaces'), 'provides': provides,
        'tags': tags, 'payloads': payloads, 'hwplatforms': hw, 'urls': urls,
        'relative_path': _text(root, 'relative-path'),
        'install_date': '', 'signed': None,
    }


def read_ar_head(f, count, where):
    """Reads the first `count` members of an ar archive (esximage's rules:
    a pad byte is a single '\\n' before the next header; names lose spaces,
    NULs and a GNU trailing '/')."""
    if f.read(8) != b'!<arch>\n':
        raise EsxError('VibFormatError', 'Bad VIB archive header (%s is not an ar archive).' % where)
    members = []
    while len(members) < count:
        b = f.read(1)
        if not b:
            break
        hdr = f.read(60) if b == b'\n' else b + f.read(59)
        if len(hdr) < 60:
            raise EsxError('VibFormatError', 'VIB archive is too short (%s).' % where)
        if hdr[58:60] != b'`\n':
            raise EsxError('VibFormatError', 'Bad VIB archive header (%s: unexpected file magic).' % where)
        name = hdr[0:16].decode('latin-1').strip(' \0')
        try:
            size = int(hdr[48:58].decode('latin-1').strip(' \0') or '0', 10)
        except ValueError:
            raise EsxError('VibFormatError', 'Bad VIB archive header (%s: invalid size).' % where)
        data = f.read(size)
        if len(data) < size:
            raise EsxError('VibFormatError', 'VIB archive is too short (%s).' % where)
        if name in ('/', '//'):
            continue
        members.append((name.rstrip('/') if len(name) > 1 else name, data))
    return members


def vib_from_ar(f, where):
    """(VIB record, signed) from an open .vib stream."""
    members = read_ar_head(f, 2, where)
    if not members:
        raise EsxError('VibFormatError', 'VIB archive is too short (%s).' % where)
    first = members[0][0]
    if first == 'debian-binary':
        raise EsxError('VibFormatError', 'This VIB is a ESX 4.x VIB and is not supported on this version of ESX.')
    if first != 'descriptor.xml':
        raise EsxError('VibFormatError', 'This VIB has an unsupported format. The first member found was '
                       '%s, but descriptor.xml was expected.' % first)
    if len(members) < 2 or members[1][0] != 'sig.pkcs7':
        found = members[1][0] if len(members) > 1 else 'nothing'
        raise EsxError('VibFormatError', 'Expected second member of Vib file to be sig.pkcs7, but found '
                       '%s instead.' % found)
    vib = parse_vib_xml(members[0][1], where)
    return vib, len(members[1][1]) > 0


def resolve_vib_url(arg):
    """-v argument -> local path, or EsxError like esxcli's downloader."""
    a = arg
    if a.startswith('file://'):
        a = a[7:]
    elif a.startswith('file:'):
        a = a[5:]
    elif re.match(r'^(https?|ftp)://', a):
        raise EsxError('VibDownloadError', "('%s', '', '<urlopen error [Errno -3] Temporary failure in "
                       "name resolution>')\n       url = %s" % (arg, arg))
    if not a.startswith('/'):
        raise EsxError('VibDownloadError', "('%s', '', \"unknown url type: '%s'\")\n       url = %s"
                       % (arg, arg, arg))
    if not os.path.isfile(a):
        raise EsxError('VibDownloadError', "('%s', '', \"[Errno 2] No such file or directory: '%s'\")\n"
                       "       url = %s" % (arg, a, arg))
    return a


def load_vib_file(arg):
    path = resolve_vib_url(arg)
    with open(path, 'rb') as f:
        vib, signed = vib_from_ar(f, path)
    vib['signed'] = signed
    vib['_src'] = ('file', path)
    return vib


# ---------------------------------------------------------------------------
# Depot zips: index.xml -> vendor-index.xml -> metadata zip -> vibs/ bulletins/ profiles/
# ---------------------------------------------------------------------------

class Depot:
    def __init__(self):
        self.vibs = {}        # id -> VIB record (with '_src')
        self.bulletins = {}   # id -> bulletin dict
        self.profiles = {}    # profileID -> profile dict

    def merge(self, other):
        for k, v in other.vibs.items():
            self.vibs.setdefault(k, v)
        for k, b in other.bulletins.items():
            if k not in self.bulletins or b['release_date'] > self.bulletins[k]['release_date']:
                self.bulletins[k] = b
        for k, p in other.profiles.items():
            if k not in self.profiles or p['serialno'] > self.profiles[k]['serialno']:
                self.profiles[k] = p


def _download_error(path, member, inner, what='depot'):
    url = 'zip:%s?%s' % (path, member)
    head = {'depot': 'Could not download from depot at %s, skipping',
            'vendor': 'Could not download from vendor index at %s, skipping',
            'meta': 'Could not download metadata.zip from %s, skipping'}[what] % url
    return EsxError('MetadataDownloadError', '%s ((\'%s\', \'\', "Error extracting %s from %s: %s"))\n'
                    '       url = %s' % (head, url, member, path, inner, url))


def _zip_read(zf, path, member, what):
    try:
        return zf.read(member)
    except KeyError:
        raise _download_error(path, member, "\"There is no item named '%s' in the archive\"" % member, what)
    except (zipfile.BadZipFile, OSError, EOFError) as e:
        raise _download_error(path, member, str(e), what)


def _parse_xml(data, cls, path):
    try:
        return ET.fromstring(data)
    except ET.ParseError as e:
        raise EsxError('MetadataFormatError', 'Could not parse %s XML data: %s. (%s)' % (cls, e, path))


def _need(el, tag, path):
    c = el.find(tag)
    if c is None:
        raise EsxError('MetadataFormatError', 'Element %s was expected, but not found (%s)' % (tag, path))
    return (c.text or '').strip()


def resolve_depot_url(arg):
    a = arg
    if a.startswith('file://'):
        a = a[7:]
    elif a.startswith('file:'):
        a = a[5:]
    elif re.match(r'^[A-Za-z][A-Za-z0-9+.-]*://', a):
        if a.lower().endswith('.zip'):
            raise EsxError('InstallationError', 'Only server local file path is supported for offline '
                           'bundles. (%s) seem to be remote URIs.' % arg)
        raise EsxError('MetadataDownloadError', 'Could not download from depot at %s, skipping '
                       '(<urlopen error [Errno -3] Temporary failure in name resolution>)\n'
                       '       url = %s' % (arg, arg))
    if not a.startswith('/'):
        # The esxcli-software backend runs with cwd /var/log/vmware.
        a = posixpath.join('/var/log/vmware', a)
    if not a.lower().endswith('.zip'):
        url = a.rstrip('/') + '/index.xml'
        raise EsxError('MetadataDownloadError', 'Could not download from depot at %s, skipping '
                       "([Errno 2] No such file or directory: '%s')\n       url = %s" % (url, url, url))
    return a


def open_depot(arg):
    path = resolve_depot_url(arg)
    try:
        zf = zipfile.ZipFile(path)
    except FileNotFoundError:
        raise _download_error(path, 'index.xml', "[Errno 2] No such file or directory: '%s'" % path)
    except IsADirectoryError:
        raise _download_error(path, 'index.xml', "[Errno 21] Is a directory: '%s'" % path)
    except (zipfile.BadZipFile, OSError) as e:
        raise _download_error(path, 'index.xml', str(e))
    dep = Depot()
    root = _parse_xml(_zip_read(zf, path, 'index.xml', 'depot'), 'DepotIndex', path)
    meta_paths = []
    for vendor in root.findall('vendor'):
        for tag in ('name', 'code', 'indexfile', 'relativePath'):
            _need(vendor, tag, path + '?index.xml')
        rp, idx = _text(vendor, 'relativePath'), _text(vendor, 'indexfile')
        vip = (rp.rstrip('/') + '/' + idx) if rp else idx
        vroot = _parse_xml(_zip_read(zf, path, vip, 'vendor'), 'VendorIndex', path + '?' + vip)
        for md in vroot.findall('metadata'):
            for tag in ('productId', 'version', 'locale', 'url'):
                _need(md, tag, path + '?' + vip)
            url = _text(md, 'url')
            mp = url if '://' in url else posixpath.join(posixpath.dirname(vip), url)
            if mp not in meta_paths:
                meta_paths.append(mp)
    for mp in meta_paths:
        data = _zip_read(zf, path, mp, 'meta')
        if len(data) < 22:
            raise EsxError('MetadataFormatError', "Metadata zip '%s' does not exist or is empty" % mp)
        try:
            mz = zipfile.ZipFile(io.BytesIO(data))
        except zipfile.BadZipFile as e:
            raise EsxError('MetadataFormatError', '%s (%s?%s)' % (e, path, mp))
        for info in mz.infolist():
            if info.filename.endswith('/') or info.external_attr & 0x10:
                continue
            dn = posixpath.dirname(info.filename)
            content = mz.read(info.filename)
            where = '%s?%s!%s' % (path, mp, info.filename)
            if dn == 'vibs':
                vib = parse_vib_xml(content, where)
                rel = vib['relative_path']
                member = None if '://' in rel else posixpath.join(posixpath.dirname(mp), rel)
                vib['_src'] = ('zip', path, member)
                dep.vibs.setdefault(vib['id'], vib)
            elif dn == 'bulletins':
                b = parse_bulletin(content, where)
                if b['id'] not in dep.bulletins or b['release_date'] > dep.bulletins[b['id']]['release_date']:
                    dep.bulletins[b['id']] = b
            elif dn == 'profiles':
                p = parse_profile(content, where)
                old = dep.profiles.get(p['profile_id'])
                if old is None or p['serialno'] > old['serialno']:
                    dep.profiles[p['profile_id']] = p
    return dep


def open_depots(args):
    dep = Depot()
    for a in args:
        dep.merge(open_depot(a))
    return dep


def parse_bulletin(data, where):
    root = _parse_xml(data, 'Bulletin', where)
    bid = _text(root, 'id')
    ns, vs = root.find('componentNameSpec'), root.find('componentVersionSpec')
    vib_ids = [(x.text or '').strip() for x in root.findall('vibList/vibID')]
    vib_ids += [(x.text or '').strip() for x in root.findall('vibList/vib/vibID')]
    return {
        'id': bid, 'vendor': _text(root, 'vendor'), 'summary': _text(root, 'summary'),
        'release_date': _text(root, 'releaseDate'),
        'name': ns.get('name', bid) if ns is not None else bid,
        'display_name': (ns.get('uiString') or ns.get('name', bid)) if ns is not None else bid,
        'version': vs.get('version', '') if vs is not None else '',
        'display_version': (vs.get('uiString') or vs.get('version', '')) if vs is not None else '',
        'is_component': ns is not None, 'vibs': vib_ids,
    }


def parse_profile(data, where):
    root = _parse_xml(data, 'ImageProfile', where)
    name = _text(root, 'name')
    if not name:
        raise EsxError('ProfileFormatError', 'Missing profile name.')
    creator = _text(root, 'creator')
    if not creator:
        raise EsxError('ProfileFormatError', 'Missing profile creator.')
    try:
        serial = int(_text(root, 'serialno') or '0')
    except ValueError:
        serial = 0
    created = _text(root, 'creationtime')
    return {
        'name': name, 'creator': creator,
        'profile_id': _text(root, 'profileID') or (name + '\0' + creator),
        'serialno': serial, 'description': _text(root, 'description'),
        'acceptance': _text(root, 'acceptancelevel') or 'partner',
        'creation_time': created[:19], 'modification_time': (_text(root, 'modifiedtime') or created)[:19],
        'vib_ids': [(x.text or '').strip() for x in root.findall('viblist/vib/vib-id')],
        'bulletin_ids': [(x.text or '').strip() for x in root.findall('bulletinlist/bulletin-id')],
    }


def vib_signed_in_zip(vib):
    """Opens the VIB inside its depot zip: fails like esxcli when the file is
    missing, returns whether sig.pkcs7 is non-empty."""
    kind, path, member = vib['_src']
    if member is None:
        raise EsxError('VibDownloadError', "('%s', '', 'remote VIB locations are not reachable from "
                       "the fake host')" % vib['id'])
    try:
        with zipfile.ZipFile(path) as zf, zf.open(member) as f:
            _, signed = vib_from_ar(f, 'zip:%s?%s' % (path, member))
            return signed
    except KeyError:
        url = 'zip:%s?%s' % (path, member)
        raise EsxError('VibDownloadError', "('%s', '%s', \"Error extracting %s from %s: \\\"There is no "
                       "item named '%s' in the archive\\\"\")\n       url = %s"
                       % (url, vib['id'], member, path, member, url))


# ---------------------------------------------------------------------------
# Host state
# ---------------------------------------------------------------------------

MLX_FAMILIES = {
    2: ('ConnectX3Pro', 'mt4103', 'MCX312B-XCCT_Ax', 'ConnectX-3 Pro EN network interface card; 10GigE; dual-port SFP+'),
    12: ('ConnectX4', 'mt4115', 'MCX416A-CCA_Ax', 'ConnectX-4 EN network interface card; 100GbE dual-port QSFP28'),
    14: ('ConnectX4LX', 'mt4117', 'MCX4121A-ACA_Ax', 'ConnectX-4 Lx EN network interface card; 25GbE dual-port SFP28; PCIe3.0 x8; ROHS R6'),
    16: ('ConnectX5', 'mt4119', 'MCX512A-ACA_Ax', 'ConnectX-5 EN network interface card; 10/25GbE dual-port SFP28; PCIe3.0 x8'),
    20: ('ConnectX6', 'mt4123', 'MCX653106A-HDA_Ax', 'ConnectX-6 VPI adapter card; HDR IB (200Gb/s) and 200GbE; dual-port QSFP56'),
    22: ('ConnectX6DX', 'mt4125', 'MCX623106AN-CDA_Ax', 'ConnectX-6 Dx EN adapter card; 100GbE; Dual-port QSFP56; PCIe 4.0 x16'),
    26: ('ConnectX6LX', 'mt4127', 'MCX631102AN-ADA_Ax', 'ConnectX-6 Lx EN adapter card; 25GbE; Dual-port SFP28; PCIe 4.0 x8'),
    28: ('ConnectX7', 'mt4129', 'MCX713106AC-CEA_Ax', 'NVIDIA ConnectX-7 HHHL Adapter card; 200GbE; Dual-port QSFP112'),
}


def default_vibs(version, build, patch):
    vmaj = version.split('.')
    tag = ''.join(vmaj[:3]) if len(vmaj) >= 3 else ''.join(vmaj)
    base_ver = '%s-0.%s.%s' % (version, patch, build)
    drv = lambda v, r='1vmw': '%s-%s.%s.0.0.%s' % (v, r, tag, build)
    esxi = ['esx-base', 'esxio-combiner', 'vsan', 'vsanhealth', 'crx', 'bmcal', 'gc', 'trx',
            'cpu-microcode', 'native-misc-drivers']
    specs = [(n, base_ver, 'VMware', 'certified', False, 'ESXi') for n in esxi]
    specs += [('esx-update', base_ver, 'VMware', 'certified', True, 'esx-update'),
              ('loadesx', base_ver, 'VMware', 'certified', True, 'esx-update'),
              ('tools-light', '12.4.0.23259341-%s' % build, 'VMware', 'certified', True, 'VMware-VM-Tools'),
              ('ne1000', drv('0.9.2'), 'VMW', 'certified', False, 'Intel-ne1000'),
              ('i40en', drv('1.11.2.6'), 'VMW', 'certified', False, 'Intel-i40en'),
              ('nmlx5-core', drv('4.23.0.66', '2vmw'), 'VMW', 'certified', False, 'Mellanox-nmlx5'),
              ('vmkusb', drv('0.1', '19vmw'), 'VMW', 'certified', False, 'VMware-vmkusb')]
    return specs


def make_vib(name, version, vendor='VMware', acceptance='certified', live=False, install_date=''):
    return {
        'id': '%s_bootbank_%s_%s' % (vendor, name, version), 'name': name, 'version': version,
        'vendor': vendor, 'type': 'bootbank', 'summary': '%s VIB' % name, 'description': name,
        'release_date': '', 'acceptance': acceptance, 'live_install': live, 'live_remove': live,
        'stateless_ready': True, 'overlay': False, 'mm_install': not live, 'mm_remove': not live,
        'depends': [], 'conflicts': [], 'replaces': [], 'provides': [], 'tags': [],
        'payloads': [name[:8]], 'hwplatforms': [], 'urls': [], 'relative_path': '',
        'install_date': install_date, 'signed': True,
    }


def init_state(a):
    version, build = a.version, a.build
    parts = version.split('.')
    update = a.update if a.update is not None else (parts[2] if len(parts) >= 3 else '0')
    date = a.install_date or today()
    vibs, comps = {}, {}
    if not a.no_default_vibs:
        for name, ver, vendor, acc, live, comp in default_vibs(version, build, a.patch):
            v = make_vib(name, ver, vendor, acc, live, date)
            vibs[name] = v
            c = comps.setdefault(comp, {'name': comp, 'display_name': comp, 'version': ver,
                                        'display_version': ver.split('-')[0], 'vendor': 'VMware, Inc.',
                                        'vibs': []})
            c['vibs'].append(v['id'])
    for spec in a.vib or []:
        f = spec.split(':')
        if len(f) < 2:
            raise SystemExit('fakehost init: --vib wants NAME:VERSION[:VENDOR[:ACCEPTANCE[:LIVE]]]')
        acc = f[3] if len(f) > 3 and f[3] else 'certified'
        acc = DISP2XML.get(acc, acc)
        if acc not in XML2DISP:
            raise SystemExit('fakehost init: bad acceptance level %r' % acc)
        v = make_vib(f[0], f[1], f[2] if len(f) > 2 and f[2] else 'VMware', acc,
                     parse_bool(f[4], False) if len(f) > 4 else False, date)
        old = vibs.get(f[0])
        vibs[f[0]] = v
        for c in list(comps.values()):
            if old and old['id'] in c['vibs']:
                del comps[c['name']]
    if update not in ('', '0'):
        short = '%s.%sU%s' % (parts[0], parts[1] if len(parts) > 1 else '0', update)
    else:
        short = version
    profile = {'name': a.profile or 'ESXi-%s-%s-standard' % (short, build), 'vendor': 'VMware, Inc.',
               'acceptance': 'partner', 'creation_time': date + 'T00:00:00',
               'modification_time': date + 'T00:00:00',
               'description': 'Fake ESXi %s build %s image (fakehost)' % (version, build)}
    image = {'profile': profile, 'vibs': vibs, 'components': comps}
    refresh_components(image, {})
    nics, count = [], {}
    for spec in a.nic or []:
        f = spec.split(':')
        if len(f) < 2:
            raise SystemExit('fakehost init: --nic wants PSID:FWVERSION[:PARTNUMBER[:DEVICETYPE]]')
        try:
            major = int(f[1].split('.')[0])
        except ValueError:
            raise SystemExit('fakehost init: bad firmware version %r' % f[1])
        fam = MLX_FAMILIES.get(major, ('ConnectX', 'mt4100', 'MCX000000-XXX_Ax', 'Mellanox network adapter'))
        dtype = f[3] if len(f) > 3 and f[3] else fam[0]
        n = count.get(fam[1], 0)
        count[fam[1]] = n + 1
        nics.append({'psid': f[0], 'fw': f[1], 'pending_fw': None,
                     'part_number': f[2] if len(f) > 2 and f[2] else fam[2],
                     'device_type': dtype, 'description': fam[3],
                     'pci_name': '%s_pciconf%d' % (fam[1], n),
                     'base_mac': '0c42a1%06x' % (0x10000 * (len(nics) + 1)),
                     'bus': '0000:%02x:00.0' % (0x3b + len(nics))})
    intel = None
    if a.intel_nvm_version:
        intel = {'version': a.intel_nvm_version, 'pending': None, 'devid': '1572',
                 'description': 'Intel(R) Ethernet Converged Network Adapter X710-2',
                 'sb': '00:001', 'eetrack': '8000D8CC', 'pending_eetrack': None}
    vms = []
    for i in range(a.vms_running + a.vms_stopped):
        vms.append({'id': i + 1, 'name': 'vm%d' % (i + 1),
                    'power': 'on' if i < a.vms_running else 'off'})
    vsan = None
    if a.vsan:
        vsan = {'members': [a.hostname] + [m for m in a.vsan.split(',') if m],
                'master': str(uuid.uuid5(uuid.NAMESPACE_DNS, 'vsan-master-' + a.vsan)),
                'cluster': str(uuid.uuid5(uuid.NAMESPACE_DNS, 'vsan-cluster-' + a.vsan))}
    if a.vcenter:
        cfg = os.path.join(a.state_dir, 'etc', 'vmware', 'vpxa')
        os.makedirs(cfg, exist_ok=True)
        with open(os.path.join(cfg, 'vpxa.cfg'), 'w') as f:
            f.write('<config>\n  <vpxa>\n    <hostIp>192.0.2.10</hostIp>\n'
                    '    <serverIp>%s</serverIp>\n    <serverPort>902</serverPort>\n'
                    '  </vpxa>\n</config>\n' % a.vcenter)
    return {
        'format': 1, 'product': 'VMware ESXi', 'version': version, 'build': build,
        'update': update, 'patch': a.patch, 'hostname': a.hostname,
        'domain': a.domain, 'uuid': a.uuid or str(uuid.uuid4()), 'boot_time': now_epoch(),
        'vsan': vsan, 'vsan_mode_used': None,
        'free_kb': {'datastore': a.datastore_free_kb, 'bootbank': a.bootbank_free_kb},
        'acceptance': a.acceptance, 'secure_boot': a.secure_boot == 'on',
        'maintenance_mode': a.maintenance_mode == 'on', 'boot_count': 0,
        'running': image, 'pending': None, 'vms': vms, 'nics': nics, 'intel': intel,
        'injected': {}, 'last_reboot_reason': None,
    }


def init_parser():
    p = argparse.ArgumentParser(prog='fakehost.py init', description='Create or reset a fake ESXi host.')
    p.add_argument('state_dir')
    p.add_argument('--version', default='8.0.3')
    p.add_argument('--build', default='24414501')
    p.add_argument('--update', default=None, help='default: third field of --version')
    p.add_argument('--patch', default='0')
    p.add_argument('--hostname', default='fakehost')
    p.add_argument('--domain', default='')
    p.add_argument('--uuid', default=None, help='system UUID (default: a random one)')
    p.add_argument('--vsan', default=None, metavar='PEER[,PEER]',
                   help='a vSAN cluster member, with these other members')
    p.add_argument('--vcenter', default=None, metavar='IP',
                   help='managed by this vCenter: writes STATE/etc/vmware/vpxa/vpxa.cfg')
    p.add_argument('--datastore-free-kb', type=int, default=50 * 1024 * 1024)
    p.add_argument('--bootbank-free-kb', type=int, default=3 * 1024 * 1024)
    p.add_argument('--profile', default=None, help='image profile name of the running image')
    p.add_argument('--acceptance', default='PartnerSupported', choices=sorted(DISP2XML))
    p.add_argument('--secure-boot', default='off', choices=('on', 'off'))
    p.add_argument('--maintenance-mode', default='off', choices=('on', 'off'))
    p.add_argument('--vms-running', type=int, default=0)
    p.add_argument('--vms-stopped', type=int, default=0)
    p.add_argument('--nic', action='append', metavar='PSID:FW[:PART[:TYPE]]')
    p.add_argument('--intel-nvm-version', default=None)
    p.add_argument('--vib', action='append', metavar='NAME:VERSION[:VENDOR[:ACCEPTANCE[:LIVE]]]')
    p.add_argument('--no-default-vibs', action='store_true')
    p.add_argument('--install-date', default=None, help='YYYY-MM-DD of the initial VIBs')
    return p


def state_dir_from_env():
    d = os.environ.get('FAKEHOST_STATE', '')
    if not d:
        err('fakehost: FAKEHOST_STATE is not set (export FAKEHOST_STATE=/path/to/state-dir)')
        raise SystemExit(2)
    return d


@contextlib.contextmanager
def host_lock(sdir):
    os.makedirs(sdir, exist_ok=True)
    with open(os.path.join(sdir, '.lock'), 'a') as lf:
        fcntl.flock(lf, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lf, fcntl.LOCK_UN)


def load_state(sdir):
    path = os.path.join(sdir, STATE_FILE)
    if not os.path.exists(path):
        st = init_state(init_parser().parse_args([sdir]))
        save_state(sdir, st)
        return st
    with open(path) as f:
        return json.load(f)


def save_state(sdir, st):
    path = os.path.join(sdir, STATE_FILE)
    tmp = path + '.tmp'
    with open(tmp, 'w') as f:
        json.dump(st, f, indent=1, sort_keys=True)
        f.write('\n')
    os.replace(tmp, path)


def refresh_components(image, bulletins):
    """Keeps the components whose VIBs are all in the image, adds the given
    depot bulletins whose VIBs are all present, and gives every VIB not
    covered by a component a component of its own (name = VIB name)."""
    ids = {v['id'] for v in image['vibs'].values()}
    comps = {n: c for n, c in image['components'].items() if c['vibs'] and set(c['vibs']) <= ids}
    for b in sorted(bulletins.values(), key=lambda b: vib_version_key(b['version'] or '0')):
        if b['vibs'] and set(b['vibs']) <= ids:
            comps[b['name']] = {'name': b['name'], 'display_name': b['display_name'],
                                'version': b['version'] or b['id'],
                                'display_version': b['display_version'] or b['version'] or b['id'],
                                'vendor': b['vendor'], 'vibs': list(b['vibs'])}
    covered = set()
    for c in comps.values():
        covered.update(c['vibs'])
    for v in image['vibs'].values():
        if v['id'] not in covered:
            comps[v['name']] = {'name': v['name'], 'display_name': v['name'], 'version': v['version'],
                                'display_version': v['version'], 'vendor': v['vendor'], 'vibs': [v['id']]}
    image['components'] = comps


def derive_version_from_image(st):
    base = st['running']['vibs'].get('esx-base')
    if not base:
        return
    ver, _, rel = base['version'].partition('-')
    st['version'] = ver
    f = ver.split('.')
    st['update'] = f[2] if len(f) >= 3 else '0'
    r = rel.split('.')
    if r and r[-1].isdigit():
        st['build'] = r[-1]
    if len(r) >= 3 and r[1].isdigit():
        st['patch'] = r[1]


def wipe_tmp():
    d = os.environ.get('FAKEHOST_TMP', '')
    if not d:
        return
    real = os.path.realpath(d)
    deny = {'/', '/tmp', '/var/tmp', '/var', '/home', '/root', '/usr', '/etc', '/work', '/opt',
            os.path.realpath(os.path.expanduser('~'))}
    if real in deny or real.count('/') < 2 or not os.path.isdir(real):
        err('fakehost: refusing to wipe FAKEHOST_TMP=%s (not a private test directory)' % d)
        return
    for name in os.listdir(real):
        p = os.path.join(real, name)
        if os.path.isdir(p) and not os.path.islink(p):
            shutil.rmtree(p, ignore_errors=True)
        else:
            with contextlib.suppress(OSError):
                os.unlink(p)


def do_reboot(st, reason=None):
    """Boot the pending image: firmware flashed before becomes active, /tmp
    is emptied, VMs are off, maintenance mode is kept."""
    if st['pending'] is not None:
        st['running'] = st['pending']
        st['pending'] = None
        derive_version_from_image(st)
    for n in st['nics']:
        if n.get('pending_fw'):
            n['fw'], n['pending_fw'] = n['pending_fw'], None
    intel = st.get('intel')
    if intel and intel.get('pending'):
        intel['version'], intel['pending'] = intel['pending'], None
        if intel.get('pending_eetrack'):
            intel['eetrack'], intel['pending_eetrack'] = intel['pending_eetrack'], None
    for vm in st['vms']:
        vm['power'] = 'off'
    st['boot_count'] += 1
    st['boot_time'] = now_epoch()
    st['last_reboot_reason'] = reason
    wipe_tmp()


def vibs_in(image, names=None):
    return sorted(image['vibs'].values(), key=lambda v: v['name'])


def vib_matches(v, spec):
    p = spec.split(':')
    if len(p) == 1:
        return v['name'] == p[0]
    if len(p) == 2:
        return (v['name'] == p[0] and v['version'] == p[1]) or (v['vendor'] == p[0] and v['name'] == p[1])
    if len(p) == 3:
        return v['vendor'] == p[0] and v['name'] == p[1] and v['version'] == p[2]
    return False


def no_match(spec):
    return EsxError('NoMatchError', "No VIB matching VIB search specification '%s'." % spec)


# ---------------------------------------------------------------------------
# esxcli
# ---------------------------------------------------------------------------

class Ctx:
    def __init__(self, sdir, st, kv):
        self.sdir, self.st, self.kv, self.dirty = sdir, st, kv, False
        self.started, self.deadline = now_epoch(), None


def install_opts(extra=None):
    spec = {'depot': ('d', 'list', False), 'force': ('f', 'flag', False),
            'no-live-install': (None, 'flag', False), 'maintenance-mode': (None, 'flag', False),
            'proxy': (None, 'str', False), 'dry-run': (None, 'flag', False),
            'no-sig-check': (None, 'flag', False)}
    spec.update(extra or {})
    return spec


def result_fields(msg, reboot, installed, removed, skipped, comps=None):
    fields = [('Message', 'string', msg), ('Reboot Required', 'boolean', reboot),
              ('VIBs Installed', 'string[]', installed), ('VIBs Removed', 'string[]', removed),
              ('VIBs Skipped', 'string[]', skipped)]
    if comps is not None:
        fields[2:2] = [('Components Installed', 'string[]', comps[0]),
                       ('Components Removed', 'string[]', comps[1]),
                       ('Components Skipped', 'string[]', comps[2])]
    return fields


def print_result(ctx, header, fields):
    if ctx.kv:
        out(fmt_keyvalue('InstallationResult', fields))
        return
    if major_version(ctx.st) >= 8:
        # ESXi 8.0 prints Reboot Required after the lists, then the DPU
        # results (empty on a host without DPUs).
        reboot = [f for f in fields if f[0] == 'Reboot Required']
        fields = [f for f in fields if f[0] != 'Reboot Required'] + reboot + \
            [('DPU Results', 'string', '')]
    out(fmt_simple(header, fields))


def major_version(st):
    try:
        return int(st['version'].split('.')[0])
    except ValueError:
        return 0


def plan_vibs(target, candidates, mode, opts):
    """-> (installs, removes, skipped_ids).  mode: install | update | profile."""
    best = {}
    for v in candidates:
        cur = best.get(v['name'])
        if cur is None or cmp_versions(v['version'], cur['version']) > 0:
            best[v['name']] = v
    installs, removes, skipped = [], [], []
    for name in sorted(best):
        v = best[name]
        cur = target['vibs'].get(name)
        if cur is not None and cur['id'] == v['id']:
            skipped.append(v['id'])
            continue
        if cur is None:
            if mode == 'update':
                skipped.append(v['id'])
            else:
                installs.append(v)
            continue
        c = cmp_versions(v['version'], cur['version'])
        if c < 0:
            if mode == 'update':
                skipped.append(v['id'])
                continue
            if mode == 'profile' and not opts.get('allow-downgrades'):
                if name == 'esx-base':
                    raise EsxError('DowngradeError', 'Downgrade to an older version of ESXi is not supported. '
                                   'VIB %s would replace %s; use --allow-downgrades to force it.'
                                   % (v['id'], cur['id']))
                skipped.append(v['id'])
                continue
        installs.append(v)
        removes.append(cur)
    return installs, removes, skipped


def check_and_apply(ctx, opts, installs, removes, skipped, header, bulletins=None,
                    profile=None, comps=None, always_reboot=False):
    st = ctx.st
    dry = opts.get('dry-run', False)
    force = opts.get('force', False)
    nosig = opts.get('no-sig-check', False)
    comp_fields = None
    if comps is not None:
        comp_fields = ([c for c in comps[0]], [c for c in comps[1]], [c for c in comps[2]])
    if not installs:
        msg = MSG_DRYRUN % '' if dry else MSG_NOCHANGE
        print_result(ctx, header, result_fields(msg, False, [], [], sorted(skipped), comp_fields))
        return
    # Acceptance level and signatures.
    host_xml = DISP2XML[st['acceptance']]
    sb = st['secure_boot']
    if sb and nosig:
        sb_note = ('UEFI Secure Boot enabled: Cannot skip signature checks. Installing unsigned VIBs will '
                   'prevent the system from booting. So the vib signature check will be enforced.\n')
    else:
        sb_note = ''
    bypass_acc = (force or nosig) and not sb
    if not bypass_acc:
        for v in installs:
            if TRUST[v['acceptance']] < TRUST[host_xml]:
                raise EsxError('AcceptanceConfigError', "%sVIB %s's acceptance level is %s, which is not "
                               'compliant with the ImageProfile acceptance level %s\n'
                               "To change the host acceptance level, use the 'esxcli software acceptance "
                               "set' command." % (sb_note, v['id'], v['acceptance'], host_xml))
    check_sigs = sb or os.environ.get('FAKEHOST_CHECK_SIGS', '') not in ('', '0')
    if not dry:
        for v in installs:
            if v['_src'][0] == 'zip':
                v['signed'] = vib_signed_in_zip(v)
            if not check_sigs or v['signed']:
                continue
            if sb:
                raise EsxError('VibSigMissingError', '%sVIB %s: signature file (sig.pkcs7) is empty; unsigned '
                               'VIBs cannot be installed while UEFI Secure Boot is enabled.'
                               % (sb_note, v['id']))
            if not (force or nosig) and v['acceptance'] != 'community':
                raise EsxError('VibSigMissingError', 'Signature file is missing for VIB %s. Use '
                               '--no-sig-check to bypass signature verification.' % v['id'])
    reboot = (always_reboot or st['pending'] is not None or opts.get('no-live-install', False)
              or any(not v['live_install'] for v in installs)
              or any(not r['live_remove'] for r in removes))
    if not reboot and not dry and not st['maintenance_mode'] and not opts.get('maintenance-mode'):
        if any(v['mm_install'] for v in installs) or any(r['mm_remove'] for r in removes):
            raise EsxError('MaintenanceModeError', 'Maintenance mode is not enabled or could not be determined.\n'
                           'Use --maintenance-mode to perform the installation anyway (live install).')
    inst_ids = sorted(v['id'] for v in installs)
    rem_ids = sorted(r['id'] for r in removes)
    if dry:
        inst = ['BootBankInstaller'] if reboot else ['BootBankInstaller', 'LiveImageInstaller']
        if any(v['type'] == 'locker' for v in installs):
            inst.append('LockerInstaller')
        print_result(ctx, header, result_fields(MSG_DRYRUN % ', '.join(inst), reboot, inst_ids, rem_ids,
                                                sorted(skipped), comp_fields))
        return
    target = copy.deepcopy(st['pending'] if st['pending'] is not None else st['running'])
    date = today()
    for r in removes:
        target['vibs'].pop(r['name'], None)
    for v in installs:
        rec = {k: val for k, val in v.items() if not k.startswith('_')}
        rec['install_date'] = date
        target['vibs'][v['name']] = rec
    prof = target['profile']
    if profile is not None:
        prof.update({'name': '(Updated) ' + profile['name'], 'vendor': profile['creator'],
                     'acceptance': profile['acceptance'], 'creation_time': profile['creation_time'],
                     'description': profile['description']})
    elif not prof['name'].startswith('(Updated) '):
        prof['name'] = '(Updated) ' + prof['name']
    prof['modification_time'] = now_iso()
    refresh_components(target, bulletins or {})
    if reboot:
        st['pending'] = target
    else:
        st['running'] = target
    ctx.dirty = True
    print_result(ctx, header, result_fields(MSG_REBOOT if reboot else MSG_OK, reboot, inst_ids, rem_ids,
                                            sorted(skipped), comp_fields))


def current_target(st):
    return st['pending'] if st['pending'] is not None else st['running']


def cmd_vib_install(ctx, o, update=False):
    if o.get('vibname') and not o.get('depot'):
        raise EsxError('InstallationError', 'Use of -n/--vibname requires use of -d/--depot.')
    if not o.get('viburl') and not o.get('depot'):
        raise EsxError('InstallationError', 'At least one -v/--viburl or -d/--depot must be specified.')
    cands, bulletins = [], {}
    for url in o.get('viburl', []):
        cands.append(load_vib_file(url))
    if o.get('depot'):
        dep = open_depots(o['depot'])
        bulletins = dep.bulletins
        allv = list(dep.vibs.values())
        if o.get('vibname'):
            for spec in o['vibname']:
                hit = [v for v in allv if vib_matches(v, spec)]
                if not hit:
                    raise no_match(spec)
                cands.extend(hit)
        else:
            cands.extend(allv)
    ins, rem, skip = plan_vibs(current_target(ctx.st), cands, 'update' if update else 'install', o)
    check_and_apply(ctx, o, ins, rem, skip, 'Installation Result', bulletins)


def cmd_vib_remove(ctx, o):
    target = current_target(ctx.st)
    removes = []
    for spec in o['vibname']:
        hit = [v for v in target['vibs'].values() if vib_matches(v, spec)]
        if not hit:
            raise no_match(spec)
        removes.extend(h for h in hit if h not in removes)
    st = ctx.st
    reboot = st['pending'] is not None or o.get('no-live-install') or any(not r['live_remove'] for r in removes)
    if not reboot and not st['maintenance_mode'] and not o.get('maintenance-mode') and not o.get('dry-run'):
        if any(r['mm_remove'] for r in removes):
            raise EsxError('MaintenanceModeError', 'Maintenance mode is not enabled or could not be determined.')
    ids = sorted(r['id'] for r in removes)
    if o.get('dry-run'):
        inst = 'BootBankInstaller' if reboot else 'BootBankInstaller, LiveImageInstaller'
        print_result(ctx, 'Removal Result', result_fields(MSG_DRYRUN % inst, reboot, [], ids, []))
        return
    new = copy.deepcopy(target)
    for r in removes:
        new['vibs'].pop(r['name'], None)
    if not new['profile']['name'].startswith('(Updated) '):
        new['profile']['name'] = '(Updated) ' + new['profile']['name']
    new['profile']['modification_time'] = now_iso()
    refresh_components(new, {})
    if reboot:
        st['pending'] = new
    else:
        st['running'] = new
    ctx.dirty = True
    print_result(ctx, 'Removal Result', result_fields(MSG_REBOOT if reboot else MSG_OK, reboot, [], ids, []))


def cmd_component_apply(ctx, o):
    dep = open_depots(o['depot'])
    comps = [b for b in dep.bulletins.values()]
    if o.get('component'):
        sel = []
        for spec in o['component']:
            n, _, ver = spec.partition(':')
            hit = [b for b in comps if b['name'] == n and (not ver or b['version'] == ver)]
            if not hit:
                raise EsxError('NoMatchError', "No component matching component search specification '%s'." % spec)
            sel.extend(hit)
        comps = sel
    best = {}
    for b in comps:
        cur = best.get(b['name'])
        if cur is None or cmp_versions(b['version'] or '0', cur['version'] or '0') > 0:
            best[b['name']] = b
    target = current_target(ctx.st)
    cands, c_inst, c_rem, c_skip = [], [], [], []
    for name in sorted(best):
        b = best[name]
        cid = '%s_%s' % (b['name'], b['version']) if b['version'] else b['id']
        missing = [i for i in b['vibs'] if i not in dep.vibs]
        if missing:
            raise EsxError('NoMatchError', 'VIBs %s of component %s cannot be found in metadata.'
                           % (', '.join(missing), cid))
        cur = target['components'].get(name)
        if cur is not None and b['version']:
            c = cmp_versions(b['version'], cur['version'])
            if c == 0 and set(b['vibs']) <= {v['id'] for v in target['vibs'].values()}:
                c_skip.append(cid)
                continue
            if c < 0:
                raise EsxError('DowngradeError', 'Component %s cannot be downgraded from version %s to %s.'
                               % (name, cur['version'], b['version']))
            if c != 0:
                c_rem.append('%s_%s' % (cur['name'], cur['version']))
        c_inst.append(cid)
        cands.extend(dep.vibs[i] for i in b['vibs'])
    ins, rem, skip = plan_vibs(target, cands, 'install', o)
    if not ins:
        c_skip, c_inst, c_rem = sorted(c_skip + c_inst), [], []
    check_and_apply(ctx, o, ins, rem, skip, 'Installation Result', dep.bulletins,
                    comps=(sorted(c_inst), sorted(c_rem), sorted(c_skip)))


def cmd_profile_update(ctx, o):
    dep = open_depots(o['depot'])
    name = o['profile']
    hits = [p for p in dep.profiles.values() if p['name'] == name]
    if not hits:
        raise EsxError('NoMatchError', "No image profile found with name '%s'" % name)
    if len(hits) > 1:
        raise EsxError('NoMatchError', "More than one image profile found with name '%s'" % name)
    prof = hits[0]
    missing = [i for i in prof['vib_ids'] if i not in dep.vibs]
    if missing:
        raise EsxError('NoMatchError', "VIBs %s from image profile '%s' cannot be found in metadata."
                       % (', '.join(missing), name))
    cands = [dep.vibs[i] for i in prof['vib_ids']]
    ins, rem, skip = plan_vibs(current_target(ctx.st), cands, 'profile', o)
    bulletins = dep.bulletins
    if prof['bulletin_ids']:
        bulletins = {k: b for k, b in dep.bulletins.items() if k in prof['bulletin_ids']}
    check_and_apply(ctx, o, ins, rem, skip, 'Update Result', bulletins, profile=prof, always_reboot=True)


def pick_image(ctx, o):
    if o.get('rebooting-image'):
        return ctx.st['pending']     # None: print nothing, like esxcli
    return ctx.st['running']


def vib_summary_fields(v):
    return [('ID', 'string', v['id']), ('Name', 'string', v['name']), ('Version', 'string', v['version']),
            ('Vendor', 'string', v['vendor']), ('Creation Date', 'string', v['release_date'][:10]),
            ('Install Date', 'string', v['install_date']), ('Status', 'string', ''),
            ('Acceptance Level', 'string', XML2DISP[v['acceptance']])]


def cmd_vib_list(ctx, o):
    image = pick_image(ctx, o)
    if image is None:
        return
    vibs = vibs_in(image)
    if ctx.kv:
        out('\n\n'.join(fmt_keyvalue('VIBSummary', vib_summary_fields(v)) for v in vibs))
        return
    rows = [[v['name'], v['version'], v['vendor'], XML2DISP[v['acceptance']], v['install_date']] for v in vibs]
    out(fmt_table(['Name', 'Version', 'Vendor', 'Acceptance Level', 'Install Date'], rows))


def vib_detail_fields(v):
    yn = lambda b: 'True' if b else 'False'
    return [('Name', 'string', v['name']), ('Version', 'string', v['version']),
            ('Type', 'string', v['type']), ('Vendor', 'string', v['vendor']),
            ('Acceptance Level', 'string', XML2DISP[v['acceptance']]),
            ('Summary', 'string', v['summary']), ('Description', 'string', v['description']),
            ('ReferenceURLs', 'string[]', v['urls']), ('Creation Date', 'string', v['release_date'][:10]),
            ('Install Date', 'string', v['install_date']),
            ('Depends', 'string[]', v['depends']), ('Conflicts', 'string[]', v['conflicts']),
            ('Replaces', 'string[]', v['replaces']), ('Provides', 'string[]', v['provides']),
            ('Maintenance Mode Required', 'string', yn(v['mm_install'])),
            ('Hardware Platforms Required', 'string[]', v['hwplatforms']),
            ('Live Install Allowed', 'string', yn(v['live_install'])),
            ('Live Remove Allowed', 'string', yn(v['live_remove'])),
            ('Stateless Ready', 'string', yn(v['stateless_ready'])), ('Overlay', 'string', yn(v['overlay'])),
            ('Tags', 'string[]', v['tags']), ('Payloads', 'string[]', v['payloads'])]


def cmd_vib_get(ctx, o):
    image = pick_image(ctx, o)
    if image is None:
        return
    vibs = vibs_in(image)
    if o.get('vibname'):
        sel = []
        for spec in o['vibname']:
            hit = [v for v in vibs if vib_matches(v, spec)]
            if not hit:
                raise no_match(spec)
            sel.extend(h for h in hit if h not in sel)
        vibs = sel
    if ctx.kv:
        out('\n\n'.join(fmt_keyvalue('VIB', [('ID', 'string', v['id'])] + vib_detail_fields(v)) for v in vibs))
    else:
        out('\n'.join(fmt_simple(v['id'], vib_detail_fields(v)) for v in vibs))


def cmd_component_list(ctx, o):
    image = pick_image(ctx, o)
    if image is None:
        return
    comps = sorted(image['components'].values(), key=lambda c: c['name'])
    if ctx.kv:
        out('\n\n'.join(fmt_keyvalue('Component', [
            ('Name', 'string', c['name']), ('Display Name', 'string', c['display_name']),
            ('Version', 'string', c['version']), ('Display Version', 'string', c['display_version']),
            ('Vendor', 'string', c['vendor'])]) for c in comps))
        return
    rows = [[c['name'], c['display_name'], c['version'], c['display_version'], c['vendor']] for c in comps]
    out(fmt_table(['Name', 'Display Name', 'Version', 'Display Version', 'Vendor'], rows))


def cmd_profile_get(ctx, o):
    image = pick_image(ctx, o)
    if image is None:
        return
    p = image['profile']
    stateless = all(v['stateless_ready'] for v in image['vibs'].values())
    fields = [('Name', 'string', p['name']), ('Vendor', 'string', p['vendor']),
              ('Creation Time', 'string', p['creation_time']),
              ('Modification Time', 'string', p['modification_time']),
              ('Stateless Ready', 'string', 'True' if stateless else 'False'),
              ('Description', 'string', p['description']),
              ('VIBs', 'string[]', sorted(v['id'] for v in image['vibs'].values()))]
    if ctx.kv:
        out(fmt_keyvalue('ImageProfile', fields + [('Acceptance Level', 'string',
                                                      XML2DISP.get(p['acceptance'], p['acceptance']))]))
    else:
        out(fmt_simple(p['name'], fields))


def cmd_acceptance_get(ctx, o):
    out(ctx.st['acceptance'])


def cmd_acceptance_set(ctx, o):
    level = o['level']
    if level not in DISP2XML:
        raise Usage("Invalid data constraint for parameter 'level'. Expected one of [VMwareCertified, "
                    "VMwareAccepted, PartnerSupported, CommunitySupported]. Got '%s'." % level)
    want = DISP2XML[level]
    vibs = list(ctx.st['running']['vibs'].values())
    if ctx.st['pending'] is not None:
        vibs += list(ctx.st['pending']['vibs'].values())
    low = sorted({v['id'] for v in vibs if TRUST[v['acceptance']] < TRUST[want]})
    if low:
        raise EsxError('AcceptanceConfigError', 'Unable to set acceptance level of %s due to installed VIBs '
                       '%s having a lower acceptance level.' % (want, ', '.join(low)))
    ctx.st['acceptance'] = level
    ctx.dirty = True
    out("Host acceptance level changed to '%s'." % level)


def cmd_sources_vib_list(ctx, o):
    dep = open_depots(o['depot'])
    running = ctx.st['running']['vibs']
    rows = []
    for v in sorted(dep.vibs.values(), key=lambda v: (v['name'], vib_version_key(v['version']))):
        cur = running.get(v['name'])
        if cur is None:
            status = 'New'
        else:
            c = cmp_versions(v['version'], cur['version'])
            status = 'Installed' if cur['id'] == v['id'] else ('Update' if c > 0 else 'Downgrade')
        rows.append([v['name'], v['version'], v['vendor'], v['release_date'][:10],
                     XML2DISP[v['acceptance']], status])
    out(fmt_table(['Name', 'Version', 'Vendor', 'Creation Date', 'Acceptance Level', 'Status'], rows))


def cmd_sources_profile_list(ctx, o):
    dep = open_depots(o['depot'])
    rows = [[p['name'], p['creator'], XML2DISP.get(p['acceptance'], p['acceptance']), p['creation_time'],
             p['modification_time']] for p in sorted(dep.profiles.values(), key=lambda p: p['name'])]
    out(fmt_table(['Name', 'Vendor', 'Acceptance Level', 'Creation Time', 'Modification Time'], rows))


def cmd_sources_component_list(ctx, o):
    dep = open_depots(o['depot'])
    rows = [[b['name'], b['display_name'], b['version'], b['display_version'], b['vendor']]
            for b in sorted(dep.bulletins.values(), key=lambda b: (b['name'], b['version']))]
    out(fmt_table(['Name', 'Display Name', 'Version', 'Display Version', 'Vendor'], rows))


def cmd_version_get(ctx, o):
    st = ctx.st
    fields = [('Product', 'string', st['product']), ('Version', 'string', st['version']),
              ('Build', 'string', 'Releasebuild-%s' % st['build']), ('Update', 'string', st['update']),
              ('Patch', 'string', st['patch'])]
    out(fmt_keyvalue('VersionGet', fields) if ctx.kv else fmt_simple(None, fields))


def powered_on(st):
    return [vm for vm in st['vms'] if vm['power'] == 'on']


def cmd_mm_get(ctx, o):
    out('Enabled' if ctx.st['maintenance_mode'] else 'Disabled')


VSAN_MODES = ('ensureObjectAccessibility', 'evacuateAllData', 'noAction')


class WaitVMs(Exception):
    """Entering maintenance mode waits for powered-on VMs; run_tool sleeps
    with the host unlocked (so another shell can power them off) and asks
    again, until the deadline."""


def cmd_mm_set(ctx, o):
    st = ctx.st
    if o['enable']:
        if st['maintenance_mode']:
            out('Maintenance mode is already enabled.')
            return 1
        mode = o.get('vsanmode')
        if mode is not None and mode not in VSAN_MODES:
            raise Usage("Invalid value '%s' for --vsanmode: expected one of %s"
                        % (mode, ', '.join(VSAN_MODES)))
        on = powered_on(st)
        if on:
            timeout = o.get('timeout')
            if timeout is not None and not timeout.isdigit():
                raise Usage("Invalid data constraint for parameter 'timeout'. Expected an integer: got '%s'"
                            % timeout)
            if ctx.deadline is None:
                wait = int(timeout) if timeout is not None else int(os.environ.get('FAKEHOST_MM_TIMEOUT', '2'))
                ctx.deadline = ctx.started + wait
            if now_epoch() < ctx.deadline:
                raise WaitVMs()
            out('Unable to enter maintenance mode: %d powered-on virtual machine(s) must be powered off or '
                'migrated first. Operation timed out.' % len(on))
            return 1
        st['maintenance_mode'] = True
        st['vsan_mode_used'] = mode or ('ensureObjectAccessibility' if st.get('vsan') else None)
    else:
        if not st['maintenance_mode']:
            out('Maintenance mode is already disabled.')
            return 1
        st['maintenance_mode'] = False
    ctx.dirty = True
    return 0


def now_epoch():
    return datetime.datetime.now(datetime.timezone.utc).timestamp()


def cmd_hostname_get(ctx, o):
    st = ctx.st
    fields = [('Domain Name', 'string', st.get('domain', '')),
              ('Fully Qualified Domain Name', 'string',
               st['hostname'] + ('.' + st['domain'] if st.get('domain') else '')),
              ('Host Name', 'string', st['hostname'])]
    out(fmt_keyvalue('FullHostname', fields) if ctx.kv else fmt_simple(None, fields))


def cmd_uuid_get(ctx, o):
    out(ctx.st['uuid'])


def cmd_uptime_get(ctx, o):
    out('%d' % int((now_epoch() - ctx.st['boot_time']) * 1000000))


def cmd_vsan_cluster_get(ctx, o):
    st = ctx.st
    v = st.get('vsan')
    if not v:
        out('Virtual SAN Clustering is not enabled on this host')
        return 1
    members = v['members']
    fields = [('Enabled', 'boolean', True), ('Current Local Time', 'string', now_iso()),
              ('Local Node UUID', 'string', st['uuid']), ('Local Node Type', 'string', 'NORMAL'),
              ('Local Node State', 'string', 'AGENT'), ('Local Node Health State', 'string', 'HEALTHY'),
              ('Sub-Cluster Master UUID', 'string', v['master']),
              ('Sub-Cluster UUID', 'string', v['cluster']),
              ('Sub-Cluster Member Count', 'integer', len(members)),
              ('Sub-Cluster Member HostNames', 'string[]', members),
              ('Maintenance Mode State', 'string', 'ON' if st['maintenance_mode'] else 'OFF')]
    out(fmt_keyvalue('VsanClusterGet', fields) if ctx.kv else fmt_simple('Cluster Information', fields))
    return 0


def cmd_shutdown_reboot(ctx, o):
    if not ctx.st['maintenance_mode']:
        out("Maintenance mode must be enabled prior to reboot command execution. Use 'esxcli system "
            "maintenanceMode set --enable true' to enable maintenance mode.")
        return 1
    do_reboot(ctx.st, o['reason'])
    ctx.dirty = True
    return 0


def host_nics(st):
    nics = []
    running = st['running']['vibs']
    intel = st.get('intel')
    if intel:
        drv = running.get('i40en')
        nics.append({'driver': 'i40en', 'desc': intel['description'], 'pci': '0000:01:00.0',
                     'fw': '%s 0x%s 1.3353.0' % (intel['version'], intel['eetrack'].lower()),
                     'drvver': drv['version'].split('-')[0] if drv else 'N/A', 'mac': '3c:fd:fe:00:00:01'})
    for n in st['nics']:
        drv = running.get('nmlx5-core')
        mac = ':'.join(n['base_mac'][i:i + 2] for i in range(0, 12, 2))
        nics.append({'driver': 'nmlx5_core', 'desc': 'Mellanox Technologies %s (%s)'
                     % (n['device_type'], n['part_number'].split('_')[0]), 'pci': n['bus'], 'fw': n['fw'],
                     'drvver': drv['version'].split('-')[0] if drv else 'N/A', 'mac': mac})
    if not nics:
        drv = running.get('ne1000')
        nics.append({'driver': 'ne1000', 'desc': 'Intel Corporation 82574L Gigabit Network Connection',
                     'pci': '0000:0b:00.0', 'fw': '2.1-0', 'mac': '00:50:56:00:00:01',
                     'drvver': drv['version'].split('-')[0] if drv else 'N/A'})
    for i, n in enumerate(nics):
        n['name'] = 'vmnic%d' % i
    return nics


def cmd_nic_list(ctx, o):
    rows = [[n['name'], n['pci'], n['driver'], 'Up', 'Up', '25000', 'Full', n['mac'], '1500', n['desc']]
            for n in host_nics(ctx.st)]
    out(fmt_table(['Name', 'PCI Device', 'Driver', 'Admin Status', 'Link Status', 'Speed', 'Duplex',
                   'MAC Address', 'MTU', 'Description'], rows))


def cmd_nic_get(ctx, o):
    for n in host_nics(ctx.st):
        if n['name'] == o['nicname']:
            out('   Auto Negotiation: true\n   Driver Info:\n         Bus Info: %s\n         Driver: %s\n'
                '         Firmware Version: %s\n         Version: %s\n   Link Detected: true\n'
                '   Link Status: Up\n   Name: %s\n   Virtual Address: %s'
                % (n['pci'], n['driver'], n['fw'], n['drvver'], n['name'], n['mac']))
            return 0
    out('Unable to find NIC %s' % o['nicname'])
    return 1


ESXCLI = {
    ('software', 'vib', 'install'): (install_opts({'vibname': ('n', 'list', False),
                                                   'viburl': ('v', 'list', False)}), cmd_vib_install),
    ('software', 'vib', 'update'): (install_opts({'vibname': ('n', 'list', False),
                                                  'viburl': ('v', 'list', False)}),
                                    lambda c, o: cmd_vib_install(c, o, update=True)),
    ('software', 'vib', 'remove'): ({'vibname': ('n', 'list', True), 'force': ('f', 'flag', False),
                                     'no-live-install': (None, 'flag', False),
                                     'maintenance-mode': (None, 'flag', False),
                                     'dry-run': (None, 'flag', False)}, cmd_vib_remove),
    ('software', 'vib', 'list'): ({'rebooting-image': (None, 'flag', False)}, cmd_vib_list),
    ('software', 'vib', 'get'): ({'vibname': ('n', 'list', False), 'rebooting-image': (None, 'flag', False)},
                                 cmd_vib_get),
    ('software', 'component', 'apply'): (install_opts({'depot': ('d', 'list', True),
                                                       'component': ('n', 'list', False),
                                                       'no-hardware-warning': (None, 'flag', False)}),
                                         cmd_component_apply),
    ('software', 'component', 'list'): ({'rebooting-image': (None, 'flag', False)}, cmd_component_list),
    ('software', 'profile', 'update'): (install_opts({'depot': ('d', 'list', True),
                                                      'profile': ('p', 'str', True),
                                                      'allow-downgrades': (None, 'flag', False),
                                                      'no-hardware-warning': (None, 'flag', False)}),
                                        cmd_profile_update),
    ('software', 'profile', 'get'): ({'rebooting-image': (None, 'flag', False)}, cmd_profile_get),
    ('software', 'acceptance', 'get'): ({}, cmd_acceptance_get),
    ('software', 'acceptance', 'set'): ({'level': (None, 'str', True)}, cmd_acceptance_set),
    ('software', 'sources', 'vib', 'list'): ({'depot': ('d', 'list', True), 'proxy': (None, 'str', False)},
                                             cmd_sources_vib_list),
    ('software', 'sources', 'profile', 'list'): ({'depot': ('d', 'list', True),
                                                  'proxy': (None, 'str', False)}, cmd_sources_profile_list),
    ('software', 'sources', 'component', 'list'): ({'depot': ('d', 'list', True),
                                                    'proxy': (None, 'str', False)},
                                                   cmd_sources_component_list),
    ('system', 'version', 'get'): ({}, cmd_version_get),
    ('system', 'maintenanceMode', 'get'): ({}, cmd_mm_get),
    ('system', 'maintenanceMode', 'set'): ({'enable': ('e', 'bool', True), 'timeout': ('t', 'str', False),
                                            'vsanmode': ('m', 'str', False)}, cmd_mm_set),
    ('system', 'hostname', 'get'): ({}, cmd_hostname_get),
    ('system', 'uuid', 'get'): ({}, cmd_uuid_get),
    ('system', 'stats', 'uptime', 'get'): ({}, cmd_uptime_get),
    ('vsan', 'cluster', 'get'): ({}, cmd_vsan_cluster_get),
    ('system', 'shutdown', 'reboot'): ({'reason': ('r', 'str', True), 'delay': ('d', 'str', False)},
                                       cmd_shutdown_reboot),
    ('network', 'nic', 'list'): ({}, cmd_nic_list),
    ('network', 'nic', 'get'): ({'nicname': ('n', 'str', True)}, cmd_nic_get),
}


def parse_opts(spec, args):
    shorts = {s: name for name, (s, _, _) in spec.items() if s}
    vals, i = {}, 0
    while i < len(args):
        a = args[i]
        if a.startswith('--') and len(a) > 2:
            name, eq, v = a[2:].partition('=')
            if name not in spec:
                raise Usage('Invalid option --%s' % name)
        elif a.startswith('-') and len(a) >= 2:
            if a[1] not in shorts:
                raise Usage('Invalid option %s' % a)
            name = shorts[a[1]]
            v = a[2:]
            eq = '=' if v else ''
            if v.startswith('='):
                v = v[1:]
        else:
            raise Usage("Invalid positional argument '%s'" % a)
        kind = spec[name][1]
        if kind == 'flag':
            if eq:
                raise Usage('Option --%s does not take a value' % name)
            vals[name] = True
            i += 1
            continue
        if not eq:
            if i + 1 >= len(args):
                raise Usage('Missing value for option --%s' % name)
            v = args[i + 1]
            i += 2
        else:
            i += 1
        if kind == 'list':
            vals.setdefault(name, []).append(v)
        elif kind == 'bool':
            b = parse_bool(v)
            if b is None:
                raise Usage("Invalid data constraint for parameter '%s'. Expected a boolean: got '%s'" % (name, v))
            vals[name] = b
        else:
            vals[name] = v
    for name, (s, _, req) in spec.items():
        if req and name not in vals:
            raise Usage('Missing required parameter %s--%s' % ('-%s|' % s if s else '', name))
    return vals


def injected(ctx, argv, names):
    """FAKEHOST_FAIL (esxcli only) / FAKEHOST_FAIL_ANY (every tool): True when
    this call must fail; FAKEHOST_FAIL_TIMES=N limits it to the first N hits."""
    line = ' '.join(argv)
    for var in names:
        pat = os.environ.get(var, '')
        if not pat or pat not in line:
            continue
        times = os.environ.get('FAKEHOST_FAIL_TIMES', '')
        if times.isdigit():
            key = '%s=%s' % (var, pat)
            n = ctx.st['injected'].get(key, 0)
            if n >= int(times):
                continue
            ctx.st['injected'][key] = n + 1
            ctx.dirty = True
        return True
    return False


def tool_esxcli(ctx, args):
    argv = ['esxcli'] + args
    if injected(ctx, argv, ('FAKEHOST_FAIL', 'FAKEHOST_FAIL_ANY')):
        out(EsxError('InstallationError', 'Injected failure for: %s' % ' '.join(argv)).render())
        return 1
    i = 0
    while i < len(args) and args[i].startswith('-'):
        a = args[i]
        if a.startswith('--formatter'):
            if a == '--formatter':
                if i + 1 >= len(args):
                    out('Error: Missing value for option --formatter')
                    return 1
                fmt, i = args[i + 1], i + 2
            else:
                fmt, i = a.partition('=')[2], i + 1
            if fmt == 'keyvalue':
                ctx.kv = True
            elif fmt in ('xml', 'csv', 'json', 'html'):
                out("Error: fakehost implements only --formatter=keyvalue (asked for '%s')" % fmt)
                return 1
            else:
                out("Error: Invalid formatter '%s'" % fmt)
                return 1
        elif a == '--debug':
            i += 1
        else:
            out('Error: Invalid option %s' % a)
            return 1
    ns = []
    while i < len(args) and not args[i].startswith('-'):
        ns.append(args[i])
        i += 1
    entry = ESXCLI.get(tuple(ns))
    if entry is None:
        subs = sorted({k[len(ns)] for k in ESXCLI if k[:len(ns)] == tuple(ns) and len(k) > len(ns)})
        if subs and i == len(args):
            out('Usage: esxcli %s {cmd} [cmd options]\n\nAvailable Namespaces/Commands:\n%s'
                % (' '.join(ns), '\n'.join('  ' + s for s in subs)))
            return 0
        out('Error: Unknown command or namespace %s' % ' '.join(ns))
        return 1
    spec, handler = entry
    try:
        opts = parse_opts(spec, args[i:])
        rc = handler(ctx, opts)
        return rc or 0
    except Usage as e:
        out('Error: %s\n\nUsage: esxcli %s [cmd options]' % (e, ' '.join(ns)))
        return 1
    except EsxError as e:
        out(e.render())
        return 1


# ---------------------------------------------------------------------------
# vim-cmd
# ---------------------------------------------------------------------------

def vim_fault(kind, msg):
    out('(%s) {\n   faultCause = (vmodl.MethodFault) null, \n   faultMessage = <unset>, \n'
        '   msg = "%s"\n}' % (kind, msg.replace('"', '\\"')))
    return 1


def find_vm(st, vmid):
    for vm in st['vms']:
        if str(vm['id']) == vmid:
            return vm
    return None


def make_config_bundle(st, path):
    manifest = ('UUID=%s\nRELEASELEVEL=VMware ESXi %s build-%s\nKEY=\nHOSTNAME=%s\n'
                % (uuid.uuid5(uuid.NAMESPACE_DNS, st['hostname']), st['version'], st['build'], st['hostname']))
    inner = io.BytesIO()
    with tarfile.open(fileobj=inner, mode='w:gz') as t:
        data = json.dumps({k: st[k] for k in ('hostname', 'acceptance', 'version', 'build')},
                          indent=1).encode()
        ti = tarfile.TarInfo('etc/fakehost-config.json')
        ti.size = len(data)
        t.addfile(ti, io.BytesIO(data))
    with tarfile.open(path, 'w:gz') as t:
        for name, data in (('Manifest.txt', manifest.encode()), ('state.tgz', inner.getvalue())):
            ti = tarfile.TarInfo(name)
            ti.size = len(data)
            t.addfile(ti, io.BytesIO(data))


def tool_vimcmd(ctx, args):
    st = ctx.st
    if injected(ctx, ['vim-cmd'] + args, ('FAKEHOST_FAIL_ANY',)):
        return vim_fault('vmodl.fault.SystemError', 'Injected failure for: %s' % ' '.join(['vim-cmd'] + args))
    if not args:
        out('Commands available under /:\nhostsvc/       vmsvc/')
        return 0
    cmd, rest = args[0].strip('/'), args[1:]
    if cmd == 'hostsvc/firmware/sync_config':
        return 0
    if cmd == 'hostsvc/firmware/backup_config':
        downloads = os.environ.get('FAKEHOST_DOWNLOADS') or os.path.join(ctx.sdir, 'downloads')
        uid = str(uuid.uuid4())
        d = os.path.join(downloads, uid)
        os.makedirs(d, exist_ok=True)
        fname = 'configBundle-%s.tgz' % st['hostname']
        make_config_bundle(st, os.path.join(d, fname))
        out('Bundle can be downloaded at : http://*/downloads/%s/%s' % (uid, fname))
        return 0
    if cmd == 'hostsvc/maintenance_mode_enter':
        if st['maintenance_mode']:
            return vim_fault('vim.fault.InvalidState', 'The operation is not allowed in the current state.')
        if powered_on(st):
            return vim_fault('vim.fault.Timedout', 'Operation timed out.')
        st['maintenance_mode'] = True
        ctx.dirty = True
        return 0
    if cmd == 'hostsvc/maintenance_mode_exit':
        if not st['maintenance_mode']:
            return vim_fault('vim.fault.InvalidState', 'The operation is not allowed in the current state.')
        st['maintenance_mode'] = False
        ctx.dirty = True
        return 0
    if cmd in ('hostsvc/runtimeinfo', 'hostsvc/hostsummary'):
        out('(vim.host.RuntimeInfo) {\n   connectionState = "connected", \n   powerState = "poweredOn", \n'
            '   standbyMode = "none", \n   inMaintenanceMode = %s, \n   inQuarantineMode = false, \n'
            '   bootTime = "%s", \n}' % ('true' if st['maintenance_mode'] else 'false', now_iso()))
        return 0
    if cmd == 'vmsvc/getallvms':
        rows = ['Vmid   Name   File                          Guest OS       Version   Annotation']
        for vm in st['vms']:
            rows.append('%-6s %-6s [datastore1] %s/%s.vmx   otherGuest64   vmx-21'
                        % (vm['id'], vm['name'], vm['name'], vm['name']))
        out('\n'.join(rows))
        return 0
    if cmd.startswith('vmsvc/power.'):
        if not rest:
            out('Insufficient arguments.\nUsage: %s vmid' % cmd)
            return 1
        vm = find_vm(st, rest[0])
        if vm is None:
            return vim_fault('vim.fault.NotFound', 'Unable to find a VM corresponding to "%s"' % rest[0])
        op = cmd[len('vmsvc/power.'):]
        if op == 'getstate':
            out('Retrieved runtime info\n%s' % ('Powered on' if vm['power'] == 'on' else 'Powered off'))
            return 0
        if op == 'on':
            if vm['power'] == 'on':
                return vim_fault('vim.fault.InvalidPowerState', 'The attempted operation cannot be performed '
                                 'in the current state (Powered on).')
            if st['maintenance_mode']:
                return vim_fault('vim.fault.InvalidState', 'The operation is not allowed in the current state '
                                 'of the host.')
            out('Powering on VM:')
            vm['power'] = 'on'
        elif op in ('off', 'shutdown'):
            if vm['power'] != 'on':
                return vim_fault('vim.fault.InvalidPowerState', 'The attempted operation cannot be performed '
                                 'in the current state (Powered off).')
            if op == 'off':
                out('Powering off VM:')
            vm['power'] = 'off'
        else:
            out("Invalid command '%s'" % cmd)
            return 1
        ctx.dirty = True
        return 0
    out("Invalid command '%s'" % cmd)
    return 1


# ---------------------------------------------------------------------------
# vmware, reboot
# ---------------------------------------------------------------------------

def tool_vmware(ctx, args):
    st = ctx.st
    if injected(ctx, ['vmware'] + args, ('FAKEHOST_FAIL_ANY',)):
        err('vmware: Injected failure for: %s' % ' '.join(['vmware'] + args))
        return 1
    flags = ''.join(a.lstrip('-') for a in args if a.startswith('-') and not a.startswith('--'))
    longs = [a for a in args if a.startswith('--')]
    if not args or any(a not in ('--version', '--level') for a in longs) or set(flags) - {'v', 'l'}:
        err('Usage: vmware [-v | --version] [-l | --level]')
        return 1
    if 'v' in flags or '--version' in longs:
        out('VMware ESXi %s build-%s' % (st['version'], st['build']))
    if 'l' in flags or '--level' in longs:
        f = st['version'].split('.')
        base = st['version'] if int(f[0] or 0) < 7 else '.'.join(f[:2])
        out('VMware ESXi %s %s' % (base, 'GA' if st['update'] in ('', '0') else 'Update %s' % st['update']))
    return 0


def tool_reboot(ctx, args):
    if injected(ctx, ['reboot'] + args, ('FAKEHOST_FAIL_ANY',)):
        err('reboot: Injected failure for: %s' % ' '.join(['reboot'] + args))
        return 1
    for a in args:
        if a not in ('-f', '-n') and not re.match(r'^-d\d*$', a) and not a.isdigit():
            err('reboot: invalid option -- %s' % a.lstrip('-'))
            return 1
    do_reboot(ctx.st, 'reboot')
    ctx.dirty = True
    return 0


# ---------------------------------------------------------------------------
# Mellanox: mst, mlxfwmanager
# ---------------------------------------------------------------------------

def mlx_gate(ctx, name):
    if 'mft' not in ctx.st['running']['vibs']:
        err('sh: %s: not found' % name)
        return 127
    return 0


def tool_mst(ctx, args):
    rc = mlx_gate(ctx, 'mst')
    if rc:
        return rc
    if injected(ctx, ['mst'] + args, ('FAKEHOST_FAIL_ANY',)):
        err('-E- Injected failure for: %s' % ' '.join(['mst'] + args))
        return 1
    st = ctx.st
    nmst = 'nmst' in st['running']['vibs']
    sub = args[0] if args else ''
    if sub == 'start':
        if not nmst:
            out('Starting MST (Mellanox Software Tools) driver set')
            out('-E- mst driver is not loaded: the nmst VIB (MEL_bootbank_nmst) is not installed '
                'or the host was not rebooted after installing it.')
            return 1
        out('Starting MST (Mellanox Software Tools) driver set\nLoading MST PCI module - Success\n'
            'Loading MST PCI configuration module - Success\nCreate devices')
        return 0
    if sub == 'stop':
        out('Stopping MST (Mellanox Software Tools) driver set')
        return 0
    if sub == 'status':
        if not nmst:
            out('MST modules:\n------------\n    MST PCI module is not loaded\n'
                '    MST PCI configuration module is not loaded')
            return 1
        out('MST devices:\n------------')
        for n in st['nics']:
            out(n['pci_name'])
        return 0
    if sub == 'version':
        out('mst, mft %s' % st['running']['vibs']['mft']['version'].split('-')[0])
        return 0
    err('Usage: mst {start|stop|status|version}')
    return 1


def read_fw_image(path):
    """A fake firmware image starts with the line
    'FAKEFW PSID=<psid> VERSION=<x.y.z>'; anything may follow."""
    try:
        with open(path, 'rb') as f:
            first = f.readline(4096).decode('latin-1').strip()
    except OSError as e:
        return None, '-E- Can not open %s: %s' % (path, e.strerror)
    m = re.match(r'^FAKEFW\s+PSID=(\S+)\s+VERSION=(\d+\.\d+\.\d+)\s*$', first)
    if not m:
        return None, '-E- %s: not a valid firmware image (no FAKEFW header)' % path
    return {'psid': m.group(1), 'version': m.group(2), 'path': path}, None


def mlx_block(idx, n, available='N/A', status=None):
    cur = n['pending_fw'] or n['fw']
    lines = ['Device #%d:' % idx, '----------', '',
             '  Device Type:      %s' % n['device_type'],
             '  Part Number:      %s' % n['part_number'],
             '  Description:      %s' % n['description'],
             '  PSID:             %s' % n['psid'],
             '  PCI Device Name:  %s' % n['pci_name'],
             '  Base MAC:         %s' % n['base_mac'],
             '  Versions:         Current        Available     ',
             '     FW             %-14s %-14s' % (cur, available),
             '     PXE            %-14s %-14s' % ('3.6.0502', 'N/A'),
             '     UEFI           %-14s %-14s' % ('14.29.0014', 'N/A'), '']
    if status:
        lines += ['  Status:           %s' % status, '']
    return '\n'.join(lines)


def tool_mlxfwmanager(ctx, args):
    rc = mlx_gate(ctx, 'mlxfwmanager')
    if rc:
        return rc
    if injected(ctx, ['mlxfwmanager'] + args, ('FAKEHOST_FAIL_ANY',)):
        out('-E- Injected failure for: %s' % ' '.join(['mlxfwmanager'] + args))
        return 1
    st = ctx.st
    o = {'update': False, 'query': False, 'yes': False, 'force': False, 'image': None, 'dir': None, 'dev': None}
    i = 0
    while i < len(args):
        a = args[i]
        if a in ('-u', '--update'):
            o['update'] = True
        elif a in ('--query', '-q'):
            o['query'] = True
        elif a in ('-y', '--yes'):
            o['yes'] = True
        elif a in ('-f', '--force'):
            o['force'] = True
        elif a in ('-i', '--image', '-D', '--image-dir', '-d', '--dev') and i + 1 < len(args):
            key = {'-i': 'image', '--image': 'image', '-D': 'dir', '--image-dir': 'dir'}.get(a, 'dev')
            o[key] = args[i + 1]
            i += 1
        elif a in ('-v', '--version'):
            out('mlxfwmanager, mft %s' % st['running']['vibs']['mft']['version'].split('-')[0])
            return 0
        elif a == '--online':
            out('-E- Online update needs internet access, which the fake host does not have.')
            return 1
        else:
            out('-E- Unknown option or missing argument: %s' % a)
            return 1
        i += 1
    if 'nmst' not in st['running']['vibs'] or not st['nics']:
        out("-E- No devices found or specified, mst might be stopped, run 'mst start' to load MST modules")
        return 1
    devs = st['nics']
    if o['dev']:
        devs = [n for n in devs if o['dev'] in (n['pci_name'], '/dev/mst/' + n['pci_name'], n['bus'],
                                                n['bus'][5:])]
        if not devs:
            out('-E- Device %s not found' % o['dev'])
            return 1
    images = []
    if o['image']:
        img, e = read_fw_image(o['image'])
        if e:
            out(e)
            return 1
        images.append(img)
    if o['dir']:
        for name in sorted(os.listdir(o['dir'])) if os.path.isdir(o['dir']) else []:
            img, e = read_fw_image(os.path.join(o['dir'], name))
            if img:
                images.append(img)
    out('Querying Mellanox devices firmware ...\n')
    plan = []
    for idx, n in enumerate(devs, 1):
        match = [im for im in images if im['psid'] == n['psid']]
        if not images:
            out(mlx_block(idx, n))
            continue
        if not match:
            out(mlx_block(idx, n, 'N/A', 'No matching image found'))
            continue
        im = max(match, key=lambda m: version_key(m['version']))
        c = (version_key(im['version']) > version_key(n['pending_fw'] or n['fw'])) - \
            (version_key(im['version']) < version_key(n['pending_fw'] or n['fw']))
        status = 'Up to date' if c == 0 else ('Update required' if c > 0 else 'Forced update required')
        out(mlx_block(idx, n, im['version'], status))
        if c > 0 or (c < 0 and o['force']):
            plan.append((idx, n, im))
        elif c < 0:
            plan.append((idx, n, None))
    if not o['update']:
        return 0
    if not images:
        out('-E- No image specified: use -i FILE or -D DIR')
        return 1
    if all(not any(im['psid'] == n['psid'] for im in images) for n in devs):
        out('---------\n-E- No matching devices found for image(s) %s (PSID %s)'
            % (', '.join(im['path'] for im in images), ', '.join(sorted({im['psid'] for im in images}))))
        return 1
    forced = [p for p in plan if p[2] is None]
    plan = [p for p in plan if p[2] is not None]
    if forced and not plan:
        out('---------\nFound %d device(s) requiring firmware update. Please use -f option to update.' % len(forced))
        return 1
    if not plan:
        out('---------\nAll devices are up to date.')
        return 0
    out('---------\nFound %d device(s) requiring firmware update...\n' % len(plan))
    if not o['yes']:
        sys.stdout.write('Perform FW update? [y/N]: ')
        sys.stdout.flush()
        answer = sys.stdin.readline().strip().lower()
        if answer not in ('y', 'yes'):
            out('\n-E- Aborted by user.')
            return 1
    for idx, n, im in plan:
        out('Device #%d: Updating FW ...     \nFSMST_INITIALIZE -   OK          \n'
            'Writing Boot image component -   OK          \nDone' % idx)
        n['pending_fw'] = im['version']
    ctx.dirty = True
    out('\nRestart needed for updates to take effect.')
    return 0


# ---------------------------------------------------------------------------
# Intel nvmupdaten64e
# ---------------------------------------------------------------------------

NVM_BANNER = ('Intel(R) Ethernet NVM Update Tool\nNVMUpdate version 1.39.32.1\n'
              'Copyright(C) 2013 - 2023 Intel Corporation.')


def nvm_hex(v):
    try:
        maj, mnr = v.split('.', 1)
        return '%x.%02x' % (int(maj), int(mnr))
    except ValueError:
        return v


def nvm_key(v):
    return tuple(int(x) if x.isdigit() else -1 for x in v.split('.'))


def nvm_table(intel, shown_version, status):
    d = textwrap.wrap(intel['description'], 34) or ['']
    s = textwrap.wrap(status, 14) or ['']
    lines = ['Num Description                          Ver.(hex)  DevId S:B    Status',
             '=== ================================== ============ ===== ====== ==============']
    ver = '%s(%s)' % (shown_version, nvm_hex(shown_version))
    lines.append('01) %-34s %12s  %4s %-6s %s' % (d[0], ver, intel['devid'], intel['sb'], s[0]))
    for k in range(1, max(len(d), len(s))):
        lines.append(('    %-34s %12s  %4s %-6s %s' % (d[k] if k < len(d) else '', '', '', '',
                                                        s[k] if k < len(s) else '')).rstrip())
    return '\n'.join(lines)


def read_nvm_cfg(path, devid):
    """Reads nvmupdate.cfg in either layout and returns the entry for the
    adapter `devid`: {'version', 'image', 'eetrack', 'applies'}, or None when
    the file cannot be read.

    * Intel's layout: 'BEGIN DEVICE' ... 'END DEVICE' blocks of 'KEY: value'
      lines; the block whose 'DEVICE:' equals devid applies, its
      'NVM IMAGE:' file must exist next to the cfg, its 'EEPID:' becomes the
      new eetrack id, and the NVM version is read from the image file name
      ('..._v9_52.bin' -> 9.52; a fake convention, the real tool reads it
      from the image).
    * The short layout: 'NVM_VERSION=9.50' [DEVICE=1572] [NVM_IMAGE=f.bin]
      [EETRACK=8000F3B5].  NVM_VERSION= overrides the version in both.
    """
    try:
        with open(path, encoding='latin-1') as f:
            lines = f.read().splitlines()
    except OSError:
        return None
    flat, blocks, cur = {}, [], None
    for line in lines:
        t = line.strip()
        if not t or t.startswith(';') or t.startswith('#'):
            continue
        if t.upper() == 'BEGIN DEVICE':
            cur = {}
            continue
        if t.upper() == 'END DEVICE':
            if cur is not None:
                blocks.append(cur)
            cur = None
            continue
        if cur is not None:
            k, colon, v = t.partition(':')
            if colon:
                cur[k.strip().upper()] = v.strip()
            continue
        k, eq, v = t.partition('=')
        if eq and re.match(r'^[A-Z_]+$', k.strip()):
            flat[k.strip()] = v.strip()
    entry = {'version': flat.get('NVM_VERSION'), 'image': flat.get('NVM_IMAGE'),
             'eetrack': flat.get('EETRACK'),
             'applies': flat.get('DEVICE', devid).upper() == devid.upper()}
    if blocks:
        mine = [b for b in blocks if b.get('DEVICE', '').upper() == devid.upper()]
        entry['applies'] = bool(mine)
        if mine:
            b = mine[0]
            entry['image'] = entry['image'] or b.get('NVM IMAGE')
            entry['eetrack'] = entry['eetrack'] or b.get('EEPID')
            m = re.search(r'[vV](\d+)[._](\d+)', b.get('NVM IMAGE', ''))
            if not entry['version'] and m:
                entry['version'] = '%s.%s' % (m.group(1), m.group(2))
    return entry


def tool_nvmupdate(ctx, args, bundled_dir=None):
    st = ctx.st
    if bundled_dir is None and 'nvmupdaten64e' not in st['running']['vibs']:
        err('sh: nvmupdaten64e: not found')
        return 127
    if injected(ctx, ['nvmupdaten64e'] + args, ('FAKEHOST_FAIL_ANY',)):
        out(NVM_BANNER + '\n\nTool execution completed with the following status: Injected failure for: %s'
            % ' '.join(['nvmupdaten64e'] + args))
        return 1
    tooldir = bundled_dir or '/opt/nvmupdaten64e/bin'
    o = {'u': False, 'i': False, 'v': False, 'l': None, 'o': None, 'c': None}
    i = 0
    while i < len(args):
        a = args[i]
        if a in ('-u', '-i', '-v', '-b', '-s', '-f', '-e', '-a', '-r'):
            o[a[1]] = True
        elif a == '-l':
            if i + 1 < len(args) and not args[i + 1].startswith('-'):
                o['l'] = args[i + 1]
                i += 1
            else:
                o['l'] = 'nvmupdate.log'
        elif a in ('-o', '-c'):
            if i + 1 >= len(args):
                out(NVM_BANNER + '\n\nError: Missing value for option %s' % a)
                return 1
            o[a[1]] = args[i + 1]
            i += 1
        else:
            out(NVM_BANNER + '\n\nError: Invalid command line parameter: %s' % a)
            return 1
        i += 1
    if o['v']:
        out(NVM_BANNER)
        return 0
    text = [NVM_BANNER, '', '',
            'WARNING: To avoid damage to your device, do not stop the update or reboot or power off the '
            'system during this update.',
            'Inventory in progress. Please wait [**********]', '', '']
    intel = st.get('intel')
    driver_ok = 'i40en' in st['running']['vibs']

    def finish(status, rc, reboot=False, xml=None):
        # FAKEHOST_NVM_EXIT=N: an update run ends with status N after doing
        # its work, to test how a script reads Intel's other exit codes.
        forced = os.environ.get('FAKEHOST_NVM_EXIT', '')
        if o['u'] and forced.isdigit():
            rc = int(forced)
        if xml and os.environ.get('FAKEHOST_NVM_XML') == 'no-next':
            xml = re.sub(r'\s*<NextUpdateAvailable>[^<]*</NextUpdateAvailable>', '', xml)
        if o['u'] and os.environ.get('FAKEHOST_NVM_XML') == 'none':
            xml = None
        text.append('')
        if reboot:
            text.append('Reboot is required to complete the update process.\n')
        text.append('Tool execution completed with the following status: %s' % status)
        body = '\n'.join(text)
        out(body)
        if o['l']:
            with open(o['l'], 'a') as f:
                f.write('[%s] nvmupdaten64e %s\n%s\n' % (now_iso(), ' '.join(args), body))
        if o['o'] and xml:
            with open(o['o'], 'w') as f:
                f.write(xml)
        return rc

    if not intel or not driver_ok:
        if intel:
            text.append(nvm_table(intel, 'N/A', 'Access error'))
        return finish('Device not found.', 1)
    cfg_path = o['c'] or os.path.join(tooldir, 'nvmupdate.cfg')
    cfg = read_nvm_cfg(cfg_path, intel['devid'])
    cur = intel['pending'] or intel['version']
    if cfg is None or (cfg['applies'] and not cfg['version']):
        if o['i'] and cfg is None and not o['c']:
            text.append(nvm_table(intel, cur, 'Update not available'))
            return finish('All operations completed successfully.', 0)
        text.append('Error: Config file read error: %s' % cfg_path)
        return finish('Config file read error.', 1)
    avail = cfg['version'] or '0.0'
    image = cfg['image'] if cfg['applies'] else None
    if image and not os.path.isfile(os.path.join(os.path.dirname(cfg_path) or '.', image)):
        text.append('Error: NVM image %s not found' % image)
        return finish('Failed to open NVM image file.', 1)
    applies = cfg['applies']
    newer = applies and nvm_key(avail) > nvm_key(cur)
    status = 'Update available' if newer else 'Update not available'
    text.append(nvm_table(intel, cur, status))
    reboot_pending = intel['pending'] is not None

    def results_xml(updated, prev):
        return ('<?xml version="1.0" encoding="UTF-8"?>\n<DeviceUpdate lang="en">\n'
                '\t<Instance vendor="8086" device="%s" subdevice="0007" subvendor="8086" bus="1" dev="0" '
                'func="0" PBA="H58178-005" port_id="Port 1 of 2" display="%s">\n'
                '\t\t<Module type="NVM" version="%s" previous_version="%s" update="%d">\n'
                '\t\t\t<Status result="Success" id="0">All operations completed successfully.</Status>\n'
                '\t\t</Module>\n\t</Instance>\n\t<NextUpdateAvailable> %d </NextUpdateAvailable>\n'
                '\t<RebootRequired> %d </RebootRequired>\n\t<PowerCycleRequired> 0 </PowerCycleRequired>\n'
                '</DeviceUpdate>\n' % (intel['devid'], intel['description'], intel['pending'] or intel['version'],
                                       prev, 1 if updated else 0, 1 if (newer and not updated) else 0,
                                       1 if intel['pending'] else 0))

    if o['i']:
        return finish('All operations completed successfully.', 0, reboot_pending, results_xml(False, cur))
    if not o['u']:
        text.append('\nOptions: Adapter Index List (comma-separated), [A]ll, e[X]it\nEnter selection:')
        answer = sys.stdin.readline().strip().lower()
        if answer not in ('a', '1', '01'):
            return finish('Update available for one or more adapters.' if newer
                          else 'All operations completed successfully.', 0)
    if not newer:
        return finish('All operations completed successfully.', 0, reboot_pending, results_xml(False, cur))
    text.append('\nUpdate in progress. This operation may take several minutes.\n[**********]\n\n')
    intel['pending'] = avail
    if cfg['eetrack']:
        intel['pending_eetrack'] = cfg['eetrack']
    ctx.dirty = True
    text.append(nvm_table(intel, avail, 'Update successful'))
    return finish('All operations completed successfully.', 0, True, results_xml(True, cur))


# ---------------------------------------------------------------------------
# Entry points
# ---------------------------------------------------------------------------

def run_tool(name, args, bundled_dir=None):
    sdir = state_dir_from_env()
    deadline, started = None, now_epoch()
    while True:
        with host_lock(sdir):
            st = load_state(sdir)
            ctx = Ctx(sdir, st, False)
            ctx.deadline, ctx.started = deadline, started
            boot = st['boot_count']
            rc = 1
            try:
                rc = dispatch_tool(ctx, name, args, bundled_dir)
                if ctx.dirty:
                    save_state(sdir, st)
            except WaitVMs:
                deadline = ctx.deadline
                rc = None
            finally:
                sys.stdout.flush()
                if rc is not None:
                    with open(os.path.join(sdir, CALLS_LOG), 'a') as f:
                        f.write('boot=%d rc=%d %s\n' % (boot, rc, sh_join([name] + list(args))))
        if rc is not None:
            return rc
        time.sleep(0.1)  # unlocked: another shell may power the VMs off


def dispatch_tool(ctx, name, args, bundled_dir):
    if name == 'esxcli':
        return tool_esxcli(ctx, args)
    if name == 'vim-cmd':
        return tool_vimcmd(ctx, args)
    if name == 'vmware':
        return tool_vmware(ctx, args)
    if name == 'reboot':
        return tool_reboot(ctx, args)
    if name == 'mst':
        return tool_mst(ctx, args)
    if name == 'mlxfwmanager':
        return tool_mlxfwmanager(ctx, args)
    if name == 'nvmupdaten64e':
        return tool_nvmupdate(ctx, args, bundled_dir)
    if name == 'secureBoot.py':
        return tool_secureboot(ctx, args)
    if name == 'df':
        return tool_df(ctx, args)
    err('fakehost: unknown tool %s' % name)
    return 2


def tool_secureboot(ctx, args):
    """/usr/lib/vmware/secureboot/bin/secureBoot.py -s: 'Enabled' or
    'Disabled' (the real output is not confirmed; see README.md)."""
    if args != ['-s']:
        err('usage: secureBoot.py -s')
        return 2
    out('Enabled' if ctx.st['secure_boot'] else 'Disabled')
    return 0


def tool_df(ctx, args):
    """ESXi's df (a Python script over the filesystem list): 'df -k PATH'
    gives the header and one row.  A path whose last part is 'bootbank' is
    the boot bank; anything else is the datastore."""
    paths = [a for a in args if not a.startswith('-')]
    if args[:1] != ['-k'] or len(paths) != 1:
        err('df: fakehost implements only df -k PATH')
        return 1
    free = ctx.st.get('free_kb') or {'datastore': 50 * 1024 * 1024, 'bootbank': 3 * 1024 * 1024}
    if os.path.basename(paths[0].rstrip('/')) == 'bootbank':
        fs, size, avail, mnt = 'vfat', 4 * 1024 * 1024, free['bootbank'], '/vmfs/volumes/BOOTBANK1'
    else:
        fs, size, avail, mnt = 'VMFS-6', 500 * 1024 * 1024, free['datastore'], '/vmfs/volumes/datastore1'
    used = max(size - avail, 0)
    out('Filesystem    1K-blocks      Used  Available Use%% Mounted on\n'
        '%-10s %12d %9d %10d %3d%% %s' % (fs, size, used, avail, used * 100 // size, mnt))
    return 0


def main(argv):
    if len(argv) < 2 or argv[1] in ('-h', '--help'):
        out(__doc__.strip())
        return 0 if len(argv) >= 2 else 2
    cmd, rest = argv[1], argv[2:]
    if cmd in TOOLS:
        return run_tool(cmd, rest)
    if cmd == 'nvmupdate':
        bdir = None
        if rest[:1] == ['--bundled-dir'] and len(rest) >= 2:
            bdir, rest = rest[1], rest[2:]
        return run_tool('nvmupdaten64e', rest, bundled_dir=bdir or os.getcwd())
    if cmd == 'init':
        a = init_parser().parse_args(rest)
        st = init_state(a)
        os.makedirs(a.state_dir, exist_ok=True)
        with host_lock(a.state_dir):
            save_state(a.state_dir, st)
            open(os.path.join(a.state_dir, CALLS_LOG), 'w').close()
        return 0
    if cmd == 'show':
        p = argparse.ArgumentParser(prog='fakehost.py show')
        p.add_argument('--key', default=None, help='dotted path, e.g. running.vibs.mft.version')
        p.add_argument('state_dir', nargs='?', default=None)
        a = p.parse_args(rest)
        sdir = a.state_dir or state_dir_from_env()
        with host_lock(sdir):
            st = load_state(sdir)
        val = st
        if a.key:
            for part in a.key.split('.'):
                if isinstance(val, list) and part.isdigit() and int(part) < len(val):
                    val = val[int(part)]
                elif isinstance(val, dict) and part in val:
                    val = val[part]
                else:
                    err('fakehost show: no such key: %s' % a.key)
                    return 1
        if isinstance(val, (dict, list)):
            out(json.dumps(val, indent=1, sort_keys=True))
        elif isinstance(val, bool):
            out('true' if val else 'false')
        else:
            out('null' if val is None else str(val))
        return 0
    if cmd == 'fwimage':
        p = argparse.ArgumentParser(prog='fakehost.py fwimage')
        p.add_argument('out')
        p.add_argument('--psid', required=True)
        p.add_argument('--version', required=True)
        a = p.parse_args(rest)
        with open(a.out, 'wb') as f:
            f.write(('FAKEFW PSID=%s VERSION=%s\n' % (a.psid, a.version)).encode())
            f.write(os.urandom(256))
        return 0
    if cmd == 'install-nvmupdate':
        p = argparse.ArgumentParser(prog='fakehost.py install-nvmupdate')
        p.add_argument('dir')
        p.add_argument('--cfg-version', default=None, help='also write nvmupdate.cfg with NVM_VERSION=V')
        a = p.parse_args(rest)
        os.makedirs(a.dir, exist_ok=True)
        tool = os.path.join(a.dir, 'nvmupdaten64e')
        with open(tool, 'w') as f:
            f.write('#!/bin/sh\n# fake Intel NVM update tool (tests/fakehost); behaves as the copy bundled\n'
                    '# in an Intel NVMUpdatePackage ESXi_x64 folder.\n'
                    'd=$(cd "$(dirname "$0")" && pwd)\n'
                    'exec python3 %s nvmupdate --bundled-dir "$d" "$@"\n'
                    % shlex.quote(os.path.abspath(__file__)))
        os.chmod(tool, 0o755)
        if a.cfg_version:
            with open(os.path.join(a.dir, 'nvmupdate.cfg'), 'w') as f:
                f.write('CURRENT FAMILY: 1.0.0\nCONFIG VERSION: 1.20.0\n\n'
                        'NVM_VERSION=%s\nDEVICE=1572\n' % a.cfg_version)
        return 0
    err('fakehost: unknown command %s (try --help)' % cmd)
    return 2


if __name__ == '__main__':
    try:
        sys.exit(main(sys.argv))
    except BrokenPipeError:
        sys.exit(141)
