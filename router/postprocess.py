"""Post-processing on this machine, after generation: real values back for the asking user,
the company glossary, and the compliance filter on the output. Every change is recorded."""

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from router.protect import PlaceholderMap, StreamRestorer, find_personal_data, restore_text
from router.trace import ComplianceAction

SECRET_KINDS = {"SECRET", "PASSWORD", "API_KEY"}
_BOUNDARY = re.compile(r"[.!?。！？\n](?=\s|$)|\n")


@dataclass(frozen=True)
class ComplianceRules:
    """What the filter enforces. `visible_values` are personal values the user may see
    (those in the question and in the passages they are allowed to read)."""

    glossary: Sequence[tuple[str, str]] = ()
    blocked_terms: Sequence[str] = ()
    visible_values: frozenset[str] = frozenset()
    known_names: Sequence[str] = ()


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


def apply_compliance(text: str, rules: ComplianceRules) -> Filtered:
    """Secrets always go; personal data goes unless the user could already see it; blocked terms go."""
    actions: list[ComplianceAction] = []
    visible = {v.lower() for v in rules.visible_values}
    pieces, cursor = [], 0
    for span in sorted(find_personal_data(text, known_names=rules.known_names), key=lambda s: s.start):
        if span.start < cursor:
            continue
        if span.kind in SECRET_KINDS:
            replacement, kind = "[secret removed]", "secret_removed"
        elif span.value.lower() not in visible:
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
    """Post-processing on a stream: restores placeholders as they arrive and releases text a
    sentence at a time, so the filter always sees whole values."""

    def __init__(self, *, mapping: PlaceholderMap, rules: ComplianceRules) -> None:
        self._mapping = mapping
        self._restorer = StreamRestorer(mapping)
        self._rules = rules
        self._pending = ""
        self._raw: list[str] = []
        self.actions: list[ComplianceAction] = []

    def feed(self, chunk: str) -> str:
        self._raw.append(chunk)
        self._pending += self._restorer.feed(chunk)
        boundary = max((m.end() for m in _BOUNDARY.finditer(self._pending)), default=0)
        ready, self._pending = self._pending[:boundary], self._pending[boundary:]
        return self._filter(ready)

    def flush(self) -> str:
        tail = self._restorer.flush()
        ready, self._pending = self._pending + tail, ""
        raw = "".join(self._raw)
        if restore_text(raw, mapping=self._mapping) != raw:
            self.actions.insert(
                0, ComplianceAction("placeholder_restored", "placeholders replaced by real values")
            )
        return self._filter(ready)

    def _filter(self, text: str) -> str:
        if not text:
            return ""
        glossary = apply_glossary(text, self._rules.glossary)
        compliance = apply_compliance(glossary.text, self._rules)
        self.actions += glossary.actions + compliance.actions
        return compliance.text
