#!/usr/bin/env python3
"""refverify.py - the reference verifier `make bench` measures against.

usage: refverify.py [--stats FILE] DEPOT.zip

A plain, single-threaded verifier in Python's standard library, written
the way one would write it with esximage's tools at hand: zipfile for the
depot (it checks each member's CRC-32), ElementTree for the XML, zlib for
gzip (several members back to back, as Python's gzip reads them), hashlib
(OpenSSL) for the digests, each VIB read once as a stream.  It makes the
checks `depot verify` makes of every VIB in the metadata: size and
sha-256 of the whole .vib, the ar container (descriptor.xml first,
sig.pkcs7 second), the descriptor against the metadata, and every payload
checksum the descriptor lists (stored sha-256, gunzip sha-256 and sha-1,
sha-256-gunzip1), computing each listed digest once and no other.  Two
checks it cannot make with the standard library, and says so: the PKCS#7
signature (only "unsigned at a level that needs a signature" is judged)
and the zstd layer of ESXi 9 vzstd payloads.

--stats FILE writes what the digests covered, as JSON: the bytes each
algorithm hashed, which is what bench.py divides by OpenSSL's speed to
get the physical minimum of the same checks.
"""
import hashlib
import io
import json
import posixpath
import sys
import xml.etree.ElementTree as ET
import zipfile
import zlib

CHUNK = 1 << 20
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"


class Counted:
    """Bytes hashed, by algorithm: the work the checks asked for."""

    def __init__(self):
        self.sha256 = 0
        self.sha1 = 0


def text(elem, path, default=""):
    found = elem.find(path)
    return found.text or "" if found is not None else default


def records(depot):
    """The VIB records of every metadata zip the indexes name, by id."""
    out = {}
    index = ET.fromstring(depot.read("index.xml"))
    for vendor in index.iter("vendor"):
        base = text(vendor, "relativePath").strip("/")
        vindex = posixpath.join(base, text(vendor, "indexfile"))
        meta_list = ET.fromstring(depot.read(vindex))
        for meta in meta_list.iter("metadata"):
            path = posixpath.normpath(posixpath.join(
                posixpath.dirname(vindex), text(meta, "url")))
            mz = zipfile.ZipFile(io.BytesIO(depot.read(path)))
            for name in mz.namelist():
                if not (name.startswith("vibs/") and name.endswith(".xml")):
                    continue
                vib = ET.fromstring(mz.read(name))
                rec = vib_fields(vib)
                rec["member"] = posixpath.normpath(posixpath.join(
                    posixpath.dirname(path), text(vib, "relative-path")))
                size = text(vib, "packed-size")
                rec["packed_size"] = int(size) if size else None
                rec["sha256"] = None
                for c in vib.findall("checksum"):
                    if c.get("checksum-type") == "sha-256":
                        rec["sha256"] = (c.text or "").strip()
                out[rec["id"]] = rec
    return out


def vib_fields(vib):
    rec = {k: text(vib, k) for k in ("name", "version", "vendor", "type")}
    rec["id"] = "%s_%s_%s_%s" % (rec["vendor"], rec["type"], rec["name"],
                                 rec["version"])
    rec["acceptance"] = text(vib, "acceptance-level")
    rec["payloads"] = []
    for p in vib.iter("payload"):
        sums = [(c.get("checksum-type"), c.get("verify-process") or "",
                 (c.text or "").strip()) for c in p.findall("checksum")]
        usize = p.get("uncompressed-size")
        rec["payloads"].append({"name": p.get("name"),
                                "size": int(p.get("size") or 0),
                                "usize": int(usize) if usize else 0,
                                "sums": sums})
    return rec


class Source:
    """The .vib as a stream, every byte into the whole-file digest once."""

    def __init__(self, f, digest):
        self.f, self.digest = f, digest
        self.buf, self.pos, self.total = b"", 0, 0

    def _fill(self):
        data = self.f.read(CHUNK)
        if data:
            if self.digest is not None:
                self.digest.update(data)
            self.total += len(data)
            self.buf, self.pos = data, 0
        return bool(data)

    def chunks(self, n):
        """Up to n bytes as memoryviews of the read buffer."""
        while n > 0:
            if self.pos == len(self.buf) and not self._fill():
                return
            take = min(n, len(self.buf) - self.pos)
            yield memoryview(self.buf)[self.pos:self.pos + take]
            self.pos += take
            n -= take

    def read(self, n):
        return b"".join(bytes(c) for c in self.chunks(n))

    def drain(self):
        while self._fill():
            pass


def wanted(payload):
    """The digests the descriptor lists for a payload, as verify picks."""
    want = set()
    for ctype, vp, _ in payload["sums"]:
        if vp not in ("", "gunzip"):
            continue
        if ctype == "sha-256-gunzip1":
            want.add("gunzip1")
        elif ctype == "sha-256":
            want.add("x256" if vp == "gunzip" else "raw")
        elif ctype == "sha-1" and vp == "gunzip":
            want.add("x1")
    if payload["usize"]:
        want.add("expand")
    if not want - {"expand"}:
        want.add("check")  # no digest: gzip's own CRC-32s are the check
    return want


