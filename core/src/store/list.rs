//! Lists for the "my reports" screen: filters, accent-free search, paging.

use phananh_protocol::text::fold_query;
use rusqlite::params_from_iter;
use rusqlite::types::Value;

use super::Store;
use super::row::{SUMMARY_COLUMNS, summary_from_row};
use crate::error::{Error, Result, StorageContext};
use crate::model::{ReportId, ReportSummary, StateKind};

/// What to list. The default lists everything, newest first, 50 a page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListQuery {
    /// Only these states (empty: all).
    pub states: Vec<StateKind>,
    /// Only this category code.
    pub category: Option<String>,
    /// Words that must all appear, ignoring accents and case, in the
    /// description, address, neighbour's name or tracking code.
    pub search: Option<String>,
    /// Page size (1–500).
    pub limit: u32,
    /// Reports to skip.
    pub offset: u32,
}

impl Default for ListQuery {
    fn default() -> Self {
        ListQuery { states: Vec::new(), category: None, search: None, limit: 50, offset: 0 }
    }
}

/// One page of a list.
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    /// The reports, newest first.
    pub items: Vec<ReportSummary>,
    /// Whether another page follows.
    pub has_more: bool,
}

impl Store {
    /// Reports matching a query, newest first.
    pub fn list(&self, q: &ListQuery) -> Result<Page> {
        let mut sql = format!("SELECT {SUMMARY_COLUMNS} FROM reports r WHERE 1");
        let mut args: Vec<Value> = Vec::new();
        if !q.states.is_empty() {
            let marks = vec!["?"; q.states.len()].join(", ");
            sql.push_str(&format!(" AND r.state IN ({marks})"));
            args.extend(q.states.iter().map(|s| Value::Text(s.code().to_owned())));
        }
        if let Some(category) = &q.category {
            sql.push_str(" AND r.category = ?");
            args.push(Value::Text(category.clone()));
        }
        for word in q.search.as_deref().map(fold_query).unwrap_or_default() {
            // instr() on pre-folded columns: a substring match that needs no
            // extension and scans 10 000 reports in a few milliseconds.
            sql.push_str(&format!(" AND instr(r.search_fold, ?{}) > 0", args.len() + 1));
            args.push(Value::Text(word));
        }
        let limit = q.limit.clamp(1, 500);
        sql.push_str(&format!(
            " ORDER BY r.created_at DESC, r.id DESC LIMIT ?{} OFFSET ?{}",
            args.len() + 1,
            args.len() + 2
        ));
        args.push(Value::Integer(i64::from(limit) + 1));
        args.push(Value::Integer(q.offset.into()));

        let conn = self.conn();
        let mut items: Vec<ReportSummary> = conn
            .prepare_cached(&sql)
            .and_then(|mut s| s.query_map(params_from_iter(args), summary_from_row)?.collect())
            .context("listing reports")?;
        let has_more = items.len() > limit as usize;
        items.truncate(limit as usize);
        Ok(Page { items, has_more })
    }
}

impl Store {
    /// The report whose id is `text`, or the only one whose id starts with
    /// it (at least 4 characters), so people can type a short id.
    pub fn find_id(&self, text: &str) -> Result<ReportId> {
        let text = text.trim().to_ascii_lowercase();
        if let Ok(id) = text.parse::<ReportId>() {
            return Ok(id);
        }
        if text.len() < 4 || !text.chars().all(|c| c.is_ascii_hexdigit() || c == '-') {
            return Err(Error::UnknownId(text));
        }
        let conn = self.conn();
        let found: Vec<String> = conn
            .prepare_cached("SELECT id FROM reports WHERE id >= ?1 AND id < ?1 || 'g' ORDER BY id LIMIT 2")
            .and_then(|mut s| s.query_map([&text], |r| r.get(0))?.collect())
            .context("finding a report")?;
        match found.as_slice() {
            [one] => one.parse().map_err(|_| Error::Corrupt(format!("report id {one:?}"))),
            [] => Err(Error::UnknownId(text)),
            _ => Err(Error::AmbiguousId(text)),
        }
    }
}
