"""The command line of the contract: check, inspect, specs, rules. Exit 0 pass, 1 fail, 2 could not check."""

from __future__ import annotations

import argparse
import json
import os
import sys
import textwrap
from collections.abc import Sequence
from pathlib import Path

from . import __version__
from .errors import SledcheckError

EXIT_PASS, EXIT_FAIL, EXIT_ERROR = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # bad command line -> exit 2 with usage
        self.print_usage(sys.stderr)
        sys.stderr.write(f"sledcheck: error: {message}\n")
        raise SystemExit(EXIT_ERROR)


def _codes(text: str) -> list[str]:
    return [c.strip() for c in text.split(",") if c.strip()]


def build_parser() -> argparse.ArgumentParser:
    from .report import FORMATS

    parser = _Parser(prog="sledcheck", description="Check server sled designs (CAD exports) for fit and "
                     "air-cooling margin.")
    parser.add_argument("--version", action="version", version=f"sledcheck {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    c = sub.add_parser("check", help="check a design file")
    c.add_argument("design", help="design YAML file")
    c.add_argument("--format", default="text", choices=sorted(FORMATS), help="report on standard output")
    c.add_argument("--output", action="append", default=[], metavar="FORMAT=PATH",
                   help="also write a report file (repeatable)")
    c.add_argument("--fail-on", default="error", choices=["error", "warning", "info", "never"])
    c.add_argument("--select", type=_codes, default=[], metavar="CODES", help="only these codes/prefixes/names")
    c.add_argument("--ignore", type=_codes, default=[], metavar="CODES", help="skip these codes/prefixes/names")
    c.add_argument("--baseline", metavar="FILE", help="fail only on findings not in this baseline")
    c.add_argument("--write-baseline", metavar="FILE", help="record the current findings as a baseline")

    i = sub.add_parser("inspect", help="show what sledcheck sees in a mesh file")
    i.add_argument("mesh")
    i.add_argument("--units", choices=["mm", "cm", "m", "in"], help="units of a unit-less file")
    i.add_argument("--format", default="text", choices=["text", "json"])

    s = sub.add_parser("specs", help="list the built-in spec packs or show one")
    s.add_argument("name", nargs="?")

    r = sub.add_parser("rules", help="list the rules or explain one")
    r.add_argument("code", nargs="?")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command == "check":
            return _check(args)
        if args.command == "inspect":
            return _inspect(args)
        if args.command == "specs":
            return _specs(args)
        return _rules(args)
    except SledcheckError as err:
        sys.stderr.write(f"sledcheck: error: {err}\n")
        return EXIT_ERROR
    except KeyboardInterrupt:
        sys.stderr.write("sledcheck: interrupted\n")
        return EXIT_ERROR
    except BrokenPipeError:   # the reader (e.g. `| head`) stopped early: not an error of ours
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_PASS
    except Exception as err:  # noqa: BLE001 - an internal error still gets exit 2 and a readable line
        sys.stderr.write(f"sledcheck: internal error: {type(err).__name__}: {err}\n"
                         "please report this with the design that caused it\n")
        return EXIT_ERROR


def _progress():  # type: ignore[no-untyped-def]
    if not sys.stderr.isatty():
        return None

    def show(message: str) -> None:
        sys.stderr.write(f"\r\x1b[K{message[:100]}")
        sys.stderr.flush()

    return show


def _check(args: argparse.Namespace) -> int:
    from .pipeline import baseline_text, check
    from .report import FORMATS
    from .report.write import write_atomic

    outputs = []
    for item in args.output:
        fmt, sep, path = item.partition("=")
        if not sep or not path:
            raise SledcheckError(f"--output {item!r}: expected FORMAT=PATH, e.g. json=report.json")
        if fmt not in FORMATS:
            raise SledcheckError(f"--output {item!r}: unknown format {fmt!r}",
                                 hint=f"formats: {', '.join(sorted(FORMATS))}")
        outputs.append((fmt, Path(path)))
    for target in [p for _, p in outputs] + ([Path(args.write_baseline)] if args.write_baseline else []):
        if target.is_dir():
            raise SledcheckError("is a folder; give a file name", file=target)
        if not (target.parent if str(target.parent) else Path(".")).is_dir():
            raise SledcheckError("the output folder does not exist", file=target, hint="create it first")
    progress = _progress()
    wants_views = "html" in {args.format, *(fmt for fmt, _ in outputs)}
    report = check(args.design, fail_on=args.fail_on, select=args.select, ignore=args.ignore,
                   baseline=args.baseline, progress=progress, views=wants_views)
    if progress:
        sys.stderr.write("\r\x1b[K")
    for fmt, path in outputs:
        write_atomic(path, FORMATS[fmt](report))
    if args.write_baseline:
        write_atomic(Path(args.write_baseline), baseline_text(report))
    sys.stdout.write(FORMATS[args.format](report))
    if report.incomplete:
        crashed = ", ".join(sorted({str(f.data.get("rule")) for f in report.findings if f.code == "X001"}))
        sys.stderr.write(f"sledcheck: error: {args.design}: the check is incomplete: rule(s) {crashed} crashed "
                         "(see X001 in the report)\n")
    if args.format not in ("text",) and sys.stderr.isatty():
        sys.stderr.write(f"verdict: {report.verdict}\n")
    return report.exit_code


def _inspect(args: argparse.Namespace) -> int:
    from .inspect import inspect_mesh

    info = inspect_mesh(args.mesh, args.units)
    if args.format == "json":
        sys.stdout.write(json.dumps(info, indent=2) + "\n")
        return EXIT_PASS
    ext = info["extents"]["value"]
    lines = [
        f"file:        {info['file']}",
        f"units:       {info['units']} ({info['units_source']})",
        f"bodies:      {info['bodies']} shells in {len(info['body_names'])} bodies",
        f"triangles:   {info['triangles']}",
        f"watertight:  {info['watertight']} (winding consistent: {info['winding_consistent']}, "
        f"inverted shells: {info['inverted_bodies']}, degenerate faces: {info['degenerate_faces']})",
        f"extents:     {ext[0]:.4g} x {ext[1]:.4g} x {ext[2]:.4g} mm",
        f"volume:      {info['volume']['value']:.6g} mm^3" if info["volume"] else "volume:      n/a (not closed)",
    ]
    hs = info["heatsink"]
    if hs:
        lines.append(f"heat sink:   straight plate-fin, {hs['fin_count']} fins {hs['fin_thickness']['value']:.3g} mm "
                     f"thick, gap {hs['fin_gap']['value']:.3g} mm, fin height {hs['fin_height']['value']:.4g} mm, "
                     f"base {hs['base_thickness']['value']:.3g} mm, {hs['length']['value']:.4g} mm long x "
                     f"{hs['width']['value']:.4g} mm wide, flow along {hs['flow_axis']}")
    else:
        reason = info.get("heatsink_reason") or info.get("feature_error") or ""
        lines.append("heat sink:   not recognised as a straight plate-fin heat sink"
                     + (f" ({reason})" if reason else ""))
    holes = info.get("holes") or []
    lines.append(f"holes:       {len(holes)} circular through-holes")
    for h in holes:
        c = h["center"]["value"]
        lines.append(f"             d {h['diameter']['value']:.3f} mm at ({c[0]:.3f}, {c[1]:.3f}, {c[2]:.3f}) "
                     f"along {h['axis']}")
    sys.stdout.write("\n".join(lines) + "\n")
    return EXIT_PASS


def _specs(args: argparse.Namespace) -> int:
    from .load.design import display_path
    from .load.specs import builtin_packs, load_pack, resolve_pack

    if not args.name:
        for name in builtin_packs():
            pack = load_pack(resolve_pack(name, Path.cwd()))
            sys.stdout.write(f"{name:24} {pack.title}\n")
        return EXIT_PASS
    try:
        path = resolve_pack(args.name, Path.cwd())
    except (KeyError, FileNotFoundError):
        raise SledcheckError(f"no spec pack {args.name!r}",
                             hint=f"built-in packs: {', '.join(builtin_packs())}") from None
    pack = load_pack(path, display_path(path))
    lines = [f"{pack.name}: {pack.title}", f"file: {pack.file}"]
    if pack.description:
        lines += [""] + textwrap.wrap(pack.description.strip(), width=100)
    lines.append("")
    for key, value in pack.all_values().items():
        shown = f"{value.quantity:~P}" if value.quantity is not None else "(not set)"
        source = pack.sources.get(value.source or "", value.source or "")
        lines.append(f"  {key:28} {shown:>14}  [{value.status}]  {source}"
                     + (f", {value.clause}" if value.clause else ""))
        if value.note:
            lines.append(f"  {'':28} {'':>14}  note: {value.note}")
    sys.stdout.write("\n".join(lines) + "\n")
    return EXIT_PASS


def _rules(args: argparse.Namespace) -> int:
    from .checks.registry import all_rules, find_rule

    if not args.code:
        for rule in all_rules():
            sys.stdout.write(f"{rule.code}  {rule.name:24} {rule.severity:8} {rule.summary}\n")
        return EXIT_PASS
    rule = find_rule(args.code)
    if rule is None:
        raise SledcheckError(f"no rule {args.code!r}", hint="`sledcheck rules` lists them")
    text = [f"{rule.code} {rule.name} (default severity: {rule.severity})", "", rule.summary, "",
            "Why: " + rule.explanation, "", "How to fix: " + rule.fix]
    if rule.configured_by:
        text += ["", "Configured by: " + rule.configured_by]
    if rule.options:
        text += ["", f"Options (rules: {{{rule.code}: {{NAME: VALUE}}}}):"]
        text += [f"  {o.name}: {o.help} (default: {o.default})" for o in rule.options]
    text += ["", f"Change its severity in a design: severity: {{{rule.code}: warning}} (error, warning, info, off)."]
    sys.stdout.write("\n".join(text) + "\n")
    return EXIT_PASS
