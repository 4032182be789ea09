"""The shared secret detector (lint PN503/PN504, publish's pre-push scan)."""

from __future__ import annotations

import pytest

from productionize.core.secret_scan import (
    find_printed_secrets,
    find_secrets,
    find_secrets_in_texts,
    is_secret_name,
)

SECRETS = [
    ("aws = 'AKIAIOSFODNN7EXAMPLE'", "AWS Access Key"),
    ("-----BEGIN OPENSSH PRIVATE KEY-----", "Private Key"),
    ("token = 'ghp_4TqY0mRk2sLw8Zc6Vn1Hb3Jd5Fx7Pa9Ue0Yi'", "GitHub Token"),
    ("sk_live_4eC39HqLyjWDarjtT1zdp7dc", "Stripe Access Key"),
    ("db_password = 'tr0ub4dor&3'", "Secret Keyword"),
    ("key = 'AIzaSyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY'", "Google API Key"),
    ("OPENAI_API_KEY=sk-proj-abcdefghijklmnopqrstuvwxyzABCDEFGHIJ0123", "OpenAI API Key"),
    ("print('sk-Zq8Lr2Wv9Kx4Tb7Nm1Pc6Hd3Fj5Gs0Ay8Ue2Io4')", "OpenAI API Key"),
    ("token: hf_abcdefghijklmnopqrstuvwxyzABCDEFGH", "Hugging Face Token"),
    ("postgresql://admin:s3cr3tPass@db.internal:5432/prod", "Basic Auth Credentials"),
    ("slack xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx", "Slack Token"),
    # keyword arguments of a call whose result is assigned (detect-secrets alone drops the line)
    ("conn = psycopg2.connect(host='db', password='tr0ub4dor&3')", "Secret Keyword"),
    # the key's own format names it more precisely than the keyword does
    ("client = OpenAI(api_key='sk-Zq8Lr2Wv9Kx4Tb7Nm1Pc6Hd3Fj5Gs0Ay8Ue2Io4')", "OpenAI API Key"),
    ("os.environ['KAGGLE_KEY'] = '2ac298547b3f07e56d1f297644fd12de'", "Hex High Entropy String"),
]


@pytest.mark.parametrize("line, kind", SECRETS)
def test_finds_secret_kinds(line, kind):
    (hit,) = find_secrets("x = 1\n" + line)
    assert (hit.line, hit.kind) == (2, kind)


@pytest.mark.parametrize(
    "text",
    [
        "import os\nkey = os.environ['API_KEY']",
        "password = getpass.getpass()",
        "mean   0.734512  1234.5678\nstd  12.1",
        "df = pd.read_csv('data/churn.csv')",
        "model = load(path, token=os.environ['HF_TOKEN'])",
        # checksums, commits and run ids are hex strings too; their names say so
        "sha256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'",
        "EXPECTED_MD5 = '9e107d9d372bb6826bd81d3542a419d6'",
        "COMMIT = '4b825dc642cb6eb9a060e54bf8d69288fbee4904'",
        "mlflow.start_run(run_id='9e107d9d372bb6826bd81d3542a419d6')",
        "check(file, checksum='9e107d9d372bb6826bd81d3542a419d6')",
    ],
)
def test_ignores_ordinary_code_and_tables(text):
    assert find_secrets(text) == []


def test_output_scan_without_entropy_still_finds_fixed_formats():
    (hit,) = find_secrets("printed AIzaSyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY", entropy=False)
    assert hit.kind == "Google API Key" and hit.column == 9


