"""Secrets: keys, tokens and passwords, found with Yelp's detect-secrets plugins where they have
one, and with our own patterns only for what they lack or cut short.

detect-secrets scans source files line by line and yields secret *values*, not positions; we
run its plugins' `analyze_string` (never `analyze_line`, which may verify a key over the
network) on each line and locate the values it yields. Its keyword plugin takes everything up
to the end of the line, which in prose is a sentence: a value it yields is cut at white space
unless it was quoted. What we add: a private key as a whole block (the plugin reports only the
BEGIN line), URLs and connection strings carrying credentials, bearer and basic tokens,
Azure client secrets and SAS signatures, GCP OAuth secrets, Chinese "密码：…", prose such as
"the password is …", any value assigned to a secret-like name when it looks random, and bare
random-looking tokens of key length (an AWS secret access key needs no label to be one).
"""

import functools
import math
import re
from collections import Counter
from collections.abc import Iterator

from router.pii import Span

_LABELS = (
    r"(?:pass(?:word|wd|phrase|code)|pass(?=\s*[:=])|pwd|secret|token|api[_ -]?key|apikey|access[_ -]?key|auth[_ -]?key|"
    r"private[_ -]?key|client[_ -]?secret|credentials?|signature|sig|salt|session[_ -]?id|cookie|"
    r"account[_ -]?key|master[_ -]?key|encryption[_ -]?key|signing[_ -]?key|bearer)"
)


@functools.cache
def _own() -> dict[str, re.Pattern]:
    return {
        # The whole block, also inside JSON ("\n" escapes) and when cut off before its END line.
        "PRIVATE_KEY": re.compile(
            r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----"
            r"(?:.*?-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----|[A-Za-z0-9+/=\s\\:,-]*)",
            re.DOTALL,
        ),
        "URL_CREDENTIALS": re.compile(
            r"(?<![A-Za-z0-9+.-])(?:[a-z][a-z0-9+.-]*:)?(?:[a-z][a-z0-9+.-]*)://[^\s/:@'\"<>\u2e80-\uffff]*:[^\s/@'\"<>\u2e80-\uffff]+@"
            r"[^\s/'\"<>?#,;)\u2e80-\uffff]+(?:/[^\s'\"<>?#,;)\u2e80-\uffff]*)?",
            re.IGNORECASE,
        ),
        "BEARER": re.compile(
            r"(?<![A-Za-z])(?:bearer|basic|token)\s+([A-Za-z0-9._~+/-]{16,}=*)", re.IGNORECASE
        ),
        "AZURE_CLIENT_SECRET": re.compile(
            r"(?<![A-Za-z0-9_~.-])[A-Za-z0-9_~.-]{3}\dQ~[A-Za-z0-9_~.-]{31,34}"
        ),
        "SAS_SIGNATURE": re.compile(
            r"(?<![A-Za-z])(?:sig|AccountKey|SharedAccessKey)=([A-Za-z0-9%+/]{16,}=*(?:%3D)*)"
        ),
        "VENDOR_KEY": re.compile(
            r"(?<![A-Za-z0-9])(?:sk-[A-Za-z0-9_-]{16,}|gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,}|"
            r"glpat-[A-Za-z0-9_-]{20,}|xox[bpas]-[A-Za-z0-9-]{10,}|AIza[0-9A-Za-z_-]{30,}|GOCSPX-[A-Za-z0-9_-]{20,}|"
            r"ya29\.[A-Za-z0-9_-]{20,}|[rs]k_(?:live|test)_[A-Za-z0-9]{16,}|SG\.[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{16,}|"
            r"kb_[A-Za-z0-9_-]{30,})"
        ),
        "ASSIGNED": re.compile(
            rf"(?<![A-Za-z]){_LABELS}[A-Za-z_]*[\"'\]]?\s*(?:is|was|为|是|[:：=]|=>|:=)\s*"
            rf"(?:[\"'“`]([^\"'”`\n]{{4,}})[\"'”`]|([^\s\"'`,;)}}\]\u2e80-\uffff]{{4,}}))",
            re.IGNORECASE,
        ),
        "ZH_ASSIGNED": re.compile(
            r"(?:密码|口令|密钥|令牌|秘钥)\s*(?:是|为|[:：=])?\s*[\"'“]?([^\s\"'`,;)\]}\u2e80-\uffff]{4,})"
        ),
        "RANDOM_TOKEN": re.compile(r"(?<![A-Za-z0-9+/=_-])[A-Za-z0-9+/_-]{20,}={0,2}(?![A-Za-z0-9+/=_-])"),
    }


