#!/usr/bin/env python3
"""readdepot.py - an independent reader of a depot zip, for the compose tests.

Python 3 standard library only; it shares no code with the C reader. It
walks index.xml -> each vendor's index -> each metadata zip (resolving
every reference against the directory of the member that names it, as
esximage's UrlJoin does), reads vibs/, bulletins/ and profiles/, and
checks each VIB file's size and SHA-256 against its metadata.

Usage: readdepot.py DEPOT.zip [--profile NAME]
  Prints a JSON document: {"chain": [members walked], "profiles": [{name,
  creator, profile_id, acceptance, readonly, vib_ids, bulletin_ids}],
  "vibs": [{id, name, version, path, size, sha256}], "bulletins": [ids]}.
  With --profile, prints that profile's VIB ids, sorted, one per line.
  Exit 1 (with the reasons on stderr) when the chain is broken, a VIB file
  is missing or differs from its metadata, or a profile names a VIB the
  metadata lacks.
"""

import hashlib
import io
import json
import posixpath
import sys
import xml.etree.ElementTree as ET
import zipfile


def join(base_member, ref):
    return posixpath.join(posixpath.dirname(base_member), ref)


def text(node, tag):
    child = node.find(tag)
    return (child.text or '').strip() if child is not None else None


def main(argv):
    if not argv or argv[0].startswith('-'):
        print(__doc__, file=sys.stderr)
        return 2
    path, profile = argv[0], None
    if len(argv) == 3 and argv[1] == '--profile':
        profile = argv[2]
    errors, chain = [], ['index.xml']
    out = {'chain': chain, 'profiles': [], 'vibs': [], 'bulletins': []}
    with zipfile.ZipFile(path) as z:
        names = set(z.namelist())
        index = ET.fromstring(z.read('index.xml'))
        for vendor in index.findall('vendor'):
            rel = text(vendor, 'relativePath') or ''
            vfile = text(vendor, 'indexfile')
            vpath = join('index.xml', (rel.rstrip('/') + '/' + vfile) if rel else vfile)
            if vpath not in names:
                errors.append(f'{vpath}: named by index.xml, missing')
                continue
            chain.append(vpath)
            vindex = ET.fromstring(z.read(vpath))
            for meta in vindex.findall('metadata'):
                mpath = join(vpath, text(meta, 'url'))
                if mpath not in names:
                    errors.append(f'{mpath}: named by {vpath}, missing')
                    continue
                chain.append(mpath)
                read_metadata(z, names, mpath, out, errors)
    known = {v['id'] for v in out['vibs']}
    for p in out['profiles']:
        for vid in p['vib_ids']:
            if vid not in known:
                errors.append(f'profile {p["name"]}: VIB {vid} not in the metadata')
    for e in errors:
        print(f'readdepot: {path}: {e}', file=sys.stderr)
    if profile is not None:
        hits = [p for p in out['profiles'] if p['name'] == profile]
        if len(hits) != 1:
            print(f'readdepot: {path}: {len(hits)} profiles named {profile}', file=sys.stderr)
            return 1
        for vid in sorted(hits[0]['vib_ids']):
            print(vid)
    else:
        print(json.dumps(out, indent=1, sort_keys=True))
    return 1 if errors else 0


def read_metadata(z, names, mpath, out, errors):
    with zipfile.ZipFile(io.BytesIO(z.read(mpath))) as m:
        for name in sorted(m.namelist()):
            folder = posixpath.dirname(name)
            if folder not in ('vibs', 'profiles', 'bulletins'):
                continue
            root = ET.fromstring(m.read(name))
            if folder == 'vibs':
                read_vib(z, names, mpath, name, root, out, errors)
            elif folder == 'bulletins':
                out['bulletins'].append(text(root, 'id'))
            else:
                out['profiles'].append({
                    'name': text(root, 'name'), 'creator': text(root, 'creator'),
                    'profile_id': text(root, 'profileID'),
                    'acceptance': text(root, 'acceptancelevel'),
                    'readonly': text(root, 'readonly'),
                    'vib_ids': [(v.text or '').strip() for v in root.iter('vib-id')],
                    'bulletin_ids': [(b.text or '').strip() for b in root.iter('bulletin-id')],
                })


def read_vib(z, names, mpath, name, root, out, errors):
    vendor, vtype = text(root, 'vendor'), text(root, 'type') or 'bootbank'
    vname, version = text(root, 'name'), text(root, 'version')
    vid = f'{vendor}_{vtype}_{vname}_{version}'
    rel = text(root, 'relative-path')
    size = int(text(root, 'packed-size'))
    sums = [c for c in root.findall('checksum') if c.get('checksum-type') == 'sha-256']
    sha = (sums[0].text or '').strip() if sums else None
    member = join(mpath, rel)
    out['vibs'].append({'id': vid, 'name': vname, 'version': version,
                        'path': member, 'size': size, 'sha256': sha})
    if member not in names:
        errors.append(f'{member}: VIB {vid} named by {mpath}!{name}, missing')
        return
    data = z.read(member)
    if len(data) != size:
        errors.append(f'{member}: {len(data)} bytes, the metadata says {size}')
    if hashlib.sha256(data).hexdigest() != sha:
        errors.append(f'{member}: SHA-256 differs from the metadata')


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
