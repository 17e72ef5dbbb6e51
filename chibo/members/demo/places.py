"""Real names of HCMC districts, wards, agencies and destinations (as of 2023)."""

from __future__ import annotations

# Data tables: kept compact by hand, not by the formatter.
# fmt: off
AGENCY_UNITS = [
    "Văn phòng", "Thanh tra", "Phòng Tổ chức cán bộ", "Phòng Kế hoạch - Tài chính",
    "Phòng Pháp chế", "Phòng Nghiệp vụ 1", "Phòng Nghiệp vụ 2", "Phòng Nghiệp vụ 3",
    "Trung tâm Dịch vụ", "Trung tâm Thông tin", "Ban Quản lý Dự án", "Phòng Hợp tác Quốc tế",
]

DISTRICT_UNITS = [
    "Văn phòng Quận ủy", "Văn phòng HĐND và UBND", "Phòng Giáo dục và Đào tạo",
    "Phòng Tài chính - Kế hoạch", "Phòng Nội vụ", "Phòng Tư pháp", "Phòng Y tế",
    "Phòng Văn hóa và Thông tin", "Phòng Quản lý Đô thị", "Phòng Tài nguyên và Môi trường",
    "Phòng Lao động - Thương binh và Xã hội", "Ban Quản lý Dự án Đầu tư Xây dựng",
]

# Departments and mass organizations under Đảng ủy Khối Dân - Chính - Đảng: (code, name)
AGENCIES = [
    ("STP", "Sở Tư pháp"),
    ("SNV", "Sở Nội vụ"),
    ("STC", "Sở Tài chính"),
    ("SKHDT", "Sở Kế hoạch và Đầu tư"),
    ("SXD", "Sở Xây dựng"),
    ("SVHTT", "Sở Văn hóa và Thể thao"),
    ("STTTT", "Sở Thông tin và Truyền thông"),
    ("SKHCN", "Sở Khoa học và Công nghệ"),
    ("STNMT", "Sở Tài nguyên và Môi trường"),
    ("SCT", "Sở Công Thương"),
    ("SDL", "Sở Du lịch"),
    ("SNGV", "Sở Ngoại vụ"),
    ("TTTP", "Thanh tra Thành phố"),
    ("VPUB", "Văn phòng Ủy ban nhân dân Thành phố"),
    ("VPHD", "Văn phòng Đoàn đại biểu Quốc hội và Hội đồng nhân dân Thành phố"),
    ("MTTQ", "Ủy ban Mặt trận Tổ quốc Việt Nam Thành phố"),
    ("LDLD", "Liên đoàn Lao động Thành phố"),
    ("HLHPN", "Hội Liên hiệp Phụ nữ Thành phố"),
    ("HND", "Hội Nông dân Thành phố"),
    ("HCCB", "Hội Cựu chiến binh Thành phố"),
    ("TDOAN", "Cơ quan Thành Đoàn"),
    ("SGGP", "Báo Sài Gòn Giải Phóng"),
    ("HTV", "Đài Truyền hình Thành phố Hồ Chí Minh"),
    ("VOH", "Đài Tiếng nói Nhân dân Thành phố Hồ Chí Minh"),
    ("SHTP", "Ban Quản lý Khu Công nghệ cao"),
    ("SQHKT", "Sở Quy hoạch - Kiến trúc"),
    ("CTK", "Cục Thống kê Thành phố Hồ Chí Minh"),
    ("KBNN", "Kho bạc Nhà nước Thành phố"),
    ("HVCB", "Học viện Cán bộ Thành phố Hồ Chí Minh"),
]