def scan_payload(src, size, want, counted, problems, name):
    """One payload: its digests as listed, gzip members one after another."""
    raw = hashlib.sha256() if "raw" in want else None
    x256 = hashlib.sha256() if want & {"x256", "gunzip1"} else None
    x1 = hashlib.sha1() if "x1" in want else None
    decode = bool(want - {"raw"})
    got = {"expanded": 0, "zstd": False}
    d, first, done, err = None, True, False, None
    for piece in src.chunks(size):
        if raw is not None:
            raw.update(piece)
        if first:
            first = False
            decode = decode and bytes(piece[:2]) == b"\x1f\x8b"
        if not decode or done or err:
            continue
        data = bytes(piece)
        while data and not err:
            if d is None:
                data = data.lstrip(b"\0")
                if not data:
                    break
                if data[:1] != b"\x1f":
                    err = "%d bytes after the end of the gzip stream" % len(data)
                    break
                d = zlib.decompressobj(31)
            try:
                out = d.decompress(data)
            except zlib.error as e:
                err = "gzip: %s" % e
                break
            if got["expanded"] == 0 and out[:4] == ZSTD_MAGIC:
                got["zstd"] = True
            for h in (x256, x1):
                if h is not None:
                    h.update(out)
            got["expanded"] += len(out)
            data = d.unused_data if d.eof else b""
            if d.eof:
                d = None
    if decode and d is not None and not err:
        err = "gzip data truncated"
    if raw is not None:
        counted.sha256 += size
    counted.sha256 += got["expanded"] if x256 is not None else 0
    counted.sha1 += got["expanded"] if x1 is not None else 0
    if err:
        problems.append("payload '%s': %s" % (name, err))
        return None
    return {"raw": raw.hexdigest() if raw else None,
            "x256": x256.hexdigest() if x256 else None,
            "x1": x1.hexdigest() if x1 else None,
            "expanded": got["expanded"], "zstd": got["zstd"],
            "gzip": decode}


def verify_vib(depot, rec, counted):
    problems = []
    try:
        f = depot.open(rec["member"])
    except KeyError:
        return ["file %s is missing" % rec["member"]]
    whole = hashlib.sha256() if rec["sha256"] else None
    src = Source(f, whole)
    if src.read(8) != b"!<arch>\n":
        return ["not a valid ar file"]
    members, desc, sig, index = {}, None, None, 0
    while True:
        hdr = src.read(1)
        if hdr == b"\n":
            hdr = b""
        hdr += src.read(60 - len(hdr))
        if not hdr:
            break
        if len(hdr) < 60 or hdr[58:60] != b"`\n":
            problems.append("damaged member header")
            break
        name = hdr[:16].strip(b" \0").rstrip(b"/").decode("ascii", "replace")
        size = int(hdr[48:58].strip(b" \0") or b"0")
        if index == 0:
            desc = src.read(size)
            descriptor = vib_fields(ET.fromstring(desc))
        elif index == 1:
            sig = src.read(size)
        else:
            listed = [p for p in descriptor["payloads"] if p["name"] == name]
            want = set().union(*(wanted(p) for p in listed)) if listed \
                else set()
            members[name] = scan_payload(src, size, want, counted,
                                         problems, name)
            members[name + "/size"] = size
        index += 1
    src.drain()
    if whole is not None:
        counted.sha256 += src.total
        if whole.hexdigest() != rec["sha256"]:
            problems.append("sha-256 mismatch")
    if rec["packed_size"] is not None and src.total != rec["packed_size"]:
        problems.append("size is %d bytes, the metadata says %d"
                        % (src.total, rec["packed_size"]))
    if desc is None or sig is None:
        return problems + ["VIB archive is too short"]
    for key in ("name", "version", "vendor"):
        if descriptor[key] != rec[key]:
            problems.append("descriptor %s differs from metadata" % key)
    check_payloads(descriptor, members, problems)
    if not sig and descriptor["acceptance"] != "community":
        problems.append("unsigned (empty sig.pkcs7), but the acceptance "
                        "level is %s" % descriptor["acceptance"])
    return problems


def check_payloads(descriptor, members, problems):
    for p in descriptor["payloads"]:
        if p["name"] + "/size" not in members:
            problems.append("could not find file object for payload '%s'"
                            % p["name"])
            continue
        got = members[p["name"]]
        if members[p["name"] + "/size"] != p["size"]:
            problems.append("payload '%s' size differs" % p["name"])
        if got is None:
            continue
        if p["usize"] and got["gzip"] and not got["zstd"] and \
                got["expanded"] != p["usize"]:
            problems.append("payload '%s' expands to %d bytes"
                            % (p["name"], got["expanded"]))
        for ctype, vp, value in p["sums"]:
            key = {("sha-256", ""): "raw", ("sha-256", "gunzip"): "x256",
                   ("sha-1", "gunzip"): "x1"}.get((ctype, vp))
            if ctype == "sha-256-gunzip1":
                key = "x256"
            if key is None or (got["zstd"] and key != "raw"):
                continue  # txt-mle, or past a zstd layer: not ours
            if got[key] != value:
                problems.append("payload '%s' %s %s checksum mismatch"
                                % (p["name"], ctype, vp))


def main(argv):
    stats = None
    if len(argv) >= 2 and argv[0] == "--stats":
        stats, argv = argv[1], argv[2:]
    if len(argv) != 1:
        sys.exit(__doc__.split("\n\n")[1])
    depot = zipfile.ZipFile(argv[0])
    counted = Counted()
    failed = 0
    vibs = records(depot)
    for vid in sorted(vibs):
        try:
            problems = verify_vib(depot, vibs[vid], counted)
        except (zipfile.BadZipFile, ET.ParseError, ValueError) as e:
            problems = [str(e)]
        if problems:
            failed += 1
            print("%s: FAILED: %s" % (vid, "; ".join(problems)))
        else:
            print("%s: OK" % vid)
    print("%d VIBs checked, %d failed (signatures not checked: no PKCS#7 in "
          "the standard library)" % (len(vibs), failed))
    if stats:
        with open(stats, "w") as f:
            json.dump({"sha256_bytes": counted.sha256,
                       "sha1_bytes": counted.sha1, "vibs": len(vibs)}, f)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
