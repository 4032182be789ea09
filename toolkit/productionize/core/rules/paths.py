"""PN5xx (paths): hard-coded absolute and user-home paths in string literals."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from ...model import Finding, Fix, Severity
from .base import LintContext, line_column, rule

_HOME = re.compile(r"^(~[\\/]|/home/[^/\s]+|/Users/[^/\s]+|/root/|[A-Za-z]:[\\/]+Users[\\/])")
_WINDOWS = re.compile(r"^([A-Za-z]:[\\/]|\\\\[^\\\s]+\\)")
# POSIX roots that hold data on real machines; "/api/predict" (a URL route) is not a file path
_ROOTS = frozenset(
    "home Users root tmp var mnt media opt srv data datasets Volumes workspace workspaces content "
    "kaggle dbfs gpfs scratch shared nfs usr etc private lustre net projects storage".split()
)
_FILE_SUFFIX = re.compile(r"\.[A-Za-z0-9]{1,8}$")

PATH_FIX = Fix(
    "Move the path into the `parameters` cell (or an environment variable) and make it relative"
)


def path_kind(text: str) -> str | None:
    """``home`` / ``absolute`` when ``text`` looks like such a file path, else None."""
    if not text or len(text) > 500 or "\n" in text or "://" in text:
        return None
    if _HOME.match(text):
        return "home"
    if _WINDOWS.match(text):
        return "absolute"
    if text.startswith("/") and len(text) > 1 and not text.startswith("//"):
        first = text[1:].split("/", 1)[0]
        if first in _ROOTS or ("/" in text[1:] and _FILE_SUFFIX.search(text)):
            return "absolute"
    return None


def _allowed(text: str, allowed: tuple[str, ...]) -> bool:
    return any(text.startswith(prefix) for prefix in allowed)


def _mount_points(ctx: LintContext, p) -> set[int]:
    """``drive.mount('/content/drive')``: where Colab mounts Drive is not a data path (the call
    stays in the notebook; split leaves it out of the modules)."""
    return {
        id(arg)
        for call in ctx.nodes(p).calls
        if isinstance(call.func, ast.Attribute) and call.func.attr == "mount"
        for arg in call.args[:1]
    }


_LISTING = frozenset({"walk", "listdir", "scandir"})
_LISTING_BODY_CALLS = frozenset({"print", "join", "display", "sorted", "len"}) | _LISTING


def _listing_call(node: ast.AST) -> ast.Call | None:
    """``os.walk(...)`` / ``os.listdir(...)`` / ``os.scandir(...)``, else None."""
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in _LISTING
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id == "os"
    ):
        return node
    return None


def _only_prints(nodes: list[ast.stmt]) -> bool:
    """Statements that call nothing but ``print`` / ``os.path.join`` (a listing shown, no read)."""
    for node in (n for stmt in nodes for n in ast.walk(stmt)):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            if name not in _LISTING_BODY_CALLS:
                return False
        elif not isinstance(node, (ast.expr, ast.For, ast.Expr, ast.expr_context, ast.Pass)):
            return False
    return True


def _file_listings(tree: ast.AST) -> set[int]:
    """Kaggle's boilerplate ``for dirname, _, filenames in os.walk('/kaggle/input'): print(...)``
    (or ``print(os.listdir('/kaggle/input'))``): exploration showing the files, nothing read.
    The string arguments of such listings are not data paths."""
    found: set[int] = set()
    for node in ast.walk(tree):
        listing = None
        if isinstance(node, ast.For) and not node.orelse and _only_prints(node.body):
            listing = _listing_call(node.iter)
            if listing is not None:
                found.update(id(a) for a in listing.args[:1])
        elif isinstance(node, ast.Expr) and _only_prints([node]):
            for sub in ast.walk(node):
                listing = _listing_call(sub)
                if listing is not None:
                    found.update(id(a) for a in listing.args[:1])
    return found


def _path_findings(ctx: LintContext, wanted: str) -> Iterator[Finding]:
    for p in ctx.parsed:
        if p.tree is None:
            continue
        mounts = listings = None  # looked for only in a cell with a path (most have none)
        for node in ctx.nodes(p).strings:
            kind = path_kind(node.value)
            if kind != wanted or _allowed(node.value, ctx.options.allowed_paths):
                continue
            if mounts is None:
                mounts = _mount_points(ctx, p)
                listings = _file_listings(p.tree) if wanted == "absolute" else set()
            if id(node) in mounts or id(node) in listings:
                continue
            column = line_column(p.source, node.lineno, node.col_offset)
            if wanted == "home":
                message = f"user-home path {node.value!r} only exists on one person's machine"
                rule_id = "PN502"
            else:
                message = (
                    f"hard-coded absolute path {node.value!r} ties the notebook to one machine"
                )
                if node.value.startswith("/content/"):
                    message += (
                        " (Colab's disk, Google Drive under /content/drive): elsewhere the file "
                        "is not there; put it next to the notebook and read it by a relative path"
                    )
                rule_id = "PN501"
            yield ctx.finding(rule_id, p.cell, message, node.lineno, column, PATH_FIX)


@rule(
    "PN501",
    "absolute-path",
    Severity.WARNING,
    "Hard-coded absolute path in a string literal (`/data/…`, `C:\\…`); see `allowed_paths`. "
    "A listing that is only printed (Kaggle's `os.walk('/kaggle/input')` loop) is not reported",
    "Make it a parameter (parameters cell or environment variable), relative to the project",
)
def absolute_path(ctx: LintContext) -> Iterator[Finding]:
    yield from _path_findings(ctx, "absolute")


@rule(
    "PN502",
    "user-home-path",
    Severity.WARNING,
    "User-home path in a string literal (`~/…`, `/home/<user>/…`, `C:\\Users\\…`)",
    "Make it a parameter (parameters cell or environment variable), relative to the project",
)
def user_home_path(ctx: LintContext) -> Iterator[Finding]:
    yield from _path_findings(ctx, "home")
