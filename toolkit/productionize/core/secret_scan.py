"""Find secrets in text with detect-secrets' plugins and filters, in process (no files, no entropy
code of our own). Shared by the linter and the publish stage's pre-push scan."""

from __future__ import annotations

import functools
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass

# detect-secrets keeps its settings in a process-wide cache; scans must not interleave
_LOCK = threading.Lock()
# generic detectors rank below specific ones when one line matches several
_GENERIC = ("Secret Keyword", "Base64 High Entropy String", "Hex High Entropy String")
MAX_LINE_CHARS = 2000  # minified blobs are not where people paste keys; bound the work
# Every detect-secrets plugin needs one of these on a line: an assignment/colon (keywords, basic
# auth, connection strings), a private-key header, or a long token-like run (cloud keys, tokens,
# high-entropy strings). Lines without any (most of a printed DataFrame) are skipped unscanned.
_WHITESPACE = re.compile(r"\s{2,}")
# Fixed-format keys detect-secrets 1.5 has no plugin for (outputs are scanned without the entropy
# plugins, which would otherwise be the only net for them). Formats, not entropy guesses.
EXTRA_FORMATS = (
    ("Google API Key", re.compile(r"\bAIza[0-9A-Za-z_\-]{35}\b")),
    ("Google OAuth Client Secret", re.compile(r"\bGOCSPX-[0-9A-Za-z_\-]{28}\b")),
    ("OpenAI API Key", re.compile(r"\bsk-(?:proj|svcacct|admin)-[0-9A-Za-z_\-]{20,}")),
    ("OpenAI API Key", re.compile(r"\bsk-[0-9A-Za-z]{32,}\b")),  # the older, unscoped keys
    ("Hugging Face Token", re.compile(r"\bhf_[0-9A-Za-z]{34}\b")),
)
# A hex string is what a checksum, a commit or a run id looks like as much as a key: the name it
# is given says which (``sha256 = "e3b0..."``, ``COMMIT = "4b82..."``, ``run_id = "0a1b..."``).
_DIGEST_NAME = re.compile(
    r"(hash|sha\d*|md5|checksum|digest|commit|revision|fingerprint|etag|uuid|guid|crc|(^|_)id)$",
    re.IGNORECASE,
)
_SECRET_WORD = re.compile(r"key|token|secret|passw|pwd|auth|credential", re.IGNORECASE)
_NAME_BEFORE_VALUE = re.compile(r"([A-Za-z_]\w*)['\"\]]*\s*(?:==?|:)\s*[rbu]?['\"]?$")
_CANDIDATE = re.compile(r"[=:]|PRIVATE KEY|PuTTY|[A-Za-z0-9_\-+/.]{16}")


# Printed text is not code: ``print("key:", key)`` shows ``key: 2ac2…`` without the quotes and
# assignment detect-secrets' keyword plugin needs, and outputs are scanned without the entropy
# plugins (a DataFrame of ids or a base64 blob would flood). A secret-like word, a separator
# (``:``, ``=``, `` is ``) and a value that looks generated (see _looks_generated) are a key.
_PRINTED_KEYWORD = re.compile(
    r"(?<![A-Za-z0-9])(?P<word>(?:api|access|secret|private|client|auth)?[_-]?key(?:[_-]id)?"
    r"|apikey|token|secret|client[_-]?secret|password|passwd|passphrase|pwd|bearer)"
    r"(?![A-Za-z0-9])['\"]?(?P<sep>\s*[:=]\s*|\s+(?:is|was)\s+|(?<=bearer)\s+)['\"]?"
    r"(?P<value>[A-Za-z0-9_\-+/=.]{6,})",
    re.IGNORECASE,
)
_PASSWORD_WORD = re.compile(r"pass(?:w|phrase)|pwd", re.IGNORECASE)
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE)
_HEX_KEY = re.compile(r"[0-9a-fA-F]{32,}")
_LETTERS = re.compile(r"[A-Za-z]{8,}")
# what follows ``password:`` in messages, forms and help text rather than a password
_PASSWORD_STATUS = frozenset(
    "required optional incorrect invalid missing provided accepted rejected changed updated "
    "expired disabled enabled hidden redacted masked removed unchanged protected encrypted "
    "undefined notfound username password placeholder".split()
)
# a value right before one of these is a word of a type or a call (``password: Optional[str]``)
_WORD_END = re.compile(r"$|[\s'\",;})<&!?]|\.(?:\s|$)")
# ``cache key: 5d41…``, ``primary_key=…``: a key that names a record or an entry, not a credential
_RECORD_QUALIFIER = re.compile(
    r"(?<![A-Za-z0-9])(?:cache|primary|foreign|sort|partition|composite|unique|index|lookup|"
    r"join|group|grouping|dict|row|column|range|shard|dedup|dedupe|idempotency|natural|"
    r"surrogate|candidate|object|file|hash|md5|sha\d*|checksum|digest|etag|map|hashmap)"
    r"[\s_.-]*$",
    re.IGNORECASE,
)


