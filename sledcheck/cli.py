"""The command line of the contract: check, inspect, specs, rules. Exit 0 pass, 1 fail, 2 could not check."""

from __future__ import annotations

import argparse
import codecs
import contextlib
import io
import os
import sys
import textwrap
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from .errors import SledcheckError, printable
from .version import __version__

if TYPE_CHECKING:
    from .load.design import Design
    from .report.write import TargetKey

EXIT_PASS, EXIT_FAIL, EXIT_ERROR = 0, 1, 2
EXIT_INTERRUPTED = 130   # 128 + SIGINT, as shells report Ctrl-C


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # bad command line -> exit 2 with usage
        self.print_usage(sys.stderr)
        sys.stderr.write(f"sledcheck: error: {message}\n")
        raise SystemExit(EXIT_ERROR)


def _codes(text: str) -> list[str]:
    return [c.strip() for c in text.split(",") if c.strip()]


def build_parser() -> argparse.ArgumentParser:
    from .report import FORMAT_NAMES

    parser = _Parser(prog="sledcheck", description="Check server sled designs (CAD exports) for fit and "
                     "air-cooling margin.")
    parser.add_argument("--version", action="version", version=f"sledcheck {__version__}")
    parser.add_argument("--debug", action="store_true",
                        help="show the traceback of an internal error (or set SLEDCHECK_DEBUG=1)")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    c = sub.add_parser("check", help="check a design file")
    c.add_argument("design", nargs="+", help="design YAML file (several, or a quoted glob: each is checked, in "
                   "parallel, and the exit code is the worst)")
    c.add_argument("--format", default="text", choices=sorted(FORMAT_NAMES),
                   help="report on standard output")
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

    n = sub.add_parser("init", help="write a commented design for an assembly export (STEP, GLB, 3MF)")
    n.add_argument("assembly", help="the assembly file")
    n.add_argument("-o", "--output", default="design.yaml", help="the design file to write (default design.yaml)")
    n.add_argument("--force", action="store_true", help="overwrite the design file if it exists")
    n.add_argument("--units", choices=["mm", "cm", "m", "in"], help="units of a unit-less file")

    w = sub.add_parser("sweep", help="check every case of a design space (fit and thermal margin)")
    w.add_argument("design", help="design YAML file")
    w.add_argument("--vary", action="append", default=[], metavar="PATH=LO..HI:N",
                   help="a dotted path into the design and its values: LO..HI:N or V1,V2,... (repeatable)")
    w.add_argument("--sample", metavar="lhs:N", help="a Latin-hypercube sample of N cases instead of the grid")
    m = sub.add_parser("montecarlo", help="sample the tolerances and thermal inputs together")
    m.add_argument("design", help="design YAML file")
    m.add_argument("--samples", type=int, metavar="N", help="samples (default: the design's tolerances.samples)")
    for command in (w, m):
        command.add_argument("--seed", type=int, help="random seed (default: the design's, else 1)")
        command.add_argument("--scheduler", metavar="local[:N]|tcp://HOST:PORT",
                             help="where the cases run (default $SLEDCHECK_SCHEDULER, else local: every core)")
        command.add_argument("--output", action="append", default=[], metavar="FORMAT=PATH",
                             help="write a table or page: " + ("csv, parquet, json, html" if command is w
                                                               else "json, csv (every sample), html"))

    s = sub.add_parser("specs", help="list the built-in spec packs or show one")
    s.add_argument("name", nargs="?")

    r = sub.add_parser("rules", help="list the rules or explain one")
    r.add_argument("code", nargs="?")
    for command in (c, i, n):
        command.add_argument("--no-cache", action="store_true",
                             help="mesh STEP files afresh and keep nothing (or set SLEDCHECK_NO_CACHE=1)")
    for command in (c, i, n, s, r, w, m):
        command.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                             help="show the traceback of an internal error (or set SLEDCHECK_DEBUG=1)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (0 pass, 1 fail, 2 could not check, 130 interrupted)."""
    args: argparse.Namespace | None = None
    try:
        args = build_parser().parse_args(argv)
        if getattr(args, "no_cache", False):
            from .load.cache import disabled

            token = disabled.set(True)
            try:
                return _run(args)
            finally:
                disabled.reset(token)
        return _run(args)
    except SledcheckError as err:
        _say(f"sledcheck: error: {err}")
        return EXIT_ERROR
    except KeyboardInterrupt:
        _say("sledcheck: interrupted")
        return EXIT_INTERRUPTED
    except BrokenPipeError:   # the reader (e.g. `| head`) stopped early: not an error of ours
        _silence_stdout()
        return EXIT_PASS
    except Exception as err:  # noqa: BLE001 - an internal error still gets exit 2 and a readable line
        if _debug(args):
            _say(traceback.format_exc().rstrip())
        _say(f"sledcheck: internal error: {type(err).__name__}: {printable(str(err)[:500])}\n"
             "please report this with the design that caused it"
             + ("" if _debug(args) else " (run with --debug or SLEDCHECK_DEBUG=1 for the traceback)"))
        return EXIT_ERROR


