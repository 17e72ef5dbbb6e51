"""The city laid out sector by sector: universities, the Department of Education,
vocational schools, agencies, and the districts with their wards and schools.
"""

from __future__ import annotations

import datetime as dt
import random

from chibo.members.demo import catalog as cat
from chibo.members.demo import places
from chibo.members.demo.orgtree import (
    CITY,
    DIRECT,
    GR_COMMITTEE,
    OrgSpec,
    Tree,
    TreeBase,
    clamp,
    split,
)

LEVEL_CODES = {"mam_non": "MN", "tieu_hoc": "TH", "thcs": "THCS", "thpt": "THPT"}


class TreeBuilder(TreeBase):
    def build(self) -> Tree:
        n, rng = self.n, self.rng
        root = self.add("TU", "Thành ủy Thành phố Hồ Chí Minh", CITY, None, suffix="TU")
        dhqg = self.add("DHQG", "Đảng ủy Đại học Quốc gia Thành phố Hồ Chí Minh", DIRECT, root)
        kdhcd = self.add("KDHCD", "Đảng ủy Khối Đại học, Cao đẳng Thành phố", DIRECT, root)
        sgddt = self.add("SGDDT", "Đảng ủy Sở Giáo dục và Đào tạo", DIRECT, root)
        sldt = self.add("SLDTBXH", "Đảng ủy Sở Lao động - Thương binh và Xã hội", DIRECT, root)
        kdcd = self.add("KDCD", "Đảng ủy Khối Dân - Chính - Đảng Thành phố", DIRECT, root)

        unis = [(dhqg, u) for u in cat.DHQG_UNIVERSITIES[: clamp(n / 1500, 1, 7)]]
        unis += [(kdhcd, u) for u in cat.KDHCD_UNIVERSITIES[: clamp(n / 1000, 1, 22)]]
        unis += [(kdhcd, u) for u in cat.COLLEGES[: clamp(n / 3000, 1, 8)]]
        students = max(len(unis), round(0.0075 * n))
        pupils = max(2, round(0.00045 * n))
        budgets = {
            "univ": round(0.06 * n),
            "sgddt": round(0.03 * n),
            "sldt": round(0.012 * n),
            "kdcd": round(0.13 * n),
        }
        budgets["district"] = n - students - pupils - sum(budgets.values())

        ptnk_budget = max(4, round(budgets["univ"] * 0.03))
        self.universities(unis, budgets["univ"] - ptnk_budget, students)
        thpt_cells = [
            self.cell(
                "DHQG-PTNK",
                "Chi bộ Trường Phổ thông Năng khiếu",
                dhqg,
                "thpt",
                ptnk_budget,
                school_level="thpt",
                ownership="cong_lap",
            )
        ]
        thpt_cells += self.department(sgddt, budgets["sgddt"])
        self.vocational(sldt, budgets["sldt"])
        self.agencies(kdcd, budgets["kdcd"])
        self.districts(root, budgets["district"])

        # Grade-12 pupils join the leading upper-secondary schools' cells.
        leading = thpt_cells[: max(2, min(len(thpt_cells), 1 + n // 20000))]
        for i in range(pupils):
            target = leading[i % len(leading)] if i < len(leading) else rng.choice(leading)
            target.pupils += 1
            target.size += 1

        first_uni = self.tree.by_code[f"KDHCD-{cat.KDHCD_UNIVERSITIES[0][0]}"]
        student_cells = [
            c for c in self.tree.cells if c.parent is first_uni and c.profile == "student"
        ]
        bithu = max(student_cells, key=lambda c: (c.size, -c.id))
        if bithu.students < 3:  # the demo secretary needs students to look after
            donor = max(
                self.tree.cells, key=lambda c: (c.size if c.profile == "ward" else 0, -c.id)
            )
            extra = 3 - bithu.students
            bithu.students += extra
            bithu.size += extra
            donor.size -= extra
        self.tree.demo = {
            "bithu": bithu,
            "cosoviec": first_uni,
            "captren": kdhcd,
            "vanphong": root,
            "xem": sgddt,
            "quantri": root,
        }
        return self.tree

    def universities(
        self, unis: list[tuple[OrgSpec, tuple[str, str, str, str]]], staff: int, students: int
    ) -> None:
        weights = [
            self.rng.uniform(0.6, 1.4) * (1.4 if own == "cong_lap" else 0.8)
            for _, (_, _, _, own) in unis
        ]
        staff_split = split(staff, weights, minimum=6)
        student_split = split(students, weights, minimum=1)
        for (parent, (code, name, faculty_set, ownership)), b, s in zip(
            unis, staff_split, student_split, strict=True
        ):
            level = "cao_dang" if name.startswith("Trường Cao đẳng") else "dai_hoc"
            prefix = f"{parent.code}-{code}"
            school = self.add(
                prefix,
                f"Đảng bộ {name}",
                GR_COMMITTEE,
                parent,
                school_level=level,
                ownership=ownership,
            )
            faculties = cat.FACULTIES[faculty_set][:]
            self.rng.shuffle(faculties)
            n_sv = clamp(s / 25, 1, len(faculties))
            helpers = (
                2 * n_sv if b >= 4 * n_sv + 3 else 0
            )  # lecturers/youth-union staff in student cells
            b -= helpers
            n_cb = clamp(b * 0.25 / 30, 0 if b < 15 else 1, 3)
            n_gv = clamp(b * 0.75 / 35, 1, len(faculties))
            sizes = split(b, [3.0] * n_gv + [1.0] * n_cb)
            for i in range(n_gv):
                self.cell(
                    f"{prefix}-GV{i + 1:02d}",
                    f"Chi bộ Giảng viên Khoa {faculties[i]}",
                    school,
                    "univ_lecturer",
                    sizes[i],
                )
            staff_units = ["Phòng ban chức năng", "Thư viện - Ký túc xá", "Trung tâm và Viện"]
            for i in range(n_cb):
                self.cell(
                    f"{prefix}-CB{i + 1:02d}",
                    f"Chi bộ {staff_units[i]}",
                    school,
                    "univ_staff",
                    sizes[n_gv + i],
                )
            helper_split = split(helpers, [1.0] * n_sv, minimum=0)
            for i, (count, extra) in enumerate(
                zip(split(s, self.weights(n_sv), 1), helper_split, strict=True)
            ):
                self.cell(
                    f"{prefix}-SV{i + 1:02d}",
                    f"Chi bộ Sinh viên Khoa {faculties[i]}",
                    school,
                    "student",
                    count + extra,
                    students=count,
                )

    def department(self, sgddt: OrgSpec, budget: int) -> list[OrgSpec]:
        """Upper-secondary and vocational schools and the office of the Department of Education."""
        office = max(3, round(budget * 0.12))
        n_tc = clamp(budget * 0.12 / 20, 1, len(cat.TRUNG_CAP))
        n_thpt = clamp(budget * 0.76 / 32, 2, 40)
        sizes = split(budget - office, [1.0] * n_tc + [1.6] * n_thpt)
        self.units(
            sgddt,
            "SGDDT-CQ",
            "Cơ quan Sở Giáo dục và Đào tạo",
            office,
            [
                "Văn phòng Sở",
                "Phòng Giáo dục Trung học",
                "Phòng Giáo dục Mầm non - Tiểu học",
                "Phòng Tổ chức cán bộ",
                "Phòng Kế hoạch - Tài chính",
                "Thanh tra Sở",
            ],
            "agency",
            20,
            40,
        )
        for (code, name, own), size in zip(cat.TRUNG_CAP, sizes[:n_tc], strict=False):
            self.cell(
                f"SGDDT-{code}",
                f"Chi bộ {name}",
                sgddt,
                "school",
                size,
                school_level="trung_cap",
                ownership=own,
            )
        return [
            self.thpt(sgddt, f"SGDDT-THPT{i + 1:02d}", size, "cong_lap")
            for i, size in enumerate(sizes[n_tc:])
        ]

    def thpt(self, parent: OrgSpec, code: str, size: int, ownership: str) -> OrgSpec:
        """An upper-secondary school: one cell, or a committee with a cell per subject group."""
        name = f"Trường THPT {next(self.thpt_names, self.rng.choice(cat.SCHOOL_PERSONS))}"
        school = self.units(
            parent,
            code,
            name,
            size,
            cat.THPT_GROUPS,
            "thpt",
            18,
            50,
            school_level="thpt",
            ownership=ownership,
        )
        if school.kind == GR_COMMITTEE:
            return next(org for org in self.tree.orgs if org.parent is school)
        return school

    def vocational(self, sldt: OrgSpec, budget: int) -> None:
        office = max(3, round(budget * 0.15))
        self.cell(
            "SLDTBXH-CQ",
            "Chi bộ Cơ quan Sở Lao động - Thương binh và Xã hội",
            sldt,
            "agency",
            office,
        )
        schools = cat.VOCATIONAL[: clamp((budget - office) / 30, 1, len(cat.VOCATIONAL))]
        for (code, name, level, own), size in zip(
            schools, split(budget - office, self.weights(len(schools))), strict=True
        ):
            self.units(
                sldt,
                f"SLDTBXH-{code}",
                name,
                size,
                [f"Khoa {f}" for f in cat.FACULTIES["tech"]],
                "school",
                25,
                60,
                school_level=level,
                ownership=own,
            )

    def agencies(self, kdcd: OrgSpec, budget: int) -> None:
        chosen = places.AGENCIES[: clamp(budget / 150, 2, len(places.AGENCIES))]
        office = next(a for a in places.AGENCIES if a[0] == "VPUB")
        if office not in chosen:  # the People's Committee's office keeps its register (demo)
            chosen = [*chosen[:-1], office]
        for (code, name), size in zip(
            chosen, split(budget, self.weights(len(chosen), 0.6)), strict=True
        ):
            self.units(kdcd, f"KDCD-{code}", name, size, places.AGENCY_UNITS, "agency", 25, 60)

    def districts(self, root: OrgSpec, budget: int) -> None:
        chosen = places.DISTRICTS[: clamp(7 + self.n / 25000, 7, len(places.DISTRICTS))]
        weights = [w * self.rng.uniform(0.8, 1.2) for *_, w, _ in chosen]
        levels = ["tieu_hoc", "mam_non", "thcs", "thpt"]
        for index, ((code, name, area, suffix, _, wards), size) in enumerate(
            zip(chosen, split(budget, weights, minimum=12), strict=True)
        ):
            district = self.add(code, name, DIRECT, root, suffix=suffix)
            self.districts_made.append((district, area))
            schools, agencies = round(size * 0.2), round(size * 0.12)
            self.district_schools(district, schools, [levels[(index + i) % 4] for i in range(4)])
            units = [u.replace("Quận ủy", name.split(" ")[0]) for u in places.DISTRICT_UNITS]
            self.units(district, f"{code}-CQ", f"Cơ quan {area}", agencies, units, "agency", 25, 40)
            ward_budget = size - schools - agencies
            n_wards = clamp(ward_budget / 600, 1, len(wards))
            for i, (ward, w_size) in enumerate(
                zip(wards, split(ward_budget, self.weights(n_wards)), strict=False)
            ):
                committee = self.add(
                    f"{code}-P{i + 1:02d}", f"Đảng bộ {ward}", GR_COMMITTEE, district
                )
                n_cells = max(1, round(w_size / 40))
                hamlet = "Ấp" if ward.startswith("Xã") else "Khu phố"
                sizes = split(w_size, self.weights(n_cells))
                offset = 0 if n_cells >= 3 else 1  # cell 0 is then the ward office's
                for k, c_size in enumerate(sizes):
                    if k == 0 and not offset:
                        self.cell(
                            f"{committee.code}-CQ",
                            f"Chi bộ Cơ quan {ward}",
                            committee,
                            "agency",
                            c_size,
                        )
                    else:
                        self.cell(
                            f"{committee.code}-KP{k + offset:02d}",
                            f"Chi bộ {hamlet} {k + offset}",
                            committee,
                            "ward",
                            c_size,
                        )

    def district_schools(self, district: OrgSpec, budget: int, first_levels: list[str]) -> None:
        n_cells = max(2, round(budget / 16))
        level_weights = {"mam_non": 0.33, "tieu_hoc": 0.33, "thcs": 0.24, "thpt": 0.10}
        levels = first_levels[:n_cells] + self.rng.choices(
            list(level_weights), weights=list(level_weights.values()), k=max(0, n_cells - 4)
        )
        counters: dict[str, int] = {}
        used: set[str] = set()
        for level, size in zip(levels, split(budget, self.weights(n_cells), 2), strict=True):
            counters[level] = counters.get(level, 0) + 1
            code = f"{district.code}-{LEVEL_CODES[level]}{counters[level]:02d}"
            private = self.rng.random() < {"mam_non": 0.25, "thpt": 0.15}.get(level, 0.03)
            ownership = "ngoai_cong_lap" if private else "cong_lap"
            if level == "thpt":
                self.thpt(district, code, size, ownership)
                continue
            if level == "mam_non":
                name = f"Trường Mầm non {self.rng.choice(cat.PRESCHOOL_NAMES)}"
            else:
                label = "Tiểu học" if level == "tieu_hoc" else "THCS"
                name = f"Trường {label} {self.rng.choice(cat.SCHOOL_PERSONS)}"
            base, k = name, 2
            while name in used:
                name, k = f"{base} {k}", k + 1
            used.add(name)
            self.cell(
                code,
                f"Chi bộ {name}",
                district,
                "school",
                size,
                school_level=level,
                ownership=ownership,
            )


# The district level ended with 30/6/2025 (QĐ 294-QĐ/TW, in force 1/7/2025).
REFORM = dt.date(2025, 7, 1)


def reform(tree: Tree, districts: list[tuple[OrgSpec, str]], root: OrgSpec) -> None:
    """The 2025 reform, dated: every district committee closes (its last day 30/6/2025) and
    its wards', schools' and agencies' organizations move directly under the city on
    1/7/2025 (grassroots organizations directly under the provincial committee, as the
    commune-level committees now are). Names that would repeat under the city ("Đảng bộ
    Phường 1" of several districts) take their old district's name in brackets."""
    moved: list[OrgSpec] = []
    for district, _area in districts:
        for child in [o for o in tree.orgs if o.parent is district]:
            child.old_parent, child.parent, child.moved_on = district, root, REFORM
            moved.append(child)
        district.closed_on = REFORM
    taken = [o.name for o in tree.orgs if o.parent is root and o not in moved]
    names = [o.name for o in moved] + taken
    area_of = {district.id: area for district, area in districts}
    for child in moved:
        if names.count(child.name) > 1:
            child.old_name = child.name
            assert child.old_parent is not None  # moved above
            area = area_of[child.old_parent.id]
            child.name = f"{child.name} ({area[:1].upper()}{area[1:]})"
    # The moved subtrees' paths: "<city><district><child>…" becomes "<city><child>…".
    new_prefix = {child.path: root.path + child.path[-6:] for child in moved}
    width = len(moved[0].path) if moved else 0
    for org in tree.orgs:
        prefix = new_prefix.get(org.path[:width])
        if prefix is not None:
            org.path = prefix + org.path[width:]


def build_tree(members: int, rng: random.Random, as_of: dt.date | None = None) -> Tree:
    builder = TreeBuilder(members, rng)
    tree = builder.build()
    if as_of is None or as_of > REFORM:
        reform(tree, builder.districts_made, tree.orgs[0])
    return tree
