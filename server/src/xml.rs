//! Open311's XML, written with `quick-xml` from the same JSON values the
//! `.json` answers carry, so both formats always say the same. Text is
//! escaped by the writer; characters XML 1.0 forbids (U+FFFF, stray
//! controls) are dropped first, so one report can never make the feed
//! invalid for every aggregator.

use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesText, Event};
use serde_json::Value;

type W = Writer<Vec<u8>>;
type Res = std::io::Result<()>;

/// A document: the declaration, then `root` holding `body`.
fn document(root: &str, body: impl FnOnce(&mut W) -> Res) -> String {
    let mut w = Writer::new(Vec::new());
    let written = w
        .write_event(Event::Decl(BytesDecl::new("1.0", Some("utf-8"), None)))
        .map_err(std::io::Error::other)
        .and_then(|()| w.create_element(root).write_inner_content(body).map(|_| ()));
    if let Err(e) = written {
        // Writing into a Vec cannot fail; say so loudly if it ever does.
        tracing::error!(error = %e, "writing XML failed");
    }
    String::from_utf8(w.into_inner()).unwrap_or_default()
}

fn text(w: &mut W, name: &str, value: &str) -> Res {
    let clean: String = value.chars().filter(|&c| phananh_protocol::text::xml_char(c)).collect();
    w.create_element(name).write_text_content(BytesText::new(&clean)).map(|_| ())
}

/// The element name for an array's items: Open311's `formats/format`,
/// `endpoints/endpoint`, else `item`.
fn item_name(list: &str) -> &'static str {
    match list {
        "formats" => "format",
        "endpoints" => "endpoint",
        _ => "item",
    }
}

fn value(w: &mut W, name: &str, v: &Value) -> Res {
    match v {
        Value::Null => w.create_element(name).write_empty().map(|_| ()),
        Value::String(s) => text(w, name, s),
        Value::Array(items) if items.is_empty() => w.create_element(name).write_empty().map(|_| ()),
        Value::Array(items) => w
            .create_element(name)
            .write_inner_content(|w| items.iter().try_for_each(|i| value(w, item_name(name), i)))
            .map(|_| ()),
        Value::Object(map) => {
            w.create_element(name).write_inner_content(|w| map.iter().try_for_each(|(k, v)| value(w, k, v))).map(|_| ())
        }
        other => text(w, name, &other.to_string()),
    }
}

/// `<root><item>…</item>…</root>`, each item's fields in `order` (the
/// spec's element order, which some clients validate).
pub fn list(root: &str, item: &str, rows: &[Value], order: &[&str]) -> String {
    document(root, |w| {
        rows.iter().try_for_each(|row| {
            w.create_element(item)
                .write_inner_content(|w| {
                    order.iter().filter_map(|k| row.get(*k).map(|v| (k, v))).try_for_each(|(k, v)| value(w, k, v))
                })
                .map(|_| ())
        })
    })
}

/// An object's fields under `root`, in their own order.
pub fn object(root: &str, fields: &Value) -> String {
    document(root, |w| match fields {
        Value::Object(map) => map.iter().try_for_each(|(k, v)| value(w, k, v)),
        _ => Ok(()),
    })
}

/// Open311's error list with one error.
pub fn errors(code: u16, description: &str) -> String {
    document("errors", |w| {
        w.create_element("error")
            .write_inner_content(|w| {
                text(w, "code", &code.to_string())?;
                text(w, "description", description)
            })
            .map(|_| ())
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn lists_follow_the_order_and_escape() {
        let rows = [json!({"b": "2 < 3 & \u{FFFF}x", "a": 1, "c": null, "z": "ignored"})];
        let xml = list("requests", "request", &rows, &["a", "b", "c"]);
        assert_eq!(
            xml,
            "<?xml version=\"1.0\" encoding=\"utf-8\"?><requests><request><a>1</a><b>2 &lt; 3 &amp; x</b><c/></request></requests>"
        );
    }

    #[test]
    fn nested_lists_and_errors() {
        let xml = object("discovery", &json!({"endpoints": [{"formats": ["text/xml"]}], "none": []}));
        assert!(
            xml.contains(
                "<endpoints><endpoint><formats><format>text/xml</format></formats></endpoint></endpoints><none/>"
            ),
            "{xml}"
        );
        assert!(
            errors(404, "not <found>").ends_with(
                "<errors><error><code>404</code><description>not &lt;found&gt;</description></error></errors>"
            )
        );
    }
}
