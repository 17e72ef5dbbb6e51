"""``chibo docs-preview --output DIR``: a sample of every Party document chibo lays out, as DOCX.

Run on a database loaded by ``chibo seed-demo`` (``make docs-preview`` makes a throwaway
one, renders the files to PDF and PNG with LibreOffice and poppler, and puts the PNGs in
docs/samples/ for a person to look at). One document per level and kind: the city's
letter 1000-CV/TU, the sector committee's and the school's forwards, the City Party
Office's 6-monthly report and the current half's draft, the school's report, a report
export, the admission dossier of the most advanced candidate, and a transfer letter.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation


class Command(BaseCommand):
    help = "Ghi một mẫu của mỗi loại văn bản theo thể thức HD 36 (DOCX) vào thư mục --output."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", required=True, help="thư mục ghi các tệp DOCX")

    def handle(self, *args: Any, **opts: Any) -> None:
        out = Path(opts["output"])
        out.mkdir(parents=True, exist_ok=True)
        with translation.override("vi"):
            written = self._write(out)
        for name in written:
            self.stdout.write(f"  {name}")
        self.stdout.write(f"Đã ghi {len(written)} văn bản mẫu vào {out}.")

    def _write(self, out: Path) -> list[str]:
        from chibo.directives.models import Document

        if not Document.objects.filter(org__code="TU", symbol="1000-CV/TU").exists():
            raise CommandError("Chưa có dữ liệu demo: chạy chibo seed-demo trước.")
        written: list[str] = []

        def save(name: str, data: bytes) -> None:
            (out / f"{name}.docx").write_bytes(data)
            written.append(f"{name}.docx")

        self._letters(save)
        self._compiled(save)
        self._report(save)
        self._dossier(save)
        self._transfer(save)
        return written

    def _letters(self, save: Any) -> None:
        from chibo.directives.documents import document_docx
        from chibo.directives.models import Document

        city = Document.objects.get(org__code="TU", symbol="1000-CV/TU")
        save("01-thanh-uy-cong-van-1000-CV-TU", document_docx(city))
        khoi = Document.objects.filter(org__code="KDHCD", direction="out", doc_type="CV").first()
        if khoi:
            save("02-dang-uy-khoi-cong-van", document_docx(khoi))
        school = (
            Document.objects.filter(
                org__kind="grassroots_committee", direction="out", doc_type="CV"
            )
            .order_by("id")
            .first()
        )
        if school:
            save("03-dang-uy-truong-cong-van", document_docx(school))

    def _compiled(self, save: Any) -> None:
        from chibo.directives import compile as compiling
        from chibo.directives.models import CompiledReport

        office = (
            CompiledReport.objects.filter(directive__org__code="TU", draft=False)
            .order_by("-period", "-version")
            .first()
        )
        if office:
            save("04-van-phong-thanh-uy-bao-cao-6-thang", compiling.compiled_docx(office))
        draft = CompiledReport.objects.filter(draft=True).order_by("-id").first()
        if draft:
            save("05-bao-cao-du-thao-ky-chua-ket-thuc", compiling.compiled_docx(draft))
        school = (
            CompiledReport.objects.filter(directive__org__kind="grassroots_committee", draft=False)
            .order_by("-id")
            .first()
        )
        if school:
            save("06-dang-uy-truong-bao-cao-6-thang", compiling.compiled_docx(school))

    def _report(self, save: Any) -> None:
        from chibo.orgs.models import Org
        from chibo.reports import build, exports

        org = Org.objects.filter(code="KDHCD").first()
        if org is None:
            return
        _data, doc = build.build(
            "admissions", None, org, start=dt.date(2025, 1, 1), end=dt.date(2025, 12, 31)
        )
        stamp = exports.stamp_for(None)
        signing = exports.Signing(signer="Lê Hoàng Phúc", signer_title="PHÓ BÍ THƯ")
        save(
            "07-dang-uy-khoi-bao-cao-ket-nap",
            exports.to_docx(doc, stamp=stamp, org=org, signing=signing),
        )

    def _dossier(self, save: Any) -> None:
        from chibo.admissions import dossier
        from chibo.admissions.models import PATH, Candidate

        order = {stage: i for i, stage in enumerate(PATH)}
        candidates = Candidate.objects.filter(org__kind="subordinate_cell").select_related("org")
        best = max(candidates, key=lambda c: (order.get(c.stage, -1), -c.pk), default=None)
        if best is None:
            return
        signers = {
            "cell_resolution": ("Trần Thị Mai", "BÍ THƯ"),
            "recognition_resolution": ("Trần Thị Mai", "BÍ THƯ"),
            "grassroots_resolution": ("Nguyễn Thị Thanh Hương", "BÍ THƯ"),
            "decision": ("Lê Hoàng Phúc", "PHÓ BÍ THƯ"),
            "recognition_decision": ("Lê Hoàng Phúc", "PHÓ BÍ THƯ"),
        }
        for index, entry in enumerate(dossier.entries(None, best), start=8):
            if entry.step is None or not entry.applicable:
                continue
            signer, title = signers[entry.kind]
            dossier.dossier_issue(
                actor=None, candidate=best, kind=entry.kind, signer=signer, signer_title=title
            )
            name = f"{index:02d}-ho-so-ket-nap-{entry.kind.replace('_', '-')}"
            save(name, dossier.dossier_docx(None, best, entry.kind))

    def _transfer(self, save: Any) -> None:
        from chibo.activity import letters, services, transfers
        from chibo.members.models import EventKind, MemberEvent

        event = (
            MemberEvent.objects.filter(
                kind=EventKind.TRANSFER_OUT,
                org__kind="subordinate_cell",
                org__closed_on__isnull=True,
            )
            .exclude(data__destination_org=None)
            .order_by("-effective_date")
            .first()
        )
        if event is None:
            return
        services.transfer_letter_issue(
            actor=None, event=event, number="(theo sổ văn bản)", issued_on=event.effective_date
        )
        paper = transfers.papers_of([event])[0]  # the system reads it (no actor's scope)
        letters.letter_register(
            actor=None, paper=paper, signer="Nguyễn Thị Thanh Hương", signer_title="PHÓ BÍ THƯ"
        )
        save("13-giay-gioi-thieu-sinh-hoat-dang", letters.letter_docx(None, paper))
