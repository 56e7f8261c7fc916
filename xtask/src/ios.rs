//! There is no Swift toolchain here, so the iOS sources cannot be compiled
//! in CI. This check catches what drifts most often instead: every call the
//! app makes on the core (`core.method(label: …)`), every label it reads
//! (`t.name`, `texts.name`), and the argument labels of the records it builds
//! (`DraftFields(…)`, `ListFilter(…)`, `Location(…)`, `Config(…)`) must exist
//! in the Swift that uniffi generated from the Rust API.

use std::collections::BTreeSet;
use std::path::Path;

/// Check `app_dir`'s Swift sources against the generated `PhanAnhCore.swift`.
pub fn check(app_dir: &Path, generated: &str) -> Result<usize, String> {
    let mut problems = Vec::new();
    let mut checked = 0;
    let mut files: Vec<_> = std::fs::read_dir(app_dir)
        .map_err(|e| format!("{}: {e}", app_dir.display()))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "swift"))
        .collect();
    files.sort();
    let texts = struct_fields(generated, "UiTexts");
    if texts.is_empty() {
        return Err("the generated Swift has no UiTexts".into());
    }
    for file in &files {
        let src = std::fs::read_to_string(file).map_err(|e| format!("{}: {e}", file.display()))?;
        let name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        for (method, labels) in calls(&src, "core.") {
            checked += 1;
            match method_labels(generated, &method) {
                None => problems.push(format!("{name}: core.{method}(…) is not in the generated API")),
                Some(expected) if expected != labels => problems.push(format!(
                    "{name}: core.{method}({}) but the API takes ({})",
                    labels.join(": , "),
                    expected.join(": , ")
                )),
                Some(_) => {}
            }
        }
        // The bindings' free functions (`normalizeServerUrl(url:language:)`…).
        for function in free_functions(generated) {
            for (_, labels) in calls(&src, &function) {
                checked += 1;
                let expected = function_labels(generated, &format!("public func {function}("));
                if expected.as_ref() != Some(&labels) {
                    problems.push(format!("{name}: {function}({}) does not match the API", labels.join(": , ")));
                }
            }
        }
        for prefix in ["t.", "texts.", "app.texts."] {
            for field in members(&src, prefix) {
                checked += 1;
                if !texts.contains(&field) {
                    problems.push(format!("{name}: {prefix}{field} is not a UiTexts label"));
                }
            }
        }
        for record in ["DraftFields", "ListFilter", "Location", "Config"] {
            let fields = struct_fields(generated, record);
            for (_, labels) in calls(&src, record) {
                checked += 1;
                for l in labels.iter().filter(|l| !fields.contains(*l)) {
                    problems.push(format!("{name}: {record}({l}: …) is not a field of {record}"));
                }
            }
        }
    }
    if problems.is_empty() { Ok(checked) } else { Err(problems.join("\n")) }
}

fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// `prefix` + `name(args)` occurrences: the name and the argument labels at
/// the top level of the parentheses (`name(a: x, b: f(c: y))` → `[a, b]`).
fn calls(src: &str, prefix: &str) -> Vec<(String, Vec<String>)> {
    let mut out = Vec::new();
    let mut rest = src;
    while let Some(at) = rest.find(prefix) {
        let before_ok = rest[..at].chars().next_back().is_none_or(|c| !is_ident(c));
        let after = &rest[at + prefix.len()..];
        rest = after;
        if !before_ok {
            continue;
        }
        // For a record ("DraftFields"), the prefix is the whole name.
        let (name, tail) = if prefix.ends_with('.') {
            let end = after.find(|c: char| !is_ident(c)).unwrap_or(after.len());
            (after[..end].to_owned(), &after[end..])
        } else {
            (prefix.to_owned(), after)
        };
        if name.is_empty() || !tail.starts_with('(') {
            continue;
        }
        let mut depth = 0;
        let mut labels = Vec::new();
        let mut token = String::new();
        // A label is the first word of an argument: right after `(` or `,`.
        let mut at_start = false;
        for c in tail.chars() {
            match c {
                '(' | '[' | '{' => {
                    depth += 1;
                    at_start = depth == 1;
                    token.clear();
                }
                ')' | ']' | '}' => {
                    depth -= 1;
                    if depth == 0 {
                        break;
                    }
                    token.clear();
                }
                ',' if depth == 1 => {
                    at_start = true;
                    token.clear();
                }
                ':' if depth == 1 && at_start && !token.is_empty() => {
                    labels.push(std::mem::take(&mut token));
                    at_start = false;
                }
                c if is_ident(c) && depth == 1 && at_start => token.push(c),
                ' ' | '\n' | '\t' if depth == 1 && token.is_empty() => {}
                _ if depth == 1 => {
                    at_start = false;
                    token.clear();
                }
                _ => {}
            }
        }
        out.push((name, labels));
    }
    out
}