def _run(args: argparse.Namespace) -> int:
    if args.command == "check":
        return _check(args)
    if args.command == "inspect":
        return _inspect(args)
    if args.command == "init":
        from .init import run_init

        return run_init(args.assembly, args.output, force=args.force, units=args.units)
    if args.command == "specs":
        return _specs(args)
    if args.command in ("sweep", "montecarlo"):
        return _explore(args)
    return _rules(args)


def _debug(args: argparse.Namespace | None) -> bool:
    return bool(getattr(args, "debug", False)) or os.environ.get("SLEDCHECK_DEBUG", "") not in ("", "0")


def _say(message: str) -> None:
    """One message on stderr; a closed or full stderr is not worth a traceback."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        sys.stderr.write(message + "\n")
        sys.stderr.flush()


def _silence_stdout() -> None:
    """Point stdout at /dev/null so Python's final flush cannot fail again (full disk, closed pipe)."""
    with contextlib.suppress(OSError, ValueError, AttributeError, io.UnsupportedOperation):
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def _emit(text: str, fmt: str = "text") -> None:
    """Write a report to stdout in an encoding it can take (escapes where it cannot), flushed."""
    stream = sys.stdout
    if stream is None:
        raise SledcheckError("standard output is closed, so the report cannot be shown",
                             hint="do not close it with >&-; redirect it to a file or use --output FORMAT=PATH")
    try:
        stream.write(_encodable(text, fmt, getattr(stream, "encoding", None) or "utf-8"))
        stream.flush()
    except BrokenPipeError:
        raise
    except (OSError, ValueError) as err:
        _silence_stdout()
        reason = getattr(err, "strerror", None) or str(err)
        raise SledcheckError(f"cannot write the report to standard output: {reason}",
                             hint="check the disk or the pipe it goes to; or use --output FORMAT=PATH") from None


def _json_escapes(err: UnicodeError) -> tuple[str, int]:
    """Codec error handler: characters the stream cannot take as JSON \\uXXXX escapes (valid JSON)."""
    if not isinstance(err, UnicodeEncodeError):
        raise err
    out = []
    for ch in err.object[err.start:err.end]:
        code = ord(ch)
        if code > 0xFFFF:
            code -= 0x10000
            out.append(f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}")
        else:
            out.append(f"\\u{code:04x}")
    return "".join(out), err.end


codecs.register_error("sledcheck-json", _json_escapes)
_ESCAPES = {"json": "sledcheck-json", "sarif": "sledcheck-json", "junit": "xmlcharrefreplace",
            "html": "xmlcharrefreplace"}


def _encodable(text: str, fmt: str, encoding: str) -> str:
    """``text`` unchanged when ``encoding`` holds it, else with escapes that keep the format valid."""
    try:
        text.encode(encoding)
        return text
    except UnicodeEncodeError:
        return text.encode(encoding, _ESCAPES.get(fmt, "backslashreplace")).decode(encoding)
    except LookupError:
        return text


def _progress() -> Callable[[str], None] | None:
    if not sys.stderr or not sys.stderr.isatty():
        return None

    def show(message: str) -> None:
        sys.stderr.write(f"\r\x1b[K{message[:100]}")
        sys.stderr.flush()

    return show


def _check(args: argparse.Namespace) -> int:
    designs = _designs(args.design)
    if len(designs) > 1:
        return _check_many(args, designs)
    args.design = designs[0]
    return _check_one(args)


def _designs(given: Sequence[str]) -> list[str]:
    """The design files: each argument, a quoted glob expanded (sorted), each file once."""
    import glob

    out: list[str] = []
    for item in given:
        found = sorted(glob.glob(item)) if any(ch in item for ch in "*?[") and not Path(item).exists() else []
        out += found or [item]   # a pattern that matches nothing is read as a name: "file not found"
    return list(dict.fromkeys(out))


