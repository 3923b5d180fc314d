"""Recognizers of personal data and secrets for the protect stage and the compliance filter."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Span:
    kind: str  # a key of router.protect._PRIORITY: PERSON, EMAIL, PHONE, ID, SECRET, ADDRESS, ORG…
    start: int
    end: int
    value: str
