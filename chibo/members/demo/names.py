"""Vietnamese personal names drawn from real frequency distributions.

Surname shares follow the usual published estimates (Nguyễn ~38%, Trần ~11%,
Lê ~9.5% …); middle names are gendered and shift with the generation (Văn and
Thị are far commoner among older people).
"""

from __future__ import annotations

import bisect
import itertools
import random
from collections.abc import Sequence

from chibo.lib.text import fold

# Data tables: kept compact by hand, not by the formatter.
# fmt: off
SURNAMES: list[tuple[str, float]] = [
    ("Nguyễn", 38.0), ("Trần", 11.0), ("Lê", 9.5), ("Phạm", 7.0), ("Huỳnh", 3.0), ("Hoàng", 2.1),
    ("Phan", 4.5), ("Võ", 2.9), ("Vũ", 1.0), ("Đặng", 2.1), ("Bùi", 2.0), ("Đỗ", 1.4), ("Hồ", 1.3),
    ("Ngô", 1.3), ("Dương", 1.0), ("Lý", 0.5), ("Trương", 0.6), ("Đinh", 0.4), ("Đào", 0.4),
    ("Đoàn", 0.4), ("Lâm", 0.4), ("Mai", 0.3), ("Trịnh", 0.3), ("Hà", 0.3), ("Lương", 0.3),
    ("Cao", 0.3), ("Tô", 0.2), ("Tạ", 0.2), ("Châu", 0.2), ("Thái", 0.2), ("Lưu", 0.2),
    ("Vương", 0.2), ("Quách", 0.1), ("La", 0.1), ("Từ", 0.1), ("Kiều", 0.1), ("Tăng", 0.1),
    ("Lại", 0.1), ("Nghiêm", 0.1), ("Triệu", 0.1),
]
# Minority surnames (used with their ethnicity).
ETHNIC_SURNAMES: dict[str, list[str]] = {
    "Hoa": ["Lâm", "Trương", "Quách", "Lý", "Mã", "Hứa", "Diệp", "Tăng", "La", "Châu"],
    "Khmer": ["Thạch", "Sơn", "Danh", "Kim", "Lâm", "Trần"],
    "Chăm": ["Từ", "Thành", "Dương", "Mã", "Ka"],
}
ETHNICITIES: list[tuple[str, float]] = [
    ("Kinh", 93.2), ("Hoa", 4.6), ("Khmer", 1.0), ("Chăm", 0.4), ("Tày", 0.3), ("Nùng", 0.2),
    ("Mường", 0.15), ("Thái", 0.1), ("Dao", 0.05),
]
MIDDLE_MALE: list[tuple[str, float]] = [
    ("Văn", 30), ("Minh", 10), ("Hữu", 6), ("Đức", 6), ("Quốc", 6), ("Thanh", 5), ("Hoàng", 5),
    ("Công", 4), ("Tấn", 4), ("Gia", 4), ("Quang", 4), ("Ngọc", 3), ("Anh", 3), ("Duy", 3),
    ("Trọng", 3), ("Nhật", 3), ("Thành", 3), ("Bảo", 3), ("Xuân", 2), ("Phước", 2), ("Chí", 2),
    ("Trung", 2), ("Đăng", 2), ("Thế", 2), ("Hoài", 1), ("Kim", 1),
]
MIDDLE_FEMALE: list[tuple[str, float]] = [
    ("Thị", 35), ("Ngọc", 10), ("Thanh", 6), ("Thu", 5), ("Minh", 4), ("Kim", 4), ("Mỹ", 3),
    ("Bảo", 3), ("Phương", 3), ("Thùy", 3), ("Hồng", 3), ("Hoài", 2), ("Khánh", 2), ("Ánh", 2),
    ("Diệu", 2), ("Quỳnh", 2), ("Bích", 2), ("Thảo", 2), ("Như", 2), ("Cẩm", 2), ("Tường", 1),
    ("Huyền", 1), ("Yến", 1), ("Mai", 1), ("Xuân", 1),
]
_OLD_STYLE = {"Văn": 2.0, "Thị": 2.2, "Hữu": 1.5, "Đức": 1.3, "Gia": 0.4, "Bảo": 0.4, "Nhật": 0.4}
_YOUNG_STYLE = {
    "Văn": 0.45, "Thị": 0.4, "Gia": 1.8, "Bảo": 1.8, "Nhật": 1.6, "Minh": 1.4, "Khánh": 1.5,
}
# Given names; the commonest weigh three times the others.
_MALE_NAMES: list[str] = [
    "An", "Anh", "Bảo", "Bình", "Cường", "Chiến", "Công", "Dũng", "Duy", "Dương", "Đạt", "Đông",
    "Đức", "Giang", "Hải", "Hào", "Hiếu", "Hiển", "Hòa", "Hoàng", "Huy", "Hùng", "Hưng", "Kha",
    "Khải", "Khang", "Khánh", "Khoa", "Kiên", "Lâm", "Lộc", "Long", "Lực", "Luân", "Mạnh", "Minh",
    "Nam", "Nghĩa", "Nguyên", "Nhân", "Nhật", "Phát", "Phong", "Phú", "Phúc", "Phước", "Quân",
    "Quang", "Quốc", "Sang", "Sơn", "Tài", "Tâm", "Tân", "Thái", "Thắng", "Thành", "Thanh", "Thiện",
    "Thịnh", "Thông", "Tiến", "Toàn", "Trí", "Trọng", "Trung", "Trường", "Tuấn", "Tùng", "Tú",
    "Việt", "Vinh", "Vũ", "Vương", "Hậu", "Tín", "Triết", "Lợi", "Hiệp", "Sĩ", "Định", "Hiền",
    "Lân",
]
_MALE_COMMON: set[str] = {
    "Anh", "Bảo", "Dũng", "Đức", "Hải", "Hoàng", "Huy", "Hùng", "Khang", "Long", "Minh", "Nam",
    "Phúc", "Quân", "Sơn", "Thành", "Trung", "Tuấn",
}
_FEMALE_NAMES: list[str] = [
    "An", "Anh", "Ánh", "Bích", "Châu", "Chi", "Diễm", "Diệp", "Dung", "Duyên", "Giang", "Hà",
    "Hạnh", "Hằng", "Hân", "Hiền", "Hoa", "Hồng", "Huệ", "Hương", "Huyền", "Khánh", "Khuê", "Lan",
    "Liên", "Linh", "Loan", "Ly", "Mai", "My", "Mỹ", "Nga", "Ngân", "Ngọc", "Nguyệt", "Nhi",
    "Nhung", "Như", "Oanh", "Phương", "Phượng", "Quyên", "Quỳnh", "Sương", "Tâm", "Thanh", "Thảo",
    "Thư", "Thủy", "Thúy", "Tiên", "Trang", "Trâm", "Trinh", "Tuyết", "Uyên", "Vân", "Vi", "Vy",
    "Xuân", "Yến", "Nhàn", "Hậu", "Thắm", "Lệ", "Đào", "Diệu", "Đoan", "Ngà", "Hường", "Kiều",
]
_FEMALE_COMMON: set[str] = {
    "Anh", "Hà", "Hạnh", "Hằng", "Hương", "Huyền", "Lan", "Linh", "Mai", "Ngọc", "Nhi", "Phương",
    "Thảo", "Thủy", "Trang", "Vy",
}
# fmt: on
GIVEN_MALE = [(name, 3.0 if name in _MALE_COMMON else 1.0) for name in _MALE_NAMES]
GIVEN_FEMALE = [(name, 3.0 if name in _FEMALE_COMMON else 1.0) for name in _FEMALE_NAMES]


