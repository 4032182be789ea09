"""Publish a generated project: cached clone → branch → commit → secret scan → push → PR.

``publish()`` is the one public entry point (CLI ``productionize publish``, ``build --publish``
and the JupyterLab handler call it). Decisions live in ``core.publication`` and
``core.review``; this module only runs git, reads files and talks HTTP.

Safety rules it keeps: never pushes to the base or the remote's default branch, never
force-pushes, never rebases or rewrites commits it did not make, stops before overwriting files
a reviewer edited, scans everything it commits for secrets before it commits (so nothing
secret is ever pushed), and never writes a token anywhere.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from .. import __version__
from ..core.publication import (
    MANIFEST_PATH,
    REPORT_PATH,
    RemoteUrl,
    branch_name_problem,
    cache_key,
    commit_message,
    compare_url,
    default_branch_name,
    manifest_metrics,
    manifest_text,
    normalize_subdir,
    notebook_identity,
    parse_manifest,
    parse_remote,
    plan_changes,
    redact,
    repo_path,
    scalar_metrics,
    sha256_hex,
)
from ..core.review import describe_pull_request, notebook_introduction
from ..core.secret_scan import find_secrets_in_texts
from ..errors import InputError, ProductionizeError, PublishError
from ..model import PublishResult, to_dict
from .git_client import ZERO_OID, Credentials, GitClient
from .pull_requests import PROVIDERS, credential_username, open_or_update_pull_request
from .retrying import RetryPolicy, TransientError, call_with_retries, retry_policy_from_env

Progress = Callable[[str, str], None]

# Never published, whatever the project's .gitignore says: caches, environments, checkpoints.
ALWAYS_EXCLUDED = (
    ".git",
    "__pycache__",
    "*.pyc",
    ".ipynb_checkpoints",
    ".venv",
    ".venv-*",
    ".pytest_cache",
    ".ruff_cache",
    ".DS_Store",
    ".productionize",
)


MAX_FILE_BYTES = 100 * 2**20  # GitHub's hard limit per file


class SecretsFoundError(PublishError):
    """The files to publish contain probable secrets; nothing was committed or pushed."""

    exit_code = 1


class HandEditsError(PublishError):
    """Files a reviewer edited would be overwritten; nothing was committed or pushed."""

    exit_code = 1


class RemoteMovedError(PublishError):
    """The remote branch has commits we do not have; we neither rebase nor force-push."""


@dataclass(frozen=True)
class ProjectFile:
    """One file of the generated project, read from OUTDIR."""

    path: str  # project-relative POSIX path
    data: bytes
    executable: bool

    @property
    def sha256(self) -> str:
        return sha256_hex(self.data)


def publish(
    outdir: str | os.PathLike,
    remote: str,
    *,
    branch: str | None = None,
    base: str = "main",
    provider: str = "none",
    subdir: str | None = None,
    overwrite_edited: bool = False,
    token: str | None = None,
    progress: Progress | None = None,
    cache_dir: str | os.PathLike | None = None,
    api_url: str | None = None,
    retry: RetryPolicy | None = None,
) -> PublishResult:
    """Commit the generated project in OUTDIR to a review branch of ``remote`` and open a PR."""
    step = progress or (lambda name, detail: None)
    retry = retry or retry_policy_from_env()
    if provider not in PROVIDERS:
        raise PublishError(f"unknown provider {provider!r}: use one of {', '.join(PROVIDERS)}")
    project_dir = Path(outdir)
    report = _read_report(project_dir)
    metrics = _project_metrics(project_dir, report)
    notebook_path, _ = notebook_identity(report)
    branch = branch or default_branch_name(notebook_path)
    _check_branch(branch, base)
    try:
        sub = normalize_subdir(subdir)
    except ValueError as exc:
        raise PublishError(str(exc)) from None
    target = parse_remote(remote)
    credentials, api_token = _credentials(target, provider, token)
    secrets = (credentials.secrets() if credentials else ()) + ((api_token,) if api_token else ())

    def say(name: str, detail: str) -> None:
        step(name, redact(detail, secrets))

    cache_root = Path(cache_dir) if cache_dir else _default_cache_dir()
    repo = cache_root / cache_key(remote)
    messages: list[str] = []
    try:
        with _locked_clone(repo, target) as _:
            git = GitClient(repo, target, credentials)
            files = _read_project(git, project_dir)
            say("scan", f"scanning {len(files)} files for secrets")
            _block_secrets(files, sub)
            _block_oversized(files, sub)

            say("fetch", f"fetching {target.url}")
            default, remote_heads = _remote_state(git, retry, say, base, branch)
            if default and branch == default:
                raise PublishError(
                    f"refusing to publish to {branch!r}: it is the default branch of "
                    f"{target.url}; publish to a review branch (default productionize/<notebook>)"
                )
            start = _start_commit(git, repo, branch, base, remote_heads)
            say("check", f"comparing with {start[:12] if start else 'an empty repository'}")
            tip, created = _commit_project(
                git, files, report, metrics, sub, start, overwrite_edited, branch, say
            )
            if created:
                messages.append(f"committed {tip[:12]} on {branch}")
            else:
                messages.append(f"no changes since {tip[:12] if tip else 'nothing'}: no new commit")

            pushed = False
            if not created and branch not in remote_heads and tip == remote_heads.get(base):
                messages.append(f"{base} already contains this version: nothing to publish")
                say("done", messages[-1])
                return PublishResult(branch, tip, False, False, messages=tuple(messages))
            if tip and tip != remote_heads.get(branch):
                say("push", f"pushing {branch} to {target.url}")
                _push(git, retry, say, branch, tip, repo)
                pushed = True
                messages.append(f"pushed {branch} to {target.url}")
            else:
                git.run("update-ref", f"refs/productionize/pushed/{branch}", tip)
                messages.append(f"{branch} on {target.url} is already up to date")

            compare = compare_url(target, base, branch, provider)
            pr_url = None
            if provider != "none":
                previous = _previous_report(git, tip, sub)
                say("describe", "writing the pull request description")
                findings = _open_findings(project_dir, report)
                description = _introduction(project_dir, report)
                title, body = describe_pull_request(
                    dict(report, metrics=metrics, findings=findings, description=description),
                    previous,
                    subdir=sub,
                    files=[f.path for f in files],
                )
                say("pull-request", f"opening or updating the {provider} pull request")
                try:
                    pr_url, action = open_or_update_pull_request(
                        provider,
                        target,
                        token=api_token,
                        api_url=api_url,
                        base=base,
                        branch=branch,
                        title=title,
                        body=body,
                        retry=retry,
                        on_retry=lambda detail: say("retry", detail),
                    )
                except PublishError as exc:
                    done = f"{branch} is at {tip[:12]} on the remote"
                    raise PublishError(
                        f"{exc.message} ({done}; re-run the same command to retry the pull "
                        "request)"
                    ) from None
                messages.append(f"{action} pull request {pr_url}")
            elif compare:
                messages.append(f"compare: {compare}")
            say("done", messages[-1])
            return PublishResult(
                branch=branch,
                commit=tip,
                pushed=pushed,
                created_commit=created,
                pr_url=pr_url,
                compare_url=compare,
                messages=tuple(messages),
            )
    except PublishError as exc:
        exc.message = redact(exc.message, secrets)
        exc.args = (str(exc),)
        raise


# -- inputs -----------------------------------------------------------------------------------


def _read_report(project_dir: Path) -> dict:
    if not project_dir.is_dir():
        raise InputError(f"not a directory: {project_dir}")
    path = project_dir / REPORT_PATH
    if not path.is_file():
        raise InputError(
            f"{project_dir} is not a generated project (no {REPORT_PATH}); run "
            "`productionize build NOTEBOOK -o OUTDIR` first",
            str(project_dir),
        )
    try:
        report = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(f"cannot read {REPORT_PATH}: {exc}", str(path)) from None
    if not isinstance(report, dict):
        raise InputError(f"{REPORT_PATH} must hold a JSON object", str(path))
    return report


def _check_branch(branch: str, base: str) -> None:
    problem = branch_name_problem(branch)
    if problem:
        raise PublishError(f"invalid branch name {branch!r}: it {problem}")
    if branch == base:
        raise PublishError(
            f"refusing to publish to the base branch {base!r}: generated code goes to a review "
            "branch (default productionize/<notebook>) and reaches the base through a pull request"
        )


def _credentials(
    remote: RemoteUrl, provider: str, token: str | None
) -> tuple[Credentials | None, str | None]:
    """Pick the token: argument, provider env var, URL, then the git credential helper (API)."""
    env_name = {"github": "GITHUB_TOKEN", "gitlab": "GITLAB_TOKEN"}.get(provider)
    token = token or (os.environ.get(env_name) if env_name else None) or remote.password
    if token:
        user = remote.username if remote.password and token == remote.password else None
        return Credentials(user or credential_username(provider), token), token
    if provider != "none" and remote.is_http:
        return None, _credential_helper_token(remote)
    return None, None


def _credential_helper_token(remote: RemoteUrl) -> str | None:
    """Ask git's configured credential helper for this host, without prompting."""
    request = f"protocol={remote.scheme}\nhost={remote.host}\npath={remote.path}.git\n\n"
    env = dict(os.environ, GIT_TERMINAL_PROMPT="0", GIT_ASKPASS="", SSH_ASKPASS="")
    try:
        result = subprocess.run(
            ["git", "credential", "fill"],
            input=request.encode(),
            capture_output=True,
            env=env,
            timeout=30,
            stdin=None,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    if result.returncode != 0:
        return None
    for line in result.stdout.decode("utf-8", "replace").splitlines():
        if line.startswith("password="):
            return line[len("password=") :] or None
    return None


def _default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "productionize" / "repos"


@contextlib.contextmanager
def _locked_clone(repo: Path, remote: RemoteUrl) -> Iterator[Path]:
    """Create (once) the bare cached clone and hold an exclusive lock on it for this run."""
    repo.parent.mkdir(parents=True, exist_ok=True)
    lock_path = repo.parent / f"{repo.name}.lock"
    with open(lock_path, "a+") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise PublishError(
                f"another publish to {remote.url} is running (lock {lock_path})"
            ) from None
        try:
            if not (repo / "HEAD").exists():
                _init_clone(repo, remote)
            else:
                git = GitClient(repo, remote)
                # the URL on disk is always the credential-free one
                git.run("config", "remote.origin.url", remote.url)
            yield repo
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _init_clone(repo: Path, remote: RemoteUrl) -> None:
    staging = Path(tempfile.mkdtemp(prefix=f".{repo.name}.", dir=repo.parent))
    try:
        subprocess.run(
            ["git", "init", "--quiet", "--bare", str(staging)],
            check=True,
            capture_output=True,
            env=dict(os.environ, LC_ALL="C"),
        )
        git = GitClient(staging, remote)
        git.run("config", "remote.origin.url", remote.url)
        git.run("config", "remote.origin.fetch", "+refs/heads/*:refs/remotes/origin/*")
        git.run("config", "gc.auto", "0")  # no background gc racing the next publish
        os.replace(staging, repo)
    except BaseException:
        subprocess.run(["rm", "-rf", str(staging)], check=False)
        raise


def _read_project(git: GitClient, project_dir: Path) -> list[ProjectFile]:
    """List OUTDIR's files as git would add them (honours its .gitignore) and read them."""
    with tempfile.TemporaryDirectory(prefix="productionize-index-") as tmp:
        args = ["ls-files", "-z", "--others", "--exclude-standard"]
        for pattern in ALWAYS_EXCLUDED:
            args += ["--exclude", pattern]
        out = git.run(
            *args,
            env={"GIT_WORK_TREE": str(project_dir.resolve()), "GIT_INDEX_FILE": f"{tmp}/index"},
            cwd=project_dir,
        ).stdout.decode("utf-8", "surrogateescape")
    files = []
    for rel in sorted(filter(None, out.split("\0"))):
        path = project_dir / rel
        if path.is_symlink() or not path.is_file():
            continue
        try:
            data = path.read_bytes()
            executable = os.access(path, os.X_OK)
        except OSError as exc:
            raise InputError(f"cannot read {rel}: {exc}", str(path)) from None
        files.append(ProjectFile(rel, data, executable))
    if not files:
        raise InputError(f"nothing to publish in {project_dir}", str(project_dir))
    return files


def _block_secrets(files: list[ProjectFile], subdir: str) -> None:
    texts: dict[str, str] = {}
    for item in files:
        try:
            texts[item.path] = item.data.decode("utf-8")
        except UnicodeDecodeError:
            continue  # binary artifacts (models, images): nothing line-based to scan
    # entropy detectors off: reports and manifests are full of content hashes
    found = find_secrets_in_texts(list(texts.values()), entropy=False)
    hits = [
        f"{repo_path(subdir, path)}:{hit.line}: {hit.kind}"
        for path, file_hits in zip(texts, found, strict=True)
        for hit in file_hits
    ]
    if hits:
        listing = "\n  ".join(hits)
        raise SecretsFoundError(
            f"refusing to publish: {len(hits)} probable secret(s) in the generated project "
            f"(nothing was committed or pushed):\n  {listing}\nRemove them (read secrets from "
            "the environment) or mark a false positive with `# pragma: allowlist secret`."
        )


def _block_oversized(files: list[ProjectFile], subdir: str) -> None:
    """Stop before committing files forges refuse (GitHub rejects pushes with files > 100 MB)."""
    big = [f for f in files if len(f.data) > MAX_FILE_BYTES]
    if big:
        listing = "\n  ".join(
            f"{repo_path(subdir, f.path)} ({len(f.data) / 2**20:.0f} MiB)" for f in big
        )
        raise PublishError(
            f"refusing to publish files over {MAX_FILE_BYTES // 2**20} MiB (forges reject them; "
            f"nothing was committed):\n  {listing}\nList them in the project's .gitignore (or "
            "track them with Git LFS in the deployment repository)."
        )


# -- remote state -----------------------------------------------------------------------------


def _remote_state(
    git: GitClient, retry: RetryPolicy, say: Progress, base: str, branch: str
) -> tuple[str | None, dict[str, str]]:
    """Return the remote's default branch and the tips of ``base``/``branch``; fetch them."""

    def list_remote() -> str:
        return git.text("ls-remote", "--symref", "origin", "HEAD", network=True)

    def fetch(refspecs: list[str]) -> None:
        git.run("fetch", "--quiet", "--no-tags", "origin", *refspecs, network=True)

    def on_retry(attempt: int, wait: float, exc: TransientError) -> None:
        say("retry", f"attempt {attempt} failed ({exc}); retrying in {wait:g}s")

    listing = _network("fetch", git, retry, list_remote, on_retry)
    default = None
    for line in listing.splitlines():
        if line.startswith("ref: ") and line.endswith("\tHEAD"):
            default = line[len("ref: ") :].split("\t")[0].removeprefix("refs/heads/")
    heads_text = _network(
        "fetch",
        git,
        retry,
        lambda: git.text("ls-remote", "--heads", "origin", network=True),
        on_retry,
    )
    heads = {}
    for line in heads_text.splitlines():
        oid, _, ref = line.partition("\t")
        if ref.startswith("refs/heads/"):
            heads[ref[len("refs/heads/") :]] = oid
    wanted = [name for name in dict.fromkeys((base, branch)) if name in heads]
    if wanted:
        refspecs = [f"+refs/heads/{name}:refs/remotes/origin/{name}" for name in wanted]
        _network("fetch", git, retry, lambda: fetch(refspecs), on_retry)
    return default, {name: heads[name] for name in wanted}


def _network(what, git, retry, action, on_retry):
    try:
        return call_with_retries(action, retry, on_retry)
    except TransientError as exc:
        raise PublishError(
            f"{exc} (gave up after {retry.attempts} attempts; nothing was pushed; check the "
            "network and re-run the same command)"
        ) from None


def _start_commit(
    git: GitClient, repo: Path, branch: str, base: str, remote_heads: dict[str, str]
) -> str | None:
    """Choose the commit to build on; stop when the remote branch moved under our feet.

    ``refs/heads/<branch>`` in the cache is our last generated commit; ``refs/productionize/
    pushed/<branch>`` the last one the remote confirmed. Local commits that never reached the
    remote (a failed push) are kept and pushed by the next run, unless someone else pushed to
    the branch meanwhile: then we stop instead of rebasing or force-pushing.
    """
    local = git.resolve(f"refs/heads/{branch}")
    pushed = git.resolve(f"refs/productionize/pushed/{branch}")
    remote_tip = remote_heads.get(branch)
    unpushed = local is not None and local != pushed and local != remote_tip
    if unpushed:
        if remote_tip is None or git.is_ancestor(remote_tip, local):
            return local  # retry the push of our earlier commit(s)
        raise RemoteMovedError(
            f"the remote branch {branch!r} moved: it has commits that are not in the local "
            f"commit {local[:12]} which was never pushed. Nothing was pushed; nothing was "
            f"rebased. Review the branch on the remote, then delete the cached clone {repo} "
            "and re-run to publish on top of it."
        )
    if remote_tip is not None:
        return remote_tip  # fast-forward over reviewers' commits: theirs stay, ours go on top
    return remote_heads.get(base)


# -- the commit ---------------------------------------------------------------------------------


def _commit_project(
    git: GitClient,
    files: list[ProjectFile],
    report: dict,
    metrics: dict,
    subdir: str,
    start: str | None,
    overwrite_edited: bool,
    branch: str,
    say: Progress,
) -> tuple[str | None, bool]:
    """Write the project under ``subdir`` on top of ``start``; return (tip, created a commit)."""
    entries = git.list_tree(start, subdir) if start else {}
    manifest = parse_manifest(_decode(git.read_file(start, repo_path(subdir, MANIFEST_PATH))))
    generated = {f.path: f.sha256 for f in files}
    relevant = [
        entries[p][1] for p in set(generated) | set(manifest) if p in entries and p != MANIFEST_PATH
    ]
    blobs = git.read_blobs(relevant)
    current = {
        path: sha256_hex(blobs[oid])
        for path, (_, oid) in entries.items()
        if oid in blobs and path != MANIFEST_PATH
    }
    changes = plan_changes(subdir, generated, current, manifest)
    if changes.hand_edits and not overwrite_edited:
        listing = "\n  ".join(f"{e.path} ({e.change})" for e in changes.hand_edits)
        raise HandEditsError(
            f"refusing to overwrite {len(changes.hand_edits)} file(s) on {branch!r} that were "
            "changed by hand since the last publish or not written by productionize (nothing "
            f"was committed or pushed):\n  {listing}\n"
            "Port those edits into the notebook, or re-run with --overwrite-edited to replace "
            "them"
            + (
                " (or with --subdir PATH to publish beside files productionize did not write)."
                if any(e.change == "not generated" for e in changes.hand_edits)
                else "."
            )
        )
    to_write = {path for path, _ in changes.write}
    for edit in changes.hand_edits:
        say("check", f"overwriting {edit.path} ({edit.change} by hand) as requested")
    for edit in changes.keep:
        if overwrite_edited:
            to_write.add(edit.path)
            say("check", f"overwriting {edit.path} ({edit.change} by hand) as requested")
        else:
            say("check", f"keeping {edit.path} ({edit.change} by hand; generator output unchanged)")

    with tempfile.TemporaryDirectory(prefix="productionize-index-") as tmp:
        index = {"GIT_INDEX_FILE": f"{tmp}/index"}
        if start:
            git.run("read-tree", start, env=index)
        else:
            git.run("read-tree", "--empty", env=index)
        writing = [f for f in files if repo_path(subdir, f.path) in to_write]
        oids = _write_blobs(git, [f.data for f in writing])
        manifest_data = manifest_text(generated, report, __version__, metrics).encode("utf-8")
        manifest_oid = _write_blobs(git, [manifest_data])[0]
        lines = []
        for path in changes.delete:
            lines.append(f"0 {ZERO_OID}\t{path}")
        for item, oid in zip(writing, oids, strict=True):
            mode = "100755" if item.executable else "100644"
            lines.append(f"{mode} {oid}\t{repo_path(subdir, item.path)}")
        lines.append(f"100644 {manifest_oid}\t{repo_path(subdir, MANIFEST_PATH)}")
        git.run("update-index", "-z", "--index-info", input="\0".join(lines) + "\0", env=index)
        tree = git.text("write-tree", env=index)
    if start and tree == git.tree_of(start):
        _update_branch(git, branch, start)
        return start, False
    message = commit_message(report, __version__)
    args = ["commit-tree", tree, "-F", "-"]
    if start:
        args[2:2] = ["-p", start]
    commit = git.text(*args, input=message, env=_identity(git))
    _update_branch(git, branch, commit)
    say("commit", f"committed {commit[:12]}: {message.splitlines()[0]}")
    return commit, True


def _write_blobs(git: GitClient, contents: list[bytes]) -> list[str]:
    oids = []
    for data in contents:  # one process per blob keeps memory flat for large artifacts
        oids.append(git.text("hash-object", "-w", "--no-filters", "--stdin", input=data))
    return oids


def _update_branch(git: GitClient, branch: str, commit: str) -> None:
    git.run("update-ref", f"refs/heads/{branch}", commit)


def _identity(git: GitClient) -> dict[str, str]:
    """Use the user's git identity when configured, a clear tool identity otherwise."""
    env = {}
    for role in ("AUTHOR", "COMMITTER"):
        for field, key in (("NAME", "user.name"), ("EMAIL", "user.email")):
            if os.environ.get(f"GIT_{role}_{field}"):
                continue
            value = git.run("config", "--get", key, check=False).stdout.decode().strip()
            default = "Productionize" if field == "NAME" else "productionize@localhost"
            env[f"GIT_{role}_{field}"] = value or default
    return env


def _decode(data: bytes | None) -> str | None:
    return data.decode("utf-8", "replace") if data is not None else None


def _previous_report(git: GitClient, tip: str | None, subdir: str) -> dict | None:
    """Read the report (and recorded metrics) of the branch's previous commit."""
    if not tip:
        return None
    parent = git.resolve(f"{tip}^")
    text = _decode(git.read_file(parent, repo_path(subdir, REPORT_PATH)))
    if not text:
        return None
    try:
        data = json.loads(text)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    if not scalar_metrics(data.get("metrics")):
        recorded = _decode(git.read_file(parent, repo_path(subdir, MANIFEST_PATH)))
        data = dict(data, metrics=manifest_metrics(recorded))
    return data


def _notebook_copy(project_dir: Path, report: dict) -> Path | None:
    path, _ = notebook_identity(report)
    copy = project_dir / "notebooks" / Path(path).name
    return copy if copy.is_file() else None


def _introduction(project_dir: Path, report: dict) -> str | None:
    """Quote the notebook's opening markdown (what it does, in its author's words)."""
    if report.get("description"):
        return report["description"]
    copy = _notebook_copy(project_dir, report)
    if copy is None:
        return None
    from .notebook_io import read_notebook

    try:
        notebook, _ = read_notebook(copy)
    except ProductionizeError:
        return None
    opening = []
    for cell in notebook.cells:
        if cell.is_code:
            break
        if cell.cell_type == "markdown":
            opening.append(cell.source)
    return notebook_introduction(opening)


def _open_findings(project_dir: Path, report: dict) -> list | None:
    """Return the report's lint findings, else lint the notebook copy shipped in the project."""
    for key in ("findings", "lint"):
        if report.get(key) is not None:
            value = report[key]
            return value.get("findings") if isinstance(value, dict) else value
    copy = _notebook_copy(project_dir, report)
    if copy is None:
        return None
    from ..options import Options
    from .linting import lint_file

    try:
        return [to_dict(finding) for finding in lint_file(copy, Options())]
    except ProductionizeError:
        return None


def _project_metrics(project_dir: Path, report: dict) -> dict:
    """Find the model's metrics: the report's, else the served model version's metadata."""
    metrics = scalar_metrics(report.get("metrics"))
    if metrics:
        return metrics
    registry = project_dir / "models"
    try:
        version = (registry / "CURRENT").read_text(encoding="utf-8").strip()
        metadata = json.loads((registry / version / "metadata.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return scalar_metrics(metadata.get("metrics")) if isinstance(metadata, dict) else {}


# -- push ---------------------------------------------------------------------------------------


def _push(
    git: GitClient, retry: RetryPolicy, say: Progress, branch: str, tip: str, repo: Path
) -> None:
    """Push without force; classify rejections; keep the local commit on any failure."""
    refspec = f"refs/heads/{branch}:refs/heads/{branch}"

    def push_once() -> None:
        result = git.run("push", "--porcelain", "origin", refspec, network=True, check=False)
        if result.returncode == 0:
            return
        out = git.clean(result.stdout)
        err = git.clean(result.stderr)
        remote_lines = [
            line.removeprefix("remote:").strip()
            for line in err.splitlines()
            if line.startswith("remote:") and line.removeprefix("remote:").strip()
        ]
        if "[rejected]" in out or "non-fast-forward" in err or "fetch first" in out:
            raise RemoteMovedError(
                f"the remote branch {branch!r} moved while publishing (someone else pushed to "
                f"it). Nothing was pushed and nothing was rebased; the local commit {tip[:12]} "
                f"is kept in {repo}. Review the new commits on the remote, then delete the "
                "cached clone and re-run."
            )
        if "[remote rejected]" in out:
            reason = " / ".join(remote_lines[-5:]) or _porcelain_reason(out)
            raise PublishError(
                f"the remote rejected the push of {branch!r}: {reason}. The local commit "
                f"{tip[:12]} is kept in {repo}; fix the cause and re-run the same command."
            )
        raise git.failure(("push",), result)

    def on_retry(attempt: int, wait: float, exc: TransientError) -> None:
        say("retry", f"push attempt {attempt} failed ({exc}); retrying in {wait:g}s")

    try:
        call_with_retries(push_once, retry, on_retry)
    except TransientError as exc:
        raise PublishError(
            f"{exc}; gave up after {retry.attempts} attempts. The commit {tip[:12]} is kept in "
            f"the local cache {repo} and nothing on the remote changed; re-run the same command "
            "to push it."
        ) from None
    git.run("update-ref", f"refs/productionize/pushed/{branch}", tip)


def _porcelain_reason(out: str) -> str:
    for line in out.splitlines():
        if line.startswith("!"):
            return line.split("\t")[-1]
    return "rejected"
