#!/usr/bin/env python3
"""bench.py - figures for `make bench`: listing cost against depot size,
and verify and bundle create against their physical minimum.

Generates (once, cached under BUILD/bench) a ~1 GB depot with 250 VIBs and a
~10 MB depot with the same shape, then runs `depot list-profiles` on each
RUNS times and reports the median wall time and the peak RSS (from
wait4's rusage).  Goals from the issue: under 30 ms for both, peak RSS
under 32 MB, i.e. cost independent of depot size.

verify and bundle create are set beside the physical minimum of their
work: the bytes each digest the depot asks for covers (refverify.py counts
them), divided by this machine's `openssl speed -evp` rate on one core,
plus one copy of the bytes for bundle create.  The ratio is the figure to
read; on a shared machine take ratios from one run.  COLD=1 drops the page
cache before each run (as root) and sets the figures beside `dd` reading
the file too.
"""
import json
import os
import statistics
import subprocess
import sys
import time
import zipfile

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.environ.get("BUILD", "build")
DEPOT = os.path.join(TOP, BUILD, "depot")
OUT = os.path.join(TOP, BUILD, "bench")
RUNS = int(os.environ.get("RUNS", "21"))
REFVERIFY = os.path.join(TOP, "scripts", "refverify.py")


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
    rates = {"sha256": openssl_rate("sha256"), "sha1": openssl_rate("sha1")}
    bench_verify(big, rates)
    bench_progress(big)
    bench_bundle(rates)
    bench_compose(big, rates["sha256"])


# ---- physical minimum -------------------------------------------------

COLD = os.environ.get("COLD", "") not in ("", "0")


def openssl_rate(alg):
    """Bytes per second one core digests, by `openssl speed -evp ALG`."""
    out = subprocess.run(["openssl", "speed", "-seconds", "2", "-bytes",
                          str(1 << 20), "-evp", alg], capture_output=True,
                         text=True, check=True).stdout
    last = [line for line in out.splitlines() if line.strip()][-1].split()
    return float(last[-1].rstrip("k")) * 1000


def digest_bytes(path):
    """What the checks of `depot verify` hash, by algorithm (refverify.py
    computes the same digests and counts their bytes)."""
    stats = os.path.join(OUT, "stats.json")
    subprocess.run([sys.executable, REFVERIFY, "--stats", stats, path],
                   stdout=subprocess.DEVNULL, check=False)
    with open(stats) as f:
        return json.load(f)


def digest_seconds(stats, rates):
    return (stats["sha256_bytes"] / rates["sha256"]
            + stats["sha1_bytes"] / rates["sha1"])


def drop_cache():
    """COLD=1: empty the page cache (root only).  False when it cannot."""
    if not COLD:
        return True
    try:
        subprocess.run(["sync"], check=True)
        with open("/proc/sys/vm/drop_caches", "w") as f:
            f.write("3\n")
        return True
    except OSError:
        return False


def measure_cpu(argv, ok_codes=(0,)):
    """Wall seconds, CPU seconds (user + system) and peak RSS in MB."""
    cold = drop_cache()
    t = time.monotonic()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.monotonic() - t
    code = os.waitstatus_to_exitcode(status)
    if code not in ok_codes:
        sys.exit("bench: %s exited %d" % (" ".join(argv), code))
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024.0, \
        cold


def best_of(rows, rounds):
    """Each command `rounds` times, interleaved (the load on a shared
    machine then falls on all alike); the best wall and CPU of each."""
    got = {label: [] for label, _, _ in rows}
    for _ in range(rounds):
        for label, argv, ok in rows:
            got[label].append(measure_cpu(argv, ok))
    return {label: (min(r[0] for r in runs), min(r[1] for r in runs),
                    max(r[2] for r in runs), all(r[3] for r in runs))
            for label, runs in got.items()}


