"""One measured run for the import benchmark, in its own process (peak RSS is per process).

    python -m tests.interchange.bench_run {chibo|floor|die|read} FILE [LIMIT | legacy-cipher]

Uses DATABASE_URL (a fresh database), migrates, builds a small org tree,
then times only the import. Prints one JSON line: seconds, cpu_seconds
(this process only: on PostgreSQL the server's work is not in it), rows,
peak_rss_mb; chibo adds its phases (parse / validate / write). ``read`` is
the parsing ceiling: a bare pass over the file (calamine, or the csv module
for .csv), and with LIMIT=1 a bare openpyxl ``read_only`` pass, no database.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import resource
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chibo.settings")


def _setup() -> None:
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    from tests import factories

    factories.tree()


def _peak_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def run_chibo(path: str, legacy_cipher: bool = False) -> dict:
    from chibo.interchange.services import import_file

    if legacy_cipher:  # the benchmark's "before": the hand-written cipher replaced in 16.19
        from chibo.interchange import members_write
        from tests.interchange import legacy_cipher as legacy

        members_write.encrypt_many = legacy.encrypt_many

    result = import_file(actor=None, kind="members", path=path)
    assert result.ok, [p.line() for p in result.problems[:5]]
    phases = {name: round(seconds, 2) for name, seconds in result.phases.items()}
    return {"rows": result.created, "events": result.events, "phases": phases}


def run_floor(path: str) -> dict:
    """calamine read + the same member and event rows by raw executemany/COPY, no validation."""
    from django.db import transaction
    from django.utils import timezone
    from python_calamine import CalamineWorkbook

    from chibo.core import bulk
    from chibo.core.crypto import encrypt_many
    from chibo.interchange.members_write import EVENT_FIELDS, MEMBER_FIELDS
    from chibo.lib.dates import add_months
    from chibo.lib.text import fold
    from chibo.members.models import Member, MemberEvent
    from chibo.orgs.models import Org

    orgs = dict(Org.objects.values_list("code", "id"))
    sheet = CalamineWorkbook.from_path(path).get_sheet_by_index(0)
    rows = sheet.iter_rows()
    header = [str(h) for h in next(rows)]
    ix = {h: i for i, h in enumerate(header)}
    now = timezone.now()
    adapt, now, adapt_json = bulk.adapters()

    def d(v: object) -> dt.date | None:
        if isinstance(v, dt.date):
            return v
        if not v:
            return None
        day, month, year = str(v).split("/")
        return dt.date(int(year), int(month), int(day))

    count = events_count = 0
    data = list(rows)
    with (
        transaction.atomic(),
        bulk.indexes_deferred([(Member, len(data)), (MemberEvent, len(data))]),
    ):
        bulk.prepare()
        ids = bulk.reserve_ids(Member, len(data))
        members, events = [], []
        # Stored encrypted, as chibo stores them (the fastest way: one batch).
        citizen_ids = encrypt_many([str(r[ix["so_cccd"]]) for r in data])
        phones = encrypt_many([str(r[ix["so_dien_thoai"]]) for r in data])
        for n, (pk, r) in enumerate(zip(ids, data, strict=True)):
            name = r[ix["ho_ten"]]
            folded = fold(name)
            admitted = d(r[ix["ngay_vao_dang"]])
            recognized = d(r[ix["ngay_chinh_thuc"]])
            org = orgs[r[ix["ma_to_chuc"]]]
            members.append(
                (
                    pk,
                    r[ix["ma_dang_vien"]],
                    name,
                    folded,
                    folded.rsplit(" ", 1)[-1],
                    adapt(d(r[ix["ngay_sinh"]])),
                    "male",
                    "Kinh",
                    "student",
                    None,
                    "",
                    citizen_ids[n],
                    phones[n],
                    org,
                    "active",
                    recognized is not None,
                    adapt(admitted),
                    org,
                    "student",
                    adapt(admitted),
                    adapt(add_months(admitted, 12)),
                    adapt(recognized),
                    None,
                    None,
                    adapt(admitted),
                    adapt(admitted),
                    1,
                    now,
                    now,
                )
            )
            events.append(
                (
                    pk,
                    "admitted",
                    adapt(admitted),
                    now,
                    "",
                    None,
                    "",
                    None,
                    "",
                    "",
                    adapt_json({"category_at_admission": "student", "import": True}),
                    org,
                    "active",
                    "student",
                )
            )
            if recognized:
                events.append(
                    (
                        pk,
                        "recognized",
                        adapt(recognized),
                        now,
                        "",
                        None,
                        "",
                        None,
                        "",
                        "",
                        adapt_json({"import": True}),
                        org,
                        "active",
                        "student",
                    )
                )
            if len(members) >= 5000:
                bulk.insert(Member, MEMBER_FIELDS, members)
                bulk.insert(MemberEvent, EVENT_FIELDS, events)
                count += len(members)
                events_count += len(events)
                members, events = [], []
        bulk.insert(Member, MEMBER_FIELDS, members)
        bulk.insert(MemberEvent, EVENT_FIELDS, events)
        count += len(members)
        events_count += len(events)
    return {"rows": count, "events": events_count}


def run_read(path: str, openpyxl: bool) -> dict:
    """The parsing ceiling: every row of the file read, nothing else done."""
    count = 0
    if path.endswith(".csv"):
        import csv

        with open(path, encoding="utf-8-sig", newline="") as fh:
            for _row in csv.reader(fh):
                count += 1
    elif openpyxl:
        from openpyxl import load_workbook

        workbook = load_workbook(path, read_only=True, data_only=True)
        for _row in workbook.worksheets[0].iter_rows(values_only=True):
            count += 1
    else:
        from python_calamine import CalamineWorkbook

        for _row in CalamineWorkbook.from_path(path).get_sheet_by_index(0).iter_rows():
            count += 1
    return {"rows": count - 1, "events": 0}


def run_die(path: str, limit: int) -> dict:
    """django-import-export, as a Django admin would set it up (ModelResource over Member)."""
    import tablib
    from import_export import fields, resources, widgets

    from chibo.members.models import Member
    from chibo.orgs.models import Org

    class MemberResource(resources.ModelResource):
        member_code = fields.Field(attribute="member_code", column_name="ma_dang_vien")
        full_name = fields.Field(attribute="full_name", column_name="ho_ten")
        date_of_birth = fields.Field(
            attribute="date_of_birth",
            column_name="ngay_sinh",
            widget=widgets.DateWidget("%d/%m/%Y"),
        )
        org = fields.Field(
            attribute="org", column_name="ma_to_chuc", widget=widgets.ForeignKeyWidget(Org, "code")
        )
        admitted_on = fields.Field(
            attribute="admitted_on",
            column_name="ngay_vao_dang",
            widget=widgets.DateWidget("%d/%m/%Y"),
        )

        class Meta:
            model = Member
            import_id_fields = ("member_code",)
            fields = ("member_code", "full_name", "date_of_birth", "org", "admitted_on")

        def before_save_instance(self, instance: Member, row: object, **kwargs: object) -> None:
            instance.gender, instance.category, instance.status = "male", "student", "active"
            instance.ceremony_on = instance.probation_ends_on = instance.last_event_on = (
                instance.admitted_on
            )

    with open(path, "rb") as fh:
        dataset = tablib.Dataset().load(fh.read(), format="xlsx")
    if limit and len(dataset) > limit:
        dataset = dataset.subset(rows=range(limit))
    started = time.perf_counter()
    result = MemberResource().import_data(dataset, dry_run=False, raise_errors=True)
    return {"rows": result.totals.get("new", 0), "import_seconds": time.perf_counter() - started}


def main() -> None:
    mode, path = sys.argv[1], sys.argv[2]
    extra = sys.argv[3] if len(sys.argv) > 3 else ""
    limit = int(extra) if extra.isdigit() else 0
    if mode != "read":
        _setup()
    started = time.perf_counter()
    cpu = time.process_time()
    if mode == "chibo":
        out = run_chibo(path, legacy_cipher=extra == "legacy-cipher")
    elif mode == "floor":
        out = run_floor(path)
    elif mode == "read":
        out = run_read(path, openpyxl=limit == 1)
    else:
        out = run_die(path, limit)
    out["seconds"] = round(time.perf_counter() - started, 2)
    out["cpu_seconds"] = round(time.process_time() - cpu, 2)
    if mode != "read":  # ru_maxrss survives exec: tiny runs would show the parent's
        out["peak_rss_mb"] = _peak_mb()
    print(json.dumps(out))


if __name__ == "__main__":
    main()
