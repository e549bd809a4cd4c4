#!/usr/bin/env python3
"""realmeta.py - checks the C tool's list-vibs/list-components JSON against a real depot zip.

usage: realmeta.py DEPOT.zip DEPOT_BINARY

Reads the depot's own metadata with zipfile + xml.etree (index.xml -> vendor
index -> metadata zip -> vibs/*.xml and bulletins/*.xml), then runs
`DEPOT_BINARY list-vibs ZIP --json` and `DEPOT_BINARY list-components ZIP --json`
and compares the sets of (id, name, version, vendor). Prints "ok ZIP", or the
differences and exits 1. Exit 2 for usage errors or an unreadable depot.
Python standard library only; shares no code with the C reader or mkdepot.py.
"""

import io
import json
import posixpath
import subprocess
import sys
import xml.etree.ElementTree as ET
import zipfile


class DepotError(Exception):
    pass


def join(referrer, rel):
    """Members are addressed relative to the directory of the referring member."""
    return posixpath.join(posixpath.dirname(referrer), rel)


def text(elem, tag):
    child = elem.find(tag)
    return (child.text or '').strip() if child is not None else ''


def parse_xml(data, what):
    try:
        return ET.fromstring(data)
    except ET.ParseError as e:
        raise DepotError(f'{what}: {e}')


def read_member(zf, name):
    try:
        return zf.read(name)
    except KeyError:
        raise DepotError(f'missing member {name}')


def metadata_zip_paths(zf):
    index = parse_xml(read_member(zf, 'index.xml'), 'index.xml')
    paths = []
    for vendor in index.findall('vendor'):
        rel, indexfile = text(vendor, 'relativePath'), text(vendor, 'indexfile')
        vpath = join('index.xml', (rel.rstrip('/') + '/' + indexfile) if rel else indexfile)
        vindex = parse_xml(read_member(zf, vpath), vpath)
        for meta in vindex.findall('metadata'):
            url = text(meta, 'url')
            if '://' in url:
                continue        # remote metadata is not part of the zip
            path = join(vpath, url)
            if path not in paths:
                paths.append(path)
    return paths


def expected(zip_path):
    vibs, comps = set(), set()
    with zipfile.ZipFile(zip_path) as zf:
        for mpath in metadata_zip_paths(zf):
            with zipfile.ZipFile(io.BytesIO(read_member(zf, mpath))) as mz:
                for info in mz.infolist():
                    if info.is_dir():
                        continue
                    folder = posixpath.dirname(info.filename)
                    if folder == 'vibs':
                        v = parse_xml(mz.read(info), info.filename)
                        vtype = text(v, 'type') or 'bootbank'
                        name, version, vendor = text(v, 'name'), text(v, 'version'), text(v, 'vendor')
                        vibs.add((f'{vendor}_{vtype}_{name}_{version}', name, version, vendor))
                    elif folder == 'bulletins':
                        b = parse_xml(mz.read(info), info.filename)
                        bid = text(b, 'id')
                        ns, vs = b.find('componentNameSpec'), b.find('componentVersionSpec')
                        name = ns.get('name', '') if ns is not None else bid
                        version = vs.get('version', '') if vs is not None else ''
                        comps.add((bid, name, version, text(b, 'vendor')))
    return vibs, comps


def run_tool(binary, command, zip_path):
    cmd = [binary, command, zip_path, '--json']
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        raise DepotError(f'{" ".join(cmd)} exited {r.returncode}: {r.stderr.strip()}')
    try:
        return json.loads(r.stdout)
    except json.JSONDecodeError as e:
        raise DepotError(f'{" ".join(cmd)} printed invalid JSON: {e}')


def actual(binary, zip_path):
    vibs_doc = run_tool(binary, 'list-vibs', zip_path)
    comps_doc = run_tool(binary, 'list-components', zip_path)
    try:
        vibs = {(v['id'], v['name'], v['version'], v['vendor']) for v in vibs_doc['vibs']}
        comps = {(c['id'], c['name'], c['version'], c['vendor'])
                 for c in comps_doc['components']}
    except (KeyError, TypeError) as e:
        raise DepotError(f'unexpected JSON shape from {binary}: missing {e}')
    return vibs, comps


def diff(label, want, got):
    lines = [f'{label} missing from tool output: {x}' for x in sorted(want - got)]
    lines += [f'{label} unexpected in tool output: {x}' for x in sorted(got - want)]
    return lines


def main(argv):
    if len(argv) != 2:
        print(__doc__.split('\n\n')[1], file=sys.stderr)
        return 2
    zip_path, binary = argv
    try:
        want_vibs, want_comps = expected(zip_path)
    except (DepotError, zipfile.BadZipFile, OSError) as e:
        print(f'realmeta: {zip_path}: cannot read depot: {e}', file=sys.stderr)
        return 2
    try:
        got_vibs, got_comps = actual(binary, zip_path)
    except (DepotError, OSError) as e:
        print(f'FAIL {zip_path}: {e}')
        return 1
    problems = diff('vib', want_vibs, got_vibs) + diff('component', want_comps, got_comps)
    if problems:
        print(f'FAIL {zip_path}')
        print('\n'.join('  ' + p for p in problems))
        return 1
    print(f'ok {zip_path}')
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
