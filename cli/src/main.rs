//! `phananh`: the desktop client on the Phản Ánh core.

mod args;
mod draft;
mod feedback;
mod output;
mod photo;
mod sync;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use clap::error::ErrorKind;
use phananh_core::Lang;

use args::{Cli, Command};
use output::Out;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return usage_error(e),
    };
    // Logs (never report text, phones or coordinates) go to stderr, quiet
    // unless PHANANH_LOG asks, e.g. PHANANH_LOG=info.
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_env("PHANANH_LOG"))
        .with_writer(std::io::stderr)
        .init();
    let lang = cli.lang.unwrap_or_else(lang_from_env);
    let out = Out { lang, json: cli.json };
    let code = match run(cli, &out) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            out.error(&e);
            ExitCode::FAILURE
        }
    };
    report_peak_memory();
    code
}

/// With `PHANANH_REPORT_PEAK_RSS=1`, the process's peak resident memory
/// (`VmHWM` from `/proc/self/status`) on stderr as `peak_rss_kb=N`: how the
/// tests hold the photo pipeline to its memory budget with a real process.
fn report_peak_memory() {
    if std::env::var_os("PHANANH_REPORT_PEAK_RSS").is_none() {
        return;
    }
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    if let Some(kb) = status.lines().find_map(|l| l.strip_prefix("VmHWM:")) {
        eprintln!("peak_rss_kb={}", kb.trim().trim_end_matches("kB").trim());
    }
}

fn run(cli: Cli, out: &Out) -> Result<(), phananh_core::Error> {
    let home = cli.home.unwrap_or_else(default_home);
    let app = || sync::open(&home, cli.server.clone(), out.lang);
    match cli.command {
        // Works on files alone: no store needed.
        Command::Photo(cmd) => photo::run(cmd, out),
        Command::Draft(cmd) => draft::run(&app()?, cmd, out),
        Command::Submit { id } => draft::submit(&app()?, &id, out),
        Command::Sync { watch, quiet } => sync::sync(&app()?, watch, quiet, out),
        Command::Reports { limit } => sync::reports(&app()?, limit, out),
        Command::Categories => sync::categories(&app()?, out),
        Command::Retry { id } => sync::retry(&app()?, &id, out),
        Command::Rate { id, score, comment, for_neighbour } => {
            feedback::rate(&app()?, &id, score, comment.as_deref(), for_neighbour, out)
        }
        Command::Reopen { id, reason, photo } => feedback::reopen(&app()?, &id, &reason, &photo, out),
        Command::Follow { code, me_too, photo } => feedback::follow(&app()?, &code, me_too, &photo, out),
        Command::Unfollow { code } => feedback::unfollow(&app()?, &code, out),
        Command::Following => feedback::following(&app()?, out),
        Command::Nearby { lat, lon, category } => sync::nearby(&app()?, lat, lon, category.as_deref(), out),
    }
}

/// `PHANANH_LANG`, then the locale (`LANG`), then Vietnamese.
fn lang_from_env() -> Lang {
    ["PHANANH_LANG", "LC_ALL", "LANG"]
        .iter()
        .filter_map(|k| std::env::var(k).ok())
        .find_map(|v| v.parse().ok())
        .unwrap_or_default()
}

fn default_home() -> PathBuf {
    dirs::data_dir().unwrap_or_else(|| PathBuf::from(".")).join("phananh")
}

/// clap's own messages are English; say in the user's language what went
/// wrong before them, and keep clap's exit code (2) for usage errors.
fn usage_error(e: clap::Error) -> ExitCode {
    if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) {
        let _ = e.print();
        return ExitCode::SUCCESS;
    }
    // `args_os`: an argument that is not valid UTF-8 must not panic here.
    let args: Vec<String> = std::env::args_os().map(|a| a.to_string_lossy().into_owned()).collect();
    let lang = args
        .iter()
        .position(|a| a == "--lang")
        .and_then(|i| args.get(i + 1))
        .or_else(|| args.iter().find_map(|a| a.strip_prefix("--lang=").map(|_| a)))
        .and_then(|v| v.trim_start_matches("--lang=").parse().ok())
        .unwrap_or_else(lang_from_env);
    eprintln!(
        "{}",
        lang.pick("Lỗi: lệnh không hợp lệ (xem phananh --help).", "Error: invalid command (see phananh --help).")
    );
    let _ = e.print();
    ExitCode::from(2)
}