_KEYWORD_REACH = 240  # characters after a secret-like word searched for its value
_SETTING = re.compile(r"\s*(?:export\s+|-\s+)?[\"']?[A-Za-z0-9_.-]+[\"']?\s*(?::=|=>|[:=])\s*[\"']?")
# Words of prose that follow "password is" and friends without being one.
_NOT_VALUES = frozenset(
    ("required", "incorrect", "invalid", "expired", "missing", "reset", "changed", "the", "not")
)


def secret_spans(text: str) -> Iterator[Span]:
    """Candidate secrets, possibly overlapping one another; the caller merges them."""
    yield from _detect_secrets_spans(text)
    patterns = _own()
    for name in ("PRIVATE_KEY", "URL_CREDENTIALS", "AZURE_CLIENT_SECRET", "VENDOR_KEY"):
        for match in patterns[name].finditer(text):
            yield Span("SECRET", match.start(), match.end(), match.group())
    for name in ("BEARER", "SAS_SIGNATURE", "ZH_ASSIGNED"):
        for match in patterns[name].finditer(text):
            yield Span("SECRET", match.start(1), match.end(1), match.group(1))
    for match in patterns["ASSIGNED"].finditer(text):
        group = 1 if match.group(1) is not None else 2
        value = match.group(group) if group == 1 else match.group(group).rstrip(".:")
        if len(value) >= 4 and (
            group == 1 or _looks_secret(value, setting=_is_setting(text, match.start(group)))
        ):
            yield Span("SECRET", match.start(group), match.start(group) + len(value), value)
    for match in patterns["RANDOM_TOKEN"].finditer(text):
        if _looks_random(match.group()):
            yield Span("SECRET", match.start(), match.end(), match.group())


def _is_setting(text: str, value_start: int) -> bool:
    """A value assigned by the name that opens its line (`DB_PASSWORD=…`, `  password: …`,
    `export …`) is a setting, a secret however plain it looks ("admin")."""
    line_start = text.rfind("\n", 0, value_start) + 1
    return _SETTING.fullmatch(text[line_start:value_start]) is not None


def _looks_secret(value: str, *, setting: bool) -> bool:
    """A value after a secret-like name is one, unless it is a placeholder of ours or, in prose
    ("the password is required"), a plain lower-case word."""
    if value.lower() in _NOT_VALUES or re.fullmatch(r"<[A-Z]+_\d+>", value):
        return False
    return setting or not re.fullmatch(r"[a-z]+", value) or len(value) >= 12


def _looks_random(token: str) -> bool:
    """Key-length and mixed like a key: upper and lower case and digits, high entropy. Words,
    hex digests, IBANs and card numbers lack one of these."""
    classes = sum(bool(re.search(p, token)) for p in (r"[a-z]", r"[A-Z]", r"\d"))
    return classes == 3 and _entropy(token) >= 4.0 and not re.fullmatch(r"[A-Za-z]+\d{1,4}", token)


def _entropy(value: str) -> float:
    counts = Counter(value)
    return -sum(n / len(value) * math.log2(n / len(value)) for n in counts.values())


