"""The answer's compliance check for injected instructions: does it look like an answer that
obeyed one? Withholding them from the context (router.injection) is the defence; this is
the alarm for the ones it missed, or that reached the model fenced as quoted data.

Three signs, each cheap and local:
- the answer is written in a cipher the question did not ask for: Caesar-shifted, reversed
  or base64 text reads as English only once decoded;
- it carries a link, address or number that only an instruction in the documents held;
- it reads as an instruction itself: the scams and exfiltration router.injection knows.
"""

import base64
import binascii
import re
from collections.abc import Sequence

from router.injection import find_instructions, links_in
from router.trace import ComplianceAction, FoundInstruction

# The commonest English words: decoded text that suddenly holds many of them was encoded.
_COMMON_WORDS_TEXT = """the be to of and a in that have i it for not on with he as you do at this but his by from they we
    say her she or an will my one all would there their what so up out if about who get which go me when
    make can like time no just him know take people into year your good some could them see other than
    then now look only come its over think also back after use two how our work first well way even new
    want because any these give day most us is was are were has had been paid pay on per each"""
COMMON_WORDS = frozenset(_COMMON_WORDS_TEXT.split())
_WORD = re.compile(r"[A-Za-z]{2,}")  # single letters ("G1 to G3") decode to "a" and "i" by chance
_BASE64 = re.compile(r"(?<![A-Za-z0-9+/])[A-Za-z0-9+/]{16,}={0,2}(?![A-Za-z0-9+/=])")
MIN_WORDS = 6
DECODED_SHARE = 0.3  # of the words, once decoded
PLAIN_SHARE = 0.1  # at most, as written
_SHOWN_CUES = {"scam_link", "exfiltrates", "tells_user"}


def _common_share(words: Sequence[str]) -> float:
    return sum(w.lower() in COMMON_WORDS for w in words) / len(words) if words else 0.0


def _shifted(word: str, shift: int) -> str:
    base = ord("a") if word.islower() else ord("A")
    return "".join(chr((ord(c.lower()) - ord("a") + shift) % 26 + base) for c in word)


def cipher_of(text: str) -> str | None:
    """The cipher `text` is written in ("caesar", "reversed", "base64"), or None when it reads as written."""
    words = _WORD.findall(text)
    if len(words) >= MIN_WORDS and _common_share(words) <= PLAIN_SHARE:
        if _common_share([w[::-1] for w in words]) >= DECODED_SHARE:
            return "reversed"
        for shift in range(1, 26):
            if _common_share([_shifted(w, shift) for w in words]) >= DECODED_SHARE:
                return "caesar"
    for blob in _BASE64.findall(text):
        try:
            decoded = base64.b64decode(blob, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            continue
        if len(_WORD.findall(decoded)) >= 3 and _common_share(_WORD.findall(decoded)) >= DECODED_SHARE:
            return "base64"
    return None


def answer_checks(answer: str, *, question: str, found: Sequence[FoundInstruction]) -> list[ComplianceAction]:
    """What in `answer` suggests it followed an instruction; [] when nothing does. `found` are
    the instructions seen in this request's documents; their links count even after the
    stream removed them (the answer here is as the model wrote it)."""
    actions = []
    cipher = cipher_of(answer)
    if cipher and cipher_of(question) is None and cipher not in question.lower():
        actions.append(ComplianceAction("instruction_followed", f"the answer is written in {cipher}"))
    planted = {link.lower() for f in found for link in links_in(f.text)}
    echoed = sorted(link for link in planted if link in answer.lower())
    if echoed:
        actions.append(
            ComplianceAction(
                "instruction_followed", f"the answer repeats {len(echoed)} link(s) from an instruction"
            )
        )
    shown = [i for i in find_instructions(answer) if _SHOWN_CUES & set(i.cues)]
    if shown:
        cues = sorted({c for i in shown for c in i.cues})
        actions.append(
            ComplianceAction("instruction_followed", f"the answer gives instructions ({', '.join(cues)})")
        )
    return actions
