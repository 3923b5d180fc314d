"""Postal addresses: a street line (number, name, street type, unit), with the city, state and
postcode that follow it; UK postcodes; zip codes announced as such; Chinese addresses from the
province or city down to the house number and room.

A whole address is one span, so that no part of it (a street name, a postcode) stays visible.
Street types are the USPS suffixes most used in the US, UK and generated test data; the
Chinese part ends at 号/室/楼/层, and starts at a province or city name when one is there.
"""

import functools
import re
from collections.abc import Iterator

from router.pii import Span

_STREET_TYPES = (
    "Street|St|Road|Rd|Avenue|Ave|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Way|Place|Pl|Square|Sq|Terrace|"
    "Ter|Parkway|Pkwy|Highway|Hwy|Circle|Cir|Close|Crescent|Cres|Grove|Gardens|Gdns|Mews|Row|Walk|Hill|"
    "Park|Trail|Trl|Alley|Aly|Bypass|Causeway|Crossing|Crossroad|Expressway|Freeway|Heights|Hts|Junction|"
    "Jct|Loop|Manor|Meadows?|Mills?|Mission|Motorway|Pass|Pike|Plaza|Plz|Point|Pt|Ports?|Ranch|Ridge|"
    "Route|Rte|Shoals?|Springs?|Spur|Station|Stravenue|Summit|Throughway|Tunnel|Turnpike|Union|Valley|Via|"
    "Viaduct|View|Villages?|Vista|Wells?|Estates?|Extensions?|Falls|Ferry|Fields?|Flats?|Fords?|Forest|"
    "Forges?|Forks?|Fort|Glens?|Greens?|Harbors?|Haven|Hollow|Islands?|Isle|Keys?|Knolls?|Lakes?|Landing|"
    "Lights?|Locks?|Lodge|Mall|Mountains?|Oval|Overpass|Parks|Parkways|Pines|Plains?|Prairie|Radial|Rapids?|"
    "Rest|Roads|Squares|Streets|Trace|Track|Trafficway|Underpass|Unions|Burgs?|Bluffs?|Bottom|Branch|Bridge|"
    "Brook|Brooks|Camp|Canyon|Cape|Centers?|Cliffs?|Club|Common|Corners?|Coves?|Creek|Crest|Curve|Dale|Dam|"
    "Divide|Drives|Ways"
)
_UNIT = r"(?:,?\s+(?:Apt\.?|Apartment|Suite|Ste\.?|Unit|Floor|Fl\.?|Room|Rm\.?|Flat|#)\s*[A-Za-z0-9-]+)"
_CITY_STATE_ZIP = (
    r"(?:,?\s*\n?\s*(?:[A-Z][a-z]+(?:\s+[A-Z][a-z]+){0,2}),?\s+(?:[A-Z]{2}\s+)?\d{5}(?:-\d{4})?"
    r"|,\s*[A-Z][a-z]+(?:\s+[A-Z][a-z]+){0,2}(?:,\s*[A-Z]{2})?(?=[\s,.;)]|$))?"
)
_UK_POSTCODE = r"[A-Z]{1,2}\d[A-Z\d]?\s\d[A-Z]{2}"

_ZH_PLACE_END = "省|自治区|特别行政区|市|州|盟|区|县|旗|镇|乡|街道|村"
_ZH_STREET_END = "路|街|大道|大街|巷|弄|胡同|里|道"
_ZH_AFTER_NUMBER = "号楼|号院|栋|幢|座|单元|楼|层|室|号|房|院"
_ZH_NUMBER = r"[0-9０-９一二三四五六七八九十百零〇A-Za-z-]+"
# Words a sentence puts before an address: the address starts after the last of them.
_ZH_LEAD_INS = (
    "地址",
    "住址",
    "寄到",
    "寄往",
    "寄至",
    "送到",
    "送至",
    "位于",
    "住在",
    "搬到",
    "搬至",
    "在",
    "至",
    "到",
    "于",
    "是",
    "为",
    "：",
    ":",
)


@functools.cache
def _compiled() -> dict[str, re.Pattern]:
    return {
        "STREET": re.compile(
            rf"(?<![\w-])(?:\d{{1,6}}[A-Za-z]?(?:-\d{{1,4}})?\s+|(?:Flat|Unit|Apt\.?)\s+\d+[A-Za-z]?,?\s+\d{{1,5}}\s+)"
            rf"(?:[A-Z][A-Za-z'.-]*\s+){{0,3}}(?:{_STREET_TYPES})\.?(?![A-Za-z])"
            rf"{_UNIT}?{_CITY_STATE_ZIP}(?:,?\s+{_UK_POSTCODE})?"
        ),
        "UK_POSTCODE": re.compile(rf"(?<![A-Za-z0-9]){_UK_POSTCODE}(?![A-Za-z0-9])"),
        "PO_BOX": re.compile(r"(?<![A-Za-z])P\.?\s?O\.?\s+Box\s+\d+", re.IGNORECASE),
        "ZIP": re.compile(
            r"(?:zip(?:\s*code)?|postal\s*code|post\s*code|postcode|邮编|邮政编码)\s*(?:is|是|为|[:：#])?\s*"
            r"(\d{5,6}(?:-\d{4})?)(?!\d)",
            re.IGNORECASE,
        ),
        "ZH_ADDRESS": re.compile(
            rf"[\u4e00-\u9fff]{{2,30}}?(?:{_ZH_STREET_END}){_ZH_NUMBER}(?:号|弄|巷)"
            rf"(?:(?:{_ZH_NUMBER})?(?:{_ZH_AFTER_NUMBER}))*"
            rf"|[\u4e00-\u9fff]{{2,12}}?(?:{_ZH_PLACE_END})[\u4e00-\u9fff]{{0,12}}?(?:小区|大厦|花园|公寓|中心|广场|园区)"
            rf"(?:{_ZH_NUMBER}(?:{_ZH_AFTER_NUMBER}))*"
        ),
    }


def address_spans(text: str) -> Iterator[Span]:
    patterns = _compiled()
    for name in ("STREET", "UK_POSTCODE", "PO_BOX"):
        for match in patterns[name].finditer(text):
            value = match.group().rstrip(",. \n")
            yield Span("ADDRESS", match.start(), match.start() + len(value), value)
    for match in patterns["ZIP"].finditer(text):
        yield Span("ADDRESS", match.start(1), match.end(1), match.group(1))
    for match in patterns["ZH_ADDRESS"].finditer(text):
        start = _zh_start(text, match.start(), match.end())
        yield Span("ADDRESS", start, match.end(), text[start : match.end()])


def _zh_start(text: str, start: int, end: int) -> int:
    """A lazy pattern still starts as early as it can ("请寄到上海市…"): move the start past the
    last lead-in word before the first place or street name."""
    head = text[start:end]
    cut = 0
    for word in _ZH_LEAD_INS:
        at = head.rfind(word, 0, _first_place_end(head))
        if at >= 0:
            cut = max(cut, at + len(word))
    return start + cut


def _first_place_end(head: str) -> int:
    ends = [m.start() for m in re.finditer(rf"{_ZH_PLACE_END}|{_ZH_STREET_END}", head)]
    return ends[0] if ends else len(head)
