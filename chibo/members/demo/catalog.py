"""Real names of HCMC universities, colleges and schools (as of 2023)."""

from __future__ import annotations

# Data tables: kept compact by hand, not by the formatter.
# fmt: off
# (code, name, faculty set, ownership)
DHQG_UNIVERSITIES = [
    ("BK", "Trường Đại học Bách khoa", "tech", "cong_lap"),
    ("KHTN", "Trường Đại học Khoa học Tự nhiên", "sci", "cong_lap"),
    ("XHNV", "Trường Đại học Khoa học Xã hội và Nhân văn", "soc", "cong_lap"),
    ("CNTT", "Trường Đại học Công nghệ Thông tin", "tech", "cong_lap"),
    ("KTL", "Trường Đại học Kinh tế - Luật", "econ", "cong_lap"),
    ("QT", "Trường Đại học Quốc tế", "gen", "cong_lap"),
    ("KHSK", "Trường Đại học Khoa học Sức khỏe", "med", "cong_lap"),
]

KDHCD_UNIVERSITIES = [
    ("SP", "Trường Đại học Sư phạm Thành phố Hồ Chí Minh", "edu", "cong_lap"),
    ("KT", "Trường Đại học Kinh tế Thành phố Hồ Chí Minh", "econ", "cong_lap"),
    ("SPKT", "Trường Đại học Sư phạm Kỹ thuật Thành phố Hồ Chí Minh", "tech", "cong_lap"),
    ("VL", "Trường Đại học Văn Lang", "gen", "ngoai_cong_lap"),
    ("YD", "Trường Đại học Y Dược Thành phố Hồ Chí Minh", "med", "cong_lap"),
    ("LUAT", "Trường Đại học Luật Thành phố Hồ Chí Minh", "law", "cong_lap"),
    ("NH", "Trường Đại học Ngân hàng Thành phố Hồ Chí Minh", "econ", "cong_lap"),
    ("HUTECH", "Trường Đại học Công nghệ Thành phố Hồ Chí Minh", "gen", "ngoai_cong_lap"),
    ("MO", "Trường Đại học Mở Thành phố Hồ Chí Minh", "econ", "cong_lap"),
    ("NL", "Trường Đại học Nông Lâm Thành phố Hồ Chí Minh", "sci", "cong_lap"),
    ("NTT", "Trường Đại học Nguyễn Tất Thành", "gen", "ngoai_cong_lap"),
    ("KTRUC", "Trường Đại học Kiến trúc Thành phố Hồ Chí Minh", "tech", "cong_lap"),
    ("SGU", "Trường Đại học Sài Gòn", "edu", "cong_lap"),
    ("UFM", "Trường Đại học Tài chính - Marketing", "econ", "cong_lap"),
    ("HS", "Trường Đại học Hoa Sen", "gen", "ngoai_cong_lap"),
    ("GTVT", "Trường Đại học Giao thông vận tải Thành phố Hồ Chí Minh", "tech", "cong_lap"),
    ("PNT", "Trường Đại học Y khoa Phạm Ngọc Thạch", "med", "cong_lap"),
    ("VHIEN", "Trường Đại học Văn Hiến", "soc", "ngoai_cong_lap"),
    ("VHOA", "Trường Đại học Văn hóa Thành phố Hồ Chí Minh", "soc", "cong_lap"),
    ("TDTT", "Trường Đại học Thể dục Thể thao Thành phố Hồ Chí Minh", "edu", "cong_lap"),
    ("TNMT", "Trường Đại học Tài nguyên và Môi trường Thành phố Hồ Chí Minh", "sci", "cong_lap"),
    ("HBANG", "Trường Đại học Quốc tế Hồng Bàng", "med", "ngoai_cong_lap"),
]

COLLEGES = [
    ("CTHANG", "Trường Cao đẳng Kỹ thuật Cao Thắng", "tech", "cong_lap"),
    ("KTDN", "Trường Cao đẳng Kinh tế Đối ngoại", "econ", "cong_lap"),
    ("CDKT", "Trường Cao đẳng Kinh tế Thành phố Hồ Chí Minh", "econ", "cong_lap"),
    ("CDSPTW", "Trường Cao đẳng Sư phạm Trung ương Thành phố Hồ Chí Minh", "edu", "cong_lap"),
    ("CDVM", "Trường Cao đẳng Việt Mỹ", "gen", "ngoai_cong_lap"),
    ("CDGT", "Trường Cao đẳng Giao thông Vận tải Thành phố Hồ Chí Minh", "tech", "cong_lap"),
    ("CDVHNT", "Trường Cao đẳng Văn hóa Nghệ thuật Thành phố Hồ Chí Minh", "soc", "cong_lap"),
    ("CDYT", "Trường Cao đẳng Y tế Pasteur", "med", "ngoai_cong_lap"),
]