@functools.cache
def _plugins() -> tuple:
    """Every detect-secrets plugin that recognises a key by its own shape, plus the keyword
    and high-entropy ones; imported on first use (it pulls in `requests`)."""
    from detect_secrets.plugins import (
        artifactory,
        aws,
        azure_storage_key,
        basic_auth,
        cloudant,
        discord,
        github_token,
        gitlab_token,
        high_entropy_strings,
        ibm_cloud_iam,
        ibm_cos_hmac,
        jwt,
        mailchimp,
        npm,
        openai,
        pypi_token,
        sendgrid,
        slack,
        softlayer,
        square_oauth,
        stripe,
        telegram_token,
        twilio,
    )

    return (
        artifactory.ArtifactoryDetector(),
        aws.AWSKeyDetector(),
        azure_storage_key.AzureStorageKeyDetector(),
        basic_auth.BasicAuthDetector(),
        cloudant.CloudantDetector(),
        discord.DiscordBotTokenDetector(),
        github_token.GitHubTokenDetector(),
        gitlab_token.GitLabTokenDetector(),
        ibm_cloud_iam.IbmCloudIamDetector(),
        ibm_cos_hmac.IbmCosHmacDetector(),
        jwt.JwtTokenDetector(),
        mailchimp.MailchimpDetector(),
        npm.NpmDetector(),
        openai.OpenAIDetector(),
        pypi_token.PypiTokenDetector(),
        sendgrid.SendGridDetector(),
        slack.SlackDetector(),
        softlayer.SoftlayerDetector(),
        square_oauth.SquareOAuthDetector(),
        stripe.StripeDetector(),
        telegram_token.TelegramBotTokenDetector(),
        twilio.TwilioKeyDetector(),
        high_entropy_strings.Base64HighEntropyString(),
        high_entropy_strings.HexHighEntropyString(),
    )


@functools.cache
def _keyword_attempts() -> tuple[dict, ...]:
    """The keyword plugin's rules for config files (`password: x`, `password = x`) and for
    code (quotes required), each tried on every line: a context mixes both."""
    from detect_secrets.plugins import keyword

    return (keyword.CONFIG_DENYLIST_REGEX_TO_GROUP, keyword.QUOTES_REQUIRED_DENYLIST_REGEX_TO_GROUP)


def _detect_secrets_spans(text: str) -> Iterator[Span]:
    from detect_secrets.plugins.high_entropy_strings import HighEntropyStringsPlugin
    from detect_secrets.plugins.keyword import KeywordDetector

    keyword_plugin = KeywordDetector()
    offset = 0
    for line in text.splitlines(keepends=True):
        if len(line.strip()) >= 8:
            values: set[str] = set()
            for plugin in _plugins():
                for value in plugin.analyze_string(line):
                    if not isinstance(plugin, HighEntropyStringsPlugin) or (
                        plugin.calculate_shannon_entropy(value) > plugin.entropy_limit
                    ):
                        values.add(value)
            for piece in _keyword_pieces(line):
                for attempt in _keyword_attempts():
                    values.update(
                        _keyword_value(line, v) for v in keyword_plugin.analyze_string(piece, attempt)
                    )
            for value in values:
                yield from _located(text, offset, line, value)
        offset += len(line)


def _keyword_pieces(line: str) -> Iterator[str]:
    """The line from each secret-like word on: the keyword plugin's patterns are slow on long
    lines (a paragraph of prose is one line) and report only their first match."""
    from detect_secrets.plugins.keyword import DENYLIST_REGEX

    for match in re.finditer(DENYLIST_REGEX, line, re.IGNORECASE):
        start = match.start()
        while start and (line[start - 1].isalnum() or line[start - 1] == "_"):
            start -= 1
        yield line[start : start + _KEYWORD_REACH]


def _keyword_value(line: str, value: str) -> str:
    """The keyword plugin's value runs to the end of the line; unquoted, a value ends at white
    space or at the `;`/`&` that starts the next setting, and in prose it must look like one."""
    at = line.find(value)
    if at > 0 and line[at - 1] in "\"'`":
        return value
    value = re.split(r"[\s;&\u2e80-\uffff]", value.strip(), maxsplit=1)[0].rstrip(".:")
    return value if _looks_secret(value, setting=_is_setting(line, max(at, 0))) else ""


def _located(text: str, offset: int, line: str, value: str) -> Iterator[Span]:
    if len(value) < 4:
        return
    for match in re.finditer(re.escape(value), line):
        start = offset + match.start()
        yield Span("SECRET", start, start + len(value), text[start : start + len(value)])
