//! `phananh draft …` and `phananh submit`: the use cases of the core's
//! `App`; text prints its views, `--json` the stored records (unchanged
//! fields, for scripts).

use phananh_core::App;
use phananh_core::app::{DraftFields, ListFilter};
use phananh_core::model::Location;
use phananh_core::store::{ListQuery, PhotoSource};
use serde_json::json;

use crate::args::{DraftCommand, Fields};
use crate::output::Out;

type Result<T> = std::result::Result<T, phananh_core::Error>;

pub fn run(app: &App, cmd: DraftCommand, out: &Out) -> Result<()> {
    let store = app.store();
    match cmd {
        DraftCommand::New(fields) => {
            let report = app.create_draft(&draft_fields(&fields, false))?;
            if out.json {
                out.json(&json!({ "id": report.id }));
            } else {
                println!("{}", report.id);
            }
        }
        DraftCommand::List { search, state, category, limit, offset } => {
            if out.json {
                let page = store.list(&ListQuery { states: state, category, search, limit, offset })?;
                out.json(&json!({ "items": page.items, "has_more": page.has_more }));
            } else {
                let page = app.list_reports(&ListFilter { states: state, category, search, limit, offset })?;
                out.rows(&page.items);
                if page.has_more {
                    println!("{} --offset {}", out.t("… còn nữa:", "… more:"), offset.saturating_add(limit));
                }
            }
        }
        DraftCommand::Show { id } => {
            let view = app.get_report(&id)?;
            if out.json {
                out.json(&store.get(app.report_id(&view.id)?)?);
            } else {
                out.report(&view);
            }
        }
        DraftCommand::Edit { id, fields, no_location } => {
            let view = app.update_draft(&id, &draft_fields(&fields, no_location))?;
            if out.json {
                out.json(&store.get(app.report_id(&view.id)?)?);
            } else {
                println!("{}", out.t("Đã lưu.", "Saved."));
            }
        }
        DraftCommand::Attach { id, file, use_location } => {
            let attached = app.attach_photo(&id, PhotoSource::Path(&file))?;
            let gps = attached.suggestion.location;
            if use_location && let Some(location) = gps {
                app.update_draft(&id, &DraftFields { location: Some(location), ..Default::default() })?;
            }
            if out.json {
                let record = store.get(app.report_id(&id)?)?;
                let photo = record.photos.iter().find(|p| p.id.to_string() == attached.photo.id);
                out.json(&json!({
                    "photo": photo,
                    "suggestion": crate::photo::suggestion_json(&attached.suggestion),
                    "location_applied": use_location && gps.is_some(),
                }));
            } else {
                let p = &attached.photo;
                println!("{}  {}×{}  {}", p.id, p.width, p.height, p.size_label);
                crate::photo::print_suggestion(&attached.suggestion, out);
                if gps.is_some() && !use_location {
                    println!(
                        "{}",
                        out.t(
                            "(vị trí trong ảnh chỉ là gợi ý; dùng --use-location để áp dụng)",
                            "(the photo's position is only a suggestion; use --use-location to apply it)"
                        )
                    );
                }
            }
        }
        DraftCommand::Detach { photo_id } => {
            app.remove_photo(&photo_id)?;
            if out.json {
                out.json(&json!({ "detached": photo_id.trim() }));
            } else {
                println!("{}", out.t("Đã bỏ ảnh.", "Photo removed."));
            }
        }
        DraftCommand::Delete { id } => {
            let id = app.report_id(&id)?;
            app.delete_report(&id.to_string())?;
            if out.json {
                out.json(&json!({ "deleted": id }));
            } else {
                println!("{}", out.t("Đã xoá.", "Deleted."));
            }
        }
    }
    Ok(())
}

/// `phananh submit ID`: queued, and a running sync (`sync --watch` in
/// another process picks it up on its next pass) sends it.
pub fn submit(app: &App, id: &str, out: &Out) -> Result<()> {
    let view = app.submit(id)?;
    if out.json {
        out.json(&app.store().get(app.report_id(&view.id)?)?);
    } else {
        println!("{}", out.t("Đã đưa vào hàng chờ gửi.", "Queued for sending."));
    }
    Ok(())
}

/// Flags to the core's draft fields (the core decides what an empty value
/// or a neighbour's name means).
fn draft_fields(f: &Fields, clear_location: bool) -> DraftFields {
    DraftFields {
        category: f.category.clone(),
        description: f.description.clone(),
        location: f.lat.zip(f.lon).map(|(lat, lon)| Location { lat, lon, accuracy_m: f.accuracy }),
        clear_location,
        address: f.address.clone(),
        reporter_name: f.name.clone(),
        reporter_phone: f.phone.clone(),
        anonymous: f.anonymous,
        on_behalf: f.on_behalf,
        for_name: f.for_name.clone(),
        for_phone: f.for_phone.clone(),
        consent: f.consent,
    }
}
