"""Every gettext catalogue under chibo/ is complete, clean and compiled.

Pure Python (no polib, no gettext tools needed): a compact .po parser below,
and the stdlib ``gettext`` module to read the compiled .mo.
"""

from __future__ import annotations

import ast
import gettext
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

CHIBO = Path(__file__).resolve().parent.parent / "chibo"
CATALOGUES = sorted(CHIBO.glob("**/locale/*/LC_MESSAGES/*.po"))

# Checkouts write files in index order (django.mo before django.po), so allow
# a little slack: a stale .mo is caught reliably by the content check below.
MTIME_SLACK_SECONDS = 2.0


@dataclass
class Entry:
    line: int
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    obsolete: bool = False

    @property
    def where(self) -> str:
        return f"line {self.line}: {self.msgid[:70]!r}"


def parse_po(path: Path) -> list[Entry]:
    """A small .po reader: enough for makemessages/msgmerge output."""
    entries: list[Entry] = []
    cur: Entry | None = None
    key: tuple[str, int] | None = None
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line:
            cur, key = None, None
            continue
        if cur is None:
            cur = Entry(line=number)
            entries.append(cur)
        if line.startswith("#~"):
            cur.obsolete = True
            continue
        if line.startswith("#,"):
            cur.flags.update(f.strip() for f in line[2:].split(",") if f.strip())
            continue
        if line.startswith("#"):
            continue
        if line.startswith('"'):
            value = ast.literal_eval(line)
        else:
            keyword, _, rest = line.partition(" ")
            value = ast.literal_eval(rest.strip())
            match = re.fullmatch(r"msgstr\[(\d+)\]", keyword)
            if match:
                key = ("msgstr", int(match.group(1)))
            elif keyword in ("msgid", "msgid_plural", "msgctxt", "msgstr"):
                key = (keyword, 0)
            else:
                raise AssertionError(f"{path}:{number}: cannot read {raw!r}")
            if key[0] == "msgstr":
                cur.msgstr[key[1]] = ""
            else:
                setattr(cur, key[0], "")
        if key is None:
            raise AssertionError(f"{path}:{number}: continuation line without a keyword")
        if key[0] == "msgstr":
            cur.msgstr[key[1]] += value
        else:
            setattr(cur, key[0], (getattr(cur, key[0]) or "") + value)
    return entries


def _nplurals(entries: list[Entry]) -> int:
    header = next((e for e in entries if e.msgid == "" and e.msgctxt is None), None)
    match = re.search(r"nplurals\s*=\s*(\d+)", header.msgstr.get(0, "") if header else "")
    return int(match.group(1)) if match else 1


_NAMED = re.compile(r"%\([^)]+\)[-#0 +]*\d*(?:\.\d+)?[sdifrxXeEgGc]")
_POSITIONAL = re.compile(r"%[-#0 +]*\d*(?:\.\d+)?[sdifrxXeEgGc]")
_BRACES = re.compile(r"\{[A-Za-z_][A-Za-z0-9_]*\}|\{\d*\}")


def placeholders(text: str, *, python_format: bool) -> Counter[str]:
    text = text.replace("%%", "")
    found = _NAMED.findall(text) + _BRACES.findall(text)
    if python_format:
        found += _POSITIONAL.findall(_NAMED.sub("", text))
    return Counter(found)


def _live(entries: list[Entry]) -> list[Entry]:
    return [e for e in entries if not e.obsolete and e.msgid != ""]


def _id(path: Path) -> str:
    return str(path.relative_to(CHIBO))


@pytest.fixture(params=CATALOGUES, ids=_id)
def catalogue(request: pytest.FixtureRequest) -> tuple[Path, list[Entry]]:
    return request.param, parse_po(request.param)


@pytest.mark.database_free
def test_catalogues_are_found() -> None:
    assert CHIBO / "locale" / "vi" / "LC_MESSAGES" / "django.po" in CATALOGUES