# Vocational schools under the Department of Labour: (code, name, level, ownership)
VOCATIONAL = [
    ("CDN", "Trường Cao đẳng nghề Thành phố Hồ Chí Minh", "cao_dang", "cong_lap"),
    ("LTT", "Trường Cao đẳng Kỹ thuật Lý Tự Trọng", "cao_dang", "cong_lap"),
    ("HVUONG", "Trường Trung cấp Kỹ thuật và Nghiệp vụ Hùng Vương", "trung_cap", "cong_lap"),
    ("TCNTD", "Trường Trung cấp nghề Thủ Đức", "trung_cap", "cong_lap"),
    ("CDTT", "Trường Cao đẳng Thủ Thiêm", "cao_dang", "cong_lap"),
    ("NDAO", "Trường Trung cấp nghề Nhân Đạo", "trung_cap", "ngoai_cong_lap"),
    ("CDNNT", "Trường Cao đẳng Công nghệ Thủ Đức", "cao_dang", "cong_lap"),
]

TRUNG_CAP = [
    ("NHC", "Trường Trung cấp Kinh tế - Kỹ thuật Nguyễn Hữu Cảnh", "cong_lap"),
    ("TCQ12", "Trường Trung cấp Kinh tế - Kỹ thuật Quận 12", "cong_lap"),
    ("TCBK", "Trường Trung cấp Bách khoa Sài Gòn", "ngoai_cong_lap"),
    ("TCTNA", "Trường Trung cấp Tây Nam Á", "ngoai_cong_lap"),
    ("TCNTMK", "Trường Trung cấp Kinh tế - Kỹ thuật Nguyễn Tất Thành", "ngoai_cong_lap"),
]

THPT = [
    "chuyên Lê Hồng Phong", "chuyên Trần Đại Nghĩa", "Gia Định", "Nguyễn Thị Minh Khai",
    "Nguyễn Thượng Hiền", "Bùi Thị Xuân", "Marie Curie", "Lê Quý Đôn", "Trưng Vương", "Nguyễn Du",
    "Phú Nhuận", "Nguyễn Hữu Huân", "Mạc Đĩnh Chi", "Nguyễn Trãi", "Hùng Vương", "Lương Thế Vinh",
    "Nguyễn Khuyến", "Võ Thị Sáu", "Thanh Đa", "Hoàng Hoa Thám", "Trần Phú", "Tân Bình",
    "Nguyễn Chí Thanh", "Nguyễn Công Trứ", "Trần Hưng Đạo", "Củ Chi", "Quang Trung", "Trung Phú",
    "Phú Hòa", "Bình Chánh", "Nguyễn Hữu Cầu", "Lý Thường Kiệt", "Thủ Đức", "Nguyễn Hữu Thọ",
    "Tạ Quang Bửu", "Lê Minh Xuân", "Cần Thạnh", "Ten Lơ Man", "Lê Thị Hồng Gấm", "Nguyễn An Ninh",
    "Ngô Quyền", "Trần Khai Nguyên", "Nguyễn Hiền", "Võ Trường Toản", "Thạnh Lộc", "An Lạc",
    "Bình Hưng Hòa", "Vĩnh Lộc", "Nam Kỳ Khởi Nghĩa", "Dương Văn Thì", "Giồng Ông Tố", "Phước Long",
    "Hiệp Bình", "Nguyễn Văn Tăng", "Tam Phú", "Linh Trung", "Bà Điểm",
]