def _check_one(args: argparse.Namespace) -> int:
    from .pipeline import baseline_text, check, load
    from .report import renderer
    from .report.write import write_atomic

    if not args.design.strip():
        raise SledcheckError("argument design: the path is empty", hint="give the design YAML file")
    outputs = _outputs(args)
    targets = _check_targets(outputs)
    design = load(args.design)   # read_yaml refuses FIFOs, devices, loops and NUL bytes, within its limits
    _refuse_inputs(targets, _inputs(design, args.baseline))
    progress = _progress()
    wants_views = "html" in {args.format, *(fmt for fmt, _ in outputs)}
    report = check(design, fail_on=args.fail_on, select=args.select, ignore=args.ignore,
                   baseline=args.baseline, progress=progress, views=wants_views)
    if progress:
        sys.stderr.write("\r\x1b[K")
    for fmt, path in outputs:
        write_atomic(path, baseline_text(report) if fmt == BASELINE else renderer(fmt)(report))
    _emit(renderer(args.format)(report), args.format)
    if report.incomplete:
        crashed = ", ".join(sorted({str(f.data.get("rule")) for f in report.findings if f.code == "X001"}))
        _say(f"sledcheck: error: {printable(args.design)}: the check is incomplete: rule(s) {crashed} crashed "
             "(see X001 in the report)")
    if args.format not in ("text",) and sys.stderr and sys.stderr.isatty():
        _say(f"verdict: {report.verdict}")
    return report.exit_code


BASELINE = "baseline"   # the pseudo-format of --write-baseline among the outputs


def _check_many(args: argparse.Namespace, designs: list[str]) -> int:
    """Several designs: each checked (designs that share a mesh file in one process, reading it once; the others
    in parallel), one report file each (``--output FORMAT=PATH`` with ``{name}``, the design's file name without
    its extension), each text report and a summary on stdout (or one JSON document); the worst exit code."""
    from .pipeline import load

    if args.baseline or args.write_baseline:
        raise SledcheckError("--baseline and --write-baseline take one design", hint="check the designs one by one")
    if args.format not in ("text", "json"):
        raise SledcheckError(f"--format {args.format} shows one design; with several, write each report with "
                             f"--output {args.format}=reports/{{name}}.{args.format}")
    names = [Path(d).stem for d in designs]
    if len(set(names)) != len(names):
        twice = sorted({n for n in names if names.count(n) > 1})
        raise SledcheckError(f"two designs are both named {twice[0]!r}; their reports would share a name",
                             hint="rename one, or check them in separate runs")
    outputs = _outputs(args)
    for fmt, path in outputs:
        if "{name}" not in str(path):
            raise SledcheckError(f"--output {fmt}={path}: with several designs the path needs {{name}}",
                                 hint=f"e.g. --output {fmt}=reports/{{name}}.{fmt}")
    loaded: dict[str, Design] = {}
    results: dict[str, tuple[int, str, str]] = {}
    for d in designs:   # a file that is not a valid design (a glob catching another YAML) is its own error
        try:
            loaded[d] = load(d)
        except SledcheckError as err:
            results[d] = _failed(err, args.format)
    for design_path, design in loaded.items():
        name = Path(design_path).stem
        targets = _check_targets([(f, Path(str(p).replace("{name}", name))) for f, p in outputs])
        _refuse_inputs(targets, _inputs(design, None))
    groups = _sharing(loaded)
    options = {"fail_on": args.fail_on, "select": args.select, "ignore": args.ignore, "format": args.format,
               "outputs": [(f, str(p)) for f, p in outputs]}
    if len(groups) <= 1 or (os.cpu_count() or 1) == 1:
        for group in groups:
            results.update(_check_group(group, options))
    else:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=min(len(groups), os.cpu_count() or 1), mp_context=context) as pool:
            for found in pool.map(_check_group, groups, [options] * len(groups)):
                results.update(found)
    codes = [results[d][0] for d in designs]
    if args.format == "json":
        import json as json_module

        from .report.json_format import strict_json

        _emit(strict_json({"designs": [{"design": d, "exit_code": results[d][0], "verdict": results[d][1],
                                        "report": json_module.loads(results[d][2]) if results[d][0] != EXIT_ERROR
                                        else None}
                                       | ({"error": results[d][2]} if results[d][0] == EXIT_ERROR else {})
                                       for d in designs], "exit_code": max(codes)}, indent=2) + "\n", "json")
    else:
        lines = []
        for d in designs:
            lines += [f"== {d}", results[d][2].rstrip("\n"), ""]
        lines.append(f"summary: {len(designs)} designs")
        lines += [f"  {results[d][1]:<10} {d}" for d in designs]
        _emit("\n".join(lines) + "\n")
    return max(codes)


