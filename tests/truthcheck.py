#!/usr/bin/env python3
"""truthcheck.py - compare `depot ... --json` output with a generator truth file.

usage: truthcheck.py TRUTH.json KIND OUT.json     KIND: vibs | profiles | components

The truth file is written by tests/mkdepot.py from the spec, never from the
zip, so agreement means the C reader and the Python writer read the format
the same way.  Prints the differences and exits 1 when there are any.
"""
import json
import sys


def key_rows(rows, fields):
    return {tuple(str(r.get(f)) for f in fields) for r in rows}


def main():
    truth_path, kind, out_path = sys.argv[1:4]
    truth = json.load(open(truth_path))
    out = json.load(open(out_path))
    if kind == "vibs":
        want = [dict(v, release_date=v["release_date_utc"] + "Z")
                for v in truth["vibs"]]
        fields = ["id", "name", "version", "vendor", "acceptance_level",
                  "release_date", "relative_path", "packed_size", "sha256"]
        got = out["vibs"]
    elif kind == "profiles":
        want = [dict(p, creation_time=p["creation_time"] + "Z",
                     modification_time=p["modification_time"] + "Z",
                     vib_ids=sorted(p["vib_ids"])) for p in truth["profiles"]]
        got = [dict(p, vib_ids=sorted(p["vib_ids"])) for p in out["profiles"]]
        fields = ["name", "vendor", "acceptance_level", "creation_time",
                  "modification_time", "vib_ids"]
    elif kind == "components":
        want, got = truth["components"], out["components"]
        fields = ["id", "name", "version", "vendor"]
    else:
        sys.exit("truthcheck: unknown kind " + kind)
    w, g = key_rows(want, fields), key_rows(got, fields)
    if w == g and len(want) == len(got):
        print("ok %s: %d rows" % (kind, len(got)))
        return 0
    for row in sorted(w - g):
        print("missing:    ", row)
    for row in sorted(g - w):
        print("unexpected: ", row)
    if len(want) != len(got):
        print("row counts: truth %d, output %d" % (len(want), len(got)))
    return 1


if __name__ == "__main__":
    sys.exit(main())
