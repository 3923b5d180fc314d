"""Post-processing on this machine, after generation: real values back for the asking user,
the company glossary, and the compliance filter on the output. Every change is recorded."""

import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from ingestion.text import CJK_WIDE, STREAM_SENTENCE_END, is_wide_char
from router.pii import Span
from router.protect import SECRET_REMOVED, PlaceholderMap, StreamRestorer, find_personal_data, restore_text
from router.trace import ComplianceAction

SECRET_KINDS = {"SECRET", "PASSWORD", "API_KEY", "HOST"}  # internal hostnames are secrets too
# A stream may be cut after white space or a Chinese character or punctuation mark.
_CUTTABLE = re.compile(rf"[\s{CJK_WIDE}]")
HOLD_BACK_WIDTH = 48  # Latin characters; a Chinese character counts as three
CONTEXT_CHARS = 24
RELEASE_STEP_WIDTH = 12  # release once this much more than the hold-back has arrived


def _width(char: str) -> int:
    return 3 if is_wide_char(char) else 1


def _worth_cutting(text: str) -> bool:
    beyond_hold_back = sum(map(_width, text)) - HOLD_BACK_WIDTH
    return beyond_hold_back >= RELEASE_STEP_WIDTH or STREAM_SENTENCE_END.search(text) is not None


def _held_back_from(text: str) -> int:
    """Where the newest HOLD_BACK_WIDTH of the text begins: it stays until more arrives."""
    width = 0
    for index in range(len(text) - 1, -1, -1):
        width += _width(text[index])
        if width >= HOLD_BACK_WIDTH:
            return index
    return 0


@dataclass(frozen=True)
class ComplianceRules:
    """What the filter enforces. `visible_values` are personal values the user may see
    (those detected in the question and in the passages they are allowed to read);
    `visible_text` is that text itself: a value found in the answer is one the user may
    see when it is written there, however detection cut it out of the answer ("梁启超与潘佩珠"
    against "梁启超本人" in the passage)."""

    glossary: Sequence[tuple[str, str]] = ()
    blocked_terms: Sequence[str] = ()
    visible_values: frozenset[str] = frozenset()
    known_names: Sequence[str] = ()
    visible_text: str = ""

    def may_see(self, value: str) -> bool:
        """Whether the user could already read `value` (in any case)."""
        lowered = value.lower()
        return lowered in self._visible_lowered or lowered in self._text_lowered

    # Lowered once per request: the filter asks on every release of a stream.
    @functools.cached_property
    def _visible_lowered(self) -> frozenset[str]:
        return frozenset(v.lower() for v in self.visible_values)

    @functools.cached_property
    def _text_lowered(self) -> str:
        return self.visible_text.lower()


@dataclass
class Filtered:
    text: str
    actions: list[ComplianceAction] = field(default_factory=list)


def apply_glossary(text: str, glossary: Iterable[tuple[str, str]]) -> Filtered:
    result = Filtered(text)
    for term, preferred in glossary:
        pattern = re.compile(rf"(?<!\w){re.escape(term)}(?!\w)", re.IGNORECASE)
        replaced, count = pattern.subn(preferred, result.text)
        if count and replaced != result.text:
            result.text = replaced
            result.actions.append(ComplianceAction("glossary", f"“{term}” → “{preferred}” ({count}×)"))
    return result


def apply_compliance(text: str, rules: ComplianceRules, findings: Sequence[Span] | None = None) -> Filtered:
    """Secrets always go; personal data goes unless the user could already see it; blocked terms go.

    `findings` may come from a larger window around `text` (a stream's recent past), where
    detection has the context a short piece lacks."""
    actions: list[ComplianceAction] = []
    pieces, cursor = [], 0
    if findings is None:
        findings = find_personal_data(text, known_names=rules.known_names)
    for span in sorted(findings, key=lambda s: s.start):
        if span.start < cursor:
            continue
        if span.kind in SECRET_KINDS:
            replacement, kind = SECRET_REMOVED, "secret_removed"
        elif not rules.may_see(span.value):
            replacement, kind = f"[{span.kind.lower()} removed]", "pii_masked"
        else:
            continue
        pieces += [text[cursor : span.start], replacement]
        cursor = span.end
        actions.append(ComplianceAction(kind, f"{span.kind} removed from the answer"))
    text = "".join([*pieces, text[cursor:]])
    for term in rules.blocked_terms:
        pattern = re.compile(re.escape(term), re.IGNORECASE)
        text, count = pattern.subn("[removed]", text)
        if count:
            actions.append(ComplianceAction("blocked_term", f"blocked term removed ({count}×)"))
    return Filtered(text, actions)


