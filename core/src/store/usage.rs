//! The data the sync used: per report (its text, photos, resends) and per
//! month in total (every request), for residents on prepaid plans.

use rusqlite::params;

use super::Store;
use crate::error::{Result, StorageContext};
use crate::model::ReportId;

/// The month's total is kept under this "report".
const TOTAL: &str = "";

impl Store {
    /// Count `up` and `down` bytes for `report` (its own row) or, with
    /// `None`, for the month's total, in `month` (`YYYY-MM`, Vietnam time).
    pub fn add_data_used(&self, report: Option<ReportId>, month: &str, up: u64, down: u64) -> Result<()> {
        if up == 0 && down == 0 {
            return Ok(());
        }
        let key = report.map(|r| r.to_string()).unwrap_or_else(|| TOTAL.to_owned());
        self.progress_conn()
            .execute(
                "INSERT INTO data_used (report_id, month, up, down) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (report_id, month) DO UPDATE SET up = up + excluded.up, down = down + excluded.down",
                params![key, month, up as i64, down as i64],
            )
            .context("counting data used")?;
        Ok(())
    }

    /// Bytes (up and down) a report's sending used, all months.
    pub fn data_used_by(&self, report: ReportId) -> Result<u64> {
        self.conn()
            .query_row(
                "SELECT coalesce(sum(up + down), 0) FROM data_used WHERE report_id = ?1",
                [report.to_string()],
                |r| r.get::<_, i64>(0),
            )
            .map(|n| n.max(0) as u64)
            .context("reading data used")
    }

    /// Bytes (up and down) every request used in `month`.
    pub fn data_used_in(&self, month: &str) -> Result<u64> {
        self.conn()
            .query_row(
                "SELECT coalesce(sum(up + down), 0) FROM data_used WHERE report_id = ?1 AND month = ?2",
                params![TOTAL, month],
                |r| r.get::<_, i64>(0),
            )
            .map(|n| n.max(0) as u64)
            .context("reading data used")
    }

    /// This month (`YYYY-MM`), in Vietnam time by the store's clock.
    pub fn this_month(&self) -> String {
        phananh_protocol::vn_time::iso_date(self.now_ms())[..7].to_owned()
    }
}

#[cfg(test)]
mod tests {
    use crate::Store;
    use crate::model::ReportId;

    #[test]
    fn reports_and_months_add_up_separately() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open_in(dir.path()).unwrap();
        let (a, b) = (ReportId::new(), ReportId::new());
        store.add_data_used(Some(a), "2026-11", 1_000, 200).unwrap();
        store.add_data_used(Some(a), "2026-12", 500, 0).unwrap();
        store.add_data_used(Some(b), "2026-11", 7, 3).unwrap();
        store.add_data_used(None, "2026-11", 2_000, 400).unwrap();
        store.add_data_used(None, "2026-11", 10, 0).unwrap();
        store.add_data_used(None, "2026-12", 0, 0).unwrap();
        assert_eq!(store.data_used_by(a).unwrap(), 1_700);
        assert_eq!(store.data_used_by(b).unwrap(), 10);
        assert_eq!(store.data_used_in("2026-11").unwrap(), 2_410);
        assert_eq!(store.data_used_in("2026-12").unwrap(), 0);
        assert_eq!(store.this_month().len(), 7);
    }
}
