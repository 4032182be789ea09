"""Benchmark lint + split + render against nbconvert's script exporter and soorgeon, in one run.

    python bench/pipeline.py                 # full: 50, 200, 1000, 2000 cells
    python bench/pipeline.py --quick         # reduced, under a minute
    python bench/pipeline.py --json out.json # also write the figures as JSON

Every figure is the best of several repeats, taken in the same run on the same notebook files, so
ratios are comparable across machines while absolute times are not. See bench/README.md.
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import synthetic

ROOT = Path(__file__).resolve().parents[1]
PEERS_VENV = ROOT / ".venv-bench-peers"
SOORGEON_PIN = "soorgeon==0.0.20"

TARGETS = {
    "ratio_vs_nbconvert_200": 1.5,  # lint+split+render of 200 cells <= 1.5x the nbconvert floor
    "exponent": 1.1,  # time ~ cells^k
    "speedup_vs_soorgeon": 5.0,
    "cli_wall_s": 1.0,  # fresh `productionize lint` / `split --no-verify` on 50 cells
}


# ---------------------------------------------------------------- clocks


def cpu_seconds() -> float:
    """CPU time of this process plus its finished children (ruff runs as a child)."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


CLOCKS = {"cpu": cpu_seconds, "wall": time.perf_counter}
now = cpu_seconds  # set from --clock in main()


# ---------------------------------------------------------------- our in-process pipeline


def resolve_stages() -> dict[str, Callable | None]:
    """Return our stage callables that exist in this checkout (None for those not landed yet)."""
    from productionize.adapters.notebook_io import read_notebook
    from productionize.options import Options

    options = Options()
    stages: dict[str, Callable | None] = {"read": read_notebook}

    try:
        from productionize.adapters.linting import lint_notebook

        def lint(notebook, _path):
            return lint_notebook(notebook, options)

        stages["lint"] = lint
        no_black = options.replace(ignore=("PN701",))

        def lint_without_black(notebook, _path):
            return lint_notebook(notebook, no_black)

        stages["lint without black"] = lint_without_black  # explains the lint figure
    except ImportError:
        stages["lint"] = None

    try:
        from productionize.adapters.splitting import (
            render_inputs,
            size_of_relative_to,
            write_project,
        )
        from productionize.core.flow import split

        def split_render(notebook, path):
            env = render_inputs(path)  # templates, notebook hash, installed versions
            return split(notebook, options, env, size_of_relative_to(Path(path).parent))

        def write(outdir, result):
            write_project(Path(outdir), list(result.files), [], dict(result.report))

        stages["split+render"] = split_render
        stages["write"] = write
    except ImportError:
        stages["split+render"] = None
        stages["write"] = None
    return stages


def clear_content_caches() -> None:
    """Forget every per-text memo (cold: this notebook's content is seen the first time).

    black's verdicts per cell and per module, ruff's formatting per cell and per module, cell
    parses, stage-body analyses, secret-scan verdicts. Per-process state (imports, compiled templates, the installed-distributions lookups)
    stays warm, as in a running Jupyter server; ``--cache warm`` keeps the memos too (a re-lint).
    A memo renamed in the toolkit fails here instead of silently turning "cold" into warm.
    """
    import importlib

    for module, name in (
        ("productionize.core.rules.style", "format_cell"),
        ("productionize.core.render", "format_python"),
        ("productionize.core.codegen", "_analyse_body"),
        ("productionize.core.defuse", "_parse_source"),
        ("productionize.core.secret_scan", "cache_clear"),
        ("productionize.adapters.linting", "_RUFF_FORMATTED"),
        ("productionize.adapters.module_format", "_FORMATTED_MODULES"),
    ):
        cached = getattr(importlib.import_module(module), name)
        if hasattr(cached, "cache_clear"):
            cached.cache_clear()
        elif isinstance(cached, dict):
            cached.clear()
        else:
            cached()


