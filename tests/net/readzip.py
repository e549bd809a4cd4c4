#!/usr/bin/env python3
"""readzip.py - an independent reader of a fetched depot zip, for tests.

    readzip.py OUT.zip PROFILE

Follows index.xml -> vendor-index.xml -> metadata zip with Python's own
zipfile and ElementTree, finds PROFILE, and checks that the zip holds
exactly the profile's VIBs, each with the size and SHA-256 its metadata
says.  Prints one line per VIB ("ID SHA256") and exits 0, or says what
is wrong and exits 1.
"""
import hashlib
import io
import posixpath
import sys
import xml.etree.ElementTree as ET
import zipfile


def main():
    out, profile = sys.argv[1], sys.argv[2]
    z = zipfile.ZipFile(out)
    index = ET.fromstring(z.read('index.xml'))
    vibs, profiles = {}, {}
    for vendor in index.iter('vendor'):
        rel = (vendor.findtext('relativePath') or '').strip()
        vpath = posixpath.join(rel, vendor.findtext('indexfile').strip())
        for md in ET.fromstring(z.read(vpath)).iter('metadata'):
            mpath = posixpath.join(posixpath.dirname(vpath), md.findtext('url').strip())
            mz = zipfile.ZipFile(io.BytesIO(z.read(mpath)))
            for name in mz.namelist():
                doc = ET.fromstring(mz.read(name)) if name.endswith('.xml') or name.startswith('profiles/') else None
                if name.startswith('vibs/'):
                    vid = doc.findtext('id') or '_'.join([doc.findtext('vendor'), doc.findtext('type') or 'bootbank', doc.findtext('name'), doc.findtext('version')])
                    sums = {c.get('checksum-type'): c.text for c in doc.findall('checksum')}
                    vibs[vid] = (posixpath.join(posixpath.dirname(mpath), doc.findtext('relative-path')),
                                 int(doc.findtext('packed-size')), sums.get('sha-256'))
                elif name.startswith('profiles/'):
                    profiles[doc.findtext('name')] = [v.findtext('vib-id') or v.text for v in doc.iter('vib')]
    if profile not in profiles:
        sys.exit(f'{out}: no profile {profile}')
    want = profiles[profile]
    if sorted(want) != sorted(vibs):
        sys.exit(f'{out}: VIB records {sorted(vibs)} are not the profile\'s {sorted(want)}')
    members = {n for n in z.namelist() if n.endswith('.vib')}
    if members != {vibs[v][0] for v in want}:
        sys.exit(f'{out}: VIB files {sorted(members)} are not the profile\'s')
    for vid in sorted(want):
        path, size, sha = vibs[vid]
        data = z.read(path)
        got = hashlib.sha256(data).hexdigest()
        if len(data) != size or got != sha:
            sys.exit(f'{out}: {path}: {len(data)} bytes, SHA-256 {got}; metadata says {size}, {sha}')
        print(vid, got)


main()