@pytest.mark.parametrize(
    "text, column",
    [
        ("key: 2ac298547b3f07e56d1f297644fd12de", 6),
        ("Your Kaggle key is 2ac298547b3f07e56d1f297644fd12de", 20),
        ("{'username': 'ann', 'key': '2ac298547b3f07e56d1f297644fd12de'}", 29),
        ("OPENAI_API_KEY=Zq8Lr2Wv9Kx4Tb7Nm1Pc6Hd3Fj5Gs0Ay8", 16),
        ("Authorization: Bearer eyJhbGciOiJIUzI1NiJ9abcDEF123", 23),
        ("db password = hunter2-correct", 15),
        ("password: hunter2", 11),
        ("password = correcthorsebattery", 12),
        ("{'user': 'ann', 'password': 'correcthorsebattery'}", 30),
        ("login passphrase: CorrectHorseBatteryStaple.", 19),
    ],
)
def test_printed_keyword_secrets(text, column):
    (hit,) = find_printed_secrets("loading\n" + text)
    assert (hit.line, hit.column, hit.kind) == (2, column, "Secret Keyword")


@pytest.mark.parametrize(
    "text",
    [
        "sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "commit 4b825dc642cb6eb9a060e54bf8d69288fbee4904",
        "key: 3f2504e0-4f89-11d3-9a0c-0305e82c3301",  # a uuid
        "token: 50256",
        "password: ********",
        "{'primary_key': 'user_id_12345678'}",
        "state_dict key: layer1.0.conv1.weight",
        "Token is valid (permission: write).",
        "tokens: 1234 words",
        "0  9e107d9d372bb6826bd81d3542a419d6  aB3dE5fG7hJ9kL1mN3pQ5rS7  123456789012345678",
        # an md5 named as a record's or an entry's key is not a credential
        "cache key: 5d41402abc4b2a76b9719d911017c592",
        "cache_key=5d41402abc4b2a76b9719d911017c592",
        "primary key: 9e107d9d372bb6826bd81d3542a419d6",
        "'partition-key': '9e107d9d372bb6826bd81d3542a419d6'",
        # words that follow "password" in messages and help text
        "password: required",
        "Password: incorrect",
        "The password is incorrectly typed",
        "password: Optional[str] = None",
        "password = getpassword()",
        "password: hunter",
        "key: abc123",
    ],
)
def test_printed_words_ids_and_checksums_are_not_keys(text):
    assert find_printed_secrets(text) == []


def test_a_lone_value_is_a_secret_only_when_a_secret_name_was_printed():
    text = "2ac298547b3f07e56d1f297644fd12de\n"
    (hit,) = find_printed_secrets(text, ("kaggle_key",))
    assert (hit.line, hit.column, hit.kind) == (1, 1, "the value of `kaggle_key`")
    assert find_printed_secrets(text) == []
    assert find_printed_secrets("12345678901234567890\n", ("token",)) == []


def test_a_lone_passphrase_printed_from_a_password_is_a_secret():
    (hit,) = find_printed_secrets("correcthorsebattery\n", ("db_password",))
    assert hit.kind == "the value of `db_password`"
    assert find_printed_secrets("correcthorsebattery\n", ("api_key",)) == []


@pytest.mark.parametrize(
    "name, secret",
    [("api_key", True), ("KAGGLE_KEY", True), ("hf_token", True), ("db_password", True)]
    + [("sha_key", False), ("commit_token", False), ("run_id", False), ("model", False)],
)
def test_secret_names(name, secret):
    assert is_secret_name(name) is secret


def test_many_texts_keep_their_own_line_numbers():
    texts = ["a = 1", "b = 2\nkey = 'AKIAIOSFODNN7EXAMPLE'", "key = 'AKIAIOSFODNN7EXAMPLE'"]
    hits = find_secrets_in_texts(texts)
    assert [[h.line for h in text_hits] for text_hits in hits] == [[], [2], [1]]
    assert hits[1][0].column == 8


def test_deep_indentation_is_scanned():
    # whitespace runs are collapsed before detect-secrets' backtracking-prone filters see them
    text = "\n".join(" " * (4 * i) + f"x{i} = call(a[{i}])" for i in range(200))
    text += "\n" + " " * 800 + "key = 'AKIAIOSFODNN7EXAMPLE'"
    (hit,) = find_secrets(text)
    assert (hit.line, hit.column, hit.kind) == (201, 808, "AWS Access Key")


def test_detect_secrets_allowlist_pragma_is_honoured():
    assert find_secrets("key = 'AKIAIOSFODNN7EXAMPLE'  # pragma: allowlist secret") == []