def _looks_generated(word: str, value: str, letters_allowed: bool = False) -> bool:
    """Whether a printed value after a secret-like word is a key rather than a word or an id.

    ``letters_allowed``: a password that is letters only (``correcthorsebattery``) counts, as
    after ``password:`` or ``password =`` (never after ``password is``, which is prose).
    """
    value = value.rstrip(".")
    has_digit = any(c.isdigit() for c in value)
    has_letter = any(c.isalpha() for c in value)
    if _UUID.fullmatch(value):
        return False  # run ids
    if _PASSWORD_WORD.search(word):
        # people pick passwords: length is enough (``hunter2``), or a passphrase of letters
        if has_digit and has_letter:
            return True
        return (
            letters_allowed
            and _LETTERS.fullmatch(value) is not None
            and value.lower() not in _PASSWORD_STATUS
        )
    if not (has_digit and has_letter) or len(value) < 8:
        return False  # counts, token ids (``eos token: 50256``), placeholder words
    if _HEX_KEY.fullmatch(value):
        return True  # Kaggle's and many APIs' keys are 32 hex digits
    return len(value) >= 20 and any(c.isupper() for c in value) and any(c.islower() for c in value)


def _names_a_record(line: str, match: re.Match) -> bool:
    """Whether the key word is qualified as a record's or an entry's key (``cache key: …``)."""
    word = match.group("word").lower().replace("-", "_")
    return word in ("key", "key_id", "_key") and bool(
        _RECORD_QUALIFIER.search(line[: match.start("word")])
    )


def _printed_secret(line: str, match: re.Match) -> bool:
    if _names_a_record(line, match):
        return False
    value = match.group("value")
    # a letters-only password is one only when it ends like a word ends, after ``:`` or ``=``
    letters_allowed = match.group("sep").strip() in (":", "=") and bool(
        _WORD_END.match(line, match.end("value"))
    )
    return _looks_generated(match.group("word"), value, letters_allowed)


_DIGEST_WORD = re.compile(r"hash|sha\d*|md5|checksum|digest|commit|uuid|guid|finger", re.I)
_LONE_VALUE = re.compile(r"\s*['\"]?(?P<value>[A-Za-z0-9_\-+/=.]{16,})['\"]?\s*")


def find_printed_secrets(text: str, names: Sequence[str] = ()) -> list[SecretHit]:
    """Secrets a keyword introduces in printed text (``key: 2ac2…``), one hit per line at most.

    ``names`` are secret-like names the cell prints or ends with (``print(api_key)``): a line
    that is one generated-looking value alone is then taken to be theirs.
    """
    hits = []
    for number, line in enumerate(text.split("\n"), start=1):
        line = line[:MAX_LINE_CHARS]
        for match in _PRINTED_KEYWORD.finditer(line):
            if _printed_secret(line, match):
                hits.append(SecretHit(number, match.start("value") + 1, "Secret Keyword"))
                break
        else:
            lone = _LONE_VALUE.fullmatch(line) if names else None
            value = lone.group("value") if lone else ""
            if lone and any(_looks_generated(name, value, letters_allowed=True) for name in names):
                kind = f"the value of `{names[0]}`" if len(names) == 1 else "a printed secret"
                hits.append(SecretHit(number, lone.start("value") + 1, kind))
    return hits


