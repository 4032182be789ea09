"""Kill ``productionize build`` over an existing project (SIGKILL) before its renames, at
random moments and while it trains: the output folder is the previous project or the complete
new one, never a mix, and the next build recovers (and clears what the killed one left beside).

Same machinery as the split kill test (test_atomicity): a child process SIGKILLs itself just
before its k-th ``os.replace``/``os.rename`` (see ``kill_points`` for which k).
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.reliability.profile import report
from tests.reliability.test_atomicity import KILL_AT_RENAME, notebooks, restore, siblings
from tests.reliability.treehash import tree_hash
from tests.service.servers import generated_python

FAST = ["--no-verify", "--no-train"]  # the kill points are the same; verify/train only add time


def build(notebook: Path, out: Path, *flags: str, kill_at: int = 0, counter: Path | None = None):
    counter = counter or out.parent / "renames.txt"
    return subprocess.run(
        [sys.executable, "-c", KILL_AT_RENAME, str(kill_at), str(counter)]
        + ["build", str(notebook), "-o", str(out), *flags],
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.fixture(scope="module")
def states(tmp_path_factory):
    """A built project (v1), its backup, and the hash of the complete rebuilt one (v2)."""
    work = tmp_path_factory.mktemp("build-atomic")
    v1, v2 = notebooks(work)
    out = work / "project"
    first = build(v1, out, *FAST)
    assert first.returncode == 0, first.stderr
    old = tree_hash(out)
    backup = work / "backup"
    shutil.copytree(out, backup, symlinks=True, copy_function=shutil.copy2)
    counter = work / "renames.txt"
    done = build(v2, out, *FAST, counter=counter)
    assert done.returncode == 0, done.stderr
    new = tree_hash(out)
    assert new != old
    return {
        "v2": v2,
        "out": out,
        "backup": backup,
        "old": old,
        "new": new,
        "renames": int(counter.read_text()),
    }


def state_after_kill(states: dict) -> str:
    """Which project the folder holds after a kill: "old", "new", or "old (recovered)"."""
    out = states["out"]
    if not out.exists():
        # killed between the swap's two renames: the previous project waits beside it
        assert [n for n in siblings(out) if ".old-" in n], siblings(out)
        return "old (recovered)"
    state = tree_hash(out)
    assert state in (
        states["old"],
        states["new"],
    ), f"mixed output after the kill: {sorted(str(p.relative_to(out)) for p in out.rglob('*'))}"
    return "old" if state == states["old"] else "new"


def rebuild_recovers(states: dict) -> None:
    """The next, uninterrupted build completes and leaves nothing beside the project."""
    again = build(states["v2"], states["out"], *FAST)
    assert again.returncode == 0, again.stderr
    assert tree_hash(states["out"]) == states["new"]
    assert siblings(states["out"]) == []


def kill_points(renames: int, sparser: int = 1) -> list[int]:
    """Every STRIDE-th rename inside the staging folder, and always the swap's two renames.

    Each kill costs a fresh build process; ``PRODUCTIONIZE_KILL_STRIDE=1`` kills before every
    rename (all 28 of a build left the old project when this test was written).
    """
    stride = max(1, int(os.environ.get("PRODUCTIONIZE_KILL_STRIDE", "3"))) * sparser
    return sorted({*range(1, renames - 1, stride), renames - 1, renames})


@pytest.mark.slow
def test_build_killed_at_its_renames_leaves_old_or_new(states):
    seen = []
    assert states["renames"] >= 2
    points = kill_points(states["renames"])
    for kill_at in points:
        restore(states["backup"], states["out"])
        assert tree_hash(states["out"]) == states["old"]
        killed = build(states["v2"], states["out"], *FAST, kill_at=kill_at)
        assert killed.returncode == -signal.SIGKILL, (kill_at, killed.stderr)
        seen.append(state_after_kill(states))
        # a rebuild is the slow part: prove recovery where it matters, and once inside staging
        if seen[-1] != "old" or kill_at == points[len(points) // 2]:
            rebuild_recovers(states)
    # one swap at the very end: a kill before any rename but its last leaves the old project
    assert seen == ["old"] * (len(seen) - 1) + ["old (recovered)"], seen
    report(
        f"atomicity: build killed before renames {points} of {states['renames']} -> {seen}",
        "build_killed_at_renames",
        {"renames": states["renames"], "killed_at": points, "outcomes": seen},
    )


@pytest.mark.slow
def test_build_killed_at_random_moments_leaves_old_or_new(states):
    rng = random.Random(int(os.environ.get("PRODUCTIONIZE_KILL_SEED", "8")))
    restore(states["backup"], states["out"])
    started = time.perf_counter()
    assert build(states["v2"], states["out"], *FAST).returncode == 0
    duration = time.perf_counter() - started
    outcomes = []
    for _ in range(3):
        restore(states["backup"], states["out"])
        delay = rng.uniform(0.2, 1.0) * duration
        process = subprocess.Popen(
            [sys.executable, "-m", "productionize", "build", str(states["v2"])]
            + ["-o", str(states["out"]), *FAST],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=60)
        outcomes.append(f"{delay:.2f}s:{state_after_kill(states)}")
    rebuild_recovers(states)  # also clears the staging folder the last kill left
    report(f"atomicity: build SIGKILLed at random moments of a {duration:.2f} s run -> {outcomes}")


@pytest.mark.slow
def test_build_killed_while_training_leaves_the_previous_trained_project(tmp_path, monkeypatch):
    monkeypatch.setenv("PRODUCTIONIZE_GENERATED_PYTHON", generated_python())
    v1, v2 = notebooks(tmp_path)
    out = tmp_path / "project"
    first = build(v1, out, "--no-verify")
    assert first.returncode == 0, first.stderr
    assert (out / "models" / "CURRENT").is_file()
    old = tree_hash(out)
    # a new process group: the kill reaches `ploomber build` and the kernels it started too
    process = subprocess.Popen(
        [sys.executable, "-m", "productionize", "build", str(v2), "-o", str(out), "--no-verify"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        for line in process.stderr:  # bounded by the build itself (timeout below)
            if line.startswith("... train: training"):
                time.sleep(1.0)  # ploomber is running its tasks in the staged copy now
                break
        else:
            raise AssertionError("the build finished without reaching its training step")
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=60)
    assert process.returncode == -signal.SIGKILL
    assert tree_hash(out) == old, "the killed training changed the previous project"
    again = build(v2, out, *FAST)  # recovery is the point here, not a second training
    assert again.returncode == 0, again.stderr
    assert (out / "models" / "CURRENT").is_file() and not (
        out / "src" / "model" / "clean.py"
    ).exists()
    assert siblings(out) == []
    report("atomicity: build SIGKILLed while training -> old (the trained previous project)")


@pytest.mark.slow
def test_service_added_in_place_killed_leaves_old_or_new(tmp_path):
    """``productionize service DIR`` changes DIR itself: fastapi -> flask, killed along the way."""
    v1, _v2 = notebooks(tmp_path)
    out = tmp_path / "project"

    def service(framework: str, kill_at: int = 0, counter: Path | None = None):
        return subprocess.run(
            [sys.executable, "-c", KILL_AT_RENAME, str(kill_at), str(counter or tmp_path / "n")]
            + ["service", str(out), "--framework", framework],
            capture_output=True,
            text=True,
            timeout=300,
        )

    assert build(v1, out, *FAST).returncode == 0
    old = tree_hash(out)
    backup = tmp_path / "backup"
    shutil.copytree(out, backup, symlinks=True, copy_function=shutil.copy2)
    counter = tmp_path / "renames.txt"
    assert service("flask", counter=counter).returncode == 0
    new, renames = tree_hash(out), int(counter.read_text())
    assert new != old
    # a sample of the kill points (each costs a fresh process), always the swap's two renames
    points = kill_points(renames, sparser=3)  # the same staging code as build's: fewer kills
    seen = []
    for kill_at in points:
        restore(backup, out)
        killed = service("flask", kill_at=kill_at)
        assert killed.returncode == -signal.SIGKILL, (kill_at, killed.stderr)
        if not out.exists():
            seen.append("old (recovered)")
            again = service("flask")
            assert again.returncode == 0, again.stderr
            assert tree_hash(out) == new and siblings(out) == []
            continue
        state = tree_hash(out)
        assert state in (old, new), sorted(str(p.relative_to(out)) for p in out.rglob("*"))
        seen.append("old" if state == old else "new")
    assert seen == ["old"] * (len(seen) - 1) + ["old (recovered)"], seen
    report(f"atomicity: service (in place) killed before renames {points} of {renames} -> {seen}")