def _sharing(designs: dict[str, Design]) -> list[list[str]]:
    """The designs in groups that share no mesh file with another group (each group runs in one process)."""
    groups: list[tuple[set[str], list[str]]] = []
    for path, design in designs.items():
        files = {str(p.file.resolve()) for p in design.parts}
        joined = [g for g in groups if g[0] & files]
        for g in joined:
            groups.remove(g)
            files |= g[0]
        groups.append((files, [d for g in joined for d in g[1]] + [path]))
    return [members for _, members in groups]


def _check_group(designs: list[str], options: dict) -> dict[str, tuple[int, str, str]]:
    """Check ``designs`` in this process, each mesh file read once; (exit code, verdict, what stdout shows)."""
    from .load.meshes import shared_meshes
    from .pipeline import check
    from .report import renderer
    from .report.write import write_atomic

    token = shared_meshes.set({})
    out: dict[str, tuple[int, str, str]] = {}
    try:
        for design in designs:
            try:
                wants_views = "html" in {fmt for fmt, _ in options["outputs"]}
                report = check(design, fail_on=options["fail_on"], select=options["select"],
                               ignore=options["ignore"], views=wants_views)
                for fmt, path in options["outputs"]:
                    write_atomic(Path(path.replace("{name}", Path(design).stem)), renderer(fmt)(report))
                out[design] = (report.exit_code, report.verdict, renderer(options["format"])(report))
            except SledcheckError as err:
                out[design] = _failed(err, options["format"])
    finally:
        shared_meshes.reset(token)
    return out


def _failed(err: SledcheckError, fmt: str) -> tuple[int, str, str]:
    """A design that could not be checked, among several: (exit 2, "error", the error as stdout shows it: a
    text line, or the bare message for the JSON document's ``error``); also said on stderr."""
    _say(f"sledcheck: error: {err}")
    return EXIT_ERROR, "error", f"sledcheck: error: {err}\n" if fmt == "text" else str(err)


def _outputs(args: argparse.Namespace) -> list[tuple[str, Path]]:
    """(format, path) for each --output, then ("baseline", path) for --write-baseline."""
    from .report import FORMAT_NAMES

    outputs = []
    for item in args.output:
        fmt, sep, path = item.partition("=")
        if not sep or not path:
            raise SledcheckError(f"--output {item!r}: expected FORMAT=PATH, e.g. json=report.json")
        if fmt not in FORMAT_NAMES:
            raise SledcheckError(f"--output {item!r}: unknown format {fmt!r}",
                                 hint=f"formats: {', '.join(sorted(FORMAT_NAMES))}")
        outputs.append((fmt, Path(path)))
    if args.write_baseline:
        outputs.append((BASELINE, Path(args.write_baseline)))
    return outputs


def _option(fmt: str) -> str:
    return "--write-baseline" if fmt == BASELINE else f"--output {fmt}"


def _check_targets(outputs: list[tuple[str, Path]]) -> list[tuple[str, Path, TargetKey]]:
    """Refuse symlinks, special files, folders and two outputs to one file, before any work starts."""
    from .report.write import check_target

    seen: dict[TargetKey, str] = {}
    targets = []
    for fmt, path in outputs:
        key = check_target(path, _option(fmt))
        if key in seen:
            raise SledcheckError(f"{_option(fmt)} and {seen[key]} write the same file", file=path,
                                 hint="give each report its own path")
        seen[key] = _option(fmt)
        targets.append((fmt, path, key))
    return targets


def _inputs(design: Design, baseline: str | None) -> dict[tuple[int, int], str]:
    """(st_dev, st_ino) of every file the run reads -> what it is, for refusing to write over one."""
    named = [*design.input_files(), *([(Path(baseline), "the --baseline file")] if baseline else [])]
    identities: dict[tuple[int, int], str] = {}
    for path, what in named:
        with contextlib.suppress(OSError, ValueError):
            info = os.stat(path)
            identities.setdefault((info.st_dev, info.st_ino), what)
    return identities


def _refuse_inputs(targets: list[tuple[str, Path, TargetKey]], inputs: dict[tuple[int, int], str]) -> None:
    for fmt, path, key in targets:
        identity = (int(key[1]), int(key[2])) if key[0] == "inode" else None
        if identity is not None and identity in inputs:
            raise SledcheckError(f"is {inputs[identity]}, which this run reads; writing the report "
                                 "there would destroy it", file=path, field=_option(fmt),
                                 hint="write the report to another path, e.g. report.json")


