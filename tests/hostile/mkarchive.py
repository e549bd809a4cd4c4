#!/usr/bin/env python3
"""mkarchive.py - write one hostile archive for the tests in tests/hostile.

usage: mkarchive.py CASE OUT [--depot GOOD.zip]

CASE is PATHCASE.FORM for the member-name cases, or a bomb/damage case
name; `mkarchive.py --list` prints them all.  members-N-L (an empty depot
of N members with names of L bytes) and overlap-SHAPE-N[-MIB] take any sizes.  --depot names a valid depot
zip (a fixture from tests/mkdepot.py): it is carried as good.zip next to
the hostile member, or is itself re-wrapped (zip64) or damaged.

Python standard library only, and no code shared with the C reader.  Zip
bytes are built by hand here (never with zipfile.ZipFile writing), so that
a case can lie: a central directory that disagrees with the local header,
a wrong CRC, sizes that run past the end, zip64 records.  zipfile is used
only to *read* the honest input depot.  Tar bytes come from tarfile where
tar cannot lie (names, links, devices); gzip streams are built with zlib.
"""
import io
import random
import struct
import sys
import tarfile
import zipfile
import zlib

DATE = (0 << 11) | (0 << 5) | 0          # 00:00:00
DAY = ((1980 - 1980) << 9) | (1 << 5) | 1  # 1980-01-01
GIB = 1 << 30
MIB = 1 << 20

# ---- CRC-32 of long runs of zeros, without reading them -----------------
# zlib's crc32_combine, in Python: the CRC register advanced over n zero
# bytes is a linear map over GF(2), applied by repeated squaring.


def _gf2_times(mat, vec):
    s, i = 0, 0
    while vec:
        if vec & 1:
            s ^= mat[i]
        vec >>= 1
        i += 1
    return s


def _gf2_square(mat):
    return [_gf2_times(mat, mat[n]) for n in range(32)]


def crc32_combine(crc1, crc2, len2):
    if len2 == 0:
        return crc1
    odd = [0xEDB88320] + [1 << n for n in range(31)]
    even = _gf2_square(odd)   # 2 zero bits
    odd = _gf2_square(even)   # 4 zero bits
    while True:
        even = _gf2_square(odd)
        if len2 & 1:
            crc1 = _gf2_times(even, crc1)
        len2 >>= 1
        if not len2:
            break
        odd = _gf2_square(even)
        if len2 & 1:
            crc1 = _gf2_times(odd, crc1)
        len2 >>= 1
        if not len2:
            break
    return crc1 ^ crc2


# ---- deflate ---------------------------------------------------------------

def deflate(data):
    co = zlib.compressobj(9, zlib.DEFLATED, -15)
    return co.compress(data) + co.flush()


def zero_bomb(total_mib):
    """A raw deflate stream of total_mib MiB of zeros, its CRC and size.

    One MiB of zeros is compressed and fully flushed (byte-aligned, no
    reference back past the flush), so the same chunk repeated is still
    a valid stream; an empty final block ends it."""
    co = zlib.compressobj(9, zlib.DEFLATED, -15)
    chunk = co.compress(bytes(MIB)) + co.flush(zlib.Z_FULL_FLUSH)
    end = co.flush(zlib.Z_FINISH)
    return chunk * total_mib + end, zero_crc(total_mib * MIB), \
        total_mib * MIB


def zero_crc(total):
    # Doubling: crc of 2n zeros from crc of n zeros.
    crc, n = zlib.crc32(bytes(MIB)), MIB
    out, have = 0, 0
    bits = total // MIB
    assert total % MIB == 0
    while bits:
        if bits & 1:
            out = crc32_combine(out, crc, n) if have else crc
            have += n
        crc = crc32_combine(crc, crc, n)
        n *= 2
        bits >>= 1
    return out


# ---- zip, by hand ---------------------------------------------------------

def member(name, data=b"", method=8, **kw):
    """A zip member.  kw may hold: comp (the stored bytes, when data is not
    given in full), crc, usize (true sizes when comp is given), mode (Unix
    mode: type and permission bits), flags, zip64 (force zip64 fields),
    and cd={...} / local={...} overrides of name, crc, usize, csize,
    method as each header states them."""
    if isinstance(name, str):
        name = name.encode("utf-8", "surrogateescape")
    m = {"name": name, "method": method, "flags": kw.get("flags", 0),
         "mode": kw.get("mode"), "zip64": kw.get("zip64", False),
         "cd": kw.get("cd", {}), "local": kw.get("local", {})}
    if "comp" in kw:
        m["comp"], m["crc"], m["usize"] = kw["comp"], kw["crc"], kw["usize"]
    else:
        m["comp"] = deflate(data) if method == 8 else data
        m["crc"], m["usize"] = zlib.crc32(data), len(data)
    m["csize"] = len(m["comp"])
    return m