class Weighted:
    """Fast weighted choice: cumulative weights + bisect on one ``random()`` draw."""

    def __init__(self, pairs: Sequence[tuple[str, float]]) -> None:
        self.items = [name for name, _ in pairs]
        self.cum = list(itertools.accumulate(weight for _, weight in pairs))
        self.total = self.cum[-1]

    def pick(self, rng: random.Random) -> str:
        return self.items[bisect.bisect_right(self.cum, rng.random() * self.total)]


def _styled(pairs: list[tuple[str, float]], style: dict[str, float]) -> Weighted:
    return Weighted([(name, weight * style.get(name, 1.0)) for name, weight in pairs])


class NameMaker:
    """Makes (full name, folded full name, folded given name) for a person."""

    def __init__(self) -> None:
        self.surname = Weighted(SURNAMES)
        self.ethnicity = Weighted(ETHNICITIES)
        # generation 0: born before 1975, 1: 1975–1994, 2: 1995 and later
        self.middle = {
            ("male", 0): _styled(MIDDLE_MALE, _OLD_STYLE),
            ("male", 1): Weighted(MIDDLE_MALE),
            ("male", 2): _styled(MIDDLE_MALE, _YOUNG_STYLE),
            ("female", 0): _styled(MIDDLE_FEMALE, _OLD_STYLE),
            ("female", 1): Weighted(MIDDLE_FEMALE),
            ("female", 2): _styled(MIDDLE_FEMALE, _YOUNG_STYLE),
        }
        self.given = {"male": Weighted(GIVEN_MALE), "female": Weighted(GIVEN_FEMALE)}
        self._fold: dict[str, str] = {}

    def folded(self, word: str) -> str:
        out = self._fold.get(word)
        if out is None:
            out = self._fold[word] = fold(word)
        return out

    def make(self, rng: random.Random, gender: str, birth_year: int, ethnicity: str) -> list[str]:
        """The words of a full name (surname, one or two middle names, given name)."""
        minority = ETHNIC_SURNAMES.get(ethnicity)
        surname = rng.choice(minority) if minority else self.surname.pick(rng)
        generation = 0 if birth_year < 1975 else (1 if birth_year < 1995 else 2)
        middle = self.middle[(gender, generation)]
        words = [surname, middle.pick(rng)]
        if rng.random() < 0.12:  # e.g. Nguyễn Thị Ngọc Anh
            second = middle.pick(rng)
            if second != words[1] and second not in ("Văn", "Thị"):
                words.append(second)
        given = self.given[gender].pick(rng)
        while given == words[-1]:
            given = self.given[gender].pick(rng)
        words.append(given)
        return words

    def fold_words(self, words: list[str]) -> tuple[str, str]:
        folded = [self.folded(word) for word in words]
        return " ".join(folded), folded[-1]
