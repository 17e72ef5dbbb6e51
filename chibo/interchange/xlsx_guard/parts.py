"""The package's parts (worksheets, small parts read within a bound) and the shared strings,
measured without expanding them.
"""

from __future__ import annotations

import zipfile
from array import array
from pathlib import PurePosixPath
from typing import IO
from xml.etree import ElementTree as ET
from xml.parsers import expat

from chibo.interchange.xlsx_guard.limits import (
    CELL_MAX_CHARS,
    CHUNK,
    METADATA_MAX_BYTES,
    NS_MAIN,
    NS_PKG_REL,
    NS_REL,
    SST_PART,
    STRING_CHECK_BYTES,
    STRING_HARD_BYTES,
    _damaged,
    _expands,
    _Strings,
    _too_long,
    _unsafe,
    max_expanded,
)

# --- the package -------------------------------------------------------------------


def _read_small(zf: zipfile.ZipFile, name: str) -> bytes:
    info = zf.getinfo(name)
    if info.file_size > METADATA_MAX_BYTES:
        raise _unsafe()
    data = zf.read(info)
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise _unsafe()
    return data


def _resolve(base: str, target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    parts: list[str] = []
    for part in (PurePosixPath(base).parent / target).parts:
        if part == "..":
            if parts:
                parts.pop()
        elif part != ".":
            parts.append(part)
    return "/".join(parts)


def worksheets(zf: zipfile.ZipFile) -> list[tuple[str, str]]:
    """(name, part) of each worksheet, in the workbook's order (as calamine lists them)."""
    try:
        # Small parts, refused above with any DTD: nothing for an entity attack to use.
        book = ET.fromstring(_read_small(zf, "xl/workbook.xml"))  # noqa: S314
        rels_xml = ET.fromstring(_read_small(zf, "xl/_rels/workbook.xml.rels"))  # noqa: S314
    except KeyError as exc:
        raise _damaged() from exc
    except ET.ParseError as exc:
        raise _damaged() from exc
    rels = {
        rel.get("Id"): (rel.get("Type", ""), rel.get("Target", ""))
        for rel in rels_xml.iter(f"{{{NS_PKG_REL}}}Relationship")
    }
    out = []
    for sheet in book.iter(f"{{{NS_MAIN}}}sheet"):
        kind, target = rels.get(sheet.get(f"{{{NS_REL}}}id"), ("", ""))
        if kind.endswith("/worksheet") and target:
            out.append((sheet.get("name", ""), _resolve("xl/workbook.xml", target)))
    return out


# --- shared strings ------------------------------------------------------------------


def _measure_piece(piece: bytes) -> int:
    """The exact length (UTF-8 bytes) of the text of one long ``<si>`` piece."""
    if len(piece) > STRING_HARD_BYTES:
        raise _too_long()
    start = piece.find(b"<si")
    try:
        # One string of at most 1 MB, from a file without "<!" (no DTD): see _strings_fast.
        wrapped = b'<si xmlns="%s"' % NS_MAIN.encode() + piece[start + 3 :] + b"</si>"
        element = ET.fromstring(wrapped)  # noqa: S314
    except ET.ParseError as exc:
        raise _damaged() from exc
    text = "".join(element.itertext())
    if len(text) > CELL_MAX_CHARS:
        raise _too_long()
    return len(text.encode())


def _strings_fast(fh: IO[bytes]) -> _Strings | None:
    """Split on ``</si>``: each piece's bytes bound its string's text. None if the XML is not plain."""
    lengths = array("L")
    carry = b""
    opened = closed = 0
    while chunk := fh.read(CHUNK):
        window = carry + chunk
        if b"<!" in window or b":si" in window:
            return None  # comments, CDATA, a DTD or prefixed tags: the exact parser decides
        pieces = window.split(b"</si>")
        carry = pieces.pop()
        if len(carry) > STRING_HARD_BYTES:
            raise _too_long()
        opened += window.count(b"<si") - carry.count(b"<si")
        closed += len(pieces)
        sizes = list(map(len, pieces))
        if sizes and max(sizes) > STRING_CHECK_BYTES:
            sizes = [
                _measure_piece(piece) if size > STRING_CHECK_BYTES else size
                for piece, size in zip(pieces, sizes, strict=True)
            ]
        lengths.extend(sizes)
    if carry.count(b"<si") or opened != closed:
        return None  # a self-closed <si/>: the pieces and the numbers would not line up
    return _Strings(lengths, total=sum(lengths), longest=max(lengths, default=0))


def _strings_exact(fh: IO[bytes]) -> _Strings:
    """Expat over the shared strings: each ``si``'s text length, never holding the text."""
    lengths = array("L")
    state = {"depth": 0, "size": 0, "chars": 0}

    def start(name: str, attrs: dict) -> None:
        if name.rpartition(":")[2] == "si":
            state["depth"] += 1
            if state["depth"] == 1:
                state["size"] = state["chars"] = 0

    def end(name: str) -> None:
        if name.rpartition(":")[2] == "si":
            state["depth"] -= 1
            if state["depth"] == 0:
                lengths.append(state["size"])

    def text(data: str) -> None:
        if state["depth"]:
            state["size"] += len(data.encode())
            state["chars"] += len(data)
            if state["chars"] > CELL_MAX_CHARS:
                raise _too_long()

    parser = _parser()
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text
    _feed(parser, fh)
    return _Strings(lengths, total=sum(lengths), longest=max(lengths, default=0))


def _parser() -> expat.XMLParserType:
    parser = expat.ParserCreate()  # names as written: x:c → c, as calamine reads them
    parser.buffer_text = True

    def no_dtd(*_args: object) -> None:
        raise _unsafe()

    parser.StartDoctypeDeclHandler = no_dtd
    parser.EntityDeclHandler = no_dtd
    return parser


def _feed(parser: expat.XMLParserType, fh: IO[bytes]) -> None:
    try:
        while chunk := fh.read(CHUNK):
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except expat.ExpatError as exc:
        raise _damaged() from exc


def shared_strings(zf: zipfile.ZipFile) -> _Strings:
    try:
        info = zf.getinfo(SST_PART)
    except KeyError:
        return _Strings(array("L"))
    if info.file_size > max_expanded():
        raise _expands()
    with zf.open(info) as fh:
        fast = _strings_fast(fh)
    if fast is not None:
        return fast
    with zf.open(info) as fh:
        return _strings_exact(fh)
