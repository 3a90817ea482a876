"""The default catalogs: the topics a report can mark as discussed, and the fields a
proposal is filed under; the office can edit both in the roster workbook."""

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

# The fields a proposal is filed under, as the migration that made the list seeds it
# (db/migrations/versions/0009_proposal_fields.py); the roster's sheet may replace it.
DEFAULT_PROPOSAL_FIELDS = (
    "Đất đai",
    "Xây dựng, trật tự đô thị",
    "Hạ tầng giao thông, điện, nước",
    "Môi trường, vệ sinh",
    "An ninh, trật tự",
    "Chính sách xã hội",
    "Y tế",
    "Giáo dục",
    "Kinh tế, việc làm",
    "Văn hóa, thể thao",
    "Công tác Đảng, chính quyền",
)