def time_ours(stages: dict, path: Path, outdir: Path) -> dict[str, float]:
    """Run read -> lint -> split+render -> write once; return seconds per stage and the total."""
    times: dict[str, float] = {}
    t0 = now()
    notebook, _node = stages["read"](path)
    times["read"] = now() - t0
    split_result = None
    for name in ("lint", "split+render"):
        if stages[name] is None:
            continue
        t = now()
        result = stages[name](notebook, path)
        times[name] = now() - t
        if name == "split+render":
            split_result = result
    if split_result is not None:
        t = now()
        stages["write"](outdir, split_result)
        times["write"] = now() - t
    times["total"] = now() - t0
    return times


# ---------------------------------------------------------------- the floor and the peers


def make_floor() -> Callable[[Path, Path], float]:
    """Return a timer of nbconvert's ScriptExporter: read the notebook, export, write the .py."""
    import nbformat
    from nbconvert import ScriptExporter

    exporter = ScriptExporter()

    def run(path: Path, outdir: Path) -> float:
        t0 = now()
        with open(path, encoding="utf-8") as handle:
            node = nbformat.read(handle, as_version=4)
        body, _resources = exporter.from_notebook_node(node)
        outdir.mkdir(parents=True, exist_ok=True)
        (outdir / (path.stem + ".py")).write_text(body, encoding="utf-8")
        return now() - t0

    return run


def ensure_soorgeon(create: bool) -> Path | None:
    """Return the soorgeon executable in its own venv, creating the venv on demand."""
    exe = PEERS_VENV / "bin" / "soorgeon"
    if exe.exists() or not create:
        return exe if exe.exists() else None
    print(f"creating {PEERS_VENV.name}/ with {SOORGEON_PIN} (once; never in the toolkit venv)")
    try:
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(PEERS_VENV)], check=True)
        subprocess.run(
            [str(PEERS_VENV / "bin" / "python"), "-m", "pip", "install", "-q", SOORGEON_PIN],
            check=True,
            timeout=600,
        )
    except (subprocess.SubprocessError, OSError) as exc:
        print(f"soorgeon unavailable ({exc}); its column stays empty")
        return None
    return exe if exe.exists() else None


def wall(cmd: list[str], cwd: Path | None = None, ok=(0,)) -> float:
    """Run ``cmd`` as a fresh process; return its time in seconds (wall, or CPU with --clock cpu)."""
    env = dict(os.environ, PLOOMBER_STATS_ENABLED="false")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=900)
    elapsed = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode not in ok:
        raise RuntimeError(f"{' '.join(cmd)} exited {proc.returncode}: {proc.stderr[-500:]}")
    if now is time.perf_counter:
        return elapsed
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def productionize_cmd(*args: str) -> list[str]:
    """Return the command line of a fresh ``productionize`` process using this interpreter."""
    return [sys.executable, "-m", "productionize", *args]


def jupyter_cmd(*args: str) -> list[str]:
    jupyter = Path(sys.executable).parent / "jupyter"
    return [str(jupyter) if jupyter.exists() else "jupyter", *args]


def time_soorgeon(exe: Path, path: Path, work: Path) -> float:
    """Time ``soorgeon refactor`` (py tasks) on a private copy of the notebook."""
    work.mkdir(parents=True)
    copy = work / path.name
    shutil.copy(path, copy)
    return wall([str(exe), "refactor", copy.name, "--file-format", "py"], cwd=work)


# ---------------------------------------------------------------- analysis and report


def fit_exponent(cells: list[int], seconds: list[float]) -> float | None:
    """Least-squares slope of log(time) against log(cells): time ~ cells^k."""
    points = [(math.log(c), math.log(s)) for c, s in zip(cells, seconds, strict=True) if s > 0]
    if len(points) < 2:
        return None
    mx = sum(x for x, _ in points) / len(points)
    my = sum(y for _, y in points) / len(points)
    sxx = sum((x - mx) ** 2 for x, _ in points)
    return sum((x - mx) * (y - my) for x, y in points) / sxx if sxx else None