def show(label, fig, minimum, size):
    wall, cpu, rss, _ = fig
    print("  %-30s %6.2f s  cpu %6.2f s  %6.0f MB/s  peak RSS %5.1f MB  "
          "min %5.2f s  %5.2fx" % (label, wall, cpu, size / 1e6 / wall, rss,
                                   minimum, wall / minimum))


def bench_verify(path, rates):
    """depot verify against the physical minimum of its checks: the bytes
    each digest the metadata and descriptors list covers, divided by this
    machine's OpenSSL rate per core (over two cores for --jobs 2); and
    against refverify.py, the plain Python verifier of the same checks."""
    size = os.path.getsize(path)
    stats = digest_bytes(path)
    min1 = digest_seconds(stats, rates)
    min2 = min1 / 2
    print("\ndepot verify on %s (%.0f MB), best of 3, interleaved%s:"
          % (os.path.basename(path), size / 1e6,
             ", page cache dropped before each run" if COLD else ""))
    print("  digests listed: SHA-256 over %.0f MB, SHA-1 over %.0f MB; "
          "OpenSSL per core: SHA-256 %.0f MB/s, SHA-1 %.0f MB/s"
          % (stats["sha256_bytes"] / 1e6, stats["sha1_bytes"] / 1e6,
             rates["sha256"] / 1e6, rates["sha1"] / 1e6))
    print("  physical minimum: %.2f s on one core, %.2f s on two"
          % (min1, min2))
    rows = [("dd (read the file)", ["dd", "if=" + path, "of=/dev/null",
                                    "bs=1M", "status=none"], (0,)),
            ("openssl dgst -sha256", ["openssl", "dgst", "-sha256", path],
             (0,)),
            # The bench VIBs are unsigned at the certified level, so every
            # one FAILS (exit 1) after all its bytes are read and checked.
            ("depot verify --jobs 2", [DEPOT, "verify", "--jobs", "2", path],
             (0, 1)),
            ("depot verify --jobs 1", [DEPOT, "verify", "--jobs", "1", path],
             (0, 1)),
            ("refverify.py (Python)", [sys.executable, REFVERIFY, path],
             (0, 1))]
    figs = best_of(rows, 3)
    if COLD and not all(f[3] for f in figs.values()):
        print("  (COLD=1 but the page cache cannot be dropped: not root; "
              "these are warm figures)")
    dd = figs["dd (read the file)"][0]
    mins = {"dd (read the file)": dd,
            "openssl dgst -sha256": size / rates["sha256"],
            "depot verify --jobs 2": min2, "depot verify --jobs 1": min1,
            "refverify.py (Python)": min1}
    for label, _, _ in rows:
        show(label, figs[label], mins[label], size)
    j2, j1 = figs["depot verify --jobs 2"], figs["depot verify --jobs 1"]
    py = figs["refverify.py (Python)"]
    if COLD:
        print("  cold, against dd reading the file: --jobs 2 %.2fx, --jobs "
              "1 %.2fx, Python %.2fx" % (j2[0] / dd, j1[0] / dd, py[0] / dd))
    print("  --jobs 2: %.2fx of its minimum (goal <= 1.25x); CPU %.2fx of "
          "the one-core minimum" % (j2[0] / min2, j2[1] / min1))
    print("  --jobs 1: %.2fx of its minimum (goal <= 1.3x); CPU %.2fx"
          % (j1[0] / min1, j1[1] / min1))
    # refverify.py computes the same digests with the same OpenSSL, so no
    # verifier doing those checks can beat it by more than its distance
    # from the minimum: that is the ceiling of the ratio below.
    ceiling = py[0] / min1
    print("  --jobs 1 against refverify.py: %.2fx faster (goal >= 2x); "
          "refverify.py is %.2fx of the minimum" % (py[0] / j1[0], ceiling))
    print("  ceiling: a verifier doing the same digests at exactly the "
          "minimum would be %.2fx faster than refverify.py (by CPU: %.2fx)"
          % (ceiling, py[1] / min1))
    print("  so the 2x goal %s; --jobs 1 reaches %.0f%% of that ceiling"
          % ("is within reach in this run" if ceiling >= 2 else
             "cannot be met here (it needs refverify.py at >= 2x of the "
             "minimum)", 100 * (py[0] / j1[0]) / ceiling))
    print("  peak RSS %.1f MB (goal < 32 MB)" % max(j1[2], j2[2]))
    return stats


