"""A mapping, as the user confirms it: each column's field and each value's meaning, and its JSON
(``--map``, saved profiles).
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from chibo.interchange import columns as C
from chibo.interchange.mapping.vocabulary import ORG, REASON, VOCAB_FIELDS

FORMAT = "chibo-import-mapping/1"


class MappingError(ValueError):
    """A mapping (``--map`` file, profile) that cannot be used; the message says why."""


# --- the mapping ---------------------------------------------------------------------------


@dataclass
class Mapping:
    """What a user confirmed: header row(s), each column's field, each value's meaning.

    ``columns``: the file's header (as shown: "parent – child" for two-row
    headers) → field key, or "" to ignore. ``values``: field key → {the file's
    value → chibo's value (a label, an org code, an absence reason)}. Both
    are matched without case and diacritics. ``header_row`` None: detected.
    """

    kind: str
    columns: dict[str, str] = dataclasses.field(default_factory=dict)
    values: dict[str, dict[str, str]] = dataclasses.field(default_factory=dict)
    header_row: int | None = None
    header_rows: int = 1

    def as_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "kind": self.kind,
            "header_row": self.header_row,
            "header_rows": self.header_rows,
            "columns": dict(self.columns),
            "values": {k: dict(v) for k, v in self.values.items() if v},
        }

    @classmethod
    def from_json(cls, data: Any, kind: str | None = None) -> Mapping:
        """Read and check a mapping; ``MappingError`` (Vietnamese) for anything unusable."""
        if not isinstance(data, dict):
            raise MappingError(_("The mapping file must hold a JSON object."))
        found = data.get("kind") or kind
        if found not in C.KINDS or (kind and found != kind):
            raise MappingError(
                _("This mapping is for another kind of file (%(found)s), not %(kind)s.")
                % {"found": found, "kind": kind}
            )
        fields = {col.name for col in C.COLUMNS[found]}
        columns: dict[str, str] = {}
        raw_columns = data.get("columns") or {}
        if not isinstance(raw_columns, dict):
            raise MappingError(_("«columns» must map each header of the file to a field."))
        for header, target in raw_columns.items():
            key = _field_key(target, found) if target else ""
            if target and key not in fields:
                raise MappingError(
                    _(
                        "Unknown field %(field)s for column «%(header)s»; the fields are: %(fields)s."
                    )
                    % {
                        "field": f"«{target}»",
                        "header": header,
                        "fields": ", ".join(sorted(fields)),
                    }
                )
            columns[str(header)] = key
        values: dict[str, dict[str, str]] = {}
        raw_values = data.get("values") or {}
        if not isinstance(raw_values, dict):
            raise MappingError(_("«values» must map each field to its values."))
        vocab_fields = VOCAB_FIELDS[found]
        for name, pairs in raw_values.items():
            key = _field_key(name, found)
            if key not in vocab_fields or not isinstance(pairs, dict):
                raise MappingError(
                    _("Values can be mapped only for these fields: %(fields)s.")
                    % {"fields": ", ".join(vocab_fields) or "—"}
                )
            vocab = vocab_fields[key]
            checked: dict[str, str] = {}
            for source, target in pairs.items():
                if vocab in (ORG, REASON) or not target:
                    checked[str(source)] = str(target or "")
                    continue
                if C.vocab_value(vocab, str(target)) is None:
                    raise MappingError(
                        _("«%(value)s» is not a value of %(field)s; choose one of: %(choices)s.")
                        % {
                            "value": target,
                            "field": C.header_of(key),
                            "choices": ", ".join(C.VOCABS[vocab]),
                        }
                    )
                checked[str(source)] = _canonical(vocab, str(target))
            values[key] = checked
        header_row = data.get("header_row")
        header_rows = data.get("header_rows") or 1
        if header_row is not None and (not isinstance(header_row, int) or header_row < 1):
            raise MappingError(_("«header_row» must be a row number (1, 2, …) or null."))
        if header_rows not in (1, 2):
            raise MappingError(_("«header_rows» must be 1 or 2."))
        return cls(found, columns, values, header_row, header_rows)

    @classmethod
    def load(cls, path: str, kind: str | None = None) -> Mapping:
        try:
            with open(path, encoding="utf-8-sig") as fh:
                data = json.load(fh)
        except OSError as exc:
            raise MappingError(_("The mapping file cannot be opened.")) from exc
        except ValueError as exc:
            raise MappingError(
                _("The mapping file is not valid JSON: %(error)s") % {"error": exc}
            ) from exc
        return cls.from_json(data, kind)


def _field_key(target: Any, kind: str) -> str:
    """A field given by its key (``ho_ten``) or its header (``Họ và tên``)."""
    key = C.header_key(target)
    if key in {col.name for col in C.COLUMNS[kind]}:
        return key
    return str(target)


def _canonical(vocab: str, label: str) -> str:
    value = C.vocab_value(vocab, label)
    return C.vocab_label(vocab, value) if value else label
