"""The register: a duplicate registration is refused until confirmed; links resolve in the
referencing org's own register first, then by symbol and date, marked when ambiguous; numbers
follow the term of the document's date and a number that breaks the sequence is refused."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from chibo.directives import services
from chibo.directives.models import CommitteeTerm, Document
from chibo.orgs.models import Org

pytestmark = pytest.mark.django_db


def _incoming(org: Org, symbol: str, day: dt.date, **extra: object) -> Document:
    return services.document_register_incoming(
        actor=None,
        org=org,
        symbol=symbol,
        title=extra.pop("title", "Về tăng cường công tác xây dựng Đảng"),
        issuing_body=extra.pop("issuing_body", "Ban Thường vụ Thành ủy"),
        issued_on=day,
        **extra,
    )


def test_the_same_document_twice_in_one_register_is_refused_until_confirmed(
    t: dict[str, Org], directive: Document
) -> None:
    with pytest.raises(ValidationError) as err:
        _incoming(t["city"], "1000-CV/TU", dt.date(2023, 6, 16), incoming_number="401")
    assert err.value.error_dict["symbol"][0].code == "duplicate"
    assert "398" in str(err.value)  # says which entry it already is
    second = _incoming(
        t["city"], "1000-CV/TU", dt.date(2023, 6, 16), incoming_number="401", allow_duplicate=True
    )
    assert second.pk != directive.pk
    # Another register, or the same symbol of another term, is not a duplicate.
    _incoming(t["khoi"], "1000-CV/TU", dt.date(2023, 6, 16))
    _incoming(t["city"], "1000-CV/TU", dt.date(2026, 1, 5))


def test_a_forward_links_the_units_own_copy(t: dict[str, Org], directive: Document) -> None:
    CommitteeTerm.objects.create(org=t["khoi"], name="2020–2025", starts_on=dt.date(2020, 8, 1))
    own = _incoming(t["khoi"], "1000-CV/TU", dt.date(2023, 6, 16), incoming_number="215")
    forward = services.document_issue(
        actor=None,
        org=t["khoi"],
        doc_type="CV",
        title="Về triển khai Công văn số 1000-CV/TU",
        issued_on=dt.date(2023, 6, 20),
        forwards=["1000-CV/TU"],
    )
    link = forward.links_out.get()
    assert link.target == own and not link.ambiguous  # not the city's copy


def test_links_resolve_by_date_when_numbers_restart_each_term(t: dict[str, Org]) -> None:
    khoi = t["khoi"]
    CommitteeTerm.objects.create(
        org=khoi, name="2020–2025", starts_on=dt.date(2020, 8, 1), ends_on=dt.date(2025, 7, 31)
    )
    CommitteeTerm.objects.create(org=khoi, name="2025–2030", starts_on=dt.date(2025, 8, 1))

    def letter(day: dt.date) -> Document:
        return services.document_issue(
            actor=None, org=khoi, doc_type="CV", title="Về công tác", issued_on=day
        )

    old, new = letter(dt.date(2023, 3, 1)), letter(dt.date(2025, 9, 1))
    assert old.symbol == new.symbol == "01-CV/ĐUK"
    cell_reply = _incoming(
        t["city"], "5-BC/ĐUK", dt.date(2025, 10, 1), cites=["01-CV/ĐUK ngày 01/03/2023"]
    )
    assert cell_reply.links_out.get().target == old
    undated = _incoming(t["city"], "6-BC/ĐUK", dt.date(2025, 10, 2), cites=["01-CV/ĐUK"])
    link = undated.links_out.get()
    assert link.target == new and link.ambiguous  # the latest before it, marked to check
    earlier = _incoming(t["city"], "7-BC/ĐUK", dt.date(2024, 1, 5), cites=["01-CV/ĐUK"])
    only = earlier.links_out.get()
    assert only.target == old and not only.ambiguous  # the 2025 one did not exist yet
    text_dated = services.cited_symbols("theo Công văn số 01-CV/ĐUK ngày 01 tháng 9 năm 2025")
    assert text_dated == ["01-CV/ĐUK ngày 01/09/2025"]


def test_a_back_dated_document_cannot_take_the_next_number(t: dict[str, Org]) -> None:
    city = t["city"]

    def issue(day: dt.date, number: int | None = None) -> Document:
        return services.document_issue(
            actor=None, org=city, doc_type="CV", title="Về việc", issued_on=day, number=number
        )

    for day in (dt.date(2024, 1, 5), dt.date(2024, 2, 1), dt.date(2024, 3, 1), dt.date(2025, 4, 1)):
        issue(day)
    with pytest.raises(ValidationError) as err:
        issue(dt.date(2024, 1, 10))  # would be 05-CV dated before 04-CV
    assert "04-CV/TU" in str(err.value)
    assert issue(dt.date(2025, 4, 1)).symbol == "05-CV/TU"
    # The new term starts again at 01, whatever was issued before it.
    assert issue(dt.date(2025, 10, 20)).symbol == "01-CV/TU"
    # A number given on paper is recorded if it keeps the sequence, refused if not.
    assert issue(dt.date(2025, 10, 25), number=7).symbol == "07-CV/TU"
    with pytest.raises(ValidationError):
        issue(dt.date(2025, 10, 21), number=7)  # taken
    with pytest.raises(ValidationError):
        issue(dt.date(2025, 10, 30), number=3)  # 07 is dated before it
    assert issue(dt.date(2025, 10, 26)).symbol == "08-CV/TU"


def test_no_term_says_how_to_declare_it(t: dict[str, Org]) -> None:
    with pytest.raises(ValidationError) as err:
        services.document_issue(
            actor=None, org=t["uni"], doc_type="CV", title="x", issued_on=dt.date(2024, 1, 1)
        )
    error = err.value.error_dict["issued_on"][0]
    assert error.code == "no_term" and "chibo term add BK" in str(err.value)