@pytest.mark.database_free
def test_no_untranslated_entries(catalogue: tuple[Path, list[Entry]]) -> None:
    path, entries = catalogue
    n = _nplurals(entries)
    missing = [
        e.where
        for e in _live(entries)
        if not all(e.msgstr.get(i) for i in (range(n) if e.msgid_plural is not None else [0]))
    ]
    assert not missing, f"{_id(path)}: {len(missing)} untranslated:\n" + "\n".join(missing)


@pytest.mark.database_free
def test_no_fuzzy_entries(catalogue: tuple[Path, list[Entry]]) -> None:
    path, entries = catalogue
    fuzzy = [e.where or "header" for e in entries if not e.obsolete and "fuzzy" in e.flags]
    assert not fuzzy, f"{_id(path)}: {len(fuzzy)} fuzzy:\n" + "\n".join(fuzzy)


@pytest.mark.database_free
def test_placeholders_match(catalogue: tuple[Path, list[Entry]]) -> None:
    path, entries = catalogue
    wrong = []
    for e in _live(entries):
        py = "python-format" in e.flags
        wanted = [placeholders(e.msgid, python_format=py)]
        if e.msgid_plural is not None:
            wanted.append(placeholders(e.msgid_plural, python_format=py))
        for index, text in e.msgstr.items():
            if text and placeholders(text, python_format=py) not in wanted:
                wrong.append(f"{e.where} msgstr[{index}]={text[:70]!r}")
    assert not wrong, f"{_id(path)}: placeholders differ:\n" + "\n".join(wrong)


@pytest.mark.database_free
def test_compiled_catalogue_is_present_and_current(catalogue: tuple[Path, list[Entry]]) -> None:
    path, entries = catalogue
    mo = path.with_suffix(".mo")
    assert mo.is_file(), f"{_id(path)}: {mo.name} is missing; run compilemessages"
    assert mo.stat().st_mtime + MTIME_SLACK_SECONDS >= path.stat().st_mtime, (
        f"{_id(path)}: {mo.name} is older than the .po; run compilemessages"
    )
    with mo.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)._catalog  # type: ignore[attr-defined]
    stale = []
    for e in _live(entries):
        if "fuzzy" in e.flags:
            continue
        key = e.msgid if e.msgctxt is None else f"{e.msgctxt}\x04{e.msgid}"
        for index, text in e.msgstr.items():
            if not text:
                continue
            got = compiled.get(key) if e.msgid_plural is None else compiled.get((key, index))
            if got != text:
                stale.append(e.where)
                break
    assert not stale, f"{_id(path)}: {mo.name} does not match the .po:\n" + "\n".join(stale)


@pytest.mark.database_free
def test_parser_reads_plurals_context_and_flags(tmp_path: Path) -> None:
    po = tmp_path / "django.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Plural-Forms: nplurals=1; plural=0;\\n"\n\n'
        '#, fuzzy, python-format\nmsgctxt "c"\nmsgid "a %(n)s"\nmsgid_plural "b %(n)s"\n'
        'msgstr[0] ""\n"x %(n)s"\n\n#~ msgid "old"\n#~ msgstr ""\n',
        encoding="utf-8",
    )
    header, entry, old = parse_po(po)
    assert _nplurals([header, entry]) == 1
    assert (entry.msgctxt, entry.msgid_plural, entry.msgstr) == ("c", "b %(n)s", {0: "x %(n)s"})
    assert {"fuzzy", "python-format"} <= entry.flags and old.obsolete
    assert placeholders("%(a)s {b} %s 100%%", python_format=True) == Counter(
        {"%(a)s": 1, "{b}": 1, "%s": 1}
    )


@pytest.mark.django_db
def test_login_page_is_vietnamese_by_default() -> None:
    body = Client().get("/accounts/login/").content.decode()
    assert "Đăng nhập" in body and "Mật khẩu" in body
    assert "Log in" not in body


@pytest.mark.django_db
def test_login_page_is_english_with_the_language_cookie() -> None:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    body = client.get("/accounts/login/").content.decode()
    assert "Log in" in body and "Password" in body
    assert "Đăng nhập" not in body
