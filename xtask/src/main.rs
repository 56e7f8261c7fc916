//! `cargo xtask …`: the project's chores in one place, so README, CI and
//! developers run the very same commands.
//!
//! - `cargo xtask ci`: installs what it needs and is missing (`tools`), then
//!   fmt check, clippy (-D warnings), rustdoc (-D warnings), every Rust test,
//!   the tuspy interop tests (pytest), the bindings from Python and Kotlin,
//!   and the shells (Android Kotlin compiled against android-all with JVM
//!   tests; iOS sources checked against the Swift API).
//! - `cargo xtask bench-photo`: the photo pipeline against vipsthumbnail.
//! - `cargo xtask bindings [--release]`: build `phananh-ffi` and write the
//!   Kotlin, Swift (with header and modulemap) and Python bindings to
//!   `target/bindings/…`.
//! - `cargo xtask check-ios`: the iOS app's calls and labels against the
//!   generated Swift (there is no Swift compiler here).
//! - `cargo xtask demo`: the server with demo data, three reports filed and
//!   synced through the CLI, left running until Ctrl-C.

mod ios;
mod tools;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Instant;

use clap::{Parser, Subcommand};

/// The project's chores.
#[derive(Debug, Parser)]
#[command(name = "cargo xtask")]
struct Cli {
    #[command(subcommand)]
    task: Task,
}

