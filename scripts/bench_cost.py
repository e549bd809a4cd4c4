#!/usr/bin/env python3
"""bench_cost.py - the cost of each hostile input shape, for `make bench`.

Each shape of tests/hostile (XML counts, zip members, overlapping members)
is built at three sizes a factor of 10 apart and read once by `depot
list-vibs`; the time ratio between sizes is printed (linear cost is about
10x per step, quadratic 100x).  Then each shape just past its limit is
read, and the time of the refusal printed, with peak RSS.  Figures only,
never pass/fail; inputs are cached under BUILD/bench-cost.  Small
inputs take a few ms, where process start-up dominates: the ratio of the
two larger sizes is the telling one.
"""
import os
import subprocess
import sys

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.environ.get("BUILD", "build")
DEPOT = os.path.join(TOP, BUILD, "depot")
OUT = os.path.join(TOP, BUILD, "bench-cost")
SPEC = os.path.join(TOP, "testdata", "depots", "mini8.spec")
MKDOC = os.path.join(TOP, "tests", "hostile", "mkdoc.py")
MKARCHIVE = os.path.join(TOP, "tests", "hostile", "mkarchive.py")
MKDEPOT = os.path.join(TOP, "tests", "mkdepot.py")

# (label, generator, place or None, kind, sizes within the limits, a size
# past them or None)
SHAPES = [
    ("attributes, 4 per element", "doc", "vib", "manyattrs",
     (1900, 19000, 190000), 4000000),
    ("attributes on one element", "doc", "vendor-index", "attrs",
     None, 4000000),
    ("xmlns on one element", "doc", "index", "nsdecl", None, 1000000),
    ("children of one element", "doc", "profile", "children",
     (10000, 100000, 999999), 1000001),
    ("text nodes and comments", "doc", "bulletin", "texts",
     (9000, 90000, 900000), 1000001),
    ("one attribute value, bytes", "doc", "index", "longvalue",
     (10000, 100000, 1000000), 20000000),
    ("one element name, bytes", "doc", "profile", "longname",
     (10, 100, 1000), 10000000),
    ("zip members", "zip", None, "members-%d-8",
     (10000, 100000, 500000), 500001),
    ("overlapping members (refused)", "zip", None, "overlap-quoted-%d",
     (60, 600, 6000), None),
]


def path_of(gen, place, kind, n):
    name = "%s-%s-%d.zip" % (place or "zip", kind.split("-%")[0], n)
    path = os.path.join(OUT, name)
    if os.path.exists(path):
        return path
    if gen == "doc":
        cmd = [sys.executable, MKDOC, "doc", SPEC, path, place, kind,
               "--count", str(n)]
    else:
        cmd = [sys.executable, MKARCHIVE, kind % n, path, "--depot", GOOD]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    return path


def measure(path):
    """CPU seconds (user and system: on a shared machine the wall time
    mostly measures the others), peak RSS in MB, exit status, stderr."""
    proc = subprocess.Popen([DEPOT, "list-vibs", path],
                            stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    err = proc.stderr.read().decode(errors="replace").strip()
    _, status, usage = os.wait4(proc.pid, 0)
    cpu = usage.ru_utime + usage.ru_stime
    return cpu, usage.ru_maxrss / 1024.0, os.waitstatus_to_exitcode(status), err


def best_of(path, runs=3):
    res = [measure(path) for _ in range(runs)]
    return min(res, key=lambda r: r[0])


def main():
    global GOOD
    os.makedirs(OUT, exist_ok=True)
    GOOD = os.path.join(OUT, "mini8.zip")
    if not os.path.exists(GOOD):
        subprocess.run([sys.executable, MKDEPOT, SPEC, GOOD], check=True,
                       stdout=subprocess.DEVNULL)
    print("cost of each hostile shape (depot list-vibs, CPU seconds, best "
          "of 3; compare ratios, not times)")
    print("%-32s %10s %10s %10s  %7s %7s  %s" % (
        "shape", "size 1", "size 10", "size 100", "x10", "x100/x10",
        "peak RSS (MB) at each"))
    for label, gen, place, kind, sizes, past in SHAPES:
        if sizes is None:
            continue
        rows = [best_of(path_of(gen, place, kind, n)) for n in sizes]
        t = [r[0] for r in rows]
        print("%-32s %9.3fs %9.3fs %9.3fs  %6.1fx %6.1fx  %s" % (
            "%s %d.." % (label, sizes[0]), t[0], t[1], t[2],
            t[1] / t[0], t[2] / t[1],
            " ".join("%.0f" % r[1] for r in rows)))
    print("\nrefusals just past each limit")
    for label, gen, place, kind, sizes, past in SHAPES:
        n = past if past is not None else sizes[-1]
        cpu, rss, code, err = best_of(path_of(gen, place, kind, n))
        print("%-32s n=%-9d %7.3f s  peak RSS %6.1f MB  exit %d: %s" % (
            label, n, cpu, rss, code, err.split(": ", 2)[-1][:70]))


if __name__ == "__main__":
    main()