# (code, committee name, area name, document suffix, weight ~ party size, wards/communes)
DISTRICTS = [
    ("TD", "Thành ủy Thủ Đức", "thành phố Thủ Đức", "TU", 10, [
        "Phường Thảo Điền", "Phường An Phú", "Phường An Khánh", "Phường Bình Trưng Đông",
        "Phường Bình Trưng Tây", "Phường Cát Lái", "Phường Thạnh Mỹ Lợi", "Phường Thủ Thiêm",
        "Phường Linh Trung", "Phường Linh Xuân", "Phường Linh Chiểu", "Phường Linh Tây",
        "Phường Linh Đông", "Phường Bình Thọ", "Phường Hiệp Bình Chánh", "Phường Hiệp Bình Phước",
        "Phường Tam Bình", "Phường Tam Phú", "Phường Trường Thọ", "Phường Phước Long A",
        "Phường Phước Long B", "Phường Tăng Nhơn Phú A", "Phường Tăng Nhơn Phú B",
        "Phường Long Thạnh Mỹ", "Phường Long Bình", "Phường Long Phước", "Phường Long Trường",
        "Phường Phú Hữu", "Phường Hiệp Phú", "Phường Tân Phú", "Phường Phước Bình",
        "Phường Trường Thạnh",
    ]),
    ("Q1", "Quận ủy Quận 1", "Quận 1", "QU", 4, [
        "Phường Bến Nghé", "Phường Bến Thành", "Phường Đa Kao", "Phường Tân Định",
        "Phường Nguyễn Thái Bình", "Phường Phạm Ngũ Lão", "Phường Cầu Ông Lãnh", "Phường Cô Giang",
        "Phường Nguyễn Cư Trinh", "Phường Cầu Kho",
    ]),
    ("Q3", "Quận ủy Quận 3", "Quận 3", "QU", 3, [
        "Phường Võ Thị Sáu", "Phường 1", "Phường 2", "Phường 3", "Phường 4", "Phường 5", "Phường 9",
        "Phường 10", "Phường 11", "Phường 12", "Phường 13", "Phường 14",
    ]),
    ("Q5", "Quận ủy Quận 5", "Quận 5", "QU", 3, [
        "Phường 1", "Phường 2", "Phường 3", "Phường 4", "Phường 5", "Phường 6", "Phường 7",
        "Phường 8", "Phường 9", "Phường 10", "Phường 11", "Phường 12", "Phường 13", "Phường 14",
    ]),
    ("BT", "Quận ủy Bình Thạnh", "quận Bình Thạnh", "QU", 5, [
        "Phường 1", "Phường 2", "Phường 3", "Phường 5", "Phường 6", "Phường 7", "Phường 11",
        "Phường 12", "Phường 13", "Phường 14", "Phường 15", "Phường 17", "Phường 19", "Phường 21",
        "Phường 22", "Phường 24", "Phường 25", "Phường 26", "Phường 27", "Phường 28",
    ]),
    ("GV", "Quận ủy Gò Vấp", "quận Gò Vấp", "QU", 5, [
        "Phường 1", "Phường 3", "Phường 4", "Phường 5", "Phường 6", "Phường 7", "Phường 8",
        "Phường 9", "Phường 10", "Phường 11", "Phường 12", "Phường 13", "Phường 14", "Phường 15",
        "Phường 16", "Phường 17",
    ]),
    ("CC", "Huyện ủy Củ Chi", "huyện Củ Chi", "HU", 4, [
        "Thị trấn Củ Chi", "Xã An Nhơn Tây", "Xã An Phú", "Xã Bình Mỹ", "Xã Hòa Phú",
        "Xã Nhuận Đức", "Xã Phạm Văn Cội", "Xã Phú Hòa Đông", "Xã Phú Mỹ Hưng", "Xã Phước Hiệp",
        "Xã Phước Thạnh", "Xã Phước Vĩnh An", "Xã Tân An Hội", "Xã Tân Phú Trung",
        "Xã Tân Thạnh Đông", "Xã Tân Thạnh Tây", "Xã Tân Thông Hội", "Xã Thái Mỹ", "Xã Trung An",
        "Xã Trung Lập Hạ", "Xã Trung Lập Thượng",
    ]),
    ("Q10", "Quận ủy Quận 10", "Quận 10", "QU", 3, [
        "Phường 1", "Phường 2", "Phường 3", "Phường 4", "Phường 5", "Phường 6", "Phường 7",
        "Phường 8", "Phường 9", "Phường 10", "Phường 11", "Phường 12", "Phường 13", "Phường 14",
        "Phường 15",
    ]),
    ("TB", "Quận ủy Tân Bình", "quận Tân Bình", "QU", 5, [
        "Phường 1", "Phường 2", "Phường 3", "Phường 4", "Phường 5", "Phường 6", "Phường 7",
        "Phường 8", "Phường 9", "Phường 10", "Phường 11", "Phường 12", "Phường 13", "Phường 14",
        "Phường 15",
    ]),
    ("Q7", "Quận ủy Quận 7", "Quận 7", "QU", 3, [
        "Phường Tân Thuận Đông", "Phường Tân Thuận Tây", "Phường Tân Kiểng", "Phường Tân Hưng",
        "Phường Bình Thuận", "Phường Tân Quy", "Phường Phú Thuận", "Phường Tân Phú",
        "Phường Tân Phong", "Phường Phú Mỹ",
    ]),
    ("PN", "Quận ủy Phú Nhuận", "quận Phú Nhuận", "QU", 2, [
        "Phường 1", "Phường 2", "Phường 4", "Phường 5", "Phường 7", "Phường 8", "Phường 9",
        "Phường 10", "Phường 11", "Phường 13", "Phường 15", "Phường 17",
    ]),
    ("Q12", "Quận ủy Quận 12", "Quận 12", "QU", 4, [
        "Phường Thạnh Xuân", "Phường Thạnh Lộc", "Phường Hiệp Thành", "Phường Thới An",
        "Phường Tân Chánh Hiệp", "Phường An Phú Đông", "Phường Tân Thới Hiệp",
        "Phường Trung Mỹ Tây", "Phường Tân Hưng Thuận", "Phường Đông Hưng Thuận",
        "Phường Tân Thới Nhất",
    ]),
    ("BTA", "Quận ủy Bình Tân", "quận Bình Tân", "QU", 4, [
        "Phường Bình Hưng Hòa", "Phường Bình Hưng Hòa A", "Phường Bình Hưng Hòa B",
        "Phường Bình Trị Đông", "Phường Bình Trị Đông A", "Phường Bình Trị Đông B",
        "Phường Tân Tạo", "Phường Tân Tạo A", "Phường An Lạc", "Phường An Lạc A",
    ]),
    ("TP", "Quận ủy Tân Phú", "quận Tân Phú", "QU", 3, [
        "Phường Tân Sơn Nhì", "Phường Tây Thạnh", "Phường Sơn Kỳ", "Phường Tân Quý",
        "Phường Tân Thành", "Phường Phú Thọ Hòa", "Phường Phú Thạnh", "Phường Phú Trung",
        "Phường Hòa Thạnh", "Phường Hiệp Tân", "Phường Tân Thới Hòa",
    ]),
    ("Q4", "Quận ủy Quận 4", "Quận 4", "QU", 2, [
        "Phường 1", "Phường 2", "Phường 3", "Phường 4", "Phường 6", "Phường 8", "Phường 9",
        "Phường 10", "Phường 13", "Phường 14", "Phường 15", "Phường 16", "Phường 18",
    ]),
    ("Q6", "Quận ủy Quận 6", "Quận 6", "QU", 2, [
        "Phường 1", "Phường 2", "Phường 3", "Phường 4", "Phường 5", "Phường 6", "Phường 7",
        "Phường 8", "Phường 9", "Phường 10", "Phường 11", "Phường 12", "Phường 13", "Phường 14",
    ]),
    ("Q8", "Quận ủy Quận 8", "Quận 8", "QU", 3, [
        "Phường 1", "Phường 2", "Phường 3", "Phường 4", "Phường 5", "Phường 6", "Phường 7",
        "Phường 8", "Phường 9", "Phường 10", "Phường 11", "Phường 12", "Phường 13", "Phường 14",
        "Phường 15", "Phường 16",
    ]),
    ("Q11", "Quận ủy Quận 11", "Quận 11", "QU", 2, [
        "Phường 1", "Phường 2", "Phường 3", "Phường 4", "Phường 5", "Phường 6", "Phường 7",
        "Phường 8", "Phường 9", "Phường 10", "Phường 11", "Phường 12", "Phường 13", "Phường 14",
        "Phường 15", "Phường 16",
    ]),
    ("HM", "Huyện ủy Hóc Môn", "huyện Hóc Môn", "HU", 3, [
        "Thị trấn Hóc Môn", "Xã Bà Điểm", "Xã Đông Thạnh", "Xã Nhị Bình", "Xã Tân Hiệp",
        "Xã Tân Thới Nhì", "Xã Tân Xuân", "Xã Thới Tam Thôn", "Xã Trung Chánh", "Xã Xuân Thới Đông",
        "Xã Xuân Thới Sơn", "Xã Xuân Thới Thượng",
    ]),
    ("BC", "Huyện ủy Bình Chánh", "huyện Bình Chánh", "HU", 4, [
        "Thị trấn Tân Túc", "Xã An Phú Tây", "Xã Bình Chánh", "Xã Bình Hưng", "Xã Bình Lợi",
        "Xã Đa Phước", "Xã Hưng Long", "Xã Lê Minh Xuân", "Xã Phạm Văn Hai", "Xã Phong Phú",
        "Xã Quy Đức", "Xã Tân Kiên", "Xã Tân Nhựt", "Xã Tân Quý Tây", "Xã Vĩnh Lộc A",
        "Xã Vĩnh Lộc B",
    ]),
    ("NB", "Huyện ủy Nhà Bè", "huyện Nhà Bè", "HU", 2, [
        "Thị trấn Nhà Bè", "Xã Hiệp Phước", "Xã Long Thới", "Xã Nhơn Đức", "Xã Phú Xuân",
        "Xã Phước Kiển", "Xã Phước Lộc",
    ]),
    ("CG", "Huyện ủy Cần Giờ", "huyện Cần Giờ", "HU", 1, [
        "Thị trấn Cần Thạnh", "Xã An Thới Đông", "Xã Bình Khánh", "Xã Long Hòa", "Xã Lý Nhơn",
        "Xã Tam Thôn Hiệp", "Xã Thạnh An",
    ]),
]

