"""The lint corpus plants broken notebooks on purpose: never execute them (pytest --nbmake)."""

collect_ignore_glob = ["*.ipynb"]
