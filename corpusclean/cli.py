"""Command line: ``corpusclean run`` builds a version, ``corpusclean clean`` cleans one document.

Exit codes: 0 success, 2 usage or config error (nothing was done), 1 the run failed.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from corpusclean import config as config_module


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse exits 2 on usage errors, as we want
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: error: {message}\n")


def _build_parser() -> argparse.ArgumentParser:
    from corpusclean import __version__

    parser = _Parser(prog="corpusclean", description="Turn raw web scrapes into a clean, versioned corpus.")
    parser.add_argument("--version", action="version", version=f"corpusclean {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    def common(sub: argparse.ArgumentParser) -> None:
        sub.add_argument("--config", metavar="FILE",
                         help=f"TOML config (default: ./{config_module.CONFIG_FILENAME} if present)")
        sub.add_argument("--set", dest="overrides", action="append", default=[], metavar="SECTION.KEY=VALUE",
                         help="override one config value (TOML syntax; repeatable), e.g. script.target=zh-TW")

    run = commands.add_parser("run", help="clean inputs into a new version under the output directory")
    run.add_argument("inputs", nargs="*", default=["raw"], metavar="INPUT",
                     help="input files or directories (default: raw)")
    run.add_argument("--out", default="clean", metavar="DIR", help="output root holding the versions (default: clean)")
    run.add_argument("--workers", type=int, default=None, metavar="N", help="worker processes (default: all cores)")
    run.add_argument("--rebuild", action="store_true", help="rebuild in full even if an incremental run would do")
    run.add_argument("--wait", action="store_true", help="wait for another run on the same output instead of failing")
    run.add_argument("--no-progress", action="store_true", help="no progress bar")
    common(run)

    clean = commands.add_parser("clean", help="clean one document and print the text")
    clean.add_argument("file", nargs="?", default="-", help="file to clean, or - for standard input (default)")
    clean.add_argument("--json", action="store_true", help="print text, meta, trace and drop reason as JSON")
    clean.add_argument("--html", action="store_true", help="treat the input as HTML")
    common(clean)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _build_parser().parse_args(argv)
    try:
        config = config_module.load(args.config, args.overrides)
    except config_module.ConfigError as error:
        print(f"corpusclean: config error: {error}", file=sys.stderr)
        return 2
    if args.command == "run":
        return _run(args, config)
    return _clean(args, config)


def _run(args: argparse.Namespace, config: config_module.Config) -> int:
    from corpusclean.runner import run
    from corpusclean.store.versions import StoreError

    if args.workers is not None and args.workers < 1:
        print("corpusclean: --workers must be at least 1", file=sys.stderr)
        return 2
    missing = [p for p in args.inputs if not Path(p).exists()]
    if missing:
        print(f"corpusclean: input not found: {missing[0]}", file=sys.stderr)
        return 2
    try:
        result = run(args.inputs, args.out, config, workers=args.workers, rebuild=args.rebuild,
                     wait=args.wait, progress=False if args.no_progress else None)
    except StoreError as error:
        print(f"corpusclean: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("corpusclean: interrupted; no version was written", file=sys.stderr)
        return 1
    except Exception as error:  # report, don't dump a traceback on the user; the version was not written
        print(f"corpusclean: run failed, no version was written: {type(error).__name__}: {error}", file=sys.stderr)
        return 1
    for message in result.messages:
        print(message)
    if result.status == "written":
        print(format_summary(result.manifest))
    print(result.version)
    return 0


def format_summary(manifest: dict[str, Any]) -> str:
    """A plain-text table of what a run did: documents, drops by reason, speed, per-stage counts."""
    run = manifest["run"]
    lines = [
        f"version {manifest['version']}"
        + (f" (parent {manifest['parent']}{', full rebuild: ' + manifest['rebuild_reason'] if manifest['rebuild'] else ', incremental'})"
           if manifest["parent"] else ""),
        f"  input files      {run['input_files']:>10}   {run['input_bytes'] / 1e6:10.2f} MB",
        f"  documents in     {run['documents']:>10}",
        f"  kept             {run['kept']:>10}",
    ]
    for reason, count in run["dropped"].items():
        lines.append(f"  dropped {reason:<20} {count:>6}")
    for reason, count in run["failed"].items():
        lines.append(f"  failed  {reason:<20} {count:>6}")
    speed = run["mb_per_second"]
    lines.append(f"  time             {run['seconds']:>10.2f} s    {speed if speed is not None else 0:10.2f} MB/s")
    lines.append(f"  corpus now       {manifest['corpus']['documents']:>10} documents in {manifest['corpus']['shards']} shard(s)")
    lines.append("  stage            in     out  changed  dropped   seconds")
    for name, stats in manifest["stages"].items():
        dropped = sum(stats["dropped"].values()) + sum(stats["failed"].values())
        lines.append(f"  {name:<12} {stats['in']:>6}  {stats['out']:>6}  {stats['changed']:>7}  {dropped:>7}  {stats['seconds']:>8.3f}")
    return "\n".join(lines)


def _clean(args: argparse.Namespace, config: config_module.Config) -> int:
    from corpusclean.api import clean

    try:
        data = sys.stdin.buffer.read() if args.file == "-" else Path(args.file).read_bytes()
    except OSError as error:
        print(f"corpusclean: cannot read {args.file}: {error.strerror or error}", file=sys.stderr)
        return 2
    html = args.html or args.file.lower().endswith((".html", ".htm"))
    result = clean(data, config.to_dict(), id=args.file, format="html" if html else None)
    if args.json:
        print(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
    elif result.dropped:
        print(f"corpusclean: dropped: {result.dropped}", file=sys.stderr)
    else:
        sys.stdout.write(result.text + ("" if result.text.endswith("\n") else "\n"))
    return 0
