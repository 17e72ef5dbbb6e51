"""Test data builders: a small org tree, members, users with roles."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from django.contrib.auth.models import User

from chibo.accounts.models import RoleAssignment
from chibo.members import services as member_services
from chibo.members.models import Category, Gender, Member
from chibo.orgs import services as org_services
from chibo.orgs.models import Org, OrgKind, SchoolLevel

_seq = itertools.count(1)
OPENED = dt.date(2015, 1, 1)


def org(code: str, name: str, kind: str, parent: Org | None = None, **extra: Any) -> Org:
    return org_services.org_create(
        actor=None,
        code=code,
        name=name,
        kind=kind,
        parent=parent,
        opened_on=extra.pop("opened_on", OPENED),
        **extra,
    )


def tree() -> dict[str, Org]:
    """City → (university committee → school committee → 2 cells), (district → school cell), other."""
    city = org("TU", "Thành ủy Thành phố Hồ Chí Minh", OrgKind.CITY_COMMITTEE)
    khoi = org("KDHCD", "Đảng ủy Khối Đại học, Cao đẳng", OrgKind.DIRECT_COMMITTEE, city)
    uni = org(
        "BK",
        "Đảng ủy Trường Đại học Bách khoa",
        OrgKind.GRASSROOTS_COMMITTEE,
        khoi,
        school_level=SchoolLevel.UNIVERSITY,
        ownership="cong_lap",
    )
    cell_a = org(
        "BK-SV1",
        "Chi bộ Sinh viên 1",
        OrgKind.SUBORDINATE_CELL,
        uni,
        school_level=SchoolLevel.UNIVERSITY,
    )
    cell_b = org(
        "BK-GV1",
        "Chi bộ Giảng viên 1",
        OrgKind.SUBORDINATE_CELL,
        uni,
        school_level=SchoolLevel.UNIVERSITY,
    )
    district = org("Q1", "Quận ủy Quận 1", OrgKind.DIRECT_COMMITTEE, city)
    school = org(
        "Q1-THPT",
        "Chi bộ Trường THPT Trưng Vương",
        OrgKind.GRASSROOTS_CELL,
        district,
        school_level=SchoolLevel.UPPER_SECONDARY,
        ownership="cong_lap",
    )
    ward = org("Q1-P1", "Chi bộ Khu phố 1", OrgKind.GRASSROOTS_CELL, district)
    return {
        "city": city,
        "khoi": khoi,
        "uni": uni,
        "cell_a": cell_a,
        "cell_b": cell_b,
        "district": district,
        "school": school,
        "ward": ward,
    }


def member(
    org: Org,
    *,
    full_name: str = "Nguyễn Văn An",
    category: str = Category.STUDENT,
    admitted_on: dt.date = dt.date(2024, 3, 1),
    date_of_birth: dt.date | None = None,
    gender: str = Gender.MALE,
    code: str | None = None,
    **extra: Any,
) -> Member:
    if date_of_birth is None:  # an age that fits the category (core.plausibility)
        young = category in (Category.STUDENT, Category.PUPIL, Category.OTHER)
        date_of_birth = dt.date(2003, 5, 17) if young else dt.date(1985, 5, 17)
    identity = member_services.Identity(
        member_code=code or f"DV{next(_seq):08d}",
        full_name=full_name,
        date_of_birth=date_of_birth,
        gender=gender,
        category=category,
        citizen_id=extra.pop("citizen_id", "079203001234"),
        phone=extra.pop("phone", "0912345689"),
    )
    return member_services.member_admit(
        actor=None,
        org=org,
        identity=identity,
        admitted_on=admitted_on,
        decision=member_services.Decision(number="12-QĐ/ĐU"),
        **extra,
    )


def user(
    username: str,
    role: str | None = None,
    org: Org | None = None,
    password: str = "mat-khau-dai-123",
) -> User:
    u = User.objects.create_user(username=username, password=password)
    if role is not None and org is not None:
        RoleAssignment.objects.create(user=u, role=role, org=org)
    return u


def candidate(org: Org, mentor: Member, **extra: Any) -> Any:
    """An outstanding candidate registered by ``org`` (admissions), mentored by ``mentor``."""
    from chibo.admissions import services as admission_services

    return admission_services.candidate_register(
        actor=None,
        org=org,
        mentor=mentor,
        full_name=extra.pop("full_name", "Trần Thị Cúc"),
        date_of_birth=extra.pop("date_of_birth", dt.date(2004, 2, 10)),
        gender=extra.pop("gender", Gender.FEMALE),
        category=extra.pop("category", Category.STUDENT),
        registered_on=extra.pop("registered_on", dt.date(2024, 9, 2)),
        education_level=extra.pop("education_level", "upper_secondary"),
        **extra,
    )