/// `prefix` + `name` (not a call): the names.
fn members(src: &str, prefix: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut rest = src;
    while let Some(at) = rest.find(prefix) {
        let before_ok = rest[..at].chars().next_back().is_none_or(|c| !is_ident(c));
        let after = &rest[at + prefix.len()..];
        rest = after;
        let end = after.find(|c: char| !is_ident(c)).unwrap_or(after.len());
        if before_ok && end > 0 && !after[end..].starts_with('(') {
            out.insert(after[..end].to_owned());
        }
    }
    out
}

/// The names of the generated top-level `public func`s.
fn free_functions(generated: &str) -> BTreeSet<String> {
    generated
        .lines()
        .filter_map(|l| l.strip_prefix("public func "))
        .filter_map(|l| l.split('(').next())
        .filter(|n| !n.is_empty() && n.chars().all(is_ident))
        .map(str::to_owned)
        .collect()
}

/// The argument labels of `open func name(…)` in the generated Swift.
fn method_labels(generated: &str, name: &str) -> Option<Vec<String>> {
    function_labels(generated, &format!("open func {name}("))
}

/// The argument labels after `sig` (which ends with `(`).
fn function_labels(generated: &str, sig: &str) -> Option<Vec<String>> {
    let at = generated.find(sig)? + sig.len();
    let params = &generated[at..at + generated[at..].find(')')?];
    Some(
        params
            .split(',')
            .filter_map(|p| p.split(':').next())
            .map(|l| l.trim().to_owned())
            .filter(|l| !l.is_empty())
            .collect(),
    )
}

/// The stored properties of `public struct name` in the generated Swift.
fn struct_fields(generated: &str, name: &str) -> BTreeSet<String> {
    let head = format!("public struct {name}");
    let Some(start) = generated
        .match_indices(&head)
        .map(|(i, _)| i)
        .find(|&i| generated[i + head.len()..].starts_with(|c: char| !is_ident(c)))
    else {
        return BTreeSet::new();
    };
    let body = &generated[start..];
    let end = body.find("\n}").unwrap_or(body.len());
    body[..end]
        .lines()
        .filter_map(|l| l.trim().strip_prefix("public var "))
        .filter_map(|l| l.split(':').next())
        .map(|s| s.trim().to_owned())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const GENERATED: &str = "public struct Location {\n    public var lat: Double\n    public var lon: Double\n}\n\
        public struct UiTexts {\n    public var send: String\n}\n\
        open func getReport(reportId: String)throws  -> ReportView  {\n\
        open func texts() -> UiTexts  {\n\
        public func languageForLocale(locale: String) -> Language  {\n";

    #[test]
    fn finds_calls_labels_and_members() {
        let src = "let r = try app.core.getReport(reportId: id)\nText(t.send)\nlet l = Location(lat: a ? nil : 1, lon: f(x: 2))";
        assert_eq!(calls(src, "core."), [("getReport".to_owned(), vec!["reportId".to_owned()])]);
        assert_eq!(calls(src, "Location")[0].1, ["lat", "lon"]);
        assert!(members(src, "t.").contains("send"));
        assert_eq!(method_labels(GENERATED, "getReport").unwrap(), ["reportId"]);
        assert_eq!(method_labels(GENERATED, "texts").unwrap(), Vec::<String>::new());
        assert!(struct_fields(GENERATED, "Location").contains("lon"));
    }

    #[test]
    fn reports_what_drifted() {
        let dir = std::env::temp_dir().join(format!("ios-check-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap_or_default();
        std::fs::write(
            dir.join("A.swift"),
            "core.getReport(id: x); Text(t.sned); Location(lat: 1, alt: 2); languageForLocale(tag: x)",
        )
        .unwrap_or_default();
        let err = check(&dir, GENERATED).err().unwrap_or_default();
        assert!(err.contains("core.getReport(id) but the API takes (reportId)"), "{err}");
        assert!(err.contains("t.sned is not a UiTexts label"), "{err}");
        assert!(err.contains("Location(alt: …)"), "{err}");
        assert!(err.contains("languageForLocale(tag) does not match"), "{err}");
        std::fs::write(
            dir.join("A.swift"),
            "core.getReport(reportId: x); Text(t.send); Location(lat: 1); languageForLocale(locale: l)",
        )
        .unwrap_or_default();
        assert_eq!(check(&dir, GENERATED), Ok(4));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
