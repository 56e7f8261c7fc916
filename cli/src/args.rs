//! The command line, as clap sees it. Flags here are a contract scripts rely
//! on: add freely, never rename.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use phananh_core::Lang;
use phananh_core::model::StateKind;
use phananh_core::photo::Options;
use phananh_core::protocol::Score;

/// Phản Ánh: report local problems to the district, from the desktop.
#[derive(Debug, Parser)]
#[command(name = "phananh", version, about, propagate_version = true)]
pub struct Cli {
    /// Where drafts and photos are kept [default: the platform data dir]
    #[arg(long, global = true, env = "PHANANH_HOME", value_name = "DIR")]
    pub home: Option<PathBuf>,

    /// Print machine-readable JSON instead of text
    #[arg(long, global = true)]
    pub json: bool,

    /// Language of messages: vi or en [default: from PHANANH_LANG or LANG, else vi]
    #[arg(long, global = true, value_name = "vi|en")]
    pub lang: Option<Lang>,

    /// The district's server, e.g. http://127.0.0.1:8080 [default: the last one used]
    #[arg(long, global = true, env = "PHANANH_SERVER", value_name = "URL")]
    pub server: Option<String>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Write, list, change and delete drafts
    #[command(subcommand)]
    Draft(DraftCommand),
    /// Work with photo files directly
    #[command(subcommand)]
    Photo(PhotoCommand),
    /// Check a draft and queue it for sending
    Submit {
        /// The report's id (or a unique start of it)
        id: String,
    },
    /// Send queued reports and fetch status changes (one pass)
    Sync {
        /// Keep running: send new reports as they are queued, retry on schedule
        #[arg(long)]
        watch: bool,
        /// No progress bars (for logs and scripts)
        #[arg(long)]
        quiet: bool,
    },
    /// Sent and queued reports: tracking code, status, last reply
    Reports {
        /// How many to show
        #[arg(long, default_value_t = 50)]
        limit: u32,
    },
    /// The district's categories (from the server, or cached when offline)
    Categories,
    /// Send a report that needs attention again, as it is
    Retry {
        /// The report's id (or a unique start of it)
        id: String,
    },
    /// Rate the district's answer to a resolved or rejected report (once);
    /// sent by the next `sync`
    Rate {
        /// The report's id (or a unique start of it)
        id: String,
        /// satisfied, acceptable or not_satisfied
        #[arg(long, value_parser = parse_score)]
        score: Score,
        /// Optional words
        #[arg(long)]
        comment: Option<String>,
        /// A volunteer rating for the neighbour the report was filed for
        #[arg(long)]
        for_neighbour: bool,
    },
    /// Not fixed: reopen a resolved report (or contest a rejection) with a
    /// reason and new photos; sent by the next `sync`
    Reopen {
        /// The report's id (or a unique start of it)
        id: String,
        /// Why it is not fixed
        #[arg(long)]
        reason: String,
        /// A new photo (JPEG, PNG or WebP); repeat for more
        #[arg(long, value_name = "FILE")]
        photo: Vec<PathBuf>,
    },
    /// Follow someone else's report by its tracking code ("Quan tâm");
    /// sent by the next `sync`
    Follow {
        /// The tracking code (DL-XXXXXX)
        code: String,
        /// "I see it too": adds weight in the district's queue
        #[arg(long)]
        me_too: bool,
        /// A photo of it (with --me-too); repeat for more
        #[arg(long, value_name = "FILE")]
        photo: Vec<PathBuf>,
    },
    /// Stop following a report
    Unfollow {
        /// The tracking code
        code: String,
    },
    /// The reports you follow, with their status and replies
    Following,
    /// Open reports near a point: "is this the same problem?"
    Nearby {
        /// Latitude in degrees
        #[arg(long, allow_negative_numbers = true)]
        lat: f64,
        /// Longitude in degrees
        #[arg(long, allow_negative_numbers = true)]
        lon: f64,
        /// Only this category
        #[arg(long, value_name = "CODE")]
        category: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum DraftCommand {
    /// Start a new draft; prints its id
    New(Box<Fields>),
    /// List reports, newest first
    List {
        /// Only reports containing these words (accents and case ignored)
        #[arg(long, value_name = "TEXT")]
        search: Option<String>,
        /// Only reports in this state: draft, queued, sending, sent, needs_attention
        #[arg(long, value_name = "STATE")]
        state: Vec<StateKind>,
        /// Only reports in this category
        #[arg(long, value_name = "CODE")]
        category: Option<String>,
        /// How many to show
        #[arg(long, default_value_t = 50)]
        limit: u32,
        /// How many to skip
        #[arg(long, default_value_t = 0)]
        offset: u32,
    },
    /// Show one report in full
    Show {
        /// The report's id (or a unique start of it)
        id: String,
    },
    /// Change fields of a draft (an empty value clears a text field)
    Edit {
        /// The report's id (or a unique start of it)
        id: String,
        #[command(flatten)]
        fields: Box<Fields>,
        /// Remove the position
        #[arg(long, conflicts_with_all = ["lat", "lon", "accuracy"])]
        no_location: bool,
    },
    /// Compress a photo and attach it to a draft; prints the GPS it suggests
    Attach {
        /// The report's id (or a unique start of it)
        id: String,
        /// The photo: JPEG, PNG or WebP
        file: PathBuf,
        /// Also set the draft's location from the photo's GPS, if it has one
        #[arg(long)]
        use_location: bool,
    },
    /// Remove a photo from a draft
    Detach {
        /// The photo's id
        photo_id: String,
    },
    /// Delete a report and its photos from this device
    Delete {
        /// The report's id (or a unique start of it)
        id: String,
    },
}

/// Every field of a report.
#[derive(Debug, Clone, Args)]
pub struct Fields {
    /// Category code, e.g. o_ga
    #[arg(long)]
    pub category: Option<String>,
    /// What is wrong (10–4000 characters)
    #[arg(long)]
    pub description: Option<String>,
    /// Latitude in degrees
    #[arg(long, allow_negative_numbers = true, requires = "lon")]
    pub lat: Option<f64>,
    /// Longitude in degrees
    #[arg(long, allow_negative_numbers = true, requires = "lat")]
    pub lon: Option<f64>,
    /// Accuracy of the position in metres
    #[arg(long, requires = "lat")]
    pub accuracy: Option<f64>,
    /// Address or landmark, in words
    #[arg(long)]
    pub address: Option<String>,
    /// Your name
    #[arg(long)]
    pub name: Option<String>,
    /// Your phone (0912345678 or +84912345678)
    #[arg(long)]
    pub phone: Option<String>,
    /// Keep your name and phone off public pages
    #[arg(long, num_args = 0..=1, default_missing_value = "true", value_name = "BOOL")]
    pub anonymous: Option<bool>,
    /// File for a neighbour: their name
    #[arg(long)]
    pub for_name: Option<String>,
    /// File for a neighbour: their phone
    #[arg(long)]
    pub for_phone: Option<String>,
    /// File for a neighbour: they agreed to this report
    #[arg(long, num_args = 0..=1, default_missing_value = "true", value_name = "BOOL")]
    pub consent: Option<bool>,
    /// Whether this report is filed for a neighbour (implied by --for-name, --for-phone, --consent)
    #[arg(long, num_args = 0..=1, default_missing_value = "true", value_name = "BOOL")]
    pub on_behalf: Option<bool>,
}

#[derive(Debug, Subcommand)]
pub enum PhotoCommand {
    /// Shrink a photo as the app does: upright, no metadata, JPEG
    Compress {
        /// The photo: JPEG, PNG or WebP
        input: PathBuf,
        /// Where to write the JPEG
        output: PathBuf,
        /// Longest side in pixels (64–8192)
        #[arg(long, default_value_t = Options::default().max_edge, value_parser = range(Options::MAX_EDGE))]
        max_edge: u32,
        /// JPEG quality (30–100)
        #[arg(long, default_value_t = Options::default().quality, value_parser = range(Options::QUALITY))]
        quality: u8,
        /// Also write the list thumbnail here
        #[arg(long, value_name = "FILE")]
        thumbnail: Option<PathBuf>,
    },
}

fn parse_score(text: &str) -> Result<Score, String> {
    Score::from_code(text).ok_or_else(|| "use satisfied, acceptable or not_satisfied".into())
}

/// A number flag limited to the core's allowed range (the rule lives in
/// `photo::Options`, not here).
fn range<T>(allowed: std::ops::RangeInclusive<T>) -> clap::builder::RangedI64ValueParser<T>
where
    T: TryFrom<i64> + Copy + Clone + Send + Sync + 'static,
    i64: From<T>,
    <T as TryFrom<i64>>::Error: Send + Sync + 'static + std::error::Error + ToString,
{
    clap::builder::RangedI64ValueParser::new().range(i64::from(*allowed.start())..=i64::from(*allowed.end()))
}
