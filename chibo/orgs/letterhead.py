"""Who issues a Party document, as HD 36-HD/VPTW (3/4/2018) writes it, from the org tree.

The header of a Party document names the issuing body in capitals with "*"
beneath, and, for every body below the provincial committee, the superior
party organization above it: the superior as "ĐẢNG BỘ …", the issuer as its
committee, "ĐẢNG ỦY …", "QUẬN ỦY …" or "CHI BỘ …". A committee's advisory
office writes the committee above "VĂN PHÒNG". The tree is read as it stood
on the document's date (``OrgPeriod``): a school cell moved from a district
to the city on 1/7/2025 has the district as its superior on a letter dated
30/6/2025 and the city on one dated 1/7/2025.

The signature block is the issuing body's ("T/M CHI BỘ / BÍ THƯ", "T/M ĐẢNG
ỦY / BÍ THƯ", "T/M BAN THƯỜNG VỤ / PHÓ BÍ THƯ", an office's "CHÁNH VĂN
PHÒNG" or "K/T CHÁNH VĂN PHÒNG / PHÓ CHÁNH VĂN PHÒNG"); "Lưu" names the
issuing body's office. The text is Vietnamese whatever the user's language:
these are the fixed words of an official document.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _

from chibo.lib.dates import dmy
from chibo.lib.text import fold
from chibo.orgs.models import CELL_KINDS, STEP, Org, OrgKind, OrgPeriod

COMMITTEE = "committee"
OFFICE = "office"

# Committee words a name may start with ("Quận ủy Quận 1"), and the area word that
# names the same party organization ("Đảng bộ quận 1").
_COMMITTEE_WORDS = {
    "thanh uy": "thành phố",
    "tinh uy": "tỉnh",
    "quan uy": "quận",
    "huyen uy": "huyện",
    "thi uy": "thị xã",
    "dang uy": "",
}
_ABBREVIATION = re.compile(r"^[^\W\d_][\w\-]{0,23}$")


def _starts(name: str, words: str) -> bool:
    return fold(name).startswith(words + " ") or fold(name) == words


def _rest(name: str, words: str) -> str:
    return name.strip()[len(words) :].strip()


def committee_form(name: str, kind: str) -> str:
    """The issuing committee's name: "Đảng bộ Trường X" → "Đảng ủy Trường X"; cells "Chi bộ X"."""
    name = " ".join(name.split())
    if kind in CELL_KINDS:
        return name if _starts(name, "chi bo") else f"Chi bộ {name}"
    if _starts(name, "dang bo"):
        return f"Đảng ủy {_rest(name, 'dang bo')}"
    if any(_starts(name, words) for words in _COMMITTEE_WORDS):
        return name
    return f"Đảng ủy {name}"


def organization_form(name: str, kind: str) -> str:
    """The party organization's name: "Đảng ủy Khối X" → "Đảng bộ Khối X",
    "Quận ủy Quận 1" → "Đảng bộ Quận 1", "Thành ủy Thủ Đức" → "Đảng bộ thành phố Thủ Đức"."""
    name = " ".join(name.split())
    if kind in CELL_KINDS:
        return name if _starts(name, "chi bo") else f"Chi bộ {name}"
    if _starts(name, "dang bo"):
        return name
    for words, area in _COMMITTEE_WORDS.items():
        if _starts(name, words):
            rest = _rest(name, " ".join(name.split(" ")[:2]))
            if not area or fold(rest).startswith(fold(area)):
                return f"Đảng bộ {rest}"
            return f"Đảng bộ {area} {rest}"
    return f"Đảng bộ {name}"


def committee_word(name: str, kind: str) -> str:
    """The committee's short name for "T/M …" and "Lưu Văn phòng …": "Thành ủy", "Đảng ủy",
    "Đảng ủy Khối"; a cell's is "Chi bộ"."""
    if kind in CELL_KINDS:
        return "Chi bộ"
    form = committee_form(name, kind)
    words = 3 if fold(form).startswith("dang uy khoi ") else 2
    return " ".join(form.split(" ")[:words])


