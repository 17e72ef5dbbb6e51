"""Demo training data: courses per committee and year, who attended, certificates, leaders' posts.

About one new member in five has not taken the new-member course yet, and
about one school leader in four lacks the political-theory level the post
requires, so both gap lists have something to show.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from chibo.admissions.models import Candidate
from chibo.lib.dates import add_months
from chibo.members.models import Category, Member, Status
from chibo.orgs.models import STEP, Org, OrgKind
from chibo.training.models import THEORY_LEVELS, Course, CourseKind, Enrolment, LeadershipPost, Post

BATCH = 500
STAFF = (Category.LECTURER, Category.TEACHER, Category.CADRE, Category.PUBLIC_EMPLOYEE)


def seed_demo(*, rng: random.Random, today: dt.date, scale: float) -> dict[str, Any]:
    orgs = list(Org.objects.filter(closed_on__isnull=True).order_by("path"))
    units = [
        o
        for o in orgs
        if o.kind in (OrgKind.GRASSROOTS_COMMITTEE, OrgKind.GRASSROOTS_CELL) and o.school_level
    ]
    direct = [o for o in orgs if o.kind == OrgKind.DIRECT_COMMITTEE]
    members = list(Member.objects.filter(status=Status.ACTIVE).select_related("org").order_by("id"))
    # The outermost unit above each member and each unit's staff, by path prefix:
    # one pass over the members (a scan of the units per member is hours at city scale).
    unit_at = {u.path: u for u in units}
    unit_of: dict[int, Org] = {}
    staff_of: dict[str, list[Member]] = {u.path: [] for u in units}
    for member in members:
        path = member.org.path
        above = [unit_at[path[:i]] for i in range(STEP, len(path) + 1, STEP) if path[:i] in unit_at]
        unit_of[member.pk] = above[0] if above else member.org
        if member.category in STAFF and member.recognized_on is not None:
            for unit in above:
                staff_of[unit.path].append(member)

    courses: list[Course] = []
    for unit in units:
        for year in range(today.year - 4, today.year + 1):
            for kind, month in ((CourseKind.NEW_MEMBER, 5), (CourseKind.AWARENESS, 10)):
                start = dt.date(year, month, 4)
                if start <= today:
                    courses.append(
                        Course(
                            kind=kind,
                            title=f"{CourseKind(kind).label} {year} — {unit.name}"[:255],
                            organizer=unit,
                            starts_on=start,
                            ends_on=start + dt.timedelta(days=4),
                            place="Hội trường nhà trường",
                        )
                    )
    for committee in direct:
        for kind in THEORY_LEVELS[:2]:
            start = dt.date(today.year - 1, 9, 7)
            courses.append(
                Course(
                    kind=kind,
                    title=f"{CourseKind(kind).label} — {committee.name}"[:255],
                    organizer=committee,
                    starts_on=start,
                    ends_on=start + dt.timedelta(days=60),
                    place="Trung tâm Chính trị",
                )
            )
    Course.objects.bulk_create(courses, batch_size=BATCH)
    new_member_course = {
        (c.organizer_id, c.starts_on.year): c for c in courses if c.kind == CourseKind.NEW_MEMBER
    }

    enrolments: list[Enrolment] = []
    since = add_months(today, -60)
    for member in members:
        if member.admitted_on < since or rng.random() < 0.2:
            continue
        unit = unit_of[member.pk]
        course = None
        for year in (member.admitted_on.year, member.admitted_on.year + 1):
            found = new_member_course.get((unit.pk, year))
            if found and found.starts_on > member.admitted_on:
                course = found
                break
        if course is None:
            continue
        enrolments.append(
            Enrolment(
                course=course,
                kind=course.kind,
                member=member,
                org=member.org,
                full_name=member.full_name,
                completed=True,
                completed_on=course.ends_on,
                certificate_number=f"{rng.randint(1, 999)}/GCN-ĐVM",
                certificate_date=course.ends_on,
                issuer=unit.name,
            )
        )

    posts: list[LeadershipPost] = []
    for unit in units:
        staff = staff_of[unit.path]
        for post, person in zip(
            (Post.SECRETARY, Post.PRINCIPAL, Post.DEPUTY_SECRETARY),
            rng.sample(staff, k=min(3, len(staff))),
            strict=False,
        ):
            posts.append(
                LeadershipPost(
                    member=person,
                    post=post,
                    org=unit,
                    from_on=dt.date(today.year - rng.randint(1, 4), 7, 1),
                )
            )
            roll = rng.random()
            level = (
                THEORY_LEVELS[1]
                if roll < 0.6
                else THEORY_LEVELS[2]
                if roll < 0.75
                else (THEORY_LEVELS[0] if roll < 0.9 else None)
            )
            if level is not None:
                day = dt.date(today.year - rng.randint(3, 12), 6, 15)
                enrolments.append(
                    Enrolment(
                        kind=level,
                        member=person,
                        org=person.org,
                        full_name=person.full_name,
                        completed=True,
                        completed_on=day,
                        certificate_number=f"{rng.randint(100, 9999)}/BTN",
                        certificate_date=day,
                        issuer="Trường Chính trị",
                    )
                )
    LeadershipPost.objects.bulk_create(posts, batch_size=BATCH)

    candidates = 0
    awareness: dict[str, list[Course]] = {}
    for c in courses:
        if c.kind == CourseKind.AWARENESS:
            awareness.setdefault(c.organizer.path, []).append(c)
    for candidate in Candidate.objects.select_related("org").order_by("id")[
        : int(400 * max(scale, 0.1))
    ]:
        path = candidate.org.path
        options = [c for i in range(STEP, len(path) + 1, STEP) for c in awareness.get(path[:i], ())]
        if not options or rng.random() < 0.3:
            continue
        course = rng.choice(options)
        enrolments.append(
            Enrolment(
                course=course,
                kind=course.kind,
                candidate=candidate,
                org=candidate.org,
                full_name=candidate.full_name,
                completed=True,
                completed_on=course.ends_on,
                certificate_number=f"{rng.randint(1, 999)}/GCN-NT",
                certificate_date=course.ends_on,
                issuer=course.organizer.name,
            )
        )
        candidates += 1
    Enrolment.objects.bulk_create(enrolments, batch_size=BATCH)
    return {
        "courses": len(courses),
        "enrolments": len(enrolments),
        "leadership_posts": len(posts),
        "candidates_trained": candidates,
    }
