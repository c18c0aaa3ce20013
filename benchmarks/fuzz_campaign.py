"""The long fuzz campaign (issue 8): thousands of hostile inputs through the sledcheck command line.

    python benchmarks/fuzz_campaign.py [--cases N] [--seed S] [--jobs 2] [--out results.json]
                                       [--timeout 60] [--memory-gib 4] [--subprocess] [--only KIND,...]
    python benchmarks/fuzz_campaign.py --repro CASE_ID [--seed S] --dir DIR    # write one case, print its command

The corpus (tests/fuzz/corpus.py) is every fixed structured/YAML/command-line case once, then generated cases
(random bytes for each mesh extension, truncations of the real files at many offsets, byte/line mutations of
the real files), all deterministic from --seed. Each case runs in a forked child of a pre-imported driver
(tests/fuzz/driver.py; --subprocess runs `python -m sledcheck` per case instead, ~10x slower) with a
wall-clock timeout and an RLIMIT_AS budget, and is classified by tests/fuzz/oracle.py. Prints the counts per
outcome class and the first examples of each failure class with a reproduction command; writes a JSON summary.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from fuzz import corpus, oracle  # noqa: E402


def find_case(case_id: str, seed: int) -> corpus.Case:
    for case in corpus.fixed_cases() if not case_id.startswith("slice-") else corpus.fast_slice(seed):
        if case.id == case_id:
            return case
    try:
        index = int(case_id.split("-")[2 if case_id.startswith("random-bytes") else 1])
    except (IndexError, ValueError):
        raise SystemExit(f"no case {case_id!r}") from None
    *_, case = corpus.generated_cases(seed, index + 1)
    if case.id != case_id:
        raise SystemExit(f"no case {case_id!r} with seed {seed} (index {index} is {case.id!r})")
    return case


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cases", type=int, default=3000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--out", type=Path, default=Path("fuzz-results.json"))
    ap.add_argument("--timeout", type=float, default=oracle.TIMEOUT, help="seconds per case (default 60)")
    ap.add_argument("--memory-gib", type=float, default=oracle.MEMORY / 1024**3, help="RLIMIT_AS per case")
    ap.add_argument("--subprocess", action="store_true", help="run `python -m sledcheck` per case (slow)")
    ap.add_argument("--only", default="", help="kinds to run: random-bytes,truncation,mutation,structured,yaml,cli")
    ap.add_argument("--examples", type=int, default=3, help="examples printed per failure class")
    ap.add_argument("--repro", metavar="CASE_ID", help="write this case into --dir and print its command")
    ap.add_argument("--dir", type=Path, help="folder for --repro")
    args = ap.parse_args(argv)

    if args.repro:
        case = find_case(args.repro, args.seed)
        folder = (args.dir or Path(f"fuzz-repro-{case.id[:60]}")) / "case"
        folder.mkdir(parents=True, exist_ok=True)
        corpus.materialise(case, folder)
        print(f"# {case.note}\n# expected exit: {sorted(case.expect)}\ncd {folder} && {oracle.command_line(case)}")
        return 0

    kinds = {k for k in args.only.split(",") if k}
    cases = [c for c in corpus.campaign_cases(args.seed, args.cases) if not kinds or c.kind in kinds]
    memory = int(args.memory_gib * 1024**3)
    start = time.monotonic()
    counts: Counter = Counter()

    def progress(result: oracle.Result, done: int, total: int) -> None:
        counts[result.outcome] += 1
        if done % 100 == 0 or result.outcome != "ok":
            rate = done / (time.monotonic() - start)
            bad = sum(v for k, v in counts.items() if k != "ok")
            print(f"[{done}/{total} {rate:.1f}/s, {bad} failing] {result.outcome:15} {result.case[:70]} "
                  f"{result.detail[:100]}", flush=True)

    results = oracle.run_many(cases, jobs=args.jobs, timeout=args.timeout, memory=memory,
                              subprocess_mode=args.subprocess, on_result=progress)
    elapsed = time.monotonic() - start

    by_class: dict[str, list[oracle.Result]] = defaultdict(list)
    for r in sorted(results, key=lambda r: r.case):
        by_class[r.outcome].append(r)
    print(f"\n{len(results)} cases in {elapsed:.0f} s ({len(results) / max(elapsed, 1e-9):.2f}/s, seed {args.seed}, "
          f"timeout {args.timeout:g} s, RLIMIT_AS {args.memory_gib:g} GiB, {args.jobs} jobs)")
    for outcome in oracle.OUTCOMES + ("harness-error",):
        if by_class.get(outcome):
            kinds_here = Counter(r.kind for r in by_class[outcome])
            per_kind = ", ".join(f"{k} {v}" for k, v in sorted(kinds_here.items()))
            print(f"  {outcome:15} {len(by_class[outcome]):5}   {per_kind}")
    me = Path(__file__).resolve().relative_to(ROOT) if Path(__file__).resolve().is_relative_to(ROOT) else Path(__file__)
    for outcome in oracle.FAILURES + ("harness-error",):
        if not by_class.get(outcome):
            continue
        print(f"\n== {outcome} ({len(by_class[outcome])})")
        # one example per distinct detail first, so the examples differ
        seen, picks = set(), []
        for r in by_class[outcome]:
            key = r.detail[:60]
            if key not in seen:
                seen.add(key)
                picks.append(r)
        for r in picks[: args.examples]:
            b = r.brief()
            print(f"  {r.case}: {r.note[:200]}\n    -> exit {r.returncode}, {r.seconds:.1f} s: {b['detail']}\n"
                  f"    repro: python {me} --repro {r.case} --seed {args.seed} --dir /tmp/repro  "
                  f"(then: {b['command']})")
    summary = {
        "seed": args.seed, "cases": len(results), "seconds": round(elapsed, 1), "timeout": args.timeout,
        "memory_gib": args.memory_gib, "jobs": args.jobs, "mode": "subprocess" if args.subprocess else "fork",
        "counts": {k: len(v) for k, v in sorted(by_class.items())},
        "counts_by_kind": {k: dict(Counter(r.kind for r in v)) for k, v in sorted(by_class.items())},
        "failures": {k: [r.brief() for r in v] for k, v in sorted(by_class.items()) if k != "ok"},
        "slowest": [{"case": r.case, "seconds": r.seconds, "outcome": r.outcome}
                    for r in sorted(results, key=lambda r: -r.seconds)[:20]],
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(summary, indent=1) + "\n", encoding="utf-8")
    print(f"\nsummary: {args.out}")
    return 0 if not any(k != "ok" for k in by_class) else 1


if __name__ == "__main__":
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    raise SystemExit(main())
