//! The charts as SVG, drawn on the server with `plotters`: a page shows
//! them with no script, they print, and they are images a screen reader
//! can skip (each page gives the same figures as a table next to them).
//! Two shapes serve every figure: a line chart by week and horizontal bars
//! (names down the side read better than slanted ones along the bottom,
//! and 33 communes fit).

use plotters::prelude::*;

/// The palette: blue for received/open, green for resolved, amber for a
/// yardstick. Dark enough on white for 3:1 as graphics need (WCAG 1.4.11).
const BLUE: RGBColor = RGBColor(0x1f, 0x4e, 0x9c);
const GREEN: RGBColor = RGBColor(0x1b, 0x7a, 0x3a);
const AMBER: RGBColor = RGBColor(0xa3, 0x4a, 0x00);
const FONT: &str = "sans-serif";

/// A chart that failed to draw (it cannot, short of a bug in the inputs'
/// arithmetic): the page shows its table instead.
#[derive(Debug, thiserror::Error)]
#[error("chart: {0}")]
pub struct ChartError(String);

fn err<E: std::fmt::Debug>(e: E) -> ChartError {
    ChartError(format!("{e:?}"))
}

/// Received and resolved per week: two lines, the weeks' Mondays along
/// the bottom.
pub fn weekly(title: &str, legend: [&str; 2], weeks: &[(String, i64, i64)]) -> Result<String, ChartError> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (720, 320)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let n = weeks.len().max(1);
        let top = weeks.iter().map(|(_, a, b)| (*a).max(*b)).max().unwrap_or(0).max(1);
        let mut chart = ChartBuilder::on(&root)
            .caption(title, (FONT, 20))
            .margin(12)
            .x_label_area_size(36)
            .y_label_area_size(48)
            .build_cartesian_2d(0..n.saturating_sub(1).max(1), 0..top + top / 10 + 1)
            .map_err(err)?;
        let label = |i: &usize| weeks.get(*i).map(|w| short_date(&w.0)).unwrap_or_default();
        chart
            .configure_mesh()
            .x_labels(n.min(12))
            .x_label_formatter(&label)
            .y_labels(6)
            .label_style((FONT, 13))
            .light_line_style(WHITE.mix(0.0))
            .draw()
            .map_err(err)?;
        for (i, (color, name)) in [(BLUE, legend[0]), (GREEN, legend[1])].into_iter().enumerate() {
            let points: Vec<(usize, i64)> =
                weeks.iter().enumerate().map(|(x, w)| (x, if i == 0 { w.1 } else { w.2 })).collect();
            chart
                .draw_series(LineSeries::new(points.clone(), color.stroke_width(3)))
                .map_err(err)?
                .label(name)
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(3)));
            chart.draw_series(points.into_iter().map(|p| Circle::new(p, 3, color.filled()))).map_err(err)?;
        }
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.9))
            .border_style(BLACK)
            .label_font((FONT, 14))
            .position(SeriesLabelPosition::UpperLeft)
            .draw()
            .map_err(err)?;
        root.present().map_err(err)?;
    }
    Ok(svg)
}

/// Horizontal bars, one per row: a name and a value (a count, or a percent
/// when `max` is 100); a dashed line at `goal` if given (the yardstick).
pub fn bars(title: &str, rows: &[(String, f64)], max: Option<f64>, goal: Option<f64>) -> Result<String, ChartError> {
    let mut svg = String::new();
    {
        let height = 64 + 26 * rows.len().max(1) as u32;
        let root = SVGBackend::with_string(&mut svg, (720, height)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let top = max.unwrap_or_else(|| rows.iter().map(|r| r.1).fold(1.0, f64::max) * 1.1);
        let names = rows.iter().map(|r| r.0.chars().count()).max().unwrap_or(4).clamp(4, 30) as u32;
        let n = rows.len().max(1);
        let mut chart = ChartBuilder::on(&root)
            .caption(title, (FONT, 20))
            .margin(12)
            .x_label_area_size(28)
            .y_label_area_size(names * 7 + 12)
            .build_cartesian_2d(0.0..top, (0..n).into_segmented())
            .map_err(err)?;
        let label = |v: &SegmentValue<usize>| match v {
            SegmentValue::CenterOf(i) => rows.get(*i).map(|r| r.0.chars().take(30).collect()).unwrap_or_default(),
            _ => String::new(),
        };
        chart
            .configure_mesh()
            .y_labels(n)
            .y_label_formatter(&label)
            .x_labels(6)
            .label_style((FONT, 13))
            .light_line_style(WHITE.mix(0.0))
            .draw()
            .map_err(err)?;
        chart
            .draw_series(rows.iter().enumerate().map(|(i, (_, v))| {
                let mut bar = Rectangle::new(
                    [(0.0, SegmentValue::Exact(i)), (v.min(top), SegmentValue::Exact(i + 1))],
                    BLUE.filled(),
                );
                bar.set_margin(3, 3, 0, 0);
                bar
            }))
            .map_err(err)?;
        chart
            .draw_series(rows.iter().enumerate().map(|(i, (_, v))| {
                let text = if max == Some(100.0) { format!("{v:.1} %").replace('.', ",") } else { format!("{v:.0}") };
                Text::new(text, (v.min(top), SegmentValue::CenterOf(i)), (FONT, 13).into_font().color(&BLACK))
            }))
            .map_err(err)?;
        if let Some(goal) = goal {
            chart
                .draw_series(DashedLineSeries::new(
                    [(goal, SegmentValue::Exact(0)), (goal, SegmentValue::Exact(n))],
                    6,
                    4,
                    AMBER.stroke_width(2),
                ))
                .map_err(err)?;
        }
        root.present().map_err(err)?;
    }
    Ok(svg)
}

/// "2026-11-30" → "30/11".
fn short_date(iso: &str) -> String {
    match (iso.get(8..10), iso.get(5..7)) {
        (Some(d), Some(m)) => format!("{d}/{m}"),
        _ => iso.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_weekly_chart_is_svg_with_its_title_and_dates() {
        let weeks = vec![("2026-11-02".to_owned(), 5, 1), ("2026-11-09".to_owned(), 7, 6)];
        let svg = weekly("Tiếp nhận và giải quyết", ["Tiếp nhận", "Đã xong"], &weeks).unwrap();
        assert!(svg.starts_with("<svg"), "{svg:.80}");
        assert!(svg.contains("Tiếp nhận và giải quyết"));
        assert!(svg.contains("09/11"));
        assert!(svg.contains("<polyline"), "two lines drawn");
        // No inline style: the pages' Content-Security-Policy forbids it.
        assert!(!svg.contains("style="));
    }

    #[test]
    fn bars_show_each_name_and_value_and_escape_text() {
        let rows = vec![("Xã <Tràng Sơn>".to_owned(), 98.5), ("Phòng KT-HT".to_owned(), 100.0)];
        let svg = bars("Đúng hạn", &rows, Some(100.0), Some(99.0)).unwrap();
        assert!(svg.contains("98,5 %"));
        assert!(svg.contains("Xã &lt;Tràng Sơn&gt;"), "names are escaped");
        assert!(svg.matches("<rect").count() >= 2);
        // Empty input still draws (an empty period), never panics.
        assert!(bars("Trống", &[], None, None).unwrap().starts_with("<svg"));
        assert!(weekly("Trống", ["a", "b"], &[]).unwrap().starts_with("<svg"));
    }
}