def _inspect(args: argparse.Namespace) -> int:
    from .inspect import inspect_mesh
    from .report.json_format import strict_json

    if not args.mesh.strip():
        raise SledcheckError("argument mesh: the path is empty", hint="give a mesh or CAD file")
    info = inspect_mesh(args.mesh, args.units)   # the mesh loader refuses FIFOs, devices and loops itself
    if args.format == "json":
        _emit(strict_json(info, indent=2) + "\n", "json")
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
    if hs and hs.get("type") == "pin-fin":
        value = {k: hs[k]["value"] for k in ("pin_diameter", "pitch_along", "pitch_across", "fin_height",
                                             "base_thickness", "length", "width")}
        lines.append(f"heat sink:   pin-fin, {hs['pin_count']} {hs['layout']} pins {value['pin_diameter']:.3g} mm, "
                     f"pitch {value['pitch_along']:.3g} x {value['pitch_across']:.3g} mm (along x across), height "
                     f"{value['fin_height']:.4g} mm, base {value['base_thickness']:.3g} mm, {value['length']:.4g} mm "
                     f"long x {value['width']:.4g} mm wide, flow along {hs['flow_axis']}")
    elif hs:
        lines.append(f"heat sink:   straight plate-fin, {hs['fin_count']} fins {hs['fin_thickness']['value']:.3g} mm "
                     f"thick, gap {hs['fin_gap']['value']:.3g} mm, fin height {hs['fin_height']['value']:.4g} mm, "
                     f"base {hs['base_thickness']['value']:.3g} mm, {hs['length']['value']:.4g} mm long x "
                     f"{hs['width']['value']:.4g} mm wide, flow along {hs['flow_axis']}")
    else:
        reason = info.get("heatsink_reason") or info.get("feature_error") or ""
        lines.append("heat sink:   not recognised as a straight plate-fin or pin-fin heat sink"
                     + (f" ({reason})" if reason else ""))
    holes = info.get("holes") or []
    lines.append(f"holes:       {len(holes)} circular through-holes")
    for h in holes:
        c = h["center"]["value"]
        lines.append(f"             d {h['diameter']['value']:.3f} mm at ({c[0]:.3f}, {c[1]:.3f}, {c[2]:.3f}) "
                     f"along {h['axis']}")
    tree = info["tree"]
    if len(tree) > 1 or (tree and tree[0]["path"] != tree[0]["name"]):
        lines.append(f"tree:        {len(tree)} bodies (path, triangles, chord error)")
        for body in tree[:TREE_LINES]:
            chord = f", chord {body['chord_error']['value']:.3g} mm" if body["chord_error"] else ""
            named = f" [{body['name']}]" if body["path"].rsplit("/", 1)[-1] != body["name"] else ""
            lines.append(f"             {body['path']}{named}: {body['triangles']} triangles{chord}")
        if len(tree) > TREE_LINES:
            lines.append(f"             ... and {len(tree) - TREE_LINES} more (--format json lists all)")
    for skipped in info["skipped"]:
        lines.append(f"skipped:     {skipped['path']}: {skipped['reason']}")
    for warning in info["warnings"]:
        lines.append(f"warning:     {warning}")
    _emit("\n".join(lines) + "\n")
    return EXIT_PASS


TREE_LINES = 200   # bodies the text form of inspect lists


def _specs(args: argparse.Namespace) -> int:
    from .load.specs import builtin_packs, load_pack, resolve_pack

    if not args.name:
        for name in builtin_packs():
            pack = load_pack(resolve_pack(name, Path.cwd()))
            _emit(f"{name:24} {pack.title}\n")
        return EXIT_PASS
    try:
        path = resolve_pack(args.name, Path.cwd())
    except (KeyError, FileNotFoundError):
        raise SledcheckError(f"no spec pack {args.name!r}",
                             hint=f"built-in packs: {', '.join(builtin_packs())}") from None
    from .load.design import display_path

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
    lines += pack.entry_lines()
    _emit("\n".join(lines) + "\n")
    return EXIT_PASS