#[derive(Debug, Subcommand)]
enum Task {
    /// Every check CI runs: fmt, clippy, rustdoc, all tests, tuspy, the bindings, the shells
    Ci,
    /// Format the workspace
    Fmt,
    /// The server with demo data and three reports sent by the CLI, until Ctrl-C
    Demo,
    /// Kotlin, Swift and Python bindings into target/bindings
    Bindings {
        /// Also build the size-optimised phone library
        #[arg(long)]
        release: bool,
    },
    /// The photo pipeline against vipsthumbnail
    BenchPhoto,
    /// The iOS sources against the generated Swift API
    CheckIos,
    /// A throw-away PostgreSQL on loopback for running its tests by hand, until stdin closes
    Postgres,
    /// A throw-away SeaweedFS (S3) on loopback for running its tests by hand, until stdin closes
    S3,
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(2);
        }
    };
    let result = match cli.task {
        Task::Ci => ci(),
        Task::Fmt => run("cargo", &["fmt", "--all"], &[]),
        Task::BenchPhoto => bench_photo(),
        Task::Demo => demo(),
        Task::CheckIos => check_ios(),
        Task::Postgres => postgres(),
        Task::S3 => s3(),
        Task::Bindings { release } => bindings(release, false).map(|_| ()),
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

/// Run cargo steps in order, timing each; stop at the first failure.
fn run_steps(steps: &[Step<'_>]) -> Result<(), String> {
    for (name, args, env) in steps {
        let started = Instant::now();
        eprintln!("==> {name}: cargo {}", args.join(" "));
        run("cargo", args, env)?;
        eprintln!("==> {name} ok in {:.0?}; {}", started.elapsed(), disk_free());
    }
    Ok(())
}

/// The integration-test executables of the workspace's last test build.
struct TestBinaries(Vec<TestBinary>);

struct TestBinary {
    /// The package's folder, relative to the workspace (`server`, `tests`).
    package: PathBuf,
    /// The test's name (`api` for `tests/api.rs`).
    name: String,
    executable: PathBuf,
}

impl TestBinaries {
    /// Ask cargo where `cargo test --workspace` put each integration test
    /// (nothing is rebuilt: that build has just run).
    fn of_workspace() -> Result<Self, String> {
        let root = workspace_root();
        let out = Command::new("cargo")
            .args(["test", "--workspace", "--locked", "--no-run", "--message-format=json"])
            .current_dir(&root)
            .stderr(std::process::Stdio::inherit())
            .output()
            .map_err(|e| format!("could not start cargo: {e}"))?;
        if !out.status.success() {
            return Err(format!("cargo test --no-run failed ({})", out.status));
        }
        let mut found = Vec::new();
        for line in String::from_utf8_lossy(&out.stdout).lines() {
            let Ok(msg) = serde_json::from_str::<serde_json::Value>(line) else { continue };
            let target = &msg["target"];
            let is_test = target["kind"].as_array().is_some_and(|k| k.iter().any(|k| k == "test"));
            let (Some(exe), Some(name), Some(manifest)) =
                (msg["executable"].as_str(), target["name"].as_str(), msg["manifest_path"].as_str())
            else {
                continue;
            };
            let Some(dir) = Path::new(manifest).parent() else { continue };
            if is_test {
                let package = dir.strip_prefix(&root).unwrap_or(dir).to_path_buf();
                found.push(TestBinary { package, name: name.to_owned(), executable: exe.into() });
            }
        }
        Ok(Self(found))
    }

    /// Run `package`'s tests `names` as cargo would (from the package's
    /// folder), with `env`; stop at the first that fails.
    fn run(&self, step: &str, package: &str, names: &[&str], env: &[(&str, &str)]) -> Result<(), String> {
        let started = Instant::now();
        eprintln!("==> {step}: {package}/tests/{{{}}}.rs", names.join(","));
        for name in names {
            let test = self
                .0
                .iter()
                .find(|t| t.package == Path::new(package) && t.name == *name)
                .ok_or_else(|| format!("no test {package}/tests/{name}.rs in the workspace's build"))?;
            eprintln!("     Running {package}/tests/{name}.rs ({})", test.executable.display());
            let status = Command::new(&test.executable)
                .envs(env.iter().copied())
                .current_dir(workspace_root().join(&test.package))
                .status()
                .map_err(|e| format!("could not start {}: {e}", test.executable.display()))?;
            if !status.success() {
                return Err(format!("{package}/tests/{name}.rs failed ({status}) in step {step}"));
            }
        }
        eprintln!("==> {step} ok in {:.0?}; {}", started.elapsed(), disk_free());
        Ok(())
    }
}

/// How much disk is left where `target/` lives, as `df` says it: a CI
/// machine's disk is not known in advance, and a full one shows up as a
/// linker's crash, far from its cause.
fn disk_free() -> String {
    let out = Command::new("df").args(["-Pk"]).arg(workspace_root()).output();
    let free = out.ok().and_then(|o| {
        let text = String::from_utf8_lossy(&o.stdout).into_owned();
        let kib: u64 = text.lines().nth(1)?.split_whitespace().nth(3)?.parse().ok()?;
        Some(format!("{:.1} GiB free on disk", kib as f64 / (1024.0 * 1024.0)))
    });
    free.unwrap_or_else(|| "free disk unknown".to_owned())
}

fn ci() -> Result<(), String> {
    let started = Instant::now();
    let tools = tools::ensure(&workspace_root())?;
    eprintln!("==> tools ready in {:.0?}; {}", started.elapsed(), disk_free());
    let tusd = tools.tusd.to_string_lossy().into_owned();
    let python = tools.python.to_string_lossy().into_owned();
    // SeaweedFS is built (the first time, about ten minutes) while the
    // checks before the tests run: the Rust build leaves a core idle often.
    let weed = std::thread::spawn(|| tools::weed(&workspace_root()));
    let checks: &[Step<'_>] = &[
        ("format", &["fmt", "--all", "--", "--check"], &[]),
        ("clippy", &["clippy", "--workspace", "--all-targets", "--locked", "--", "-D", "warnings"], &[]),
        ("rustdoc", &["doc", "--workspace", "--no-deps", "--locked"], &[("RUSTDOCFLAGS", "-D warnings")]),
    ];
    run_steps(checks)?;
    // The PostgreSQL store's tests run against a real server, started here
    // for the run (the tests fail in CI without it), and the photo store's
    // against a real S3-compatible one.
    let postgres = tools::Postgres::start()?;
    eprintln!("==> PostgreSQL for the tests at {}", postgres.url);
    let weed = weed.join().map_err(|_| "building SeaweedFS panicked".to_owned())??;
    let s3 = tools::SeaweedFs::start(&weed)?;
    eprintln!("==> SeaweedFS (S3) for the tests at {}", s3.endpoint);
    let steps: &[Step<'_>] = &[(
        "tests",
        &["test", "--workspace", "--locked"],
        &[("TUSD_BIN", &tusd), ("PHANANH_PG_URL", &postgres.url), ("PHANANH_S3_ENDPOINT", &s3.endpoint)],
    )];
    run_steps(steps)?;
    // Two suites again on other stores, from the binaries just built: a
    // `cargo test -p …` would resolve features for fewer packages and build
    // the server, the core and their tests a second time (minutes, and
    // gigabytes of disk).
    let built = TestBinaries::of_workspace()?;
    // The API's suites, each test server keeping its records in PostgreSQL
    // and its photos and partial uploads in S3: the same answers from the
    // province's stores as from the district's.
    built.run(
        "tests on PostgreSQL and S3",
        "server",
        &["api", "feedback", "government", "permissions", "open311", "clock", "hardening"],
        &[
            ("TUSD_BIN", &tusd),
            ("PHANANH_PG_URL", &postgres.url),
            ("PHANANH_TEST_DATABASE", "postgres"),
            ("PHANANH_S3_ENDPOINT", &s3.endpoint),
            ("PHANANH_TEST_PHOTOS", "s3"),
        ],
    )?;
    // The sync end-to-end suite (fault proxy, exactly once) against two
    // replicas on PostgreSQL and S3 behind nginx.
    built.run(
        "sync on two replicas",
        "tests",
        &["sync"],
        &[("PHANANH_PG_URL", &postgres.url), ("PHANANH_S3_ENDPOINT", &s3.endpoint), ("PHANANH_E2E_CLUSTER", "1")],
    )?;
    // The official Python tus client against the server binary the tests built.
    let started = Instant::now();
    let server = workspace_root().join("target/debug/phananh-server");
    let server = server.to_string_lossy();
    eprintln!("==> tus interop: pytest server/tests/tus (tuspy)");
    run(&python, &["-m", "pytest", "-q", "server/tests/tus"], &[("PHANANH_SERVER_BIN", &server)])?;
    eprintln!("==> tus interop ok in {:.0?}", started.elapsed());

    // The FFI: generate, then prove it from Python and from Kotlin on a JVM
    // against the real library and a real server; Swift is generated and
    // checked to be there (no Swift toolchain here).
    let started = Instant::now();
    eprintln!("==> bindings: generate Kotlin, Swift, Python");
    let out = bindings(false, true)?;
    check_swift(&out.join("swift"))?;
    eprintln!("==> bindings: pytest bindings/tests/python");
    run(&python, &["-m", "pytest", "-q", "bindings/tests/python"], &[("PHANANH_SERVER_BIN", &server)])?;
    eprintln!("==> bindings: mvn test (Kotlin/JVM, JUnit 5)");
    run("mvn", &["-q", "-B", "-f", "bindings/tests/kotlin/pom.xml", "test"], &[])?;
    eprintln!("==> bindings ok in {:.0?}; {}", started.elapsed(), disk_free());

    // The shells: all the Android app's Kotlin compiled against the Android
    // API (android-all from Maven Central) with the generated bindings, its
    // state holders tested on the JVM and every screen driven under
    // Robolectric against the real library and the server the tests built
    // (screenshots, accessibility and layout checks); the iOS sources
    // checked against the generated Swift API (no Swift compiler here).
    let started = Instant::now();
    eprintln!("==> shells: mvn test (Android app against android-all; screens under Robolectric)");
    run("mvn", &["-q", "-B", "-f", "android/check/pom.xml", "test"], &[])?;
    let generated = generated_swift(&out.join("swift"))?;
    let checked = ios::check(&workspace_root().join("ios/App"), &generated)
        .map_err(|e| format!("the iOS sources do not match the generated Swift API:\n{e}"))?;
    eprintln!("==> shells ok in {:.0?} (iOS: {checked} uses of the core API checked)", started.elapsed());
    Ok(())
}

/// Start a throw-away cluster, say how to use it, and keep it until stdin
/// closes (Ctrl-D, or the end of a pipe).
fn postgres() -> Result<(), String> {
    let pg = tools::Postgres::start()?;
    println!("export PHANANH_PG_URL={}", pg.url);
    eprintln!("PostgreSQL is up; it stops and is removed when stdin closes (Ctrl-D).");
    let _ = std::io::Read::read_to_end(&mut std::io::stdin(), &mut Vec::new());
    Ok(())
}

/// Start a throw-away SeaweedFS (building it the first time), say how to
/// use it, and keep it until stdin closes.
fn s3() -> Result<(), String> {
    let s3 = tools::SeaweedFs::start(&tools::weed(&workspace_root())?)?;
    println!("export PHANANH_S3_ENDPOINT={}", s3.endpoint);
    eprintln!("SeaweedFS is up; it stops and is removed when stdin closes (Ctrl-D).");
    let _ = std::io::Read::read_to_end(&mut std::io::stdin(), &mut Vec::new());
    Ok(())
}

/// Build the library and generate every language's bindings into
/// `target/bindings/{kotlin,swift,python}`; returns that directory.
///
/// `after_tests`: `cargo test --workspace` has just run, so build what it
/// lacks the way it resolved features (the library is already there); a
/// build of the two packages alone would rebuild ~90 crates with other
/// features.
fn bindings(release: bool, after_tests: bool) -> Result<PathBuf, String> {
    let root = workspace_root();
    // Generated from the dev build: the shipped library is stripped, and
    // uniffi reads the API from the library's symbols. The API is the same.
    if after_tests {
        run("cargo", &["build", "--locked", "--workspace", "--all-targets"], &[])?;
    } else {
        run("cargo", &["build", "--locked", "-p", "phananh-ffi", "-p", "uniffi-bindgen"], &[])?;
    }
    let dev_lib = root.join("target/debug").join(cdylib_name());
    let bindgen = root.join("target/debug/uniffi-bindgen");
    let out = root.join("target/bindings");
    for language in ["kotlin", "swift", "python"] {
        let dest = out.join(language);
        let _ = std::fs::remove_dir_all(&dest);
        run(
            &bindgen.to_string_lossy(),
            &[
                "generate",
                "--no-format",
                "--library",
                &dev_lib.to_string_lossy(),
                "--language",
                language,
                "--out-dir",
                &dest.to_string_lossy(),
            ],
            &[],
        )?;
    }
    // The core's view models come out as a second Swift file and header
    // (PhanAnhModel.swift, PhanAnhModelFFI.h) for the same Swift module:
    // one C module holds both headers.
    let swift = out.join("swift");
    let map =
        "module PhanAnhCoreFFI {\n    header \"PhanAnhCoreFFI.h\"\n    header \"PhanAnhModelFFI.h\"\n    export *\n}\n";
    std::fs::write(swift.join("PhanAnhCoreFFI.modulemap"), map).map_err(|e| format!("writing the module map: {e}"))?;
    let lib = if release {
        phone_library()?;
        let lib = root.join("target/release-ffi").join(cdylib_name());
        let size = std::fs::metadata(&lib).map(|m| m.len()).unwrap_or(0);
        eprintln!("release library: {} ({:.2} MB, stripped)", lib.display(), size as f64 / 1e6);
        lib
    } else {
        dev_lib
    };
    // Python loads the library from beside its module.
    std::fs::copy(&lib, out.join("python").join(cdylib_name())).map_err(|e| format!("copying the library: {e}"))?;
    eprintln!("bindings written to {}", out.display());
    Ok(out)
}

fn cdylib_name() -> &'static str {
    if cfg!(target_os = "macos") { "libphananh_ffi.dylib" } else { "libphananh_ffi.so" }
}