def is_secret_name(name: str) -> bool:
    """Whether a variable name says it holds a secret (``api_key``, ``TOKEN``; not ``sha_key``)."""
    return bool(_SECRET_WORD.search(name)) and not _DIGEST_WORD.search(name)


@dataclass(frozen=True)
class SecretHit:
    """A likely secret: where it is and what kind; never the secret itself."""

    line: int  # 1-based
    column: int  # 1-based
    kind: str  # detect-secrets' type, e.g. "AWS Access Key"


def find_secrets(text: str, *, entropy: bool = True) -> list[SecretHit]:
    """Scan text line by line; at most one hit per line (the most specific detector wins)."""
    return find_secrets_in_texts([text], entropy=entropy)[0]


def find_secrets_in_texts(texts: Sequence[str], *, entropy: bool = True) -> list[list[SecretHit]]:
    """Scan several texts in one detect-secrets session; one list of hits per text."""
    split = [text.split("\n") for text in texts]
    unique: dict[str, int] = {}  # candidate line -> its number in the scan
    for lines in split:
        for line in lines:
            for variant in _variants(_scannable(line)):
                if variant not in unique and _may_hold_secret(variant, entropy):
                    unique[variant] = len(unique) + 1
    kinds = _scan(list(unique), entropy) if unique else {}
    results = []
    for lines in split:
        hits = []
        for number, line in enumerate(lines, start=1):
            found = next(
                (
                    kinds[unique[v]]
                    for v in _variants(_scannable(line))
                    if unique.get(v, 0) in kinds
                ),
                None,
            )
            if found:
                kind, value = found
                column = line.find(value) + 1 if value else 1
                hits.append(SecretHit(number, max(column, 1), kind))
        results.append(hits)
    return results


def _may_hold_secret(line: str, entropy: bool) -> bool:
    """Whether any enabled detector could report ``line`` (else detect-secrets is not asked)."""
    if not _CANDIDATE.search(line):
        return False
    needed = _detector_patterns(entropy)
    return needed is None or any(pattern.search(line) for pattern in needed)


@functools.lru_cache(maxsize=2)
def _detector_patterns(entropy: bool) -> tuple[re.Pattern, ...] | None:
    """The regexes one of which a line must match for any enabled detect-secrets plugin to report it.

    detect-secrets costs ~0.1 ms a line (each plugin called through its argument injection, then
    the filters); these regexes are the plugins' own, so skipping lines none of them matches
    changes no verdict: a regex plugin yields only its ``denylist`` matches, a high-entropy plugin
    only quoted runs of its charset whose entropy exceeds its limit (a string of n characters has
    at most log2(n), so shorter runs cannot), the keyword plugin only lines naming one of its
    keywords. Filters only remove findings. None (scan every line) for a plugin of another kind.
    Searched one by one, not as one alternation: each then starts with its own literal-prefix
    scan, which halves the time on lines none matches (most of them).
    """
    from detect_secrets.plugins.base import RegexBasedDetector
    from detect_secrets.plugins.high_entropy_strings import HighEntropyStringsPlugin
    from detect_secrets.plugins.keyword import DENYLIST, KeywordDetector
    from detect_secrets.settings import default_settings, get_plugins

    patterns = [pattern for _, pattern in EXTRA_FORMATS]
    with _LOCK, default_settings() as settings:
        if not entropy:
            settings.disable_plugins("Base64HighEntropyString", "HexHighEntropyString")
        for plugin in get_plugins():
            if isinstance(plugin, KeywordDetector):
                patterns.append(re.compile("|".join(DENYLIST), re.IGNORECASE))
            elif isinstance(plugin, HighEntropyStringsPlugin):
                shortest = max(1, int(2**plugin.entropy_limit))  # log2(n) > limit needs n > 2^limit
                run = f"[{re.escape(plugin.charset)}]{{{shortest},}}"
                patterns.append(re.compile(f"\"{run}\"|'{run}'"))
            elif isinstance(plugin, RegexBasedDetector):
                patterns.extend(plugin.denylist)
            else:
                return None
    return tuple(patterns)