def deflated_bytes(paths):
    """The compressed bytes of the deflated members of the zips."""
    total = 0
    for p in paths:
        with zipfile.ZipFile(p) as z:
            total += sum(i.compress_size for i in z.infolist()
                         if i.compress_type == zipfile.ZIP_DEFLATED)
    return total


def bench_bundle(rates):
    """esxbundle create (a patch depot and a component) against the
    physical minimum of what it must do: verify's digests plus the
    SHA-256 of each input for SHA256SUMS, over two cores, plus one copy
    of the bytes (cp and sync, measured in the same rounds).  The inputs
    are verified and copied at once, so the minimum is one sum over all
    of them; by CPU, the same digests on one core plus cp's CPU."""
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
    digests = {"sha256_bytes": size, "sha1_bytes": 0}
    for p in inputs:
        st = digest_bytes(p)
        digests["sha256_bytes"] += st["sha256_bytes"]
        digests["sha1_bytes"] += st["sha1_bytes"]
    out = os.path.join(OUT, "bundle-out")
    copies = os.path.join(OUT, "copies")
    bundle = os.path.join(TOP, BUILD, "esxbundle")
    print("\nesxbundle create on %s (%.0f MB in all), best of 3, "
          "interleaved:" % (" + ".join(os.path.basename(p) for p in inputs),
                            size / 1e6))
    # The specs' VIBs are deflated zip members (mkdepot's default), as
    # many real depots' are: the figure includes inflating them.
    print("  deflated zip members: %.0f MB of the %.0f MB"
          % (deflated_bytes(inputs) / 1e6, size / 1e6))
    copy = 'rm -rf "$0" && mkdir -p "$0" && cp "$@" "$0" && sync "$0"/*'
    rows = [("cp + sync (one copy)", ["sh", "-c", copy, copies] + inputs,
             (0,)),
            ("esxbundle create --jobs 2", [bundle, "create", out, "--force",
                                           "--datastore", "ds", "--jobs", "2",
                                           "--depot", inputs[0],
                                           "--add", inputs[1]], (0,))]
    figs = best_of(rows, 3)
    cp = figs["cp + sync (one copy)"][0]
    minimum = digest_seconds(digests, rates) / 2 + cp
    print("  digests: SHA-256 over %.0f MB (verify's, and SHA256SUMS'), "
          "SHA-1 over %.0f MB: %.2f s on two cores; plus the copy"
          % (digests["sha256_bytes"] / 1e6, digests["sha1_bytes"] / 1e6,
             digest_seconds(digests, rates) / 2))
    show("cp + sync (one copy)", figs["cp + sync (one copy)"], cp, size)
    show("esxbundle create --jobs 2", figs["esxbundle create --jobs 2"],
         minimum, size)
    create = figs["esxbundle create --jobs 2"]
    cpu_min = digest_seconds(digests, rates) + figs["cp + sync (one copy)"][1]
    print("  esxbundle create: %.2fx of verify's minimum plus one copy "
          "(goal <= 1.2x); CPU %.2f s, %.2fx of the digests on one core "
          "plus cp's CPU (%.2f s)" % (create[0] / minimum, create[1],
                                      create[1] / cpu_min, cpu_min))
    subprocess.run(["rm", "-rf", out, copies], check=True)


