//! Demo data for a rural district (Đô Lương, Nghệ An): categories in
//! Vietnamese and English, and the service area.

use phananh_protocol::ServiceArea;
use rusqlite::{Connection, params};

/// (code, vi, en, group vi, group en, photo required)
const CATEGORIES: &[(&str, &str, &str, &str, &str, bool)] = &[
    ("o_ga", "Ổ gà, hư hỏng mặt đường", "Pothole, damaged road", "Giao thông", "Roads", false),
    ("den_duong", "Đèn đường hỏng", "Street light out", "Giao thông", "Roads", false),
    ("rac_thai", "Rác thải", "Rubbish", "Môi trường", "Environment", false),
    ("ngap_ung", "Ngập úng", "Flooding", "Môi trường", "Environment", false),
    ("cay_do", "Cây đổ", "Fallen tree", "Giao thông", "Roads", false),
    ("dien", "Sự cố điện", "Power fault", "Hạ tầng", "Utilities", false),
    ("nuoc_sach", "Nước sạch", "Clean water", "Hạ tầng", "Utilities", false),
    ("o_nhiem", "Ô nhiễm", "Pollution", "Môi trường", "Environment", false),
    ("an_ninh", "An ninh trật tự", "Public order", "Xã hội", "Community", false),
    ("khac", "Khác", "Other", "Khác", "Other", false),
];

/// Đô Lương district, roughly.
pub const DO_LUONG: ServiceArea = ServiceArea { min_lat: 18.80, min_lon: 105.15, max_lat: 19.05, max_lon: 105.45 };

/// Insert the demo categories and service area (idempotent).
pub fn seed(c: &Connection) -> rusqlite::Result<()> {
    for (i, (code, vi, en, gvi, g_en, photo)) in CATEGORIES.iter().enumerate() {
        c.execute(
            "INSERT INTO categories (code, name_vi, name_en, group_vi, group_en, photo_required, position)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (code) DO NOTHING",
            params![code, vi, en, gvi, g_en, photo, i as i64],
        )?;
    }
    let area = serde_json::to_string(&DO_LUONG).unwrap_or_default();
    c.execute(
        "INSERT INTO settings (key, value) VALUES ('service_area', ?1) ON CONFLICT (key) DO UPDATE SET value = ?1",
        [area],
    )?;
    Ok(())
}