def zip_bytes(members, zip64_end=False, junk_before_end=b""):
    """The archive: local headers and data, the central directory, then
    (zip64_end) the zip64 end record and locator, then the end record."""
    out = bytearray()
    cd = bytearray()
    for m in members:
        offset = len(out)
        big = m["zip64"] or m["usize"] >= 0xFFFFFFFF or \
            m["csize"] >= 0xFFFFFFFF or offset >= 0xFFFFFFFF
        v = dict(name=m["name"], crc=m["crc"], usize=m["usize"],
                 csize=m["csize"], method=m["method"])
        loc = dict(v, **m["local"])
        cen = dict(v, **m["cd"])
        need = 45 if big else 20
        if big:
            lextra = struct.pack("<HHQQ", 1, 16, loc["usize"], loc["csize"])
            lu = lc = 0xFFFFFFFF
        else:
            lextra, lu, lc = b"", loc["usize"], loc["csize"]
        out += struct.pack("<IHHHHHIIIHH", 0x04034B50, need, m["flags"],
                           loc["method"], DATE, DAY, loc["crc"], lc, lu,
                           len(loc["name"]), len(lextra))
        out += loc["name"] + lextra + m["comp"] + m.get("after", b"")
        if big:
            cextra = struct.pack("<HHQQQ", 1, 24, cen["usize"],
                                 cen["csize"], offset)
            cu = cc = co = 0xFFFFFFFF
        else:
            cextra, cu, cc, co = b"", cen["usize"], cen["csize"], offset
        made = (3 << 8 | need) if m["mode"] is not None else need
        attr = (m["mode"] << 16) if m["mode"] is not None else 0
        cd += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, made, need,
                          m["flags"], cen["method"], DATE, DAY, cen["crc"],
                          cc, cu, len(cen["name"]), len(cextra), 0, 0, 0,
                          attr, co)
        cd += cen["name"] + cextra
    cd_off = len(out)
    out += cd
    n = len(members)
    if zip64_end:
        rec = len(out)
        out += struct.pack("<IQHHIIQQQQ", 0x06064B50, 44, 45, 45, 0, 0, n, n,
                           len(cd), cd_off)
        out += struct.pack("<IIQI", 0x07064B50, 0, rec, 1)
        out += junk_before_end
        out += struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 0xFFFF, 0xFFFF,
                           0xFFFFFFFF, 0xFFFFFFFF, 0)
    else:
        out += junk_before_end
        out += struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, n, n, len(cd),
                           cd_off, 0)
    return bytes(out)


def local_header(name, method, crc, csize, usize, flags=0):
    return struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, flags, method, DATE,
                       DAY, crc, csize, usize, len(name), 0) + name


def overlapped(good, n, kernel_mib, shape):
    """The honest depot's members, then n members whose bytes overlap:
    shape "nested" (each stored member holds the next one whole) or
    "quoted" (each deflated member's data opens with a stored block that
    quotes the next member's local header, then runs on into that
    member's data; the last holds kernel_mib MiB of zeros).  Every header
    agrees with the directory and every CRC is right: only the overlap is
    wrong, and a reader that does not look for it inflates the kernel n
    times."""
    honest = [member(nm, b, 0 if d else 8) for nm, b, d in read_zip(good)]
    names = [b"junk/%04d.bin" % i for i in range(n)]
    recs = [None] * n      # (method, crc, csize, usize) per member
    if shape == "nested":
        data = b"payload\n"
        for i in reversed(range(n)):
            recs[i] = (0, zlib.crc32(data), len(data), len(data))
            hdr = local_header(names[i], 0, *recs[i][1:])
            if i > 0:
                data = hdr + data
        region = hdr + data
    else:
        comp = deflate(b"\0" * (kernel_mib * MIB))
        crc, usize = zlib.crc32(b"\0" * (kernel_mib * MIB)), kernel_mib * MIB
        hdr = b""
        for i in reversed(range(n)):
            if i < n - 1:
                quote = struct.pack("<BHH", 0, len(hdr), len(hdr) ^ 0xFFFF)
                comp = quote + hdr + comp
                crc = crc32_combine(zlib.crc32(hdr), crc, usize)
                usize += len(hdr)
            recs[i] = (8, crc, len(comp), usize)
            hdr = local_header(names[i], 8, crc, len(comp), usize)
        region = hdr + comp
    out = bytearray()
    cd = bytearray()

    def central(name, method, crc, csize, usize, offset):
        return struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0,
                           method, DATE, DAY, crc, csize, usize, len(name),
                           0, 0, 0, 0, 0, offset) + name
    for m in honest:
        cd += central(m["name"], m["method"], m["crc"], m["csize"],
                      m["usize"], len(out))
        out += local_header(m["name"], m["method"], m["crc"], m["csize"],
                            m["usize"]) + m["comp"]
    at = len(out)
    for i in range(n):
        cd += central(names[i], *recs[i], at)
        at += 30 + len(names[i]) + (5 if shape == "quoted" else 0)
    out += region
    cd_off = len(out)
    out += cd
    count = len(honest) + n
    out += struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, count, count, len(cd),
                       cd_off, 0)
    return bytes(out)


