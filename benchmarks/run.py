"""corpusclean throughput benchmark: one command, see benchmarks/README.md.

    python benchmarks/run.py [--mb 10] [--workers 1,2] [--repeat 3] [--seed N] [--keep]

1. builds a deterministic raw dump from ../shared/eval into benchmarks/out/dump/;
2. measures, on that same input, a floor (read + parse + gzip-write JSONL in one process)
   and ``corpusclean run`` per worker count, each run into a fresh output directory,
   ``--repeat`` times each (the median run is reported);
3. checks that every run wrote byte-identical data shards and records, and what the
   pipeline did with the planted damage (encodings, mojibake, duplicates, boilerplate,
   mixed scripts);
4. prints the tables and writes benchmarks/out/results.json.

Only the standard library is needed to run it; corpusclean itself is run as a subprocess
(``.venv/bin/corpusclean`` of the repository if present, else ``corpusclean`` on PATH,
else ``python -m corpusclean``).
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent


def _corpusclean_command() -> list[str]:
    venv = REPO / ".venv" / "bin" / "corpusclean"
    if venv.is_file():
        return [str(venv)]
    found = shutil.which("corpusclean")
    if found:
        return [found]
    return [sys.executable, "-m", "corpusclean"]


def _measure(command: list[str], workdir: Path, cwd: Path) -> dict:
    """Run ``command`` under measure.py; its stdout and stderr are kept in ``workdir``."""
    out, err = workdir / "stdout.txt", workdir / "stderr.txt"
    result = subprocess.run([sys.executable, str(HERE / "measure.py"), str(out), str(err), "--", *command],
                            cwd=cwd, capture_output=True, text=True, check=True)
    stats = json.loads(result.stdout)
    stats["stdout"] = out.read_text(encoding="utf-8", errors="replace")
    stats["stderr"] = err.read_text(encoding="utf-8", errors="replace")
    if stats["returncode"] != 0:
        raise RuntimeError(f"{' '.join(command)} exited {stats['returncode']}:\n{stats['stderr'][-3000:]}")
    return stats


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _output_hashes(version: Path) -> dict[str, str]:
    files = sorted((version / "data").glob("*.jsonl.gz")) + [version / "records.jsonl.gz"]
    return {p.relative_to(version).as_posix(): _sha256(p) for p in files}


def _corpusclean_python() -> str:
    """A Python that can import corpusclean's dependencies (for checks.py), else this one."""
    venv = REPO / ".venv" / "bin" / "python"
    return str(venv) if venv.is_file() else sys.executable


def _checks(version: Path, dump_json: Path) -> dict:
    result = subprocess.run([_corpusclean_python(), str(HERE / "checks.py"), str(version), str(dump_json)],
                            capture_output=True, text=True, check=True)
    return json.loads(result.stdout)


# -- output ------------------------------------------------------------------------------


