//! Demo data for a rural district (Đô Lương, Nghệ An): categories in
//! Vietnamese and English, and the service area.

use phananh_protocol::ServiceArea;
use phananh_protocol::wire::Category;

use crate::storage::StorageError;
use crate::storage::{Role, Storage};

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
    ("quoc_lo", "Hư hỏng quốc lộ, tỉnh lộ", "Damaged national or provincial road", "Giao thông", "Roads", false),
    ("khac", "Khác", "Other", "Khác", "Other", false),
];

/// The demo district's configuration (units, rules, calendar, deadlines).
pub const DISTRICT_TOML: &str = include_str!("../demo/district.toml");
/// Its APPROXIMATE commune boundaries (a schematic grid; see the file).
pub const BOUNDARIES_GEOJSON: &str = include_str!("../demo/boundaries.geojson");

/// The demo's staff: (what the line printed says, name, role, unit). The
/// first line's wording is read by scripts and tests.
pub const ACCOUNTS: &[(&str, &str, Role, Option<&str>)] = &[
    ("demo staff account", "admin", Role::Coordinator, None),
    ("demo officer account (UBND xã Tràng Sơn)", "canbo.trangson", Role::Officer, Some("TRANG_SON")),
    ("demo officer account (Phòng Kinh tế – Hạ tầng)", "canbo.ktht", Role::Officer, Some("KTHT")),
    ("demo leader account", "lanhdao", Role::Leader, None),
];

/// Write the demo district's files into the data directory, unless a
/// district is configured there already.
pub fn write_district(data: &std::path::Path) -> std::io::Result<()> {
    std::fs::create_dir_all(data)?;
    let file = data.join(crate::DISTRICT_FILE);
    if !file.exists() {
        std::fs::write(data.join("boundaries.geojson"), BOUNDARIES_GEOJSON)?;
        std::fs::write(file, DISTRICT_TOML)?;
    }
    Ok(())
}

/// The demo district, checked.
pub fn district() -> crate::district::District {
    crate::district::config::parse(DISTRICT_TOML, std::path::Path::new("demo/district.toml"), |_| {
        Ok(BOUNDARIES_GEOJSON.to_owned())
    })
    .unwrap_or_else(|e| unreachable!("the demo district is checked by its tests: {e}"))
}

/// Đô Lương district, roughly.
pub const DO_LUONG: ServiceArea = ServiceArea { min_lat: 18.80, min_lon: 105.15, max_lat: 19.05, max_lon: 105.45 };

/// Add the demo categories and set the service area (idempotent).
pub async fn seed(store: &dyn Storage) -> Result<(), StorageError> {
    let categories = CATEGORIES
        .iter()
        .map(|&(code, vi, en, gvi, g_en, photo)| Category {
            code: code.into(),
            name_vi: vi.into(),
            name_en: en.into(),
            group_vi: gvi.into(),
            group_en: g_en.into(),
            photo_required: photo,
        })
        .collect();
    store.add_categories(categories).await?;
    store.set_service_area(DO_LUONG).await
}
