"""Publishing decisions (pure): URLs, branch names, manifest, 3-way hand-edit check."""

from __future__ import annotations

import pytest

from productionize.core.publication import (
    HandEdit,
    branch_name_problem,
    cache_key,
    commit_message,
    compare_url,
    default_branch_name,
    manifest_text,
    normalize_subdir,
    parse_manifest,
    parse_remote,
    plan_changes,
    redact,
)


@pytest.mark.parametrize(
    ("url", "clean", "host", "path"),
    [
        (
            "https://u:tok@github.com/acme/deploy.git",
            "https://github.com/acme/deploy.git",
            "github.com",
            "acme/deploy",
        ),
        (
            "git@gitlab.com:group/sub/deploy.git",
            "git@gitlab.com:group/sub/deploy.git",
            "gitlab.com",
            "group/sub/deploy",
        ),
        ("ssh://git@host:2222/acme/x", "ssh://git@host:2222/acme/x", "host:2222", "acme/x"),
        ("/srv/git/deploy.git", "/srv/git/deploy.git", "", "srv/git/deploy"),
    ],
)
def test_parse_remote_strips_credentials(url, clean, host, path):
    remote = parse_remote(url)
    assert (remote.url, remote.host, remote.path) == (clean, host, path)


def test_credentials_are_redacted_and_do_not_change_the_cache_key():
    url = "https://user:tok-123456@github.com/acme/deploy.git"
    assert redact(f"fatal: unable to access '{url}'") == (
        "fatal: unable to access 'https://***@github.com/acme/deploy.git'"
    )
    assert redact("token tok-123456 leaked", ["tok-123456"]) == "token *** leaked"
    assert cache_key(url) == cache_key("https://github.com/acme/deploy.git")


def test_branch_names():
    assert default_branch_name("examples/Churn Model (v2).ipynb") == "productionize/Churn-Model-v2"
    assert branch_name_problem("productionize/churn") is None
    for bad in ("a..b", "a b", "-x", "x.lock", "x/", "a/.b", "a@{b", ""):
        assert branch_name_problem(bad), bad


def test_subdir_must_stay_inside_the_repository():
    assert normalize_subdir("./services//churn/") == "services/churn"
    assert normalize_subdir(None) == ""
    for bad in ("/abs", "../x", "a/../../b", ".git/hooks"):
        with pytest.raises(ValueError):
            normalize_subdir(bad)


def test_commit_message_names_notebook_hash_and_version():
    report = {"notebook": {"path": "nb/churn.ipynb", "sha256": "f" * 64}}
    message = commit_message(report, "0.1.0")
    assert (
        message.splitlines()[0]
        == "Publish churn.ipynb (sha256 ffffffffffff) with productionize 0.1.0"
    )
    assert f"Notebook-SHA256: {'f' * 64}" in message


def test_manifest_round_trip_is_sorted():
    text = manifest_text({"b.py": "2", "a.py": "1"}, {}, "0.1.0")
    assert text.index('"a.py"') < text.index('"b.py"')
    assert parse_manifest(text) == {"a.py": "1", "b.py": "2"}
    assert parse_manifest("not json") == {} and parse_manifest(None) == {}


def test_plan_changes_three_way():
    manifest = {"same.py": "s", "tuned.py": "t1", "kept.py": "k", "gone.py": "g", "gone_ed.py": "e"}
    current = {
        "same.py": "s",
        "tuned.py": "t-hand",  # edited by hand, generator changed it too: conflict
        "kept.py": "k-hand",  # edited by hand, generator unchanged: keep the reviewer's
        "gone.py": "g",  # no longer generated, untouched: delete
        "gone_ed.py": "e-hand",  # no longer generated but edited: conflict
        "README.md": "theirs",  # never generated, we now generate it: conflict
    }
    generated = {
        "same.py": "s",
        "tuned.py": "t2",
        "kept.py": "k",
        "README.md": "ours",
        "new.py": "n",
    }
    changes = plan_changes("svc", generated, current, manifest)
    assert changes.hand_edits == (
        HandEdit("svc/README.md", "not generated"),
        HandEdit("svc/gone_ed.py", "edited"),
        HandEdit("svc/tuned.py", "edited"),
    )
    assert changes.keep == (HandEdit("svc/kept.py", "edited"),)
    assert changes.delete == ("svc/gone.py", "svc/gone_ed.py")
    assert [p for p, _ in changes.write] == [
        "svc/README.md",
        "svc/new.py",
        "svc/same.py",
        "svc/tuned.py",
    ]


def test_reviewer_deletion_is_an_edit():
    changes = plan_changes("", {"a.py": "2"}, {}, {"a.py": "1"})
    assert changes.hand_edits == (HandEdit("a.py", "deleted"),)
    kept = plan_changes("", {"a.py": "1"}, {}, {"a.py": "1"})
    assert kept.keep == (HandEdit("a.py", "deleted"),) and kept.write == ()


def test_compare_urls():
    github = parse_remote("git@github.com:acme/deploy.git")
    assert compare_url(github, "main", "productionize/nb", "none") == (
        "https://github.com/acme/deploy/compare/main...productionize/nb"
    )
    gitlab = parse_remote("https://gitlab.example.com/g/s/deploy.git")
    assert compare_url(gitlab, "main", "b", "none") == (
        "https://gitlab.example.com/g/s/deploy/-/compare/main...b"
    )
    assert compare_url(parse_remote("/srv/deploy.git"), "main", "b", "none") is None