SCHOOL_PERSONS = [
    "Lê Lợi", "Nguyễn Du", "Trần Quốc Toản", "Lê Văn Tám", "Võ Thị Sáu", "Kim Đồng", "Nguyễn Huệ",
    "Lê Quý Đôn", "Chu Văn An", "Nguyễn Bỉnh Khiêm", "Trần Hưng Đạo", "Lý Tự Trọng",
    "Nguyễn Văn Trỗi", "Phan Chu Trinh", "Phan Bội Châu", "Hai Bà Trưng", "Trương Định",
    "Nguyễn Trãi", "Lương Thế Vinh", "Đinh Tiên Hoàng", "Lê Văn Sỹ", "Hồ Văn Huê", "Trần Văn Ơn",
    "Nguyễn Văn Bé", "Điện Biên", "Ngô Quyền", "Bạch Đằng", "Hòa Bình", "Nguyễn Thái Học",
    "Cách Mạng Tháng Tám", "Nguyễn Đình Chiểu", "Trần Quang Khải", "Phạm Ngọc Thạch", "Lê Văn Việt",
    "Nguyễn Khuyến", "Tô Vĩnh Diện", "Bế Văn Đàn", "Phù Đổng", "Huỳnh Văn Bánh", "Nguyễn Thị Định",
    "Trần Văn Giàu", "Lam Sơn", "Đống Đa", "Quang Trung", "Hùng Vương", "Lê Hoàn", "Mạc Đĩnh Chi",
    "Võ Văn Tần", "Nguyễn An Ninh", "Phan Đăng Lưu",
]

PRESCHOOL_NAMES = [
    "Hoa Sen", "Hoa Mai", "Sơn Ca", "Họa Mi", "Vành Khuyên", "Tuổi Thơ", "Măng Non", "Hướng Dương",
    "Rạng Đông", "Bình Minh", "Thiên Thanh", "Ánh Dương", "Hoa Hồng", "Sao Mai", "Tuổi Ngọc",
    "Hoa Lan", "Hoa Cúc", "Bông Sen", "Hoàng Anh", "Sen Hồng", "Mầm Xanh", "Ngôi Sao",
]

FACULTIES = {
    "tech": [
        "Cơ khí", "Điện - Điện tử", "Khoa học và Kỹ thuật Máy tính", "Kỹ thuật Xây dựng",
        "Kỹ thuật Hóa học", "Môi trường và Tài nguyên", "Quản lý Công nghiệp",
        "Kỹ thuật Giao thông", "Khoa học Ứng dụng", "Công nghệ Vật liệu",
    ],
    "sci": [
        "Toán - Tin học", "Vật lý - Vật lý Kỹ thuật", "Hóa học", "Sinh học - Công nghệ Sinh học",
        "Công nghệ Thông tin", "Môi trường", "Địa chất", "Khoa học Vật liệu",
        "Điện tử - Viễn thông",
    ],
    "soc": [
        "Văn học", "Lịch sử", "Ngữ văn Anh", "Đông phương học", "Báo chí và Truyền thông",
        "Xã hội học", "Triết học", "Địa lý", "Giáo dục", "Quan hệ Quốc tế",
    ],
    "econ": [
        "Kinh tế", "Quản trị Kinh doanh", "Tài chính", "Kế toán - Kiểm toán", "Marketing",
        "Luật Kinh tế", "Hệ thống Thông tin Kinh tế", "Ngân hàng", "Kinh doanh Quốc tế",
    ],
    "med": [
        "Y", "Dược", "Răng Hàm Mặt", "Điều dưỡng - Kỹ thuật Y học", "Y tế Công cộng",
        "Y học Cổ truyền", "Khoa học Cơ bản",
    ],
    "edu": [
        "Toán - Tin học", "Ngữ văn", "Lịch sử", "Giáo dục Tiểu học", "Giáo dục Mầm non",
        "Tiếng Anh", "Vật lý", "Hóa học", "Sinh học", "Giáo dục Chính trị",
    ],
    "law": [
        "Luật Dân sự", "Luật Hình sự", "Luật Thương mại", "Luật Hành chính - Nhà nước",
        "Luật Quốc tế", "Quản trị - Luật",
    ],
    "gen": [
        "Công nghệ Thông tin", "Kinh tế", "Ngoại ngữ", "Kỹ thuật", "Kiến trúc", "Luật", "Du lịch",
        "Thiết kế", "Truyền thông",
    ],
}
THPT_GROUPS = [
    "Toán - Tin", "Ngữ văn", "Ngoại ngữ", "Khoa học Tự nhiên", "Khoa học Xã hội",
    "Thể dục - Quốc phòng", "Hành chính - Văn phòng",
]
# fmt: on