def default_abbreviation(name: str, kind: str) -> str:
    """The issuer part of a symbol (HD 36-HD/VPTW): TU, ĐUK, QU, HU, ĐU, CB."""
    if kind in CELL_KINDS:
        return "CB"
    form = fold(committee_form(name, kind))
    if form.startswith(("thanh uy", "tinh uy", "thi uy")):
        return "TU"
    if form.startswith("quan uy"):
        return "QU"
    if form.startswith("huyen uy"):
        return "HU"
    if form.startswith("dang uy khoi"):
        return "ĐUK"
    return "ĐU"


def clean_abbreviation(text: str) -> str:
    """Validated abbreviation (letters, digits, dashes; starts with a letter), or ValidationError."""
    value = "".join((text or "").split())
    if not _ABBREVIATION.match(value):
        raise ValidationError(
            {
                "abbreviation": [
                    _(
                        "Write the abbreviation used in document symbols: letters and digits, "
                        "starting with a letter (e.g. ĐU, ĐUK, CB)."
                    )
                ]
            }
        )
    return value.upper() if value.isascii() else value[0].upper() + value[1:]


def office_abbreviation(org: Org) -> str:
    """The office's symbol part: "VP" + the committee's ("VPTU", "VPĐUK")."""
    return f"VP{org.abbreviation}"


# --- the tree as of a date -------------------------------------------------------------


@dataclass(frozen=True)
class Standing:
    """An org as it stood on a day: its name then and its superior then (None for the root)."""

    org: Org
    name: str
    parent: Org | None
    parent_name: str


def standing_on(org: Org, day: dt.date) -> Standing:
    """``org``'s name and superior on ``day`` (from its dated history); ValidationError if it
    did not exist then."""
    period = (
        OrgPeriod.objects.filter(org=org, valid_from__lte=day)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=day))
        .select_related("parent")
        .first()
    )
    if period is None:
        raise ValidationError(
            {
                "issued_on": [
                    _("%(org)s did not exist on %(date)s.") % {"org": org.name, "date": dmy(day)}
                ]
            }
        )
    parent = period.parent
    parent_name = ""
    if parent is not None:
        above = (
            OrgPeriod.objects.filter(org=parent, valid_from__lte=day)
            .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=day))
            .first()
        )
        parent_name = above.name if above else parent.name
    return Standing(org, period.name, parent, parent_name)


@dataclass(frozen=True)
class HeaderLine:
    text: str
    bold: bool


def header_lines(org: Org, day: dt.date, unit: str = COMMITTEE) -> list[HeaderLine]:
    """The issuing body's lines at the top left, in capitals (the "*" goes beneath them).

    City committee: its own name alone ("THÀNH ỦY THÀNH PHỐ HỒ CHÍ MINH", as on
    1000-CV/TU). Below it: the superior party organization as it stood on ``day``
    ("ĐẢNG BỘ …", not bold) above the issuing committee (bold). An office: the
    committee above "VĂN PHÒNG".
    """
    standing = standing_on(org, day)
    own = committee_form(standing.name, org.kind).upper()
    if unit == OFFICE:
        return [HeaderLine(own, False), HeaderLine("VĂN PHÒNG", True)]
    if standing.parent is None or org.kind == OrgKind.CITY_COMMITTEE:
        return [HeaderLine(own, True)]
    superior = organization_form(standing.parent_name, standing.parent.kind).upper()
    return [HeaderLine(superior, False), HeaderLine(own, True)]


def place_name(org: Org) -> str:
    """Where the documents are written: the province or city of the tree's root, a city
    written "TP. Hồ Chí Minh" as on 1000-CV/TU ("TP.Hồ Chí Minh, ngày 16 tháng 6 năm 2023")."""
    root = org
    if org.parent_id is not None:
        root = Org.objects.filter(path=org.path[:STEP]).first() or org
    words = organization_form(root.name, root.kind)
    if fold(words).startswith("dang bo "):
        words = words[len("Đảng bộ ") :]
    if fold(words).startswith("thanh pho "):
        return f"TP. {words[len('Thành phố ') :]}"
    return words[:1].upper() + words[1:]