def _scan_everything_fresh(texts, entropy=True):
    from productionize.core import secret_scan

    secret_scan.cache_clear()
    return secret_scan.find_secrets_in_texts(texts, entropy=entropy)


def test_remembered_verdicts_give_the_same_hits_as_a_fresh_scan():
    texts = [line for line, _kind in SECRETS] + ["x = 1\ny = 'plain text'", "mean 0.7 1.2"]
    fresh = _scan_everything_fresh(texts)
    # every line already remembered, then a mix of remembered and new lines, in another order
    assert find_secrets_in_texts(texts) == fresh
    mixed = ["z = 2\n" + texts[3], "new_password = 'hunter2hunter2'", texts[0]]
    assert find_secrets_in_texts(mixed) == _scan_everything_fresh(mixed)
    assert find_secrets_in_texts(texts, entropy=False) == _scan_everything_fresh(texts, False)


def test_allowlist_comment_still_applies_to_the_next_line_after_remembering():
    secret = "db_password = 'tr0ub4dor&3'"
    assert [h.kind for h in find_secrets(secret)] == ["Secret Keyword"]  # now remembered
    allowed = "# pragma: allowlist nextline secret\n" + secret
    assert find_secrets(allowed) == _scan_everything_fresh([allowed])[0] == []


def test_a_secret_named_like_a_hash_is_still_a_secret():
    (hit,) = find_secrets("key_sha = '2ac298547b3f07e56d1f297644fd12de'")
    assert hit.kind == "Hex High Entropy String"


def _corpus_lines() -> list[str]:
    """Lines of every notebook under tests/ and examples/, the bench notebook and the cases here."""
    import json
    import sys

    from tests.conftest import EXAMPLES, ROOT

    sys.path.insert(0, str(ROOT / "bench"))
    import synthetic

    nodes = [json.loads(json.dumps(synthetic.build_notebook(200)))]
    paths = [*sorted((ROOT / "tests" / "notebooks").glob("*.ipynb")), *EXAMPLES.glob("*.ipynb")]
    nodes += [json.loads(path.read_text()) for path in paths]
    lines = [line for line, _ in SECRETS]
    for node in nodes:
        for cell in node["cells"]:
            source = cell["source"]
            lines += ("".join(source) if isinstance(source, list) else source).split("\n")
            for output in cell.get("outputs", []):
                text = output.get("text") or output.get("data", {}).get("text/plain") or ""
                lines += ("".join(text) if isinstance(text, list) else text).split("\n")
    # near misses of each detector: shorter, other quotes, keyword spellings, hex and base64 runs
    lines += [
        "x = 'AKIAIOSFODNN7EXAMPL'",
        'api_key = "abcdefghijklmnop"',
        "PASSWD: hunter2hunter2",
        "h = 'deadbeef1'",
        "h = 'deadbeef'",
        "b = 'QUJDREVGR0hJSktMTU5PUFFSU1RVVldY'",
        "b = 'QUJDREVGR0hJSktMTU5PUFFS'",
        "ip = '8.8.8.8'",
        "url = 'https://user:pass@example.com/x'",
        "jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJlc2lnbmF0dXJl'",
        "contraseña = 's3cr3tvalue'",
    ]
    return lines


@pytest.mark.parametrize("entropy", [True, False])
def test_skipping_lines_no_detector_matches_changes_no_verdict(monkeypatch, entropy):
    from productionize.core import secret_scan

    assert secret_scan._detector_patterns(entropy) is not None  # the fast path is in use
    lines = _corpus_lines()
    assert len(lines) > 500
    texts = ["\n".join(lines[i : i + 40]) for i in range(0, len(lines), 40)]
    secret_scan.cache_clear()
    fast = find_secrets_in_texts(texts, entropy=entropy)
    secret_scan.cache_clear()
    monkeypatch.setattr(secret_scan, "_detector_patterns", lambda _entropy: None)
    assert find_secrets_in_texts(texts, entropy=entropy) == fast
    assert any(fast)
