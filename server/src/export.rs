//! Exports as district offices open them: XLSX (`rust_xlsxwriter`) and CSV
//! in UTF-8 with a byte-order mark (without it, Excel reads Vietnamese as
//! Windows-1252). Both are written from the same labelled rows, so the two
//! files of one filter hold the same reports.

use phananh_protocol::Lang;
use rust_xlsxwriter::{Format, Workbook, XlsxError};

use crate::service::overview::{ExportLine, MonthlySummary, PublicUnit};

/// An export that could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// The XLSX writer failed.
    #[error("xlsx: {0}")]
    Xlsx(#[from] XlsxError),
    /// The CSV writer failed.
    #[error("csv: {0}")]
    Csv(#[from] csv::Error),
}

/// The MIME type of an XLSX file.
pub const XLSX_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

fn list_headers(lang: Lang) -> [&'static str; 14] {
    let vi = [
        "Mã",
        "Tiếp nhận",
        "Loại",
        "Trạng thái",
        "Đơn vị xử lý",
        "Xã",
        "Mức ưu tiên",
        "Hạn xử lý",
        "Hoàn thành",
        "Đúng hạn",
        "Thay mặt",
        "Đánh giá",
        "Địa chỉ",
        "Nội dung",
    ];
    let en = [
        "Code",
        "Received",
        "Category",
        "Status",
        "Unit",
        "Commune",
        "Priority",
        "Due",
        "Closed",
        "On time",
        "On behalf",
        "Rating",
        "Address",
        "Description",
    ];
    if lang == Lang::En { en } else { vi }
}

fn list_cells(l: &ExportLine, lang: Lang) -> [String; 14] {
    let yes = if l.on_behalf { lang.pick("có", "yes") } else { "" };
    [
        l.code.clone(),
        l.received.clone(),
        l.category.clone(),
        l.status.clone(),
        l.unit.clone(),
        l.commune.clone(),
        l.priority.clone(),
        l.due.clone(),
        l.closed.clone(),
        l.on_time.clone(),
        yes.to_owned(),
        l.rating.clone(),
        l.address.clone(),
        l.description.clone(),
    ]
}

/// The report list as XLSX: a header row, frozen, with filters.
pub fn list_xlsx(lines: &[ExportLine], lang: Lang) -> Result<Vec<u8>, ExportError> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name(lang.pick("Phản ánh", "Reports"))?;
    let bold = Format::new().set_bold();
    for (col, h) in list_headers(lang).iter().enumerate() {
        sheet.write_string_with_format(0, col as u16, *h, &bold)?;
    }
    for (row, l) in lines.iter().enumerate() {
        for (col, cell) in list_cells(l, lang).iter().enumerate() {
            sheet.write_string(row as u32 + 1, col as u16, cell)?;
        }
    }
    sheet.set_freeze_panes(1, 0)?;
    sheet.autofilter(0, 0, lines.len() as u32, 13)?;
    for (col, width) in [(0u16, 16.0), (1, 17.0), (2, 24.0), (3, 14.0), (4, 30.0), (5, 22.0), (13, 60.0)] {
        sheet.set_column_width(col, width)?;
    }
    Ok(book.save_to_buffer()?)
}

/// The report list as CSV (UTF-8 with BOM, CRLF as Excel writes).
pub fn list_csv(lines: &[ExportLine], lang: Lang) -> Result<Vec<u8>, ExportError> {
    let mut out = b"\xEF\xBB\xBF".to_vec();
    {
        let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(&mut out);
        w.write_record(list_headers(lang))?;
        for l in lines {
            w.write_record(list_cells(l, lang))?;
        }
        w.flush().map_err(csv::Error::from)?;
    }
    Ok(out)
}

fn summary_headers(lang: Lang) -> [&'static str; 12] {
    let vi = [
        "Đơn vị",
        "Tiếp nhận",
        "Đã giải quyết",
        "Đúng hạn",
        "Đúng hạn (%)",
        "Đang xử lý",
        "Quá hạn",
        "Mở lại",
        "Đánh giá",
        "Hài lòng",
        "Hài lòng (%)",
        "Thời gian giải quyết (giờ, trung vị)",
    ];
    let en = [
        "Unit",
        "Received",
        "Resolved",
        "On time",
        "On time (%)",
        "Open",
        "Overdue",
        "Reopened",
        "Ratings",
        "Satisfied",
        "Satisfied (%)",
        "Median hours to resolve",
    ];
    if lang == Lang::En { en } else { vi }
}