# --- signature and archive ---------------------------------------------------------------

SECRETARY = "BÍ THƯ"
DEPUTY = "PHÓ BÍ THƯ"
OFFICE_HEAD = "CHÁNH VĂN PHÒNG"
OFFICE_DEPUTY = "PHÓ CHÁNH VĂN PHÒNG"


@dataclass(frozen=True)
class Capacity:
    """A "signing for" line and the titles that may sign under it."""

    text: str  # "T/M BAN THƯỜNG VỤ"; "" when the head signs in their own right
    titles: tuple[str, ...]


def capacities(org: Org, unit: str = COMMITTEE) -> list[Capacity]:
    """The signature blocks the issuing body may use, its usual one first (HD 36-HD/VPTW)."""
    if unit == OFFICE:
        return [
            Capacity("", (OFFICE_HEAD,)),
            Capacity("K/T CHÁNH VĂN PHÒNG", (OFFICE_DEPUTY,)),
            Capacity("T/L BAN THƯỜNG VỤ", (OFFICE_HEAD, OFFICE_DEPUTY)),
        ]
    if org.kind in CELL_KINDS:
        return [Capacity("T/M CHI BỘ", (SECRETARY, DEPUTY))]
    word = committee_word(org.name, org.kind).upper()
    on_behalf = f"T/M {word}"
    if org.kind == OrgKind.GRASSROOTS_COMMITTEE:
        return [
            Capacity("T/M ĐẢNG ỦY", (SECRETARY, DEPUTY)),
            Capacity("T/M BAN THƯỜNG VỤ", (SECRETARY, DEPUTY)),
            Capacity("K/T BÍ THƯ", (DEPUTY,)),
        ]
    return [
        Capacity("T/M BAN THƯỜNG VỤ", (SECRETARY, DEPUTY)),
        Capacity(on_behalf, (SECRETARY, DEPUTY)),
        Capacity("K/T BÍ THƯ", (DEPUTY,)),
    ]


def check_signature(org: Org, unit: str, capacity: str, title: str) -> tuple[str, str]:
    """The capacity and title, upper-cased and checked against the issuing body's blocks."""
    capacity = " ".join((capacity or "").split()).upper()
    title = " ".join((title or "").split()).upper()
    allowed = capacities(org, unit)
    match = next((c for c in allowed if c.text == capacity), None)
    if match is None:
        raise ValidationError(
            {
                "signature_for": [
                    _("This body signs as one of: %(choices)s.")
                    % {"choices": "; ".join(c.text or c.titles[0] for c in allowed)}
                ]
            }
        )
    if title and title not in match.titles:
        raise ValidationError(
            {
                "signer_title": [
                    _("Under “%(block)s” the signer's title is one of: %(titles)s.")
                    % {"block": capacity or match.titles[0], "titles": ", ".join(match.titles)}
                ]
            }
        )
    return capacity, title


def archive_line(org: Org, unit: str = COMMITTEE) -> str:
    """The last line of "Nơi nhận": "Lưu Văn phòng Thành ủy", "Lưu Văn phòng Đảng ủy", "Lưu Chi bộ"."""
    if org.kind in CELL_KINDS:
        return "Lưu Chi bộ"
    return f"Lưu Văn phòng {committee_word(org.name, org.kind)}"


def standing_board(org: Org, day: dt.date) -> str:
    """Whom a report to ``org`` goes to: its standing board ("Ban Thường vụ Đảng ủy Khối …");
    a grassroots committee or a cell as itself ("Đảng ủy Trường …": most have no standing
    board)."""
    standing = standing_on(org, day)
    if org.kind in CELL_KINDS or org.kind == OrgKind.GRASSROOTS_COMMITTEE:
        return committee_form(standing.name, org.kind)
    return f"Ban Thường vụ {committee_form(standing.name, org.kind)}"


def standing_committee(org: Org) -> str:
    """The committee's permanent members ("Thường trực Thành ủy"), to whom its office reports."""
    return f"Thường trực {committee_word(org.name, org.kind)}"