def bench_compose(path, sha256_rate):
    """depot compose of the 1 GB depot's profile, every VIB copied (and
    its SHA-256 and CRC-32 checked) into a new depot, synced, against cp
    of the same bytes, cp + openssl dgst and cp + sync + openssl dgst,
    interleaved (the load on a shared machine then
    falls on all alike), with the CPU each took.  --force: the bench depot
    has no esx-base, so its profile does not validate; the copy is the
    same."""
    out = os.path.join(OUT, "composed.zip")
    copy = os.path.join(OUT, "copy.zip")
    size = os.path.getsize(path)
    print("\ndepot compose on %s (%.0f MB), best of 3, interleaved:" % (
        os.path.basename(path), size / 1e6))
    rows = [("cp", ["sh", "-c", 'rm -f "$1" && cp "$0" "$1"', path, copy],
             (0,)),
            ("cp + openssl dgst -sha256",
             ["sh", "-c", 'rm -f "$1" && cp "$0" "$1" && '
              'openssl dgst -sha256 "$1"', path, copy], (0,)),
            ("cp + sync + openssl dgst",
             ["sh", "-c", 'rm -f "$1" && cp "$0" "$1" && sync "$1" && '
              'openssl dgst -sha256 "$1"', path, copy], (0,)),
            ("depot compose", ["sh", "-c", 'rm -f "$1" && "$0" compose '
                               '--force --profile '
                               'ESXi-8.0U3e-bench-standard --name bench-copy '
                               '"$2" "$1" 2>/dev/null', DEPOT, out, path],
             (0,))]
    figs = best_of(rows, 3)
    for label, _, _ in rows:
        wall, cpu, rss, _ = figs[label]
        print("  %-26s %7.2f s  cpu %6.2f s  %7.1f MB/s  peak RSS %6.1f MB"
              % (label, wall, cpu, size / 1e6 / wall, rss))
    walls = {label: figs[label][0] for label in figs}
    # What compose must do: one copy of the bytes (the kernel's, as cp's),
    # made durable before the output has its name (an fsync, as `sync
    # FILE`), and one SHA-256 of them, which cp + sync + openssl dgst does
    # one after the other and compose side by side on two cores.
    print("  depot compose against cp + sync + openssl dgst: %.2fx its time "
          "(goal <= 1.2x; one kernel copy per byte, synced, each VIB's "
          "SHA-256 and CRC-32 checked read back from the output)"
          % (walls["depot compose"] / walls["cp + sync + openssl dgst"]))
    print("  depot compose against cp + openssl dgst: %.2fx its time (no "
          "sync: a crash can leave that copy torn)"
          % (walls["depot compose"] / walls["cp + openssl dgst -sha256"]))
    print("  depot compose against cp: %.2fx its time (cp checks nothing; "
          "SHA-256 of the file alone: %.2f s on one core, %.2f s on two)"
          % (walls["depot compose"] / walls["cp"], size / sha256_rate,
             size / sha256_rate / 2))
    subprocess.run(["rm", "-f", out, copy], check=True)



# ---- the progress line ---------------------------------------------------

def bench_progress(path):
    """What the progress line costs: depot verify with stderr on a
    pseudo-terminal (script(1): the line is drawn five times a second) and
    with stderr in a pipe (nothing drawn), interleaved, best of 3."""
    if subprocess.run(["sh", "-c", "command -v script"],
                      capture_output=True).returncode != 0:
        print("\nprogress line: script(1) is not installed; not measured")
        return
    quoted = "TERM=xterm '%s' verify --jobs 2 '%s'" % (DEPOT, path)
    rows = [("verify, progress drawn (pty)",
             ["script", "-qec", quoted + " >/dev/null", "/dev/null"], (0, 1)),
            ("verify, no progress (pipe)",
             ["sh", "-c", quoted + " >/dev/null 2>&1"], (0, 1))]
    figs = best_of(rows, 3)
    drawn = figs["verify, progress drawn (pty)"][0]
    plain = figs["verify, no progress (pipe)"][0]
    print("\nprogress line on %s, best of 3, interleaved:"
          % os.path.basename(path))
    for label, _, _ in rows:
        print("  %-32s %6.2f s" % (label, figs[label][0]))
    print("  cost of drawing: %+.1f%% (goal < 2%%)"
          % ((drawn / plain - 1) * 100))


if __name__ == "__main__":
    main()