/// The generated Swift of the one module the app imports: the FFI's object
/// and the core's view models.
fn generated_swift(dir: &Path) -> Result<String, String> {
    let read = |f: &str| std::fs::read_to_string(dir.join(f)).map_err(|e| format!("{}: {e}", dir.join(f).display()));
    Ok(read("PhanAnhCore.swift")? + &read("PhanAnhModel.swift")?)
}

/// The Swift bindings exist and declare what the iOS shell calls.
fn check_swift(dir: &Path) -> Result<(), String> {
    let read = |f: &str| std::fs::read_to_string(dir.join(f)).map_err(|e| format!("{f}: {e}"));
    let swift = generated_swift(dir)?;
    let header = read("PhanAnhCoreFFI.h")? + &read("PhanAnhModelFFI.h")?;
    let modulemap = read("PhanAnhCoreFFI.modulemap")?;
    for needle in [
        "open class PhanAnh:",
        "enum PhanAnhError: Swift.Error",
        "func syncOnce() async throws",
        "public protocol SecretStore",
    ] {
        if !swift.contains(needle) {
            return Err(format!("the Swift bindings lack {needle:?}"));
        }
    }
    if !header.contains("uniffi_phananh_ffi_fn_constructor_phananh_new")
        || !header.contains("ffi_phananh_core_uniffi_contract_version")
        || !modulemap.contains("PhanAnhModelFFI.h")
    {
        return Err("the Swift header or modulemap is incomplete".into());
    }
    eprintln!("swift bindings present: {} lines", swift.lines().count());
    Ok(())
}