def many_members(n, nlen):
    """An empty depot (index.xml listing no vendor) and n - 1 empty
    members beside it."""
    local, cd = bytearray(), bytearray()
    for i in range(n):
        name = (b"%07d" % i).ljust(nlen, b"x")
        data = b""
        if i == 0:
            name, data = b"index.xml", b"<vendorList/>\n"
        crc = zlib.crc32(data)
        cd += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 0,
                          DATE, DAY, crc, len(data), len(data), len(name),
                          0, 0, 0, 0, 0, len(local)) + name
        local += local_header(name, 0, crc, len(data), len(data)) + data
    n16 = min(n, 0xFFFF)
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, n16, n16, len(cd),
                      len(local), 0)
    if n > 0xFFFF:
        end = (struct.pack("<IQHHIIQQQQ", 0x06064B50, 44, 45, 45, 0, 0, n, n,
                           len(cd), len(local)) +
               struct.pack("<IIQI", 0x07064B50, 0, len(local) + len(cd), 1) +
               end)
    return bytes(local + cd + end)


def cd_entries(z):
    """(offset in z, name) of each central directory entry of zip z."""
    at = z.rfind(b"PK\x05\x06")
    cd_off = struct.unpack("<I", z[at + 16:at + 20])[0]
    pos, out = cd_off, []
    while z[pos:pos + 4] == b"PK\x01\x02":
        nlen, xlen, clen = struct.unpack("<HHH", z[pos + 28:pos + 34])
        out.append((pos, z[pos + 46:pos + 46 + nlen]))
        pos += 46 + nlen + xlen + clen
    return out


def read_zip(data):
    """(name, bytes, is_dir) of an honest zip, in order."""
    z = zipfile.ZipFile(io.BytesIO(data))
    return [(i.filename, z.read(i), i.is_dir()) for i in z.infolist()]


def rezip64(data, zip64_end=True):
    """An honest zip re-written with zip64 fields everywhere; zips inside
    it (the metadata zip) too."""
    ms = []
    for name, body, is_dir in read_zip(data):
        if name.endswith(".zip") and body[:4] == b"PK\x03\x04":
            body = rezip64(body, zip64_end)
        ms.append(member(name, body, 0 if is_dir or name.endswith(".zip")
                         else 8, zip64=True))
    return zip_bytes(ms, zip64_end=zip64_end)


def rezip(data, change):
    """An honest zip re-written, change(list of members) applied first."""
    ms = [member(n, b, 0 if d else 8) for n, b, d in read_zip(data)]
    change(ms)
    return zip_bytes(ms)


def find(ms, pred):
    for m in ms:
        if pred(m["name"].decode("utf-8", "replace")):
            return m
    raise SystemExit("mkarchive: no such member in the depot")


# ---- tar and gzip ------------------------------------------------------