/// The monthly summary as XLSX: one sheet of units (numbers as numbers,
/// so the office's own formulas work), the district's total last, and a
/// sheet of the volunteers' reports.
pub fn summary_xlsx(s: &MonthlySummary, lang: Lang) -> Result<Vec<u8>, ExportError> {
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let pct = Format::new().set_num_format("0.0");
    let sheet = book.add_worksheet();
    sheet.set_name(lang.pick("Tổng hợp", "Summary"))?;
    let title = format!("{} {}", lang.pick("Tổng hợp phản ánh tháng", "Reports summary for"), s.month);
    sheet.write_string_with_format(0, 0, &title, &bold)?;
    for (col, h) in summary_headers(lang).iter().enumerate() {
        sheet.write_string_with_format(2, col as u16, *h, &bold)?;
    }
    let mut row = 3u32;
    let mut put = |sheet: &mut rust_xlsxwriter::Worksheet, u: &PublicUnit, format: Option<&Format>| {
        sheet.write_string(row, 0, lang.pick(&u.name, &u.name_en))?;
        let counts = [u.received, u.resolved, u.on_time];
        for (i, v) in counts.iter().enumerate() {
            sheet.write_number(row, 1 + i as u16, *v as f64)?;
        }
        if let Some(p) = u.on_time_pct {
            sheet.write_number_with_format(row, 4, p, &pct)?;
        }
        for (i, v) in [u.open, u.overdue, u.reopened, u.ratings, u.satisfied].iter().enumerate() {
            sheet.write_number(row, 5 + i as u16, *v as f64)?;
        }
        if let Some(p) = u.satisfied_pct {
            sheet.write_number_with_format(row, 10, p, &pct)?;
        }
        if let Some(h) = u.median_hours_to_resolve {
            sheet.write_number(row, 11, h)?;
        }
        if let Some(f) = format {
            sheet.set_row_format(row, f)?;
        }
        row += 1;
        Ok::<_, XlsxError>(())
    };
    for u in &s.stats.units {
        put(sheet, u, None)?;
    }
    put(sheet, &s.stats.total, Some(&bold))?;
    sheet.set_column_width(0, 38.0)?;
    sheet.set_freeze_panes(3, 1)?;

    let sheet = book.add_worksheet();
    sheet.set_name(lang.pick("Tổ công nghệ số", "Volunteer teams"))?;
    let heads = [
        lang.pick("Tháng", "Month"),
        lang.pick("Xã", "Commune"),
        lang.pick("Thôn, xóm", "Hamlet"),
        lang.pick("Phản ánh thay mặt", "Reports filed for a neighbour"),
    ];
    for (col, h) in heads.iter().enumerate() {
        sheet.write_string_with_format(0, col as u16, *h, &bold)?;
    }
    for (i, v) in s.volunteers.iter().enumerate() {
        sheet.write_string(i as u32 + 1, 0, &v.month)?;
        sheet.write_string(i as u32 + 1, 1, &v.name)?;
        sheet.write_string(i as u32 + 1, 2, &v.hamlet)?;
        sheet.write_number(i as u32 + 1, 3, v.reports as f64)?;
    }
    sheet.set_column_width(1, 30.0)?;
    Ok(book.save_to_buffer()?)
}

/// The monthly summary's units as CSV (UTF-8 with BOM).
pub fn summary_csv(s: &MonthlySummary, lang: Lang) -> Result<Vec<u8>, ExportError> {
    let mut out = b"\xEF\xBB\xBF".to_vec();
    {
        let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(&mut out);
        w.write_record(summary_headers(lang))?;
        let opt = |v: Option<f64>| v.map(|p| p.to_string()).unwrap_or_default();
        for u in s.stats.units.iter().chain(std::iter::once(&s.stats.total)) {
            w.write_record([
                lang.pick(&u.name, &u.name_en).to_owned(),
                u.received.to_string(),
                u.resolved.to_string(),
                u.on_time.to_string(),
                opt(u.on_time_pct),
                u.open.to_string(),
                u.overdue.to_string(),
                u.reopened.to_string(),
                u.ratings.to_string(),
                u.satisfied.to_string(),
                opt(u.satisfied_pct),
                opt(u.median_hours_to_resolve),
            ])?;
        }
        w.flush().map_err(csv::Error::from)?;
    }
    Ok(out)
}