def _rules(args: argparse.Namespace) -> int:
    from .checks.registry import all_rules, find_rule

    if not args.code:
        for rule in all_rules():
            _emit(f"{rule.code}  {rule.name:24} {rule.severity:8} {rule.summary}\n")
        return EXIT_PASS
    found = find_rule(args.code)
    if found is None:
        raise SledcheckError(f"no rule {args.code!r}", hint="`sledcheck rules` lists them")
    rule = found
    text = [f"{rule.code} {rule.name} (default severity: {rule.severity})", "", rule.summary, "",
            "Why: " + rule.explanation, "", "How to fix: " + rule.fix]
    if rule.configured_by:
        text += ["", "Configured by: " + rule.configured_by]
    if rule.options:
        text += ["", f"Options (rules: {{{rule.code}: {{NAME: VALUE}}}}):"]
        text += [f"  {o.name}: {o.help} (default: {o.default})" for o in rule.options]
    text += ["", f"Change its severity in a design: severity: {{{rule.code}: warning}} (error, warning, info, off)."]
    _emit("\n".join(text) + "\n")
    return EXIT_PASS


SWEEP_FORMATS = ("csv", "parquet", "json", "html")
MONTECARLO_FORMATS = ("json", "csv", "html")


def _explore(args: argparse.Namespace) -> int:
    """``sweep`` and ``montecarlo``: the cases, a summary on stdout, the tables and pages asked for."""
    from .pipeline import load
    from .report.json_format import strict_json
    from .report.write import write_atomic

    formats = SWEEP_FORMATS if args.command == "sweep" else MONTECARLO_FORMATS
    outputs = []
    for item in args.output:
        fmt, sep, path = item.partition("=")
        if not sep or not path or fmt not in formats:
            raise SledcheckError(f"--output {item!r}: expected FORMAT=PATH with FORMAT one of {', '.join(formats)}")
        outputs.append((fmt, Path(path)))
    if not args.design.strip():
        raise SledcheckError("argument design: the path is empty", hint="give the design YAML file")
    targets = _check_targets(outputs)
    inputs = _inputs(load(args.design), None)
    if args.command == "sweep":   # a file a varied value names (another mesh, another fan model) is read too
        from .sweep import parse_vary

        base = Path(args.design).parent
        for text in args.vary:
            for choice in parse_vary(text).choices:
                for path in (base / str(choice), Path(str(choice))):
                    with contextlib.suppress(OSError, ValueError):
                        info = os.stat(path)
                        inputs.setdefault((info.st_dev, info.st_ino), f"a file the --vary values name ({choice})")
    _refuse_inputs(targets, inputs)
    if any(fmt == "parquet" for fmt, _ in outputs):
        import importlib.util

        if importlib.util.find_spec("pyarrow") is None:   # say so before the cases run, not after
            raise SledcheckError("--output parquet=... needs pyarrow", hint="pip install 'sledcheck[parquet]'")
    progress = _case_progress()
    if args.command == "sweep":
        from .sweep import parse_vary, sweep
        from .sweep.page import render_page
        from .sweep.summary import sweep_text
        from .sweep.tables import csv_text, json_dict, parquet_bytes

        result = sweep(args.design, [parse_vary(v) for v in args.vary], args.sample,
                       args.seed if args.seed is not None else 1, args.scheduler, progress)
        writers: dict[str, Callable[[], str | bytes]] = {
            "csv": lambda: csv_text(result), "parquet": lambda: parquet_bytes(result),
            "json": lambda: strict_json(json_dict(result), indent=2) + "\n",
            "html": lambda: render_page(result)}
        summary = sweep_text(result)
        failed = any(c.error for c in result.cases)
    else:
        from .sweep.montecarlo import montecarlo
        from .sweep.summary import montecarlo_csv, montecarlo_dict, montecarlo_page, montecarlo_text

        mc = montecarlo(args.design, args.samples, args.seed, args.scheduler, progress)
        writers = {"json": lambda: strict_json(montecarlo_dict(mc), indent=2) + "\n",
                   "csv": lambda: montecarlo_csv(mc), "html": lambda: montecarlo_page(mc)}
        summary = montecarlo_text(mc)
        failed = False
    if progress:
        sys.stderr.write("\r\x1b[K")
    for fmt, path in outputs:
        write_atomic(path, writers[fmt]())
    _emit(summary)
    return EXIT_ERROR if failed else EXIT_PASS


def _case_progress() -> Callable[[int, int], None] | None:
    """Cases done of all, on a terminal's stderr."""
    if not sys.stderr or not sys.stderr.isatty():
        return None

    def show(done: int, total: int) -> None:
        sys.stderr.write(f"\r\x1b[K{done:,} of {total:,} done")
        sys.stderr.flush()

    return show
