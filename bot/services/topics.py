"""The default catalog of topics a report can mark as discussed; the office can edit it."""

DEFAULT_TOPICS = (
    "Kiểm tra, giám sát của chi bộ",
    "Phân công đảng viên phụ trách hộ gia đình",
    "Kết nạp đảng viên",
    "Chuyển đảng chính thức",
    "Xóa tên, cho ra khỏi Đảng",
    "Thực hiện chủ đề năm",
    "Xây dựng khu phố văn minh đô thị",
    "Xây dựng nông thôn mới, khu dân cư kiểu mẫu, vườn mẫu",
    "Phát triển kinh tế - xã hội",
    "Quốc phòng - an ninh, trật tự",
    "Giảm nghèo, chính sách người có công",
    "Dân chủ ở cơ sở, hương ước",
    "Công tác tuyên truyền, vận động nhân dân",
)
