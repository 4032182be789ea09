"""Run one pipeline task outside ploomber, e.g. in a Kubeflow container.

    python -m churn_classifier.run_task TASK [--upstream TASK NAME PATH]... [--product NAME PATH]...
        [--param NAME VALUE]...

It calls the same ``tasks.py`` function ``ploomber build`` runs, with the product and upstream
paths given on the command line.
"""

import argparse
import ast

from . import tasks


def main(argv=None):
    """Parse the command line and run the task."""
    parser = argparse.ArgumentParser(prog="python -m churn_classifier.run_task")
    parser.add_argument(
        "task",
        choices=["load", "clean", "train", "predict", "register"],
    )
    parser.add_argument("--upstream", nargs=3, action="append", default=[])
    parser.add_argument("--product", nargs=2, action="append", default=[])
    parser.add_argument("--param", nargs=2, action="append", default=[])
    args = parser.parse_args(argv)
    upstream = {}
    for task, name, path in args.upstream:
        upstream.setdefault(task, {})[name] = path
    kwargs = {"product": dict(args.product)}
    kwargs.update({name: _value(text) for name, text in args.param})
    if upstream:
        kwargs["upstream"] = upstream
    getattr(tasks, args.task)(**kwargs)


def _value(text):
    # parameters arrive as text: numbers, booleans and lists are read back as Python literals
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text


if __name__ == "__main__":
    main()