def machine() -> dict:
    """Describe the machine the figures came from."""
    model = platform.processor() or "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        load = os.getloadavg()[0]
    except OSError:
        load = None
    return {
        "nproc": os.cpu_count(),
        "cpu": model,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "loadavg_1min": load,
    }


def fmt(value, unit="ms", digits=1) -> str:
    if value is None:
        return "-"
    if unit == "ms":
        return f"{value * 1000:.{digits}f}"
    if unit == "x":
        return f"{value:.2f}x"
    return f"{value:.{digits}f}"


def print_report(report: dict) -> None:
    stage_names = report["stages"]
    print()
    print(
        f"machine: {report['machine']['cpu']}, {report['machine']['nproc']} cores, "
        f"Python {report['machine']['python']}, load {report['machine']['loadavg_1min']}"
    )
    missing = [n for n, ok in report["stages_available"].items() if not ok]
    if missing:
        print(f"not landed yet (not timed): {', '.join(missing)}")
    header = ["cells", "nbconvert ms"] + [f"{n} ms" for n in stage_names] + ["ours ms", "ratio"]
    header += ["warm ms", "warm ratio"]
    header += ["soorgeon s", "split CLI s", "vs soorgeon", "vs soorgeon (in-proc)"]
    rows = []
    for r in report["sizes"]:
        row = [str(r["cells"]), fmt(r["nbconvert_floor_s"])]
        row += [fmt(r["ours_s"].get(n)) for n in stage_names]
        row += [fmt(r["ours_s"]["total"]), fmt(r["ratio_vs_nbconvert"], "x")]
        row += [fmt(r.get("ours_warm_s")), fmt(r.get("ratio_vs_nbconvert_warm"), "x")]
        row += [
            fmt(r.get("soorgeon_s"), "s", 2),
            fmt(r.get("split_cli_s"), "s", 2),
            fmt(r.get("speedup_vs_soorgeon"), "x"),
            fmt(r.get("speedup_vs_soorgeon_in_process"), "x"),
        ]
        rows.append(row)
    widths = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(header)]
    print("  ".join(h.rjust(w) for h, w in zip(header, widths, strict=True)))
    for row in rows:
        print("  ".join(c.rjust(w) for c, w in zip(row, widths, strict=True)))
    sizes = [r for r in report["sizes"] if "lint without black" in r["ours_s"]]
    if sizes:
        print(
            "lint without the black check (PN701), not in the total: "
            + ", ".join(
                f"{r['cells']} cells {fmt(r['ours_s']['lint without black'])} ms" for r in sizes
            )
        )
    print()
    exps = report["exponents"]
    print(
        "growth exponent k (time ~ cells^k): ours "
        + ", ".join(f"{name} {fmt(k, 'n', 2)}" for name, k in exps.items())
    )
    cli = report["cli_50_cells"]
    print(
        f"fresh process, 50 cells: productionize lint {fmt(cli.get('lint_s'), 's', 2)} s, "
        f"split --no-verify {fmt(cli.get('split_s'), 's', 2)} s, "
        f"jupyter nbconvert --to script {fmt(cli.get('nbconvert_s'), 's', 2)} s"
    )
    print()
    for name, verdict in report["targets"].items():
        print(f"target {name}: {verdict}")