# ``conn = connect(password="...")``: detect-secrets drops a line whose assigned value is a call
# (its "indirect reference" filter, meant for ``password = get_secret()``) before looking at the
# call's keyword arguments, so those are scanned again on their own.
_ASSIGNED_CALL = re.compile(r"^[\w.\[\]'\", ]+=\s*[\w.\[\]'\"]+\(")


def _variants(line: str) -> tuple[str, ...]:
    if not line:
        return ()
    match = _ASSIGNED_CALL.match(line)
    return (line, line[match.end() :]) if match else (line,)


def _scannable(line: str) -> str:
    # Whitespace runs make one of detect-secrets' filter regexes backtrack for seconds per line
    # (deeply indented code); secrets never depend on them, so they are collapsed before scanning.
    return _WHITESPACE.sub(" ", line[:MAX_LINE_CHARS].strip())


# (entropy, scannable line) -> (kind, value) or None. The Jupyter server re-lints the same lines
# after every edit (detect-secrets costs ~0.1 ms a line). A verdict depends on the line alone,
# except for detect-secrets' "pragma: allowlist nextline" comments, which look at the previous
# line: a scan with such a comment is not remembered (see _scan).
_VERDICTS: dict[tuple[bool, str], tuple[str, str] | None] = {}
MAX_REMEMBERED_LINES = 20_000  # lines are <= 2,000 chars: at most ~40 MB, typically ~2 MB


def cache_clear() -> None:
    """Forget remembered verdicts (benchmarks measure a first scan with it)."""
    _VERDICTS.clear()


def _names_a_digest(line: str, value: str) -> bool:
    """Whether the hex ``value`` is bound to a checksum-like name (and to no secret-like one)."""
    at = line.find(value) if value else -1
    match = _NAME_BEFORE_VALUE.search(line[:at]) if at > 0 else None
    if match is None:
        return False
    name = match.group(1)
    return bool(_DIGEST_NAME.search(name)) and not _SECRET_WORD.search(name)


def _scan(lines: list[str], entropy: bool) -> dict[int, tuple[str, str]]:
    if any("allowlist" in line.lower() for line in lines):
        return _scan_unremembered(lines, entropy)
    new = [line for line in dict.fromkeys(lines) if (entropy, line) not in _VERDICTS]
    if new:
        found = _scan_unremembered(new, entropy)
        if len(_VERDICTS) + len(new) > MAX_REMEMBERED_LINES:
            _VERDICTS.clear()
        for number, line in enumerate(new, start=1):
            _VERDICTS[(entropy, line)] = found.get(number)
    verdicts = {}
    for number, line in enumerate(lines, start=1):
        verdict = _VERDICTS.get((entropy, line), _MISSING)
        if verdict is _MISSING:  # forgotten meanwhile by another thread: scan it alone
            verdict = _scan_unremembered([line], entropy).get(1)
        if verdict is not None:
            verdicts[number] = verdict
    return verdicts


_MISSING = object()


def _scan_unremembered(lines: list[str], entropy: bool) -> dict[int, tuple[str, str]]:
    from detect_secrets.core.scan import _process_line_based_plugins
    from detect_secrets.settings import default_settings

    best: dict[int, tuple[int, str, str]] = {}
    numbered = list(enumerate(lines, start=1))
    with _LOCK, default_settings() as settings:
        if not entropy:
            settings.disable_plugins("Base64HighEntropyString", "HexHighEntropyString")
        for secret in _process_line_based_plugins(numbered, "notebook.py"):
            rank = _GENERIC.index(secret.type) + 1 if secret.type in _GENERIC else 0
            current = best.get(secret.line_number)
            if current is None or rank < current[0]:
                best[secret.line_number] = (rank, secret.type, secret.secret_value or "")
    for number, line in numbered:
        current = best.get(number)
        if current is not None and current[1] == "Hex High Entropy String":
            if _names_a_digest(line, current[2]):
                del best[number]
                current = None
        if current is not None and current[0] == 0:
            continue  # a specific detector already named it
        for kind, pattern in EXTRA_FORMATS:
            match = pattern.search(line)
            if match:
                best[number] = (0, kind, match.group(0))
                break
    return {number: (kind, value) for number, (_, kind, value) in best.items()}
