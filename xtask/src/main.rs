//! `cargo xtask …`: the project's chores in one place, so README, CI and
//! developers run the very same commands.
//!
//! - `cargo xtask ci`: fmt check, clippy (-D warnings), rustdoc (-D warnings),
//!   every Rust test, then the tuspy interop tests (pytest).
//! - `cargo xtask bench-photo`: the photo pipeline against vipsthumbnail.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Instant;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("ci") => ci(),
        Some("fmt") => run("cargo", &["fmt", "--all"], &[]),
        Some("bench-photo") => bench_photo(),
        _ => {
            eprintln!(
                "usage: cargo xtask <ci|fmt>\n  ci   fmt check, clippy, rustdoc, all tests (what CI runs)\n  fmt  format the workspace"
            );
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}

/// A named cargo invocation with extra environment.
type Step<'a> = (&'a str, &'a [&'a str], &'a [(&'a str, &'a str)]);

fn ci() -> Result<(), String> {
    let steps: &[Step<'_>] = &[
        ("format", &["fmt", "--all", "--", "--check"], &[]),
        ("clippy", &["clippy", "--workspace", "--all-targets", "--locked", "--", "-D", "warnings"], &[]),
        ("rustdoc", &["doc", "--workspace", "--no-deps", "--locked"], &[("RUSTDOCFLAGS", "-D warnings")]),
        ("tests", &["test", "--workspace", "--locked"], &[]),
    ];
    for (name, args, env) in steps {
        let started = Instant::now();
        eprintln!("==> {name}: cargo {}", args.join(" "));
        run("cargo", args, env)?;
        eprintln!("==> {name} ok in {:.0?}", started.elapsed());
    }
    // The official Python tus client against the server binary the tests built.
    let started = Instant::now();
    let server = workspace_root().join("target/debug/phananh-server");
    let server = server.to_string_lossy();
    eprintln!("==> tus interop: python3 -m pytest server/tests/tus (tuspy)");
    run("python3", &["-m", "pytest", "-q", "server/tests/tus"], &[("PHANANH_SERVER_BIN", &server)])?;
    eprintln!("==> tus interop ok in {:.0?}", started.elapsed());
    Ok(())
}

/// Build release binaries and compare the photo pipeline with vipsthumbnail.
fn bench_photo() -> Result<(), String> {
    run(
        "cargo",
        &[
            "build",
            "--release",
            "--locked",
            "-p",
            "phananh-cli",
            "-p",
            "phananh-e2e",
            "--bin",
            "phananh",
            "--bin",
            "photo-bench",
        ],
        &[],
    )?;
    let root = workspace_root();
    let target = root.join("target/release");
    let photos = root.join("../shared/testdata/photos");
    let work = root.join("target/photo-bench");
    let bench = target.join("photo-bench");
    let phananh = target.join("phananh");
    let args = [
        phananh.to_string_lossy().into_owned(),
        photos.to_string_lossy().into_owned(),
        work.to_string_lossy().into_owned(),
    ];
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    run(&bench.to_string_lossy(), &args, &[])
}

fn run(program: &str, args: &[&str], env: &[(&str, &str)]) -> Result<(), String> {
    let status = Command::new(program)
        .args(args)
        .envs(env.iter().copied())
        .current_dir(workspace_root())
        .status()
        .map_err(|e| format!("could not start {program}: {e}"))?;
    if status.success() { Ok(()) } else { Err(format!("{program} {} failed ({status})", args.join(" "))) }
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().map(Path::to_path_buf).unwrap_or_else(|| PathBuf::from("."))
}