# Where members transferred out of the city go.
DESTINATIONS = [
    "Đảng bộ tỉnh Bình Dương", "Đảng bộ tỉnh Đồng Nai", "Đảng bộ tỉnh Long An",
    "Đảng bộ tỉnh Bà Rịa - Vũng Tàu", "Đảng bộ tỉnh Tây Ninh", "Đảng bộ thành phố Cần Thơ",
    "Đảng bộ thành phố Hà Nội", "Đảng bộ thành phố Đà Nẵng", "Đảng bộ tỉnh Tiền Giang",
    "Đảng bộ Quân sự Thành phố", "Đảng bộ Công an Thành phố",
    "Đảng bộ Khối Doanh nghiệp Trung ương", "Đảng ủy Tổng Công ty Điện lực Thành phố",
    "Đảng bộ tỉnh Khánh Hòa", "Đảng bộ tỉnh Lâm Đồng",
]

TEMP_HOSTS = [
    "Chi bộ nơi cư trú tại tỉnh Bình Dương", "Học tập tại nước ngoài (Nhật Bản)",
    "Học tập tại nước ngoài (Hàn Quốc)", "Chi bộ Khu phố nơi tạm trú tại tỉnh Đồng Nai",
    "Đi công tác tại tỉnh Kiên Giang", "Học tập tại Học viện Chính trị khu vực II",
]
# fmt: on