def verdicts(report: dict) -> dict[str, str]:
    """Compare the figures with the issue's targets."""
    out = {}
    missing = [n for n, ok in report["stages_available"].items() if not ok]
    partial = f"(partial: {', '.join(missing)} not in this checkout) " if missing else ""
    by_cells = {r["cells"]: r for r in report["sizes"]}
    r200 = by_cells.get(200)
    if r200:
        limit = TARGETS["ratio_vs_nbconvert_200"]
        for key, label in (("ratio_vs_nbconvert", ""), ("ratio_vs_nbconvert_warm", "_warm")):
            ratio = r200.get(key)
            if ratio is not None:
                out[f"ratio_vs_nbconvert_200{label}"] = (
                    partial
                    + f"{ratio:.2f}x (<= {limit}x) "
                    + ("met" if ratio <= limit else "MISSED")
                )
    k = report["exponents"].get("total")
    if k is not None:
        out["exponent"] = (
            partial
            + f"{k:.2f} (<= {TARGETS['exponent']}) "
            + ("met" if k <= TARGETS["exponent"] else "MISSED")
        )
    speedups = [r["speedup_vs_soorgeon"] for r in report["sizes"] if r.get("speedup_vs_soorgeon")]
    if speedups:
        low = min(speedups)
        out["speedup_vs_soorgeon"] = (
            f"{low:.1f}x at worst, whole command vs whole command "
            f"(>= {TARGETS['speedup_vs_soorgeon']}x) "
            + ("met" if low >= TARGETS["speedup_vs_soorgeon"] else "MISSED")
        )
    cli = report["cli_50_cells"]
    for verb in ("lint", "split"):
        value = cli.get(f"{verb}_s")
        if value is not None:
            out[f"cli_{verb}_50"] = f"{value:.2f} s (<= {TARGETS['cli_wall_s']} s) " + (
                "met" if value <= TARGETS["cli_wall_s"] else "MISSED"
            )
    return out


# ---------------------------------------------------------------- the run


