//! `phananh draft …` and `phananh submit`.

use phananh_core::Store;
use phananh_core::model::{DraftPatch, Location, PhotoId};
use phananh_core::photo;
use phananh_core::store::{ListQuery, PhotoSource};
use serde_json::json;

use crate::args::{DraftCommand, Fields};
use crate::output::Out;

type Result<T> = std::result::Result<T, phananh_core::Error>;

pub fn run(store: &Store, cmd: DraftCommand, out: &Out) -> Result<()> {
    match cmd {
        DraftCommand::New(fields) => {
            let report = store.create_draft(&patch(&fields, false))?;
            if out.json {
                out.json(&json!({ "id": report.id }));
            } else {
                println!("{}", report.id);
            }
        }
        DraftCommand::List { search, state, category, limit, offset } => {
            let page = store.list(&ListQuery { states: state, category, search, limit, offset })?;
            if out.json {
                out.json(&json!({ "items": page.items, "has_more": page.has_more }));
            } else {
                out.summaries(&page.items);
                if page.has_more {
                    println!("{} --offset {}", out.t("… còn nữa:", "… more:"), offset.saturating_add(limit));
                }
            }
        }
        DraftCommand::Show { id } => {
            let report = store.get(store.find_id(&id)?)?;
            if out.json {
                out.json(&report);
            } else {
                out.report(&report);
            }
        }
        DraftCommand::Edit { id, fields, no_location } => {
            let id = store.find_id(&id)?;
            store.update_draft(id, &patch(&fields, no_location))?;
            let report = store.get(id)?;
            if out.json {
                out.json(&report);
            } else {
                println!("{}", out.t("Đã lưu.", "Saved."));
            }
        }
        DraftCommand::Attach { id, file, use_location } => {
            let id = store.find_id(&id)?;
            let attached = store.attach_photo(id, PhotoSource::Path(&file), &photo::Options::default())?;
            let position = attached.suggestion.position;
            if use_location && let Some((lat, lon)) = position {
                let location = Location { lat, lon, accuracy_m: None };
                store.update_draft(id, &DraftPatch { location: Some(Some(location)), ..Default::default() })?;
            }
            if out.json {
                out.json(&json!({
                    "photo": attached.photo,
                    "suggestion": crate::photo::suggestion_json(&attached.suggestion),
                    "location_applied": use_location && position.is_some(),
                }));
            } else {
                let p = &attached.photo;
                println!("{}  {}×{}  {} KB", p.id, p.width, p.height, p.bytes.div_ceil(1024));
                crate::photo::print_suggestion(&attached.suggestion, out);
                if position.is_some() && !use_location {
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
            let photo_id: PhotoId =
                photo_id.parse().map_err(|_| phananh_core::Error::PhotoNotFound(photo_id.clone()))?;
            store.remove_photo(photo_id)?;
            if out.json {
                out.json(&json!({ "detached": photo_id }));
            } else {
                println!("{}", out.t("Đã bỏ ảnh.", "Photo removed."));
            }
        }
        DraftCommand::Delete { id } => {
            let id = store.find_id(&id)?;
            store.delete(id)?;
            if out.json {
                out.json(&json!({ "deleted": id }));
            } else {
                println!("{}", out.t("Đã xoá.", "Deleted."));
            }
        }
    }
    Ok(())
}

pub fn submit(store: &Store, id: &str, out: &Out) -> Result<()> {
    let report = store.submit(store.find_id(id)?)?;
    if out.json {
        out.json(&report);
    } else {
        println!("{}", out.t("Đã đưa vào hàng chờ gửi.", "Queued for sending."));
    }
    Ok(())
}

/// Flags to a patch: an empty text clears the field; neighbour fields imply
/// filing for a neighbour unless `--on-behalf=false` says otherwise.
fn patch(f: &Fields, clear_location: bool) -> DraftPatch {
    let text = |v: &Option<String>| v.as_ref().map(|s| Some(s.clone()).filter(|s| !s.trim().is_empty()));
    let neighbour_given = f.for_name.is_some() || f.for_phone.is_some() || f.consent.is_some();
    let location = match (f.lat, f.lon) {
        (Some(lat), Some(lon)) => Some(Some(Location { lat, lon, accuracy_m: f.accuracy })),
        _ if clear_location => Some(None),
        _ => None,
    };
    DraftPatch {
        category: text(&f.category),
        description: f.description.clone(),
        location,
        address: text(&f.address),
        reporter_name: text(&f.name),
        reporter_phone: text(&f.phone),
        anonymous: f.anonymous,
        on_behalf: f.on_behalf.or(neighbour_given.then_some(true)),
        for_name: text(&f.for_name),
        for_phone: text(&f.for_phone),
        consent: f.consent,
    }
}
