"""Recognizers of personal data and secrets for the protect stage and the compliance filter."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Span:
    kind: str  # PERSON, EMAIL, PHONE, ID, CARD, IBAN, IP, SECRET
    start: int
    end: int
    value: str