def run(args: argparse.Namespace) -> dict:
    sizes = [50, 200] if args.quick else [50, 200, 1000, 2000]
    repeats = {50: 7, 200: 5, 1000: 3, 2000: 2} if not args.quick else {50: 3, 200: 3}
    soorgeon_max = 200 if args.quick else args.soorgeon_max_cells
    cli_repeats = 3 if args.quick else 5
    stages = resolve_stages()
    floor = make_floor()
    soorgeon = None if args.no_peers else ensure_soorgeon(create=True)
    stage_names = [n for n in ("read", "lint", "split+render", "write") if stages.get(n)]
    has_split = stages["split+render"] is not None

    report: dict = {
        "quick": args.quick,
        "clock": args.clock,
        "cache": args.cache,
        "machine": machine(),
        "stages": stage_names,
        "stages_available": {n: stages[n] is not None for n in ("lint", "split+render")},
        "sizes": [],
    }
    with tempfile.TemporaryDirectory(prefix="productionize-bench-") as tmp:
        work = Path(tmp)
        for cells in sizes:
            nb_path = work / f"synthetic_{cells}.ipynb"
            synthetic.write_notebook(cells, nb_path)
            print(f"{cells} cells ({nb_path.stat().st_size // 1024} KB) ...", flush=True)
            # warm-up: imports, compiled templates, caches on both sides
            floor(nb_path, work / "warm-floor")
            time_ours(stages, nb_path, work / "warm-ours")
            best_floor = math.inf
            best: dict[str, float] = {}
            for i in range(repeats[cells]):
                gc.collect()
                best_floor = min(best_floor, floor(nb_path, work / f"floor-{cells}-{i}"))
                gc.collect()
                if args.cache == "cold":
                    clear_content_caches()
                times = time_ours(stages, nb_path, work / f"ours-{cells}-{i}")
                for name, value in times.items():
                    best[name] = min(best.get(name, math.inf), value)
                if stages.get("lint without black"):
                    clear_content_caches()
                    notebook, _node = stages["read"](nb_path)
                    t = now()
                    stages["lint without black"](notebook, nb_path)
                    spent = now() - t
                    best["lint without black"] = min(best.get("lint without black", spent), spent)
            row = {
                "cells": cells,
                "notebook_bytes": nb_path.stat().st_size,
                "nbconvert_floor_s": best_floor,
                "ours_s": best,
                "ratio_vs_nbconvert": best["total"] / best_floor,
            }
            # the same pipeline again with every per-process cache kept: a re-lint/re-split of
            # unchanged content (the Jupyter server after an edit elsewhere), same run, same floor
            warm = math.inf
            for i in range(repeats[cells]):
                gc.collect()
                warm = min(warm, time_ours(stages, nb_path, work / f"warm-{cells}-{i}")["total"])
            row["ours_warm_s"] = warm
            row["ratio_vs_nbconvert_warm"] = warm / best_floor
            if soorgeon and cells <= soorgeon_max:
                row["soorgeon_s"] = time_soorgeon(soorgeon, nb_path, work / f"soorgeon-{cells}")
                row["speedup_vs_soorgeon_in_process"] = row["soorgeon_s"] / best["total"]
                if has_split:
                    out = work / f"cli-split-{cells}"
                    row["split_cli_s"] = wall(
                        productionize_cmd("split", str(nb_path), "-o", str(out), "--no-verify"),
                        ok=(0, 1),
                    )
                    row["speedup_vs_soorgeon"] = row["soorgeon_s"] / row["split_cli_s"]
            report["sizes"].append(row)

        report["exponents"] = {}
        cells_list = [r["cells"] for r in report["sizes"]]
        for name in [*stage_names, "total"]:
            values = [r["ours_s"].get(name) for r in report["sizes"]]
            if all(values):
                report["exponents"][name] = fit_exponent(cells_list, values)
        report["exponents"]["nbconvert floor"] = fit_exponent(
            cells_list, [r["nbconvert_floor_s"] for r in report["sizes"]]
        )
        soorgeon_rows = [r for r in report["sizes"] if r.get("soorgeon_s")]
        if len(soorgeon_rows) >= 2:
            report["exponents"]["soorgeon"] = fit_exponent(
                [r["cells"] for r in soorgeon_rows], [r["soorgeon_s"] for r in soorgeon_rows]
            )

        print("fresh processes on 50 cells ...", flush=True)
        nb50 = work / "synthetic_50.ipynb"
        cli: dict[str, float] = {}
        cli["nbconvert_s"] = min(
            wall(jupyter_cmd("nbconvert", "--to", "script", str(nb50), "--output-dir", str(work)))
            for _ in range(cli_repeats)
        )
        if stages["lint"] is not None:
            cli["lint_s"] = min(
                wall(productionize_cmd("lint", str(nb50)), ok=(0, 1)) for _ in range(cli_repeats)
            )
        if has_split:
            cli["split_s"] = min(
                wall(
                    productionize_cmd(
                        "split", str(nb50), "-o", str(work / f"cli50-{i}"), "--no-verify"
                    ),
                    ok=(0, 1),
                )
                for i in range(cli_repeats)
            )
        cli["python_startup_s"] = min(
            wall([sys.executable, "-c", "pass"]) for _ in range(cli_repeats)
        )
        report["cli_50_cells"] = cli
    report["targets"] = verdicts(report)
    r200 = next((r for r in report["sizes"] if r["cells"] == 200), None)
    report["cells"] = 200
    report["ratio_vs_nbconvert"] = r200["ratio_vs_nbconvert"] if r200 else None
    report["ratio_vs_nbconvert_warm"] = r200.get("ratio_vs_nbconvert_warm") if r200 else None
    report["exponent"] = report["exponents"].get("total")
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="50 and 200 cells only (< 1 min)")
    parser.add_argument("--json", metavar="FILE", help="write the figures to FILE as JSON")
    parser.add_argument(
        "--no-peers", action="store_true", help="skip soorgeon (and creating its venv)"
    )
    parser.add_argument(
        "--clock",
        choices=sorted(CLOCKS),
        default="cpu",
        help="cpu: user+system time of the process and its children (robust on a busy machine); "
        "wall: elapsed time (what a user waits on an idle machine)",
    )
    parser.add_argument(
        "--cache",
        choices=("cold", "warm"),
        default="cold",
        help="cold: black results cached per text are cleared before each repeat (first lint of "
        "this content); warm: kept (a re-lint after an edit in JupyterLab)",
    )
    parser.add_argument(
        "--soorgeon-max-cells",
        type=int,
        default=2000,
        help="largest notebook handed to soorgeon (it grows ~quadratically)",
    )
    args = parser.parse_args(argv)
    global now
    now = CLOCKS[args.clock]
    report = run(args)
    print_report(report)
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(report, indent=2, sort_keys=True) + "\n")
        print(f"\nfigures written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
