//! The schema, its version in `PRAGMA user_version`, and the numbered steps
//! that bring an older database up to date.
//!
//! A fresh database is created from [`LATEST`] in one go; an old one walks
//! through [`MIGRATIONS`]. A test proves both roads end at the same schema.

use rusqlite::{Connection, Transaction};

use crate::error::{Result, StorageContext};

/// The schema version this build writes.
pub const VERSION: u32 = 6;

/// The whole schema at [`VERSION`], for new databases.
pub(crate) const LATEST: &str = "
CREATE TABLE reports (
    id               TEXT PRIMARY KEY NOT NULL,
    state            TEXT NOT NULL DEFAULT 'draft'
                     CHECK (state IN ('draft', 'queued', 'sending', 'sent', 'needs_attention')),
    category         TEXT,
    description      TEXT NOT NULL DEFAULT '',
    description_fold TEXT NOT NULL DEFAULT '',
    lat              REAL,
    lon              REAL,
    accuracy_m       REAL,
    address          TEXT,
    address_fold     TEXT NOT NULL DEFAULT '',
    reporter_name    TEXT,
    reporter_phone   TEXT,
    anonymous        INTEGER NOT NULL DEFAULT 0,
    on_behalf        INTEGER NOT NULL DEFAULT 0,
    for_name         TEXT,
    for_name_fold    TEXT NOT NULL DEFAULT '',
    for_phone        TEXT,
    consent          INTEGER NOT NULL DEFAULT 0,
    tracking_code    TEXT,
    attention_reason TEXT,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    -- Everything search looks in, folded, kept by SQLite itself so a patch
    -- of one field stays one statement.
    search_fold      TEXT GENERATED ALWAYS AS (
                         description_fold || char(10) || address_fold || char(10) || for_name_fold
                         || char(10) || lower(coalesce(tracking_code, ''))) STORED,
    queued_at        INTEGER,
    on_server        INTEGER NOT NULL DEFAULT 0,
    public_url       TEXT,
    server_status    TEXT,
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  INTEGER
) STRICT;
CREATE INDEX reports_newest ON reports (created_at DESC, id DESC);
CREATE INDEX reports_state_newest ON reports (state, created_at DESC, id DESC);
CREATE INDEX reports_category_newest ON reports (category, created_at DESC, id DESC);

