"""The core does no I/O: importing and running it with open/subprocess disabled still works."""

from __future__ import annotations

import subprocess
import sys
import textwrap


def test_core_runs_with_io_disabled():
    code = textwrap.dedent("""
        import builtins, io, os, subprocess, socket, importlib, pkgutil
        import nbformat, jinja2  # third-party libraries may read their own data at import
        def banned(*a, **k):
            raise AssertionError(f"I/O in the core: {a[:1]}")
        import productionize.core as core
        names = [m.name for m in pkgutil.walk_packages(core.__path__, "productionize.core.")]
        builtins.open = io.open = banned
        subprocess.Popen = subprocess.run = banned
        socket.socket = banned
        os.system = banned
        for name in names:
            importlib.import_module(name)
        from productionize.core.defuse import analyze_source
        analyze_source("import pandas as pd\\ndf = pd.read_csv(path)")
        print("ok", len(names))
        """)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("ok")
