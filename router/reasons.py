"""Why a request went where it went: a code that programs read (the audit's breaker column,
the dashboard, translations at display) beside the text a person reads."""

from dataclasses import dataclass
from enum import StrEnum


class ReasonCode(StrEnum):
    OFFLINE = "offline"
    RESTRICTED = "restricted"
    LOCAL_INTENT = "local_intent"
    NO_CONTEXT = "no_context"
    SCOPE_OVERRIDE = "scope_override"
    BREAKER_OPEN = "breaker_open"
    CLOUD_REFUSED = "cloud_refused"
    OVER_BUDGET = "over_budget"
    OVER_LATENCY = "over_latency"
    CONTEXT_TOO_LONG = "context_too_long"
    DIRECT_LOOKUP = "direct_lookup"
    NEEDS_REASONING = "needs_reasoning"
    TOKENS_SAVED = "tokens_saved"
    HALF_OPEN_PROBE = "half_open_probe"
    CLOUD_FAILED = "cloud_failed"
    CLOUD_CUT_OFF = "cloud_cut_off"
    LOCAL_BUSY = "local_busy"  # the local model's queue was full: quoted instead of drafted
    ESCALATED = "escalated"  # a lookup the local model could not answer in words went to the cloud


@dataclass(frozen=True)
class Reason:
    code: ReasonCode
    text: str

    def __str__(self) -> str:
        return self.text
