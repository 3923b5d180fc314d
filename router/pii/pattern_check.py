"""Checks on what an admin enters for the company's formats, before it reaches detection.

A company ID pattern runs on every question, passage and answer: one that does not compile
masks nothing, one that matches ordinary words or numbers masks half of every answer, and one
with nested unbounded repeats can take seconds on a long line. Each is refused with a reason.
"""

import re

from router.pii.company import compile_id_pattern
from router.pii.organisations import is_legal_form

MAX_PATTERN_CHARS = 300
# Ordinary business text in both languages: dates, times, years, amounts, percentages, versions,
# room and order numbers, and everyday words. No company ID format may match any of it.
ORDINARY_TEXT = (
    "Please review the travel policy and send the approved report to the team before Friday. "
    "The meeting on 2026-12-02 at 10:30 moved to room 4.12; the budget is 15,000 EUR (up 12.5%) for Q3 2026. "
    "Version 3.8.18 fixed 1204 issues. Order 250 units by 31/12/2026, or call between 9 and 17. "
    "A total of 150000 USD, 20 days of leave, 3 weeks' notice, page 12 of 40, section 4.2.1, ISO 9001. "
    "请在2026年12月2日10:30前提交第3季度预算，共计150000元，增长12.5%，第4.2节，共20天年假。"
)
# A group holding an unbounded repeat that is itself repeated: "(\d+)+", "(?:[A-Z]*-?)*".
_NESTED_REPEAT = re.compile(r"\((?:[^()\\]|\\.)*(?:[+*]|\{\d*,\})(?:[^()\\]|\\.)*\)(?:[+*]|\{\d*,\d*\})")


def id_pattern_problems(regex: str, example: str) -> list[str]:
    """Why `regex` cannot be a company ID format with `example` as its sample; empty if it can."""
    if len(regex) > MAX_PATTERN_CHARS:
        return [f"longer than {MAX_PATTERN_CHARS} characters"]
    try:
        re.compile(regex)  # alone first: "a)|(b" compiles only inside the wrapper's brackets
        pattern = compile_id_pattern(regex)
    except re.error as error:
        return [f"not a regular expression: {error}"]
    problems = []
    if _NESTED_REPEAT.search(regex):
        problems.append("a repeated group holds a repeat, which can take seconds on a long line")
    if re.fullmatch(regex, ""):
        problems.append("matches the empty string")
    if not pattern.fullmatch(example.strip()):
        problems.append(f"does not match its example {example.strip()!r} whole")
    ordinary = pattern.search(ORDINARY_TEXT)
    if ordinary:
        problems.append(f"too broad: matches {ordinary.group()!r} in ordinary text")
    return problems


def own_organisation_problems(name: str) -> list[str]:
    """An own name lets every organisation containing it pass, so it must be specific."""
    name = name.strip()
    latin = name.isascii()
    if len(name) < (3 if latin else 2):
        return ["too short to name one organisation"]
    if is_legal_form(name):
        return [f"{name!r} is a legal form, shared by every company"]
    return []