def tar_bytes(entries, fmt=tarfile.GNU_FORMAT):
    """entries: (name, kind, payload) with kind file, dir, symlink,
    hardlink (payload: the target), chr, blk, fifo."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=fmt,
                      encoding="utf-8", errors="surrogateescape") as t:
        for name, kind, payload in entries:
            if isinstance(name, bytes):
                name = name.decode("utf-8", "surrogateescape")
            ti = tarfile.TarInfo(name)
            ti.mtime, ti.uname, ti.gname = 315532800, "root", "root"
            ti.mode = 0o755 if kind == "dir" else 0o644
            data = None
            if kind == "file":
                data = payload
                ti.size = len(payload)
            elif kind == "dir":
                ti.type = tarfile.DIRTYPE
            elif kind in ("symlink", "hardlink"):
                ti.type = tarfile.SYMTYPE if kind == "symlink" else \
                    tarfile.LNKTYPE
                ti.linkname = payload
            elif kind in ("chr", "blk"):
                ti.type = tarfile.CHRTYPE if kind == "chr" else \
                    tarfile.BLKTYPE
                ti.devmajor, ti.devminor = 1, 3
            elif kind == "fifo":
                ti.type = tarfile.FIFOTYPE
            t.addfile(ti, io.BytesIO(data) if data is not None else None)
    return buf.getvalue()


def gzip_bytes(data):
    co = zlib.compressobj(9, zlib.DEFLATED, 31)
    return co.compress(data) + co.flush()


def gzip_never_ends(data):
    """A gzip header, then deflate stored blocks none of which is marked
    final, then nothing: no last block, no trailer."""
    out = bytearray(b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03")
    for i in range(0, len(data), 60000):
        part = data[i:i + 60000]
        out += b"\x00" + struct.pack("<HH", len(part), len(part) ^ 0xFFFF)
        out += part
    return bytes(out)


# ---- member-name cases --------------------------------------------------
# Each is a list of (name, kind, payload) and the "member: reason" the
# refusal must end with, per form ("zip" or "tar") where they differ.

LONG = "d/" * 2000 + "x" * 97  # 4,097 bytes: one past DV_MAX_NAME_BYTES

PATHS = {
    "dotdot": ([("../../x", "file", b"x\n")],
               "../../x: '..' in the member name"),
    "abs": ([("/abs", "file", b"x\n")], "/abs: absolute path"),
    "drive": ([("C:\\x", "file", b"x\n")],
              "C:\\x: drive letter in the member name"),
    "backslash": ([("a\\..\\..\\x", "file", b"x\n")],
                  "a\\..\\..\\x: backslash in the member name"),
    # Harmless: "./././x" is "x"; with "x" beside it, a duplicate.
    "dotslash": ([("./././x.txt", "file", b"x\n")], None),
    "dotslash-dup": ([("x.txt", "file", b"x\n"), ("./././x.txt", "file", b"y\n")],
                     "./././x.txt: the member name appears twice"),
    "symlink": ([("link", "symlink", "../.."),
                 ("link/escaped.txt", "file", b"x\n")],
                "link: is a symbolic link"),
    "symlink-abs": ([("link", "symlink", "/tmp"),
                     ("link/escaped.txt", "file", b"x\n")],
                    "link: is a symbolic link"),
    "hardlink": ([("hard", "hardlink", "/etc/passwd")],
                 "hard: is a hard link"),
    "device": ([("dev/null", "chr", None)],
               {"zip": "dev/null: is a device or special file",
                "tar": "dev/null: is a device file"}),
    "blockdev": ([("dev/sda", "blk", None)],
                 {"zip": "dev/sda: is a device or special file",
                  "tar": "dev/sda: is a device file"}),
    "fifo": ([("fifo", "fifo", None)],
             {"zip": "fifo: is a device or special file",
              "tar": "fifo: is a fifo or other special file"}),
    "nul": ([(b"evil.vib\x00.txt", "file", b"x\n")],
            ": NUL byte in the member name"),
    "newline": ([("evil\n.txt", "file", b"x\n")],
                "evil\\x0a.txt: control character in the member name"),
    "badutf8": ([(b"caf\xe9\xff.txt", "file", b"x\n")], None),
    "dup": ([("twice.txt", "file", b"one\n"), ("twice.txt", "file", b"2\n")],
            "twice.txt: the member name appears twice"),
    "long": ([(LONG, "file", b"x\n")], LONG + ": member name too long"),
}

ZIP_MODES = {"file": 0o100644, "dir": 0o040755, "symlink": 0o120777,
             "chr": 0o020644, "blk": 0o060644, "fifo": 0o010644}


def zip_members(entries):
    out = []
    for name, kind, payload in entries:
        if kind == "hardlink":
            raise SystemExit("mkarchive: zip has no hard links")
        data = payload if kind == "file" else \
            payload.encode() if kind == "symlink" else b""
        out.append(member(name, data, 8 if kind == "file" else 0,
                          mode=ZIP_MODES[kind]))
    return out


def path_case(case, form, good):
    entries, _ = PATHS[case]
    if form == "zip":
        return zip_bytes([member("good.zip", good, 0)] + zip_members(entries))
    if form in ("tar", "tgz"):
        t = tar_bytes([("good.zip", "file", good)] + entries,
                      tarfile.PAX_FORMAT if case == "long" else
                      tarfile.GNU_FORMAT)
        return gzip_bytes(t) if form == "tgz" else t
    if form == "nested-zip":
        inner = zip_bytes([member("ok.txt", b"fine\n")] +
                          zip_members(entries))
        return zip_bytes([member("good.zip", good, 0),
                          member("pkg/inner.zip", inner, 0)])
    if form == "nested-tgz":
        inner = gzip_bytes(tar_bytes([("ok.txt", "file", b"fine\n")] +
                                     entries, tarfile.PAX_FORMAT))
        return zip_bytes([member("good.zip", good, 0),
                          member("pkg/inner.tar.gz", inner, 0)])
    if form in ("depot", "nested-depot"):
        # The depot's own members, plus the hostile ones.
        ms = [member(n, b, 0 if d else 8) for n, b, d in read_zip(good)]
        depot = zip_bytes(ms + zip_members(entries))
        if form == "depot":
            return depot
        return zip_bytes([member("doc/README.txt", b"read me\n"),
                          member("pkg/depot.zip", depot, 0)])
    raise SystemExit("mkarchive: unknown form " + form)


# ---- bombs and damage ---------------------------------------------------

BOMB_MIB = 10240  # 10 GiB


def bomb_member(name, mib=BOMB_MIB, **kw):
    comp, crc, size = zero_bomb(mib)
    return member(name, comp=comp, crc=crc, usize=size, zip64=True, **kw)


def nest42(good, levels, width, bottom):
    """42.zip: every level holds width copies of the level below, the
    bottom a huge file of zeros (and, here, a good depot); the copies are
    deflated, so 16 copies of a big zip cost little.  The result has
    levels + 1 archives along each chain, the file itself included."""
    cur = zip_bytes(bottom)
    for lvl in range(levels, 0, -1):
        comp = deflate(cur)
        ms = [member("lvl%d-%x.zip" % (lvl, i), comp=comp,
                     crc=zlib.crc32(cur), usize=len(cur))
              for i in range(width)]
        cur = zip_bytes(ms)
    return cur


def vib_of(good):
    for name, body, _ in read_zip(good):
        if name.endswith(".vib"):
            return name, body
    raise SystemExit("mkarchive: the depot holds no VIB")


def ar_members(vib):
    assert vib[:8] == b"!<arch>\n"
    i, out = 8, []
    while i < len(vib):
        if vib[i:i + 1] == b"\n":
            i += 1
            continue
        hdr = vib[i:i + 60]
        size = int(hdr[48:58])
        out.append((i, hdr, size))
        i += 60 + size
    return out


def ar_past_end(vib, which):
    """The VIB with member `which` (0 = descriptor.xml, -1 = the last)
    claiming 9,999,999,999 bytes: far past the end of the file."""
    at, hdr, _ = ar_members(vib)[which]
    return vib[:at + 48] + b"9999999999" + vib[at + 58:]


def deflated_case(case):
    """deflated-KIND: one deflated member, m.bin, of ~600 KB (its deflate
    data longer than one 256 KiB read), honest or damaged as KIND says;
    for the unit tests of the reader of deflated members."""
    rnd = random.Random("deflated")
    plain = b"".join(rnd.randbytes(4096) + b"esxstage %d\n" % i * 300
                     for i in range(100))
    comp = deflate(plain)
    kw = {}
    if case == "deflated-good":
        pass
    elif case == "deflated-truncated":
        # The compressed size ends 1000 bytes before the stream does.
        kw = dict(comp=comp[:-1000], crc=zlib.crc32(plain), usize=len(plain))
    elif case == "deflated-trailing":
        # Bytes after the stream's end, inside the compressed size.
        kw = dict(comp=comp + b"trailing garbage" * 64,
                  crc=zlib.crc32(plain), usize=len(plain))
    elif case == "deflated-damaged":
        # The first block's type set to 3, which deflate does not have.
        kw = dict(comp=bytes([comp[0] | 6]) + comp[1:],
                  crc=zlib.crc32(plain), usize=len(plain))
    elif case in ("deflated-size-small", "deflated-size-large"):
        size = len(plain) + (-1000 if case.endswith("small") else 1000)
        kw = dict(cd={"usize": size}, local={"usize": size})
    elif case == "deflated-crc":
        kw = dict(cd={"crc": zlib.crc32(plain) ^ 0x5A5A5A5A},
                  local={"crc": zlib.crc32(plain) ^ 0x5A5A5A5A})
    elif case == "deflated-descriptor":
        # Sizes and CRC in a data descriptor after the data (flag bit 3),
        # as a writer to a pipe makes them; the local header's are 0.
        crc = zlib.crc32(plain)
        m = member("m.bin", plain, flags=8,
                   local={"crc": 0, "csize": 0, "usize": 0})
        m["after"] = struct.pack("<IIII", 0x08074B50, crc, m["csize"],
                                 len(plain))
        return zip_bytes([m])
    elif case == "deflated-bomb":
        return zip_bytes([bomb_member("m.bin", 64)])
    else:
        raise SystemExit("mkarchive: unknown case " + case)
    return zip_bytes([member("m.bin", plain, **kw)])


def case_bytes(case, good):
    if case.startswith("deflated-"):
        return deflated_case(case)
    if "." in case and case.split(".", 1)[0] in PATHS:
        return path_case(*case.split(".", 1), good)
    if case == "zip64-depot":
        return rezip64(good)
    if case == "zip64-nul":
        # A NUL in a name, in an archive with zip64 end records whose
        # plain end record still holds real sizes (as some writers do).
        ms = [member("good.zip", good, 0),
              member(b"evil.vib\x00.txt", b"x\n")]
        z = bytearray(zip_bytes(ms, zip64_end=True))
        end = len(z) - 22
        cd_size = struct.unpack("<Q", z[end - 76 + 40:end - 76 + 48])[0]
        cd_off = struct.unpack("<Q", z[end - 76 + 48:end - 76 + 56])[0]
        z[end + 8:end + 20] = struct.pack("<HHII", 2, 2, cd_size, cd_off)
        return bytes(z)
    if case == "junk-nul":
        # A NUL in a name, and junk between the central directory and its
        # end record.
        ms = [member("good.zip", good, 0),
              member(b"evil.vib\x00.txt", b"x\n")]
        return zip_bytes(ms, junk_before_end=b"\0" * 64)
    if case == "nest42":
        bottom = [member("good.zip", good, 0), bomb_member("0.dll", 1024)]
        return nest42(good, 5, 16, bottom)
    if case == "deep-wide":
        bottom = [member("good.zip", good, 0)]
        return nest42(good, 11, 4, bottom)
    if case == "bomb-bin":
        return zip_bytes([member("good.zip", good, 0),
                          bomb_member("zeros.bin")])
    if case == "bomb-inner":
        return zip_bytes([member("good.zip", good, 0),
                          bomb_member("zeros.zip")])
    if case == "bomb-inner-lies":
        # The central directory and the local header both say 1 MiB.
        return zip_bytes([member("good.zip", good, 0),
                          bomb_member("zeros.zip", cd={"usize": MIB},
                                      local={"usize": MIB})])
    if case == "bomb-vib":
        return zip_bytes([member("good.zip", good, 0),
                          bomb_member("zeros.vib")])
    if case == "bomb-depot-vib":
        # The depot's first VIB replaced by 10 GiB of zeros.
        def change(ms):
            i = ms.index(find(ms, lambda n: n.endswith(".vib")))
            ms[i] = bomb_member(ms[i]["name"])
        return rezip(good, change)
    if case == "bomb-depot-vib-lies":
        # The same, but both headers claim the size the metadata says.
        name, vib = vib_of(good)

        def change(ms):
            i = ms.index(find(ms, lambda n: n == name))
            ms[i] = bomb_member(name, cd={"usize": len(vib)},
                                local={"usize": len(vib)})
        return rezip(good, change)
    if case == "bomb-depot-meta":
        def change(ms):
            i = ms.index(find(ms, lambda n: n == "metadata.zip"))
            ms[i] = bomb_member("metadata.zip")
        return rezip(good, change)
    if case in ("bomb-meta-total", "bomb-meta-total-under"):
        # Legacy metadata (vmware.xml, no vibs/): 15 bulletins of 64 MiB
        # of zeros (960 MiB) and a vmware.xml of 64 MiB (over the 1 GiB of
        # DV_MAX_METADATA_TOTAL together) or of a few bytes (under it).
        inner = dict((n, b) for n, b, d in read_zip(good))["metadata.zip"]

        def meta(ms):
            ms[:] = [m for m in ms if not m["name"].startswith(b"vibs/")
                     and m["name"] != b"vmware.xml"]
            ms.extend(bomb_member("bulletins/bomb%02d.xml" % k, 64)
                      for k in range(15))
            ms.append(bomb_member("vmware.xml", 64)
                      if case == "bomb-meta-total"
                      else member("vmware.xml", b"<metadataResponse/>"))
        inner = rezip(inner, meta)

        def change(ms):
            i = ms.index(find(ms, lambda n: n == "metadata.zip"))
            ms[i] = member("metadata.zip", inner, 0)
        return rezip(good, change)
    if case == "bomb-depot-index":
        def change(ms):
            i = ms.index(find(ms, lambda n: n == "index.xml"))
            ms[i] = bomb_member("index.xml", 1024)
        return rezip(good, change)
    if case == "cd-size-small":
        # index.xml: the central directory says 10 bytes; it inflates to
        # more (the local header tells the truth).
        def change(ms):
            find(ms, lambda n: n == "index.xml")["cd"]["usize"] = 10
        return rezip(good, change)
    if case == "cd-size-large":
        def change(ms):
            m = find(ms, lambda n: n == "index.xml")
            m["cd"]["usize"] = m["usize"] + 1000
        return rezip(good, change)
    if case == "cd-csize-past-end":
        # The VIB's compressed size runs far past the end of the file.
        def change(ms):
            find(ms, lambda n: n.endswith(".vib"))["cd"]["csize"] = \
                0xFFFFFF00
        return rezip(good, change)
    if case == "local-name":
        # The local header names index.xml "../../evil.xml".
        def change(ms):
            find(ms, lambda n: n == "index.xml")["local"]["name"] = \
                b"../../evil.xml"
        return rezip(good, change)
    if case == "local-size":
        # The local header's sizes disagree with the central directory.
        def change(ms):
            m = find(ms, lambda n: n == "index.xml")
            m["local"]["usize"] = 5
            m["local"]["csize"] = 3
        return rezip(good, change)
    if case == "crc-index":
        def change(ms):
            m = find(ms, lambda n: n == "index.xml")
            m["crc"] ^= 0x5A5A5A5A
        return rezip(good, change)
    if case == "crc-vib":
        def change(ms):
            m = find(ms, lambda n: n.endswith(".vib"))
            m["crc"] ^= 0x5A5A5A5A
        return rezip(good, change)
    if case == "crc-vib-stored":
        # The same with the VIB stored, as VMware stores VIBs: the bytes
        # still match the metadata's SHA-256, so only the zip's own CRC
        # (which esxcli's zipfile checks) says the member is damaged.
        ms = [member(n, b, 0 if d or n.endswith(".vib") else 8)
              for n, b, d in read_zip(good)]
        find(ms, lambda n: n.endswith(".vib"))["crc"] ^= 0x5A5A5A5A
        return zip_bytes(ms)
    if case == "crc-inner":
        # A package whose depot member has a wrong CRC.
        return zip_bytes([member("good.zip", good, 0,
                                 crc=zlib.crc32(good) ^ 1, comp=good,
                                 usize=len(good))])
    if case.startswith("members-"):
        # members-N-L: an empty depot of N stored members, names of L
        # bytes (zip64 end records past 65,535).
        _, n, nlen = case.split("-")
        return many_members(int(n), int(nlen))
    if case.startswith("overlap-"):
        # overlap-SHAPE-N[-MIB]: N members overlapping as SHAPE says.
        parts = case.split("-")
        mib = int(parts[3]) if len(parts) > 3 else 1
        return overlapped(good, int(parts[2]), mib, parts[1])
    if case in ("encrypted-trad", "encrypted-aes"):
        # index.xml flagged encrypted (bit 0) in both headers; the WinZip
        # AES form also has method 99 and its 0x9901 extra field's data
        # (the bytes themselves are the plain deflate: only the headers
        # matter to a reader that refuses by them).
        def change(ms):
            m = find(ms, lambda n: n == "index.xml")
            m["flags"] = 1
            if case == "encrypted-aes":
                m["method"] = 99
        return rezip(good, change)
    if case == "big-member":
        # The depot with 1 GiB of zeros beside it (1 MB of deflate): long
        # to inflate, honest in every header.
        return rezip(good, lambda ms: ms.append(bomb_member("big.bin",
                                                            1024)))
    if case == "dup-index":
        # A second index.xml after the VIBs.
        return rezip(good, lambda ms: ms.append(member("index.xml",
                                                       b"<vendorList/>\n")))
    if case == "zip64-locator-past-end":
        z = bytearray(rezip64(good))
        loc = len(z) - 22 - 20
        z[loc + 8:loc + 16] = struct.pack("<Q", len(z) + 1000)
        return bytes(z)
    if case == "zip64-locator-wrong":
        z = bytearray(rezip64(good))
        loc = len(z) - 22 - 20
        z[loc + 8:loc + 16] = struct.pack("<Q", 0)
        return bytes(z)
    if case == "zip64-offset-past-end":
        # index.xml's zip64 extra field gives a local header offset far
        # past the end of the file.
        z = bytearray(rezip64(good, zip64_end=False))
        pos = [p for p, nm in cd_entries(bytes(z)) if nm == b"index.xml"][0]
        xstart = pos + 46 + len(b"index.xml")
        z[xstart + 20:xstart + 28] = struct.pack("<Q", 1 << 40)
        return bytes(z)
    if case == "stored-past-end":
        # index.xml stored, both headers claiming 50 MiB in a small file.
        def change(ms):
            m = find(ms, lambda n: n == "index.xml")
            for h in (m["cd"], m["local"]):
                h.update(csize=50 * MIB, usize=50 * MIB, method=0)
        return rezip(good, change)
    if case == "truncated-end":
        return good[:-7]
    if case == "truncated-inner":
        # A package holding a depot cut short by a third.
        return zip_bytes([member("doc/README.txt", b"read me\n"),
                          member("cut.zip", good[:len(good) * 2 // 3], 0)])
    if case == "truncated-member":
        # The archive ends inside the last member's data; the central
        # directory, copied from the honest archive, points past the end.
        z = rezip(good, lambda ms: None)
        cd_start = z.find(b"PK\x01\x02")
        return z[:cd_start - 100] + z[cd_start:]
    if case == "ar-past-end-vib":
        return ar_past_end(vib_of(good)[1], -1)
    if case == "ar-past-end-pkg":
        name, vib = vib_of(good)
        return zip_bytes([member("doc/README.txt", b"read me\n"),
                          member(name.rsplit("/", 1)[-1],
                                 ar_past_end(vib, 0))])
    if case == "ar-past-end-depot":
        name, vib = vib_of(good)

        def change(ms):
            i = ms.index(find(ms, lambda n: n == name))
            ms[i] = member(name, ar_past_end(vib, 0))
        return rezip(good, change)
    tar = tar_bytes([("pkg/readme.txt", "file", b"read me\n"),
                     ("pkg/good.zip", "file", good)])
    if case == "tgz-truncated":
        z = gzip_bytes(tar)
        return z[:len(z) // 2]
    if case == "tgz-never-ends":
        return gzip_never_ends(tar)
    if case == "tgz-multi":
        # One gzip member per 512 bytes of tar: valid (RFC 1952 allows
        # any number of members), and slow only for a reader that
        # starts over for each.
        return b"".join(gzip_bytes(tar[i:i + 512])
                        for i in range(0, len(tar), 512))
    if case == "tgz-multi-truncated":
        parts = [gzip_bytes(tar[i:i + 512]) for i in range(0, len(tar), 512)]
        parts[-1] = parts[-1][:len(parts[-1]) // 2]
        return b"".join(parts)
    raise SystemExit("mkarchive: unknown case " + case)


BOMBS = ["zip64-depot", "zip64-nul", "junk-nul", "nest42", "deep-wide",
         "bomb-bin", "bomb-inner", "bomb-inner-lies", "bomb-vib",
         "bomb-depot-vib", "bomb-depot-vib-lies", "bomb-depot-meta",
         "bomb-depot-index", "bomb-meta-total", "bomb-meta-total-under",
         "cd-size-small", "cd-size-large",
         "cd-csize-past-end", "local-name", "local-size", "crc-index",
         "crc-vib", "crc-vib-stored", "crc-inner", "truncated-end", "truncated-inner",
         "truncated-member", "ar-past-end-vib", "ar-past-end-pkg",
         "ar-past-end-depot", "tgz-truncated", "tgz-never-ends", "tgz-multi",
         "tgz-multi-truncated", "overlap-nested-2", "overlap-nested-30",
         "overlap-nested-600", "overlap-quoted-2", "overlap-quoted-30",
         "overlap-quoted-600", "encrypted-trad", "encrypted-aes",
         "dup-index", "zip64-locator-past-end", "zip64-locator-wrong",
         "zip64-offset-past-end", "stored-past-end", "big-member",
         "deflated-good", "deflated-truncated", "deflated-trailing",
         "deflated-damaged", "deflated-size-small", "deflated-size-large",
         "deflated-crc", "deflated-descriptor", "deflated-bomb"]
FORMS = ["zip", "tar", "tgz", "nested-zip", "nested-tgz", "depot"]


def main(argv):
    if argv[1:] == ["--list"]:
        for p in PATHS:
            for f in FORMS:
                print("%s.%s" % (p, f))
        print("\n".join(BOMBS))
        return 0
    if len(argv) == 5 and argv[3] == "--depot":
        good = open(argv[4], "rb").read()
    elif len(argv) == 3:
        good = None
    else:
        sys.stderr.write(__doc__.split("\n\n")[1] + "\n")
        return 2
    data = case_bytes(argv[1], good)
    with open(argv[2], "wb") as f:
        f.write(data)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