class StreamPostProcessor:
    """Post-processing on a stream: restores placeholders as they arrive and releases text
    nearly as fast as it comes, a few words behind the model, so the filter always sees
    whole values.

    Text goes out up to the last sentence end, or further up to a cut point HOLD_BACK_WIDTH
    behind the newest text: at a space or between Chinese characters, never inside a
    finding or a glossary/blocked term, and never within CONTEXT_CHARS after the start of
    one's context (a "password:" stays with the value it announces). Anything shorter than
    the hold-back is therefore whole before any part of it leaves.
    """

    def __init__(self, *, mapping: PlaceholderMap, rules: ComplianceRules) -> None:
        self._mapping = mapping
        self._restorer = StreamRestorer(mapping)
        self._rules = rules
        self._released_tail = ""  # left context for detection
        self._pending = ""
        self._raw: list[str] = []
        self.actions: list[ComplianceAction] = []

    def feed(self, chunk: str) -> str:
        self._raw.append(chunk)
        self._pending += self._restorer.feed(chunk)
        return self._release(final=False)

    def flush(self) -> str:
        self._pending += self._restorer.flush()
        raw = "".join(self._raw)
        if restore_text(raw, mapping=self._mapping) != raw:
            self.actions.append(
                ComplianceAction("placeholder_restored", "placeholders replaced by real values")
            )
        return self._release(final=True)

    @property
    def raw(self) -> str:
        """The answer as the model wrote it, before any change: what the instruction check judges."""
        return "".join(self._raw)

    def discard_pending(self) -> None:
        """Drop what is held back and not yet released: the end of an answer that was cut
        off (a cloud stream that failed) is not shown half-sentence."""
        self._restorer.flush()
        self._pending = ""

    def _release(self, *, final: bool) -> str:
        if not final and not _worth_cutting(self._pending):
            return ""  # spares a detection pass per token: text leaves a few words at a time
        offset = len(self._released_tail)
        window = self._released_tail + self._pending
        # A value that only now shows it straddles the last cut: its part still here goes.
        findings = [
            replace(span, start=max(span.start - offset, 0), end=span.end - offset)
            for span in find_personal_data(window, known_names=self._rules.known_names)
            if span.end > offset
        ]
        cut = len(self._pending) if final else self._safe_cut(self._pending, findings)
        ready, self._pending = self._pending[:cut], self._pending[cut:]
        if not ready:
            return ""
        self._released_tail = (self._released_tail + ready)[-HOLD_BACK_WIDTH:]
        # A value can straddle the cut only at a sentence end; the part of it here goes too.
        in_ready = [replace(f, end=min(f.end, cut)) for f in findings if f.start < cut]
        compliance = apply_compliance(ready, self._rules, findings=in_ready)
        glossary = apply_glossary(compliance.text, self._rules.glossary)
        self.actions += compliance.actions + glossary.actions
        return glossary.text

    def _safe_cut(self, text: str, findings: Sequence[Span]) -> int:
        sentence_end = max((m.end() for m in STREAM_SENTENCE_END.finditer(text)), default=0)
        cut = _held_back_from(text)
        if cut <= sentence_end:
            return sentence_end
        guarded = [(start - CONTEXT_CHARS, end) for start, end in self._term_extents(text)]
        guarded += [(f.start - CONTEXT_CHARS, f.end) for f in findings]
        while cut > sentence_end:
            inside = [start for start, end in guarded if start < cut < end]
            if inside:
                cut = min(inside)
            elif _CUTTABLE.match(text, cut - 1):
                return cut
            else:
                cut -= 1
        return sentence_end

    def _term_extents(self, text: str) -> list[tuple[int, int]]:
        """Where blocked and glossary terms stand: they must not be cut in two either."""
        terms = [*self._rules.blocked_terms, *(term for term, _ in self._rules.glossary)]
        return [(m.start(), m.end()) for t in terms for m in re.finditer(re.escape(t), text, re.IGNORECASE)]