/// The iOS sources against the Swift last generated by `cargo xtask bindings`.
fn check_ios() -> Result<(), String> {
    let dir = workspace_root().join("target/bindings/swift");
    let generated = generated_swift(&dir).map_err(|e| format!("{e} (run `cargo xtask bindings` first)"))?;
    let checked = ios::check(&workspace_root().join("ios/App"), &generated)?;
    eprintln!("iOS sources match the generated Swift API ({checked} uses checked)");
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
    let photos = root.join("testdata/photos");
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

/// The demo: a fresh server with demo data, three reports with real photos
/// filed and synced through the CLI, then the URLs to look at. The server
/// keeps running until Ctrl-C (which it receives too, and shuts down on).
fn demo() -> Result<(), String> {
    use std::io::{BufRead, BufReader};
    let root = workspace_root();
    run("cargo", &["build", "--locked", "-p", "phananh-server", "-p", "phananh-cli"], &[])?;
    let listen = std::env::var("PHANANH_DEMO_LISTEN").unwrap_or_else(|_| "127.0.0.1:8080".into());
    let base = format!("http://{listen}");
    let dir = std::env::temp_dir().join(format!("phananh-demo-{}", std::process::id()));
    let (data, home) = (dir.join("server"), dir.join("phone"));
    std::fs::create_dir_all(&home).map_err(|e| e.to_string())?;
    let mut server = KillOnDrop(
        Command::new(root.join("target/debug/phananh-server"))
            // A year of synthetic reports behind the three real ones, so the
            // map, the charts and the scoreboard have something to show.
            .args(["serve", "--demo", "--demo-reports", "3000", "--listen", &listen, "--data"])
            .arg(&data)
            .stdout(std::process::Stdio::piped())
            .spawn()
            .map_err(|e| format!("could not start the server: {e}"))?,
    );
    let mut lines = BufReader::new(server.0.stdout.take().ok_or("no server output")?).lines();
    // The coordinator, the officers and the leader the demo made.
    let mut accounts = Vec::new();
    for line in lines.by_ref() {
        let line = line.map_err(|e| e.to_string())?;
        if line.starts_with("demo ") && line.contains(" account") {
            accounts.push(line.clone());
        }
        if line.starts_with("staff dashboard:") {
            break;
        }
    }
    // Keep echoing the server's output.
    std::thread::spawn(move || lines.map_while(Result::ok).for_each(|l| println!("{l}")));
    let cli = root.join("target/debug/phananh");
    let phananh = |args: &[&str]| -> Result<String, String> {
        let out = Command::new(&cli)
            .arg("--home")
            .arg(&home)
            .args(["--lang", "en", "--server", &base])
            .args(args)
            .output()
            .map_err(|e| format!("could not run phananh: {e}"))?;
        if !out.status.success() {
            return Err(format!("phananh {} failed: {}", args.join(" "), String::from_utf8_lossy(&out.stderr)));
        }
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
    };
    let photos = root.join("testdata/photos/real");
    // Three reports for three units: a street light in Tràng Sơn (its
    // commune's officer), a national road (Kinh tế – Hạ tầng), a fallen
    // tree in Bài Sơn (no officer there yet: the coordinator's queue).
    let reports: [(&str, &str, &str, &str, &str); 3] = [
        (
            "quoc_lo",
            "Ổ gà lớn trên quốc lộ 7 đoạn qua cầu, xe máy đã ngã hai lần",
            "18.8712",
            "105.3401",
            "HMD_Nokia_8.3_5G.jpg",
        ),
        ("den_duong", "Đèn đường trước nhà văn hoá xóm 3 tắt cả tuần nay", "18.8200", "105.3550", "iphone_hdr_NO.jpg"),
        ("cay_do", "Cây đổ chắn ngang đường vào trường tiểu học sau cơn giông", "19.0400", "105.1600", "DSCN0010.jpg"),
    ];
    for (category, description, lat, lon, photo) in reports {
        let id = phananh(&[
            "draft",
            "new",
            "--category",
            category,
            "--description",
            description,
            "--lat",
            lat,
            "--lon",
            lon,
            "--name",
            "Nguyễn Văn An",
            "--phone",
            "0912345678",
        ])?;
        let id = id.lines().last().unwrap_or_default().to_owned();
        let photo = photos.join(photo);
        phananh(&["draft", "attach", &id, &photo.to_string_lossy()])?;
        phananh(&["submit", &id])?;
    }
    println!("{}", phananh(&["sync", "--quiet"])?);
    println!("{}", phananh(&["reports"])?);
    let listed = phananh(&["--json", "reports"])?;
    println!("\nPhản Ánh demo is running.");
    println!("  staff dashboard: {base}/staff — sign in as:");
    for account in &accounts {
        println!("    {account}");
    }
    for code in listed.split('"').filter(|t| t.starts_with("DL-")) {
        println!("  tracking page:   {base}/r/{code}");
    }
    println!("  public figures:  {base}/thong-ke  ·  map: {base}/ban-do");
    println!("  overview (staff): {base}/staff/map  ·  {base}/staff/charts  ·  {base}/staff/summary");
    println!("  the CLI:         target/debug/phananh --home {} reports", home.display());
    println!("  Android emulator: http://10.0.2.2:{}", listen.rsplit(':').next().unwrap_or("8080"));
    println!("Press Ctrl-C to stop.");
    let status = server.0.wait().map_err(|e| e.to_string())?;
    if status.success() { Ok(()) } else { Err(format!("the server stopped: {status}")) }
}

/// The demo's server: stopped on every way out of `demo`, so a failed step
/// never leaves it holding the port.
struct KillOnDrop(std::process::Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        if matches!(self.0.try_wait(), Ok(None)) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
}

/// The library as phones get it, for the host (the size proxy for the
/// phones' ABIs): the cdylib alone (built together with the rlib and the
/// staticlib, every Rust symbol stays exported and LTO keeps ~1 MB of dead
/// code), SQLite without what the phone never calls
/// (`bindings/phone-sqlite.flags`), and relative relocations packed as
/// Android packs them (`android/build-native.sh` does the same with the NDK).
fn phone_library() -> Result<(), String> {
    let flags = sqlite_phone_flags()?;
    let mut args =
        vec!["rustc", "--locked", "-p", "phananh-ffi", "--profile", "release-ffi", "--lib", "--crate-type", "cdylib"];
    if cfg!(target_os = "linux") {
        args.extend(["--", "-C", "link-arg=-Wl,-z,pack-relative-relocs"]);
    }
    run("cargo", &args, &[("LIBSQLITE3_FLAGS", &flags)])
}

/// `bindings/phone-sqlite.flags` as one line for libsqlite3-sys.
fn sqlite_phone_flags() -> Result<String, String> {
    let path = workspace_root().join("bindings/phone-sqlite.flags");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("reading {}: {e}", path.display()))?;
    Ok(text
        .lines()
        .map(|l| l.split('#').next().unwrap_or("").trim())
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" "))
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
