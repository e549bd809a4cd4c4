#!/usr/bin/env python3
"""bench.py - figures for `make bench`: listing cost against depot size.

Generates (once, cached under BUILD/bench) a ~1 GB depot with 250 VIBs and a
~10 MB depot with the same shape, then runs `depot list-profiles` on each
RUNS times and reports the median wall time and the peak RSS (from
wait4's rusage).  Goals from the issue: under 30 ms for both, peak RSS
under 32 MB, i.e. cost independent of depot size.
"""
import os
import statistics
import subprocess
import sys
import time

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.environ.get("BUILD", "build")
DEPOT = os.path.join(TOP, BUILD, "depot")
OUT = os.path.join(TOP, BUILD, "bench")
RUNS = int(os.environ.get("RUNS", "21"))


def generate(name, size_mb, vibs):
    path = os.path.join(OUT, name)
    if not os.path.exists(path):
        print("generating %s (%d MB, %d VIBs)..." % (name, size_mb, vibs),
              flush=True)
        t = time.monotonic()
        subprocess.run([sys.executable, os.path.join(TOP, "tests", "mkdepot.py"),
                        "--bench", path, "--size-mb", str(size_mb),
                        "--vibs", str(vibs)], check=True,
                       stdout=subprocess.DEVNULL)
        print("  took %.1f s" % (time.monotonic() - t))
    return path


def measure(argv, ok_codes=(0,)):
    """Wall seconds and peak RSS in MB of one run."""
    t = time.monotonic()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.monotonic() - t
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in ok_codes:
        sys.exit("bench: %s exited %d" % (" ".join(argv), proc.returncode))
    return wall, usage.ru_maxrss / 1024.0


def report(label, argv, size):
    runs = [measure(argv) for _ in range(RUNS)]
    wall = statistics.median(r[0] for r in runs) * 1000
    rss = max(r[1] for r in runs)
    print("%-44s %8.1f MB  median %7.2f ms  peak RSS %6.1f MB"
          % (label, size / 1e6, wall, rss))
    return wall, rss


def main():
    os.makedirs(OUT, exist_ok=True)
    big = generate("bench-1g.zip", 1024, 250)
    small = generate("bench-10m.zip", 10, 250)
    print("\n%d runs each; %s" % (RUNS, DEPOT))
    results = []
    for path in (small, big):
        size = os.path.getsize(path)
        results.append(report("depot list-profiles " + os.path.basename(path),
                              [DEPOT, "list-profiles", path], size))
    ok = all(w < 30 and r < 32 for w, r in results)
    print("goal (< 30 ms, < 32 MB, independent of size): %s"
          % ("met" if ok else "NOT met"))
    bench_verify(big)
    bench_bundle()
    bench_compose(big)


def bench_verify(path):
    """depot verify on the big depot: 2 jobs, 1 job, against sha256sum."""
    size = os.path.getsize(path)
    print("\ndepot verify on %s (%.0f MB), best of 3:" % (
        os.path.basename(path), size / 1e6))
    rows = {}
    for label, argv in (
            ("sha256sum (one core)", ["sha256sum", path]),
            ("depot verify --jobs 2", [DEPOT, "verify", "--jobs", "2", path]),
            ("depot verify --jobs 1", [DEPOT, "verify", "--jobs", "1", path])):
        # The bench VIBs are unsigned, so verify reads every byte and then
        # says FAILED (exit 1) for their acceptance level: cost is the same.
        runs = [measure(argv, ok_codes=(0, 1)) for _ in range(3)]
        wall = min(r[0] for r in runs)
        rss = max(r[1] for r in runs)
        rows[label] = wall
        print("  %-24s %7.2f s  %7.1f MB/s  peak RSS %6.1f MB"
              % (label, wall, size / 1e6 / wall, rss))
    j2, j1 = rows["depot verify --jobs 2"], rows["depot verify --jobs 1"]
    sha = rows["sha256sum (one core)"]
    print("  speed-up 2 jobs over 1: %.2fx (goal >= 1.7x)" % (j1 / j2))
    print("  2 jobs against sha256sum: %.2fx its time (goal <= 1.5x)"
          % (j2 / sha))