CREATE TABLE photos (
    id          TEXT PRIMARY KEY NOT NULL,
    report_id   TEXT NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    file        TEXT NOT NULL,
    thumb_file  TEXT,
    sha256      TEXT NOT NULL,
    bytes       INTEGER NOT NULL,
    width       INTEGER NOT NULL,
    height      INTEGER NOT NULL,
    created_at  INTEGER NOT NULL,
    upload_url  TEXT,
    sent        INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX photos_by_report ON photos (report_id, position);

CREATE TABLE status_history (
    report_id TEXT NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
    seq       INTEGER NOT NULL,
    status    TEXT NOT NULL,
    at        INTEGER NOT NULL,
    reply     TEXT,
    unit_code TEXT,
    unit_name TEXT,
    due_at    INTEGER,
    PRIMARY KEY (report_id, seq)
) STRICT;
CREATE UNIQUE INDEX status_history_once ON status_history (report_id, at, status, coalesce(reply, ''));

CREATE TABLE meta (
    key   TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
) STRICT;
CREATE TABLE report_actions (
    id         TEXT PRIMARY KEY NOT NULL,
    report_id  TEXT NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
    kind       TEXT NOT NULL CHECK (kind IN ('rating', 'reopen')),
    body       TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    sent_at    INTEGER,
    refused    TEXT
) STRICT;
CREATE INDEX report_actions_by_report ON report_actions (report_id, created_at);
CREATE TABLE follows (
    tracking_code TEXT PRIMARY KEY NOT NULL,
    me_too        INTEGER NOT NULL DEFAULT 0,
    created_at    INTEGER NOT NULL,
    sent_at       INTEGER,
    refused       TEXT,
    attempts      INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER,
    category      TEXT,
    status        TEXT,
    public_url    TEXT,
    unit_name     TEXT,
    due_at        INTEGER,
    followers     INTEGER,
    updated_at    INTEGER NOT NULL
) STRICT;
CREATE TABLE follow_history (
    tracking_code TEXT NOT NULL REFERENCES follows (tracking_code) ON DELETE CASCADE,
    status        TEXT NOT NULL,
    at            INTEGER NOT NULL,
    reply         TEXT
) STRICT;
CREATE UNIQUE INDEX follow_history_once ON follow_history (tracking_code, at, status, coalesce(reply, ''));
CREATE TABLE follow_photos (
    id            TEXT PRIMARY KEY NOT NULL,
    tracking_code TEXT NOT NULL REFERENCES follows (tracking_code) ON DELETE CASCADE,
    file          TEXT NOT NULL,
    thumb_file    TEXT,
    sha256        TEXT NOT NULL,
    bytes         INTEGER NOT NULL,
    width         INTEGER NOT NULL,
    height        INTEGER NOT NULL,
    created_at    INTEGER NOT NULL,
    upload_url    TEXT,
    sent          INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE TABLE notifications (
    key           TEXT PRIMARY KEY NOT NULL,
    report_id     TEXT,
    tracking_code TEXT NOT NULL,
    followed      INTEGER NOT NULL,
    status        TEXT NOT NULL,
    reply         TEXT,
    unit_name     TEXT,
    at            INTEGER NOT NULL
) STRICT;
CREATE TABLE data_used (
    report_id TEXT NOT NULL,
    month     TEXT NOT NULL,
    up        INTEGER NOT NULL DEFAULT 0,
    down      INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (report_id, month)
) STRICT;
";

/// Step `i` takes a database from version `i + 1` to `i + 2`.
pub(crate) const MIGRATIONS: &[&str] = &[
    // 1 → 2: sync needs the district's status history and a place for
    // cached server data (categories, service area, changes cursor); lists
    // filter by category; queued_at orders the outbox.
    "
    ALTER TABLE reports ADD COLUMN queued_at INTEGER;
    CREATE INDEX reports_category_newest ON reports (category, created_at DESC, id DESC);
    CREATE TABLE status_history (
        report_id TEXT NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
        seq       INTEGER NOT NULL,
        status    TEXT NOT NULL,
        at        INTEGER NOT NULL,
        reply     TEXT,
        PRIMARY KEY (report_id, seq)
    ) STRICT;
    CREATE TABLE meta (
        key   TEXT PRIMARY KEY NOT NULL,
        value TEXT NOT NULL
    ) STRICT;
    ",
    // 2 → 3: the outbox's progress (the server has the report, each photo's
    // upload URL and whether it arrived, retry timers) and a guard so a
    // status change pulled twice is stored once.
    "
    ALTER TABLE reports ADD COLUMN on_server INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE reports ADD COLUMN public_url TEXT;
    ALTER TABLE reports ADD COLUMN server_status TEXT;
    ALTER TABLE reports ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE reports ADD COLUMN next_attempt_at INTEGER;
    ALTER TABLE photos ADD COLUMN upload_url TEXT;
    ALTER TABLE photos ADD COLUMN sent INTEGER NOT NULL DEFAULT 0;
    CREATE UNIQUE INDEX status_history_once ON status_history (report_id, at, status, coalesce(reply, ''));
    ",
    // 3 → 4: the district's unit responsible and its deadline, with each
    // step of the history (the server routes reports since its schema 3).
    "
    ALTER TABLE status_history ADD COLUMN unit_code TEXT;
    ALTER TABLE status_history ADD COLUMN unit_name TEXT;
    ALTER TABLE status_history ADD COLUMN due_at INTEGER;
    ",
    // 4 → 5: the resident's word after the answer. Ratings and reopens
    // queued with their report (sent by the report's next pass, each with
    // the phone's id the server keys it by); follows of other people's
    // reports with the public fields and replies pulled for them; the
    // notifications the core decided on, for the shell to show.
    "
    CREATE TABLE report_actions (
        id         TEXT PRIMARY KEY NOT NULL,
        report_id  TEXT NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
        kind       TEXT NOT NULL CHECK (kind IN ('rating', 'reopen')),
        body       TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        sent_at    INTEGER,
        refused    TEXT
    ) STRICT;
    CREATE INDEX report_actions_by_report ON report_actions (report_id, created_at);
    CREATE TABLE follows (
        tracking_code TEXT PRIMARY KEY NOT NULL,
        me_too        INTEGER NOT NULL DEFAULT 0,
        created_at    INTEGER NOT NULL,
        sent_at       INTEGER,
        refused       TEXT,
        attempts      INTEGER NOT NULL DEFAULT 0,
        next_attempt_at INTEGER,
        category      TEXT,
        status        TEXT,
        public_url    TEXT,
        unit_name     TEXT,
        due_at        INTEGER,
        followers     INTEGER,
        updated_at    INTEGER NOT NULL
    ) STRICT;
    CREATE TABLE follow_history (
        tracking_code TEXT NOT NULL REFERENCES follows (tracking_code) ON DELETE CASCADE,
        status        TEXT NOT NULL,
        at            INTEGER NOT NULL,
        reply         TEXT
    ) STRICT;
    CREATE UNIQUE INDEX follow_history_once ON follow_history (tracking_code, at, status, coalesce(reply, ''));
    CREATE TABLE follow_photos (
        id            TEXT PRIMARY KEY NOT NULL,
        tracking_code TEXT NOT NULL REFERENCES follows (tracking_code) ON DELETE CASCADE,
        file          TEXT NOT NULL,
        thumb_file    TEXT,
        sha256        TEXT NOT NULL,
        bytes         INTEGER NOT NULL,
        width         INTEGER NOT NULL,
        height        INTEGER NOT NULL,
        created_at    INTEGER NOT NULL,
        upload_url    TEXT,
        sent          INTEGER NOT NULL DEFAULT 0
    ) STRICT;
    CREATE TABLE notifications (
        key           TEXT PRIMARY KEY NOT NULL,
        report_id     TEXT,
        tracking_code TEXT NOT NULL,
        followed      INTEGER NOT NULL,
        status        TEXT NOT NULL,
        reply         TEXT,
        unit_name     TEXT,
        at            INTEGER NOT NULL
    ) STRICT;
    ",
    // 5 → 6: the data each report's sending used, and the month's total
    // (report_id '' = every request, reports' or not), for residents on
    // prepaid plans.
    "
    CREATE TABLE data_used (
        report_id TEXT NOT NULL,
        month     TEXT NOT NULL,
        up        INTEGER NOT NULL DEFAULT 0,
        down      INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (report_id, month)
    ) STRICT;
    ",
];

/// Bring the database to [`VERSION`]: create it if empty, else run the
/// missing steps, all in one transaction.
pub(crate) fn migrate(conn: &mut Connection, found: u32) -> Result<()> {
    if found == VERSION {
        return Ok(());
    }
    let tx = conn.transaction().context("starting the schema upgrade")?;
    if found == 0 {
        tx.execute_batch(LATEST).context("creating the schema")?;
    } else {
        for step in &MIGRATIONS[(found as usize - 1)..] {
            tx.execute_batch(step).context("upgrading the schema")?;
        }
    }
    set_version(&tx, VERSION)?;
    tx.commit().context("committing the schema upgrade")
}

fn set_version(tx: &Transaction<'_>, v: u32) -> Result<()> {
    tx.pragma_update(None, "user_version", v).context("setting the schema version")
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// The first schema ever shipped, kept verbatim so the upgrade test
    /// starts from what real phones have.
    pub(crate) const V1: &str = "
    CREATE TABLE reports (
        id               TEXT PRIMARY KEY NOT NULL,
        state            TEXT NOT NULL DEFAULT 'draft'
                         CHECK (state IN ('draft', 'queued', 'sending', 'sent', 'needs_attention')),
        category         TEXT,
        description      TEXT NOT NULL DEFAULT '',
        description_fold TEXT NOT NULL DEFAULT '',
        lat              REAL,
        lon              REAL,
        accuracy_m       REAL,
        address          TEXT,
        address_fold     TEXT NOT NULL DEFAULT '',
        reporter_name    TEXT,
        reporter_phone   TEXT,
        anonymous        INTEGER NOT NULL DEFAULT 0,
        on_behalf        INTEGER NOT NULL DEFAULT 0,
        for_name         TEXT,
        for_name_fold    TEXT NOT NULL DEFAULT '',
        for_phone        TEXT,
        consent          INTEGER NOT NULL DEFAULT 0,
        tracking_code    TEXT,
        attention_reason TEXT,
        created_at       INTEGER NOT NULL,
        updated_at       INTEGER NOT NULL,
        search_fold      TEXT GENERATED ALWAYS AS (
                             description_fold || char(10) || address_fold || char(10) || for_name_fold
                             || char(10) || lower(coalesce(tracking_code, ''))) STORED
    ) STRICT;
    CREATE INDEX reports_newest ON reports (created_at DESC, id DESC);
    CREATE INDEX reports_state_newest ON reports (state, created_at DESC, id DESC);
    CREATE TABLE photos (
        id          TEXT PRIMARY KEY NOT NULL,
        report_id   TEXT NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
        position    INTEGER NOT NULL,
        file        TEXT NOT NULL,
        thumb_file  TEXT,
        sha256      TEXT NOT NULL,
        bytes       INTEGER NOT NULL,
        width       INTEGER NOT NULL,
        height      INTEGER NOT NULL,
        created_at  INTEGER NOT NULL
    ) STRICT;
    CREATE INDEX photos_by_report ON photos (report_id, position);
    PRAGMA user_version = 1;
    ";

    /// Everything about a schema that matters, as comparable text: every
    /// table's columns (in order, with type, null-ness, default, key), its
    /// indexes with their columns and order, its foreign keys, and whether
    /// it is STRICT.
    pub(crate) fn describe(conn: &Connection) -> Vec<String> {
        let mut out = Vec::new();
        let mut tables: Vec<(String, bool)> = conn
            .prepare("SELECT name, strict FROM pragma_table_list WHERE schema = 'main' AND name NOT LIKE 'sqlite_%' ORDER BY name")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        tables.sort();
        for (table, strict) in tables {
            out.push(format!("table {table} strict={strict}"));
            let mut cols = conn.prepare("SELECT cid, name, type, \"notnull\", dflt_value, pk, hidden FROM pragma_table_xinfo(?1) ORDER BY cid").unwrap();
            for row in cols
                .query_map([&table], |r| {
                    Ok(format!(
                        "  col {} {} {} notnull={} default={:?} pk={} hidden={}",
                        r.get::<_, i64>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, i64>(3)?,
                        r.get::<_, Option<String>>(4)?,
                        r.get::<_, i64>(5)?,
                        r.get::<_, i64>(6)?
                    ))
                })
                .unwrap()
            {
                out.push(row.unwrap());
            }
            let mut fks = conn
                .prepare("SELECT \"table\", \"from\", \"to\", on_update, on_delete FROM pragma_foreign_key_list(?1) ORDER BY id, seq")
                .unwrap();
            for row in fks
                .query_map([&table], |r| {
                    Ok(format!(
                        "  fk {}.{} -> {} update={} delete={}",
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, Option<String>>(2)?.unwrap_or_default(),
                        r.get::<_, String>(3)?,
                        r.get::<_, String>(4)?
                    ))
                })
                .unwrap()
            {
                out.push(row.unwrap());
            }
            let indexes: Vec<(String, i64)> = conn
                .prepare("SELECT name, \"unique\" FROM pragma_index_list(?1) ORDER BY name")
                .unwrap()
                .query_map([&table], |r| Ok((r.get(0)?, r.get(1)?)))
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap();
            for (index, unique) in indexes {
                let cols: Vec<String> = conn
                    .prepare("SELECT name, \"desc\" FROM pragma_index_xinfo(?1) WHERE key = 1 ORDER BY seqno")
                    .unwrap()
                    .query_map([&index], |r| {
                        Ok(format!(
                            "{}{}",
                            r.get::<_, Option<String>>(0)?.unwrap_or_default(),
                            if r.get::<_, i64>(1)? == 1 { " desc" } else { "" }
                        ))
                    })
                    .unwrap()
                    .collect::<Result<_, _>>()
                    .unwrap();
                out.push(format!("  index {index} unique={unique} ({})", cols.join(", ")));
            }
        }
        out
    }

    #[test]
    fn upgraded_database_equals_fresh_one() {
        let mut fresh = Connection::open_in_memory().unwrap();
        migrate(&mut fresh, 0).unwrap();

        let mut old = Connection::open_in_memory().unwrap();
        old.execute_batch(V1).unwrap();
        old.execute(
            "INSERT INTO reports (id, description, created_at, updated_at) VALUES ('0190f0b0-0000-7000-8000-000000000001', 'Ổ gà lớn ở đầu làng', 1, 1)",
            [],
        )
        .unwrap();
        migrate(&mut old, 1).unwrap();

        let fresh_schema = describe(&fresh);
        assert!(fresh_schema.len() > 40, "the description covers the schema: {fresh_schema:#?}");
        assert_eq!(describe(&old), fresh_schema);
        let version = |c: &Connection| c.pragma_query_value(None, "user_version", |r| r.get::<_, u32>(0)).unwrap();
        assert_eq!(version(&old), VERSION);
        assert_eq!(version(&fresh), VERSION);
        // The data came along.
        let description: String = old.query_row("SELECT description FROM reports", [], |r| r.get(0)).unwrap();
        assert_eq!(description, "Ổ gà lớn ở đầu làng");
    }

    #[test]
    fn every_version_has_a_step() {
        assert_eq!(MIGRATIONS.len() as u32, VERSION - 1);
    }
}
