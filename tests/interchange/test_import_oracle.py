"""The import check is no existence oracle (review: it said a code "belongs to a member outside your scope")."""

from __future__ import annotations

import pytest
from django.utils import translation

from chibo.core.roles import Role
from chibo.interchange.services import import_file
from tests import factories as f
from tests.interchange.helpers import MEMBER_HEADER, member_row, write_xlsx

pytestmark = pytest.mark.django_db


def test_a_code_outside_the_scope_is_only_said_to_be_unusable(tree, tmp_path) -> None:
    f.member(tree["school"], code="S1", full_name="Lê Văn Ngoài")
    secretary = f.user("bithu", Role.CELL_SECRETARY, tree["cell_a"])
    path = write_xlsx(tmp_path / "m.xlsx", MEMBER_HEADER, [member_row("S1", ma_to_chuc="BK-SV1")])
    with translation.override("vi"):
        result = import_file(actor=secretary, kind="members", path=path, dry_run=True)
    assert not result.ok
    [problem] = [p for p in result.problems if p.fatal]
    assert (problem.row, problem.column) == (2, "ma_dang_vien")
    assert problem.message == "Không dùng được mã đảng viên này."
    for leak in ("phạm vi", "ngoài", "thuộc", "Lê Văn Ngoài", "THPT"):
        assert leak not in problem.message
