"""A report table's rows are written in Python (``report_tags.report_rows``), not cell by
cell through the template engine: a city's table of 2,182 units took ~900 ms to render
(issue 24). The rows must read exactly as the old template wrote them."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from chibo.reports.tables import INT, MONEY, PCT, TEXT, Table

pytestmark = pytest.mark.database_free

# ``_tables.html``'s body as it was before ``report_rows`` (main 82a7a75).
OLD_BODY = """{% load i18n chibo_tags %}{% for row in table.typed_rows %}
      <tr>
      {% for cell, kind in row %}
        {% if kind == "pct" %}<td class="num">{{ cell|pct }}</td>
        {% elif kind == "int" %}<td class="num">{{ cell|num }}</td>
        {% elif kind == "vnd" %}<td class="num">{{ cell|num }} đ</td>
        {% else %}<td>{{ cell }}</td>{% endif %}
      {% endfor %}
      {% if table.links and not printing %}{% with link=table.links|slice:forloop.counter|last %}<td class="no-print records-link">{% if link %}<a href="{{ link }}">{% translate "list" %}</a>{% endif %}</td>{% endwith %}{% endif %}
      </tr>
    {% empty %}
      <tr><td colspan="{{ table.columns|length }}" class="muted">{% translate "No data for this period." %}</td></tr>
    {% endfor %}"""

NEW_BODY = "{% load report_tags %}{% report_rows table printing %}"


def _norm(html: str) -> str:
    return re.sub(r">\s+<", "><", html).strip()


def _table(*, links: bool = True, rows: bool = True) -> Table:
    hostile = "<script>alert(\"x\")</script> & Chi bộ 'A'"
    body = [
        [hostile, 12, Decimal("5.165"), 1065000, "=1+1"],
        ["Trường THPT Đ", 0, Decimal("14.2857"), Decimal("1.50"), dt.date(2026, 12, 7)],
        ["Trường B", 1065, Decimal("1.5"), Decimal("1.5"), None],
        ["Trường C", Decimal("1.5"), 0, 0, 12345],
        ["Trường D", 12, Decimal("5.165"), 1065000, 7.25],
    ]
    table = Table(
        title="T",
        columns=[
            ("Đơn vị", TEXT),
            ("Số", INT),
            ("Tỉ lệ", PCT),
            ("Đảng phí", MONEY),
            ("Ghi chú", TEXT),
        ],
        rows=body if rows else [],
        row_kinds=[None, None, None, [TEXT, PCT, INT, INT, TEXT]],
    )
    if links and rows:
        table.links = ['/reports/records/?a=1&b="2"', "", "/reports/records/?x=<y>", "", "/r/"]
    return table


@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize("printing", [False, True])
@pytest.mark.parametrize("shape", ["links", "no links", "empty"])
def test_report_rows_write_what_the_template_wrote(
    language: str, printing: bool, shape: str
) -> None:
    table = _table(links=shape == "links", rows=shape != "empty")
    with translation.override(language):
        context = {"table": table, "printing": printing}
        old = Template(OLD_BODY).render(Context(context))
        new = Template(NEW_BODY).render(Context(context))
    assert _norm(new) == _norm(old)
    if shape != "empty":
        assert "<script>" not in new and "&lt;script&gt;" in new
        assert ("records-link" in new) is (shape == "links" and not printing)


def test_a_row_of_each_kind_reads_as_its_kind() -> None:
    """Sanity of the comparison itself: the numbers are grouped and the percentages rounded."""
    with translation.override("vi"):
        html = Template(NEW_BODY).render(Context({"table": _table(), "printing": False}))
    assert '<td class="num">1.065.000 đ</td>' in html
    assert '<td class="num">14,29%</td>' in html
    assert '<td class="num">1,50 đ</td>' in html and '<td class="num">1,5 đ</td>' in html
