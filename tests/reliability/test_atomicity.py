"""Kill ``productionize split`` at every commit point and at random moments (SIGKILL): the output
folder is the previous project or the complete new one, never a mix, and the next run succeeds.

Kill points: a child process patches ``os.replace``/``os.rename`` to SIGKILL itself just before
the k-th call, for every k an uninterrupted run makes; renames are where a file system change
becomes visible, so these are exactly the moments a crash can expose a half-written state.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from productionize.adapters.atomic import recover_interrupted
from tests.conftest import make_notebook
from tests.reliability.hostile import PIPELINE
from tests.reliability.profile import report
from tests.reliability.treehash import tree_hash

KILL_AT_RENAME = """
import atexit, os, signal, sys
target, counter = int(sys.argv[1]), sys.argv[2]
calls = 0
def count(real):
    def patched(*args, **kwargs):
        global calls
        calls += 1
        if calls == target:
            os.kill(os.getpid(), signal.SIGKILL)
        return real(*args, **kwargs)
    return patched
os.replace, os.rename = count(os.replace), count(os.rename)
atexit.register(lambda: open(counter, "w").write(str(calls)))
from productionize.adapters.cli import main
main(sys.argv[3:], prog_name="productionize")
"""


def notebooks(folder: Path) -> tuple[Path, Path]:
    """v1: load/clean/train/predict; v2: different cleaning and no clean stage (a module goes)."""
    v1 = make_notebook(*(("code", source, tags) for source, tags in PIPELINE))
    cells = [(source, tags) for source, tags in PIPELINE]
    cells[2] = ("df['y'] = df['x'] * 3", ())
    v2 = make_notebook(*(("code", source, tags) for source, tags in cells))
    (folder / "v1").mkdir()
    (folder / "v2").mkdir()
    (folder / "v1" / "model.ipynb").write_text(json.dumps(v1))
    (folder / "v2" / "model.ipynb").write_text(json.dumps(v2))
    return folder / "v1" / "model.ipynb", folder / "v2" / "model.ipynb"


def split(notebook: Path, out: Path, kill_at: int = 0, counter: Path | None = None):
    counter = counter or out.parent / "renames.txt"
    return subprocess.run(
        [sys.executable, "-c", KILL_AT_RENAME, str(kill_at), str(counter)]
        + ["split", str(notebook), "-o", str(out), "--no-verify"],
        capture_output=True,
        text=True,
        timeout=300,
    )


def siblings(out: Path) -> list[str]:
    return sorted(p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}."))


def restore(backup: Path, out: Path) -> None:
    shutil.rmtree(out, ignore_errors=True)
    for name in siblings(out):
        shutil.rmtree(out.parent / name, ignore_errors=True)
    shutil.copytree(backup, out, copy_function=shutil.copy2)


@pytest.fixture(scope="module")
def states(tmp_path_factory):
    """The previous project (v1), its backup, and the hash of the complete new one (v2)."""
    work = tmp_path_factory.mktemp("atomic")
    v1, v2 = notebooks(work)
    out = work / "project"
    assert split(v1, out).returncode == 0
    old = tree_hash(out)
    backup = work / "backup"
    shutil.copytree(out, backup, copy_function=shutil.copy2)
    counter = work / "renames.txt"
    done = split(v2, out, counter=counter)
    assert done.returncode == 0, done.stderr
    new = tree_hash(out)
    assert new != old
    return {
        "work": work,
        "v2": v2,
        "out": out,
        "backup": backup,
        "old": old,
        "new": new,
        "renames": int(counter.read_text()),
    }


def check_after_kill(states: dict) -> str:
    """Assert old-or-new (after recovering a `.old-*` sibling); return which one."""
    out = states["out"]
    recover_interrupted(out)  # what the next run does first (a run killed between two renames)
    state = tree_hash(out)
    assert state in (states["old"], states["new"]), (
        f"mixed output after the kill: {sorted(str(p.relative_to(out)) for p in out.rglob('*'))}"
        f"; siblings {siblings(out)}"
    )
    # the next, uninterrupted run completes and ignores or clears any stale staging folder
    again = split(states["v2"], out)
    assert again.returncode == 0, again.stderr
    assert tree_hash(out) == states["new"]
    return "old" if state == states["old"] else "new"


@pytest.mark.slow
def test_killed_at_every_rename_leaves_old_or_new(states):
    seen = []
    assert states["renames"] >= 1
    for kill_at in range(1, states["renames"] + 1):
        restore(states["backup"], states["out"])
        assert tree_hash(states["out"]) == states["old"]
        killed = split(states["v2"], states["out"], kill_at=kill_at)
        assert killed.returncode == -signal.SIGKILL, (kill_at, killed.stderr)
        seen.append(check_after_kill(states))
    report(f"atomicity: split killed before each of its {states['renames']} renames -> {seen}")


@pytest.mark.slow
def test_killed_at_random_moments_leaves_old_or_new(states):
    rng = random.Random(int(os.environ.get("PRODUCTIONIZE_KILL_SEED", "8")))
    restore(states["backup"], states["out"])
    started = time.perf_counter()
    assert split(states["v2"], states["out"]).returncode == 0
    duration = time.perf_counter() - started
    outcomes = []
    for _ in range(4):
        restore(states["backup"], states["out"])
        delay = rng.uniform(0.2, 1.0) * duration
        process = subprocess.Popen(
            [sys.executable, "-m", "productionize", "split", str(states["v2"])]
            + ["-o", str(states["out"]), "--no-verify"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=60)
        outcomes.append(f"{delay:.2f}s:{check_after_kill(states)}")
    report(f"atomicity: split SIGKILLed at random moments of a {duration:.2f} s run -> {outcomes}")