def _table(header: list[str], rows: list[list], aligns: str) -> str:
    cells = [[str(c) for c in header]] + [["" if c is None else str(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]

    def fmt(row: list[str]) -> str:
        return "  ".join(c.ljust(w) if a == "l" else c.rjust(w) for c, w, a in zip(row, widths, aligns))

    lines = [fmt(cells[0]), "  ".join("-" * w for w in widths)]
    lines += [fmt(row) for row in cells[1:]]
    return "\n".join(lines)


def _f(value, digits: int = 2):
    return None if value is None else f"{value:.{digits}f}"


def _git_state() -> dict:
    """The commit measured and whether corpusclean/ had uncommitted changes (results depend on them)."""
    def git(*args: str) -> str | None:
        try:
            return subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True, check=True).stdout.strip()
        except (OSError, subprocess.CalledProcessError):
            return None
    changed = git("status", "--porcelain", "--", "corpusclean")
    return {"commit": git("rev-parse", "--short", "HEAD"),
            "corpusclean_uncommitted_files": None if changed is None else len(changed.splitlines())}


def _median_run(runs: list[dict]) -> dict:
    """The run with the median wall time; peak memory is the largest over all repeats."""
    ordered = sorted(runs, key=lambda r: r["seconds"])
    chosen = dict(ordered[(len(ordered) - 1) // 2])
    chosen["repeats_seconds"] = [round(r["seconds"], 3) for r in runs]
    chosen["peak_rss_max_process_mb"] = max(r["peak_rss_max_process_mb"] for r in runs)
    sums = [r["peak_rss_sum_mb"] for r in runs if r["peak_rss_sum_mb"] is not None]
    chosen["peak_rss_sum_mb"] = max(sums) if sums else None
    others = [r["other_cpu_seconds"] for r in runs if r.get("other_cpu_seconds") is not None]
    chosen["other_cpu_seconds_max"] = max(others) if others else None
    return chosen


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mb", type=float, default=10.0, help="input size in MB (10^6 bytes; default 10)")
    parser.add_argument("--seed", type=int, default=20240601, help="dump seed (default 20240601)")
    parser.add_argument("--workers", default=None,
                        help="comma-separated worker counts to run (default: 1 and all cores)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement; the median is reported (default 3)")
    parser.add_argument("--eval", type=Path, default=REPO.parent / "shared" / "eval",
                        help="eval data folder (default ../shared/eval)")
    parser.add_argument("--out", type=Path, default=HERE / "out", help="work folder (default benchmarks/out)")
    parser.add_argument("--config", type=Path, default=None, help="corpusclean TOML config (default: built-in defaults)")
    parser.add_argument("--keep", action="store_true", help="keep the corpusclean output versions in OUT/runs")
    args = parser.parse_args(argv)

    sys.path.insert(0, str(HERE))
    from make_dump import EvalMissing, build_dump

    cores = os.cpu_count() or 1
    workers = sorted({int(w) for w in args.workers.split(",")}) if args.workers else sorted({1, cores})
    repeat = max(1, args.repeat)
    if not args.eval.is_dir():
        print(f"benchmark skipped: eval data not found at {args.eval} (see benchmarks/README.md)")
        return 0
    args.out.mkdir(parents=True, exist_ok=True)
    dump_dir = args.out / "dump"
    print(f"building a {args.mb:g} MB dump from {args.eval} (seed {args.seed}) ...", flush=True)
    started = datetime.datetime.now()
    try:
        dump = build_dump(args.eval, dump_dir, args.mb, args.seed)
    except EvalMissing as error:
        print(f"benchmark skipped: {error}")
        return 0
    build_seconds = (datetime.datetime.now() - started).total_seconds()
    input_dir = dump_dir / dump["input_dir"]
    input_mb = dump["input_bytes"] / 1e6
    planted = dump["planted"]
    print(f"  {input_mb:.2f} MB in {len(dump['jsonl_files'])} JSONL files ({dump['jsonl_records']} records) "
          f"+ {len(dump['html_files'])} HTML files ({dump['html_bytes'] / 1e6:.2f} MB), built in {build_seconds:.1f} s; "
          f"digest {dump['digest'][:16]}")
    print("  planted: " + ", ".join(f"{k} {len(v)}" for k, v in planted.items()), flush=True)

    runs_dir = args.out / "runs"
    if runs_dir.exists():
        shutil.rmtree(runs_dir)
    runs_dir.mkdir()
    results: list[dict] = []

    # (a) the floor
    print(f"running floor x{repeat} ...", flush=True)
    floor_runs = []
    for _ in range(repeat):
        work = Path(tempfile.mkdtemp(prefix="floor-", dir=runs_dir))
        stats = _measure([sys.executable, str(HERE / "floor.py"), str(input_dir), str(work / "floor.jsonl.gz"), "6"],
                         work, work)
        floor_out = json.loads(stats.pop("stdout"))
        stats.pop("stderr")
        floor_runs.append({"name": "floor: read+parse+gzip write", "workers": None, **stats,
                           "documents": floor_out["documents"]})
        shutil.rmtree(work)
    results.append(_median_run(floor_runs))

    # (b) corpusclean run, per worker count, each run into a fresh output folder
    command = _corpusclean_command()
    config_args = ["--config", str(args.config.resolve())] if args.config else []
    hashes: dict[str, dict[str, str]] = {}
    first_version: Path | None = None
    for count in workers:
        print(f"running corpusclean --workers {count} x{repeat} ...", flush=True)
        count_runs = []
        for attempt in range(repeat):
            work = Path(tempfile.mkdtemp(prefix=f"w{count}-{attempt}-", dir=runs_dir))
            stats = _measure([*command, "run", str(input_dir.resolve()), "--out", str(work / "clean"),
                              "--workers", str(count), "--no-progress", *config_args], work, work)
            version = max((work / "clean").glob("v[0-9]*"))
            manifest = json.loads((version / "manifest.json").read_text(encoding="utf-8"))
            hashes[f"w{count}#{attempt + 1}"] = _output_hashes(version)
            stats.pop("stderr")
            stats.pop("stdout")
            count_runs.append({"name": f"corpusclean --workers {count}", "workers": count, **stats,
                               "documents": manifest["run"]["documents"], "manifest_run": manifest["run"],
                               "stages": manifest["stages"], "tools": manifest.get("tools")})
            if first_version is None:
                first_version = version
            elif not args.keep:
                shutil.rmtree(work)
        results.append(_median_run(count_runs))

    for result in results:
        result["mb_per_second"] = input_mb / result["seconds"]
        result["docs_per_second"] = result["documents"] / result["seconds"]
        result["cpu_seconds"] = result["cpu_user_seconds"] + result["cpu_system_seconds"]
    floor_seconds = results[0]["seconds"]

    # (3) the same bytes for every worker count (and every repeat)
    reference_name = next(iter(hashes))
    reference = hashes[reference_name]
    identical = all(h == reference for h in hashes.values())
    assert first_version is not None
    checks = _checks(first_version, dump_dir / "dump.json")

    # -- report ----------------------------------------------------------------------------
    print()
    git_state = _git_state()
    print(f"input: {input_mb:.2f} MB, {results[0]['documents']} documents; machine: {cores} cores, "
          f"{platform.python_implementation()} {platform.python_version()}; median of {repeat} run(s); "
          f"commit {git_state['commit']}"
          + (f" + uncommitted changes in {git_state['corpusclean_uncommitted_files']} corpusclean file(s)"
             if git_state["corpusclean_uncommitted_files"] else ""))
    rows = []
    for r in results:
        rows.append([r["name"], _f(r["seconds"]), _f(r["mb_per_second"]), f"{r['docs_per_second']:.0f}",
                     _f(r["peak_rss_max_process_mb"], 1), _f(r["peak_rss_sum_mb"], 1) or "n/a",
                     _f(r["cpu_seconds"]), _f(r["seconds"] / floor_seconds, 1),
                     _f(r.get("other_cpu_seconds")) or "n/a"])
    print(_table(["run", "seconds", "MB/s", "docs/s", "peak RSS MB (max 1 proc)", "peak RSS MB (sum)",
                  "CPU s", "x floor", "other CPU s"], rows, "lrrrrrrrr"))
    print("  seconds: wall time of the whole subprocess (interpreter start, imports, pool start included);")
    print("  peak RSS (max 1 proc): ru_maxrss over the process tree incl. pool workers; (sum) needs psutil"
          + ("" if results[0]["peak_rss_sum_mb"] is not None else ", not installed"))
    print("  other CPU s: CPU time used by the rest of the machine during the run")
    busy = [r for r in results if (r.get("other_cpu_seconds") or 0) > 0.15 * r["seconds"]]
    if busy:
        print(f"  WARNING: other processes used CPU during {', '.join(r['name'] for r in busy)}: "
              "timings (above all with several workers) are not reliable; rerun on an idle machine")

    cc = [r for r in results if r["workers"]]
    rows = []
    for name in cc[0]["stages"]:
        s0 = cc[0]["stages"][name]
        rows.append([name] + [_f(r["stages"][name]["seconds"], 3) for r in cc]
                    + [s0["changed"], sum(s0["dropped"].values()) + sum(s0["failed"].values())])
    rows.append(["= sum of stages"] + [_f(sum(s["seconds"] for s in r["stages"].values()), 3) for r in cc] + ["", ""])
    rows.append(["manifest run seconds"] + [_f(r["manifest_run"]["seconds"], 3) for r in cc] + ["", ""])
    rows.append(["not in any stage (1 worker)"] + [
        _f(r["manifest_run"]["seconds"] - sum(s["seconds"] for s in r["stages"].values()), 3)
        if r["workers"] == 1 else "n/a" for r in cc] + ["", ""])
    print()
    print("corpusclean per-stage seconds (manifest \"stages\"; with workers > 1 the per-document stages are")
    print("timed inside the workers and summed over them, so they can exceed the wall time):")
    print(_table(["stage"] + [f"w={r['workers']}" for r in cc] + ["changed", "dropped"], rows,
                 "l" + "r" * (len(cc) + 2)))
    print("  'not in any stage': reading and JSON parsing, writing and gzip of data shards and records,")
    print("  bookkeeping")

    print()
    if identical:
        print(f"outputs identical across workers {', '.join(map(str, workers))} (x{repeat} runs each): "
              f"{len(reference)} files (data shards + records.jsonl.gz), sha256 all equal")
    else:
        print("OUTPUTS DIFFER between runs:")
        for name, h in hashes.items():
            for path, digest in h.items():
                print(f"  {name:8} {path:28} {digest}")

    print()
    print(f"what the pipeline did with the planted damage (run with --workers {workers[0]}):")
    rows = [[h["file"].split("/", 1)[1][:56], h["variant"], h["expected"], h["got"], h["method"],
             h["confidence"], h["status"], h["chars_out"], h["replacement_chars"]] for h in checks["html_decode"]]
    print(_table(["html file", "variant", "expected", "decoded as", "method", "conf", "status", "chars out", "U+FFFD"],
                 rows, "lllllrlrr"))
    print(f"  decode matched the expected encoding for {checks['html_decode_ok']}/{len(checks['html_decode'])} HTML pages")
    for key in ("mojibake_cp1252_whole", "mojibake_cp1252_first_line"):
        c = checks[key]
        print(f"  {key}: {c['planted']} planted, {c['kept']} kept, {c['still_mojibake']} still mojibake after cleaning")
        for example in c["examples"]:
            print(f"      {example['id']}: {example['line']!r}")
    c = checks["mojibake_utf8_as_gbk"]
    print(f"  mojibake_utf8_as_gbk: {c['planted']} planted, {c['kept_unrepaired']} kept unrepaired (no stage handles it)")
    for key in ("exact_duplicates", "whitespace_duplicates"):
        c = checks[key]
        print(f"  {key}: {c['planted']} planted, {c['dropped_as_duplicate_of_original']} dropped as duplicate of the original"
              + (f"; missed {c['missed']}" if c["missed"] else ""))
    c = checks["boilerplate"]
    print(f"  boilerplate: {c['planted']} records with header/footer lines (readable ones), {c['kept']} kept, "
          f"{c['footer_lines_still_in_text']} still carry them")
    c = checks["script"]
    if "skipped" in c:
        print(f"  script check skipped: {c['skipped']}")
    else:
        print(f"  script (target zh-Hans): {c['kept_documents_still_traditional']} of {c['of_kept']} kept documents "
              f"still have >= {c['threshold_chars']} traditional characters: {c['by_source']}")
    print(f"  not kept, by reason: {checks['not_kept_by_reason'] or 'none'}")

    payload = {
        "created": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "machine": {"cores": cores, "python": platform.python_version(), "platform": platform.platform()},
        "command": command,
        "git": git_state,
        "repeat": repeat,
        "dump": {k: v for k, v in dump.items() if k not in ("planted", "html_files")}
        | {"planted": {k: len(v) for k, v in planted.items()}, "html_files": dump["html_files"],
           "build_seconds": build_seconds},
        "runs": results,
        "identical_outputs": identical,
        "output_sha256": hashes,
        "checks": checks,
    }
    results_path = args.out / "results.json"
    results_path.write_text(json.dumps(payload, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print()
    print(f"results: {results_path}")
    if args.keep:
        print(f"outputs kept under {runs_dir}")
    else:
        shutil.rmtree(runs_dir)
    return 0 if identical else 1


if __name__ == "__main__":
    sys.exit(main())
