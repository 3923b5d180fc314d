"""Check digits that separate a real identifier from a number that merely looks like one."""

import re
from datetime import date

_CN_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CN_ID_CHECK = "10X98765432"


def luhn_ok(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def card_number_ok(digits: str) -> bool:
    """13–19 digits with a valid Luhn check; Maestro cards (IIN 50, 56–69) may have only 12."""
    maestro = len(digits) == 12 and re.match(r"5[06-9]|6", digits) is not None
    return (13 <= len(digits) <= 19 or maestro) and luhn_ok(digits)


def cn_resident_id_ok(value: str) -> bool:
    """18 characters: region, birth date, sequence, ISO 7064 check digit."""
    value = value.upper()
    if not re.fullmatch(r"\d{17}[\dX]", value):
        return False
    try:
        born = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return False
    if not date(1900, 1, 1) <= born <= date.today():
        return False
    checksum = sum(int(d) * w for d, w in zip(value[:17], _CN_ID_WEIGHTS, strict=True)) % 11
    return _CN_ID_CHECK[checksum] == value[17]


def iban_ok(value: str) -> bool:
    compact = re.sub(r"\s", "", value).upper()
    if not re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{11,30}", compact):
        return False
    rearranged = compact[4:] + compact[:4]
    return int("".join(str(int(c, 36)) for c in rearranged)) % 97 == 1
