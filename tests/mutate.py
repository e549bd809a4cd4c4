#!/usr/bin/env python3
"""mutate.py - copy a depot zip with one VIB (or its metadata) tampered with.

usage: mutate.py IN.zip OUT.zip VIB-SUBSTRING OPERATION

The VIB is the one outer member ending in .vib whose name contains
VIB-SUBSTRING.  Operations:
  flip-payload       flip one byte in the middle of the first payload
  flip-descriptor    change one letter of the descriptor's <summary> text
  flip-signature     change one base64 character in the middle of sig.pkcs7
  drop-payload       remove the first payload member
  swap-first-two     put sig.pkcs7 before descriptor.xml
  grow-last-size     claim 1000 more bytes in the last member's size field
  truncate-payload   cut the first payload (a gzip stream) in half
  packed-size        add one to the VIB's <packed-size> in the metadata zip
  legacy-packed-size add one to the VIB's <packedSize> in vmware.xml only
  cut-vmware-xml     cut vmware.xml in half (no longer well-formed XML)
  drop-file-sha256   remove the whole VIB's sha-256 from the metadata (its
                     vibs/ document and vmware.xml)

Python standard library only: this is the test's own reading of the ar and
zip formats, independent of the reader under test.
"""
import io
import re
import sys
import zipfile

MAGIC = b"!<arch>\n"


def ar_read(data):
    assert data[:8] == MAGIC, "not an ar archive"
    members, i = [], 8
    while i < len(data):
        if data[i:i + 1] == b"\n":
            i += 1
            continue
        hdr = data[i:i + 60]
        name = hdr[:16].rstrip(b" ").rstrip(b"/")
        size = int(hdr[48:58])
        members.append([name, hdr, data[i + 60:i + 60 + size]])
        i += 60 + size
    return members


def ar_write(members, fix_sizes=True):
    out = bytearray(MAGIC)
    for name, hdr, body in members:
        if fix_sizes:
            hdr = hdr[:48] + b"%-10d" % len(body) + hdr[58:]
        out += hdr + body
        if len(body) % 2:
            out += b"\n"
    return bytes(out)


def mutate_vib(data, op):
    m = ar_read(data)
    payloads = [x for x in m if x[0] not in (b"descriptor.xml", b"sig.pkcs7")]
    if op == "flip-payload":
        body = bytearray(payloads[0][2])
        body[len(body) // 2] ^= 0x01
        payloads[0][2] = bytes(body)
    elif op == "flip-descriptor":
        desc = m[0][2]
        k = desc.index(b"</summary>") - 1
        m[0][2] = desc[:k] + (b"X" if desc[k:k + 1] != b"X" else b"Y") + desc[k + 1:]
    elif op == "flip-signature":
        sig = bytearray(m[1][2])
        k = len(sig) // 2
        while not chr(sig[k]).isalnum():
            k += 1
        sig[k] = ord("B") if sig[k] != ord("B") else ord("C")
        m[1][2] = bytes(sig)
    elif op == "drop-payload":
        m.remove(payloads[0])
    elif op == "swap-first-two":
        m[0], m[1] = m[1], m[0]
    elif op == "grow-last-size":
        last = m[-1]
        last[1] = last[1][:48] + b"%-10d" % (len(last[2]) + 1000) + last[1][58:]
        return ar_write(m, fix_sizes=False)
    elif op == "truncate-payload":
        payloads[0][2] = payloads[0][2][: len(payloads[0][2]) // 2]
    else:
        sys.exit("mutate: unknown operation " + op)
    return ar_write(m)


def bump_packed_size(meta, vib_member):
    src = zipfile.ZipFile(io.BytesIO(meta))
    out = io.BytesIO()
    base = vib_member.rsplit("/", 1)[-1]
    with zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename.startswith("vibs/") and base.encode() in data:
                data = re.sub(rb"<packed-size>(\d+)</packed-size>",
                              lambda mo: b"<packed-size>%d</packed-size>"
                              % (int(mo.group(1)) + 1), data)
            dst.writestr(info, data)
    return out.getvalue()


def change_vmware_xml(meta, change):
    """The metadata zip with vmware.xml's bytes passed through change."""
    src = zipfile.ZipFile(io.BytesIO(meta))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "vmware.xml":
                data = change(data)
            dst.writestr(info, data)
    return out.getvalue()


def bump_legacy_size(data, vib_member):
    """vmware.xml's <packedSize> of the VIB whose id the member names."""
    vib_id = vib_member.rsplit("/", 1)[-1][:-len(".vib")].encode()
    at = data.index(b"<vibID>%s</vibID>" % vib_id)
    return data[:at] + re.sub(
        rb"<packedSize>(\d+)</packedSize>",
        lambda mo: b"<packedSize>%d</packedSize>" % (int(mo.group(1)) + 1),
        data[at:], count=1)


def drop_file_sha256(meta, vib_member):
    """The metadata zip with no sha-256 of the VIB file itself."""
    src = zipfile.ZipFile(io.BytesIO(meta))
    out = io.BytesIO()
    base = vib_member.rsplit("/", 1)[-1]
    vib_id = base[:-len(".vib")].encode()
    with zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename.startswith("vibs/") and base.encode() in data:
                data = re.sub(rb"(</packed-size>)<checksum checksum-type="
                              rb"\"sha-256\">[0-9a-f]+</checksum>", rb"\1",
                              data)
            elif info.filename == "vmware.xml":
                at = data.index(b"<vibID>%s</vibID>" % vib_id)
                data = data[:at] + re.sub(
                    rb"\s*<checksum>\s*<checksumType>sha-256</checksumType>"
                    rb"\s*<checksum>[0-9a-f]+</checksum>\s*</checksum>", b"",
                    data[at:], count=1)
            dst.writestr(info, data)
    return out.getvalue()


def main():
    src_path, dst_path, which, op = sys.argv[1:5]
    src = zipfile.ZipFile(src_path)
    vibs = [n for n in src.namelist() if n.endswith(".vib") and which in n]
    if len(vibs) != 1:
        sys.exit("mutate: %d VIBs match %r" % (len(vibs), which))
    target = vibs[0]
    with zipfile.ZipFile(dst_path, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if op == "packed-size":
                if info.filename.endswith("metadata.zip"):
                    data = bump_packed_size(data, target)
            elif op == "legacy-packed-size":
                if info.filename.endswith("metadata.zip"):
                    data = change_vmware_xml(
                        data, lambda x: bump_legacy_size(x, target))
            elif op == "drop-file-sha256":
                if info.filename.endswith("metadata.zip"):
                    data = drop_file_sha256(data, target)
            elif op == "cut-vmware-xml":
                if info.filename.endswith("metadata.zip"):
                    data = change_vmware_xml(data,
                                             lambda x: x[:len(x) // 2])
            elif info.filename == target:
                data = mutate_vib(data, op)
            dst.writestr(info, data)


if __name__ == "__main__":
    main()