def bench_bundle():
    """esxbundle create (a patch depot and a component) against copying and
    hashing the same inputs: cp + sha256sum, the issue's yardstick, and
    cp + openssl dgst, whose SHA-256 uses the CPU's SHA instructions as
    ours does (coreutils' does not)."""
    inputs = []
    for name, spec in (("bench-bundle.zip", "bench-bundle.spec"),
                       ("bench-component.zip", "bench-component.spec")):
        path = os.path.join(OUT, name)
        if not os.path.exists(path):
            print("\ngenerating %s..." % name, flush=True)
            subprocess.run([sys.executable,
                            os.path.join(TOP, "tests", "mkdepot.py"),
                            os.path.join(TOP, "testdata", "big", spec), path],
                           check=True, stdout=subprocess.DEVNULL)
        inputs.append(path)
    size = sum(os.path.getsize(p) for p in inputs)
    out = os.path.join(OUT, "bundle-out")
    copies = os.path.join(OUT, "copies")
    bundle = os.path.join(TOP, BUILD, "bundle")
    print("\nbundle create on %s (%.0f MB in all), best of 3:" % (
        " + ".join(os.path.basename(p) for p in inputs), size / 1e6))
    copy_then = ('mkdir -p "$0" && cp "$@" "$0" && cd "$0" && %s *')
    walls = {}
    for label, argv in (
            ("cp + sha256sum", ["sh", "-c", copy_then % "sha256sum",
                                copies] + inputs),
            ("cp + openssl dgst -sha256",
             ["sh", "-c", copy_then % "openssl dgst -sha256", copies]
             + inputs),
            ("esxbundle create --jobs 2", [bundle, "create", out, "--force",
                                        "--datastore", "ds", "--jobs", "2",
                                        "--depot", inputs[0],
                                        "--add", inputs[1]])):
        runs = []
        for _ in range(3):
            subprocess.run(["rm", "-rf", copies], check=True)
            runs.append(measure(argv))
        walls[label] = min(r[0] for r in runs)
        print("  %-26s %7.2f s  %7.1f MB/s  peak RSS %6.1f MB"
              % (label, walls[label], size / 1e6 / walls[label],
                 max(r[1] for r in runs)))
    ours = walls["esxbundle create --jobs 2"]
    print("  esxbundle create against cp + sha256sum: %.2fx its time "
          "(goal <= 1.3x)" % (ours / walls["cp + sha256sum"]))
    print("  esxbundle create against cp + openssl dgst: %.2fx its time "
          "(verify's own reading and digests are the rest)"
          % (ours / walls["cp + openssl dgst -sha256"]))
    subprocess.run(["rm", "-rf", out, copies], check=True)


def bench_compose(path):
    """depot compose of the 1 GB depot's profile, every VIB copied (and
    its SHA-256 checked) into a new depot, against cp of the same bytes
    and cp + openssl dgst.  --force: the bench depot has no esx-base, so
    its profile does not validate; the copy is the same."""
    out = os.path.join(OUT, "composed.zip")
    copy = os.path.join(OUT, "copy.zip")
    size = os.path.getsize(path)
    print("\ndepot compose on %s (%.0f MB), best of 3:" % (
        os.path.basename(path), size / 1e6))
    walls = {}
    for label, argv in (
            ("cp", ["cp", path, copy]),
            ("cp + openssl dgst -sha256",
             ["sh", "-c", 'cp "$0" "$1" && openssl dgst -sha256 "$1"',
              path, copy]),
            ("depot compose", ["sh", "-c", '"$0" "$@" 2>/dev/null', DEPOT,
                               "compose", "--force", "--profile",
                               "ESXi-8.0U3e-bench-standard", "--name",
                               "bench-copy", path, out])):
        runs = []
        for _ in range(3):
            subprocess.run(["rm", "-f", out, copy], check=True)
            runs.append(measure(argv))
        walls[label] = min(r[0] for r in runs)
        print("  %-26s %7.2f s  %7.1f MB/s  peak RSS %6.1f MB"
              % (label, walls[label], size / 1e6 / walls[label],
                 max(r[1] for r in runs)))
    print("  depot compose against cp: %.2fx its time (goal <= 1.2x; one "
          "read per byte, each VIB's SHA-256 checked as it is copied)"
          % (walls["depot compose"] / walls["cp"]))
    print("  depot compose against cp + openssl dgst: %.2fx its time"
          % (walls["depot compose"] / walls["cp + openssl dgst -sha256"]))
    subprocess.run(["rm", "-f", out, copy], check=True)


if __name__ == "__main__":
    main()
