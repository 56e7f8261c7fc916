//! What `cargo xtask ci` needs beyond Rust, found or installed before the
//! first step, so the same command works on a fresh machine:
//! - Debian packages (Chromium and its driver for the staff dashboard test,
//!   Java 17 and Maven for the Kotlin tests, Go for tusd), installed with
//!   `apt-get` when running as root; otherwise it stops at once naming the
//!   exact command to run;
//! - tuspy, pytest and requests in a project-local virtual environment
//!   (`target/venv`), never in the system's Python;
//! - tusd v2.9.1 by `go install` (or `TUSD_BIN`);
//! - PostgreSQL from Debian's `postgresql` package: a throw-away cluster
//!   on a free loopback port for the length of the run (`PHANANH_PG_URL`);
//! - SeaweedFS, built from its Go module, as the S3 server
//!   (`PHANANH_S3_ENDPOINT`); nginx from Debian's packages as the load
//!   balancer in front of two replicas.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Where the tools are.
pub struct Tools {
    /// The virtual environment's Python, with tuspy, pytest and requests.
    pub python: PathBuf,
    /// The tusd binary.
    pub tusd: PathBuf,
}

const PYTHON_PACKAGES: [&str; 3] = ["tuspy", "pytest", "requests"];
const TUSD: &str = "github.com/tus/tusd/v2/cmd/tusd@v2.9.1";

/// Find everything, installing what is missing and may be installed.
pub fn ensure(root: &Path) -> Result<Tools, String> {
    debian_packages()?;
    let python = venv(root)?;
    let tusd = tusd()?;
    Ok(Tools { python, tusd })
}

fn on_path(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).map(|d| d.join(program)).find(|p| p.is_file())
}

fn go() -> Option<PathBuf> {
    on_path("go").or_else(|| Some(PathBuf::from("/usr/local/go/bin/go")).filter(|p| p.is_file()))
}

fn is_root() -> bool {
    Command::new("id").arg("-u").output().is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

fn debian_packages() -> Result<(), String> {
    let mut missing: Vec<&str> = Vec::new();
    let chromedriver =
        ["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"].iter().any(|p| Path::new(p).is_file());
    if on_path("chromium").is_none() || !chromedriver {
        missing.extend(["chromium", "chromium-driver"]);
    }
    if on_path("java").is_none() || on_path("mvn").is_none() {
        missing.extend(["openjdk-17-jdk-headless", "maven"]);
    }
    if go().is_none() {
        missing.push("golang-go");
    }
    if initdb().is_none() {
        missing.push("postgresql");
    }
    // The load balancer in front of two replicas (tests/tests/replicas.rs).
    if !Path::new("/usr/sbin/nginx").is_file() && on_path("nginx").is_none() {
        missing.push("nginx");
    }
    if Command::new("python3").args(["-m", "venv", "--help"]).output().map(|o| !o.status.success()).unwrap_or(true) {
        missing.push("python3-venv");
    }
    if missing.is_empty() {
        return Ok(());
    }
    let list = missing.join(" ");
    if !is_root() {
        return Err(format!("missing system packages; run:\n  sudo apt-get update && sudo apt-get install -y {list}"));
    }
    eprintln!("==> installing Debian packages: {list}");
    let apt = |args: &[&str]| -> Result<(), String> {
        let ok = Command::new("apt-get")
            .args(args)
            .env("DEBIAN_FRONTEND", "noninteractive")
            .status()
            .map_err(|e| format!("apt-get: {e}"))?
            .success();
        if ok { Ok(()) } else { Err(format!("apt-get {} failed", args.join(" "))) }
    };
    apt(&["update", "-qq"])?;
    let mut install = vec!["install", "-y", "-qq"];
    install.extend(&missing);
    apt(&install)
}

fn venv(root: &Path) -> Result<PathBuf, String> {
    let dir = root.join("target/venv");
    let python = dir.join("bin/python3");
    if !python.is_file() {
        eprintln!("==> creating the Python virtual environment {}", dir.display());
        let ok = Command::new("python3").args(["-m", "venv"]).arg(&dir).status().is_ok_and(|s| s.success());
        if !ok {
            return Err(format!("could not create {}; run: python3 -m venv {}", dir.display(), dir.display()));
        }
    }
    let have = Command::new(&python)
        .args(["-c", "import tusclient, pytest, requests"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !have {
        eprintln!("==> pip install {} (into {})", PYTHON_PACKAGES.join(" "), dir.display());
        let ok = Command::new(&python)
            .args(["-m", "pip", "install", "-q", "--disable-pip-version-check"])
            .args(PYTHON_PACKAGES)
            .status()
            .is_ok_and(|s| s.success());
        if !ok {
            return Err(format!(
                "pip could not install; run: {} -m pip install {}",
                python.display(),
                PYTHON_PACKAGES.join(" ")
            ));
        }
    }
    Ok(python)
}

fn tusd() -> Result<PathBuf, String> {
    if let Some(p) = std::env::var_os("TUSD_BIN").map(PathBuf::from).filter(|p| p.is_file()) {
        return Ok(p);
    }
    if let Some(p) = on_path("tusd") {
        return Ok(p);
    }
    let go = go().ok_or("Go is missing; run: sudo apt-get install -y golang-go")?;
    let gopath = Command::new(&go)
        .args(["env", "GOPATH"])
        .output()
        .map(|o| PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()))
        .map_err(|e| format!("go env GOPATH: {e}"))?;
    let built = gopath.join("bin/tusd");
    if !built.is_file() {
        eprintln!("==> go install {TUSD}");
        let ok = Command::new(&go).args(["install", TUSD]).status().is_ok_and(|s| s.success());
        if !ok {
            return Err(format!("could not build tusd; run: go install {TUSD}"));
        }
    }
    Ok(built)
}

/// Debian's `initdb` (not on PATH: it lives under the version's directory).
fn initdb() -> Option<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| e.ok())
        .map(|e| e.path().join("bin/initdb"))
        .filter(|p| p.is_file())
        .collect();
    found.sort();
    found.pop()
}

/// A PostgreSQL cluster made for this run, stopped and removed when dropped.
pub struct Postgres {
    /// `postgres://phananh@127.0.0.1:PORT/postgres`.
    pub url: String,
    dir: PathBuf,
    pg_ctl: PathBuf,
}

impl Postgres {
    /// Make a cluster in a fresh directory and start it on a free loopback
    /// port: no password (trust, loopback only), `fsync` off (nothing in
    /// it outlives the run). As root it runs as Debian's `postgres` user,
    /// since PostgreSQL refuses to run as root.
    pub fn start() -> Result<Postgres, String> {
        let initdb = initdb().ok_or("PostgreSQL is missing; run: sudo apt-get install -y postgresql")?;
        let pg_ctl = initdb.with_file_name("pg_ctl");
        let dir = std::env::temp_dir().join(format!("phananh-ci-pg-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map_err(|e| format!("no free port: {e}"))?
            .port();
        let as_user = |program: &Path, args: &[&str]| -> Command {
            if is_root() {
                let mut c = Command::new("runuser");
                c.args(["-u", "postgres", "--"]).arg(program).args(args);
                c
            } else {
                let mut c = Command::new(program);
                c.args(args);
                c
            }
        };
        if is_root() {
            let ok = Command::new("chown").arg("postgres").arg(&dir).status().is_ok_and(|s| s.success());
            if !ok {
                return Err(format!("could not give {} to the postgres user", dir.display()));
            }
        }
        let data = dir.join("data");
        let data_s = data.to_string_lossy().into_owned();
        let out = as_user(&initdb, &["-D", &data_s, "-U", "phananh", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"])
            .output()
            .map_err(|e| format!("initdb: {e}"))?;
        if !out.status.success() {
            return Err(format!("initdb failed: {}", String::from_utf8_lossy(&out.stderr)));
        }
        let options = format!("-p {port} -c listen_addresses=127.0.0.1 -k {} -c fsync=off", dir.display());
        let log = dir.join("postgres.log").to_string_lossy().into_owned();
        let ok = as_user(&pg_ctl, &["-D", &data_s, "-o", &options, "-l", &log, "-w", "start"])
            .status()
            .is_ok_and(|s| s.success());
        if !ok {
            let log = std::fs::read_to_string(dir.join("postgres.log")).unwrap_or_default();
            return Err(format!("PostgreSQL did not start:\n{log}"));
        }
        Ok(Postgres { url: format!("postgres://phananh@127.0.0.1:{port}/postgres"), dir, pg_ctl })
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        let data = self.dir.join("data");
        let mut stop = if is_root() {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(&self.pg_ctl);
            c
        } else {
            Command::new(&self.pg_ctl)
        };
        let _ = stop.arg("-D").arg(&data).args(["-m", "immediate", "stop"]).output();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// SeaweedFS, the S3-compatible server the photo-store tests use (Apache-2.0).
const SEAWEEDFS: &str = "github.com/seaweedfs/seaweedfs@v0.0.0-20261109003541-7506e5f91cd6";

/// The `weed` binary: `WEED_BIN`, on PATH, or built once into GOPATH/bin.
/// `go install` refuses the module (its go.mod has replace directives), so
/// it is downloaded, copied somewhere writable and built there (about ten
/// minutes on two cores, the first time).
pub fn weed(root: &Path) -> Result<PathBuf, String> {
    if let Some(p) = std::env::var_os("WEED_BIN").map(PathBuf::from).filter(|p| p.is_file()) {
        return Ok(p);
    }
    if let Some(p) = on_path("weed") {
        return Ok(p);
    }
    let go = go().ok_or("Go is missing; run: sudo apt-get install -y golang-go")?;
    let built = PathBuf::from(go_output(&go, &[], &["env", "GOPATH"])?).join("bin/weed");
    if built.is_file() {
        return Ok(built);
    }
    eprintln!("==> building SeaweedFS ({SEAWEEDFS}); about ten minutes the first time");
    // Its modules and build cache (~5 GB) go to a scratch folder removed
    // after the build: only the binary is kept, and a CI machine's disk is
    // needed for the Rust test binaries that build beside it.
    let scratch = root.join("target/seaweedfs-go");
    let _ = std::fs::remove_dir_all(&scratch);
    let built = weed_in(&go, root, &scratch, &built);
    let _ = std::fs::remove_dir_all(&scratch);
    built
}

/// Download SeaweedFS's module into `scratch`, build `weed` to `built`.
fn weed_in(go: &Path, root: &Path, scratch: &Path, built: &Path) -> Result<PathBuf, String> {
    let env = [
        ("GOMODCACHE", scratch.join("mod")),
        ("GOCACHE", scratch.join("cache")),
        // Writable module files, so the scratch folder can be removed.
        ("GOFLAGS", PathBuf::from("-modcacherw")),
    ];
    let json = go_output(go, &env, &["mod", "download", "-json", SEAWEEDFS])?;
    let dir = json
        .lines()
        .find_map(|l| l.trim().strip_prefix("\"Dir\": \"")?.strip_suffix("\","))
        .ok_or("go mod download did not say where the module is")?;
    let src = root.join("target/seaweedfs-src");
    let _ = std::fs::remove_dir_all(&src);
    let copied = Command::new("cp").arg("-r").arg(dir).arg(&src).status().is_ok_and(|s| s.success())
        && Command::new("chmod").args(["-R", "u+w"]).arg(&src).status().is_ok_and(|s| s.success());
    if !copied {
        return Err(format!("could not copy {dir} to {}", src.display()));
    }
    let ok = Command::new(go)
        .args(["build", "-o"])
        .arg(built)
        .arg("./weed")
        .current_dir(&src)
        .envs(env.iter().map(|(k, v)| (k, v)))
        .status()
        .is_ok_and(|s| s.success());
    let _ = std::fs::remove_dir_all(&src);
    if !ok {
        return Err(format!("could not build SeaweedFS; see above (module {SEAWEEDFS})"));
    }
    Ok(built.to_path_buf())
}

/// What `go ARGS` prints, with `env` set; its error output on failure.
fn go_output(go: &Path, env: &[(&str, PathBuf)], args: &[&str]) -> Result<String, String> {
    let o = Command::new(go)
        .args(args)
        .envs(env.iter().map(|(k, v)| (k, v)))
        .output()
        .map_err(|e| format!("go {}: {e}", args.join(" ")))?;
    if !o.status.success() {
        return Err(format!("go {} failed: {}", args.join(" "), String::from_utf8_lossy(&o.stderr)));
    }
    Ok(String::from_utf8_lossy(&o.stdout).trim().to_owned())
}

/// A SeaweedFS server (master, volume, filer, S3) on loopback for the
/// length of the run, stopped and removed when dropped.
pub struct SeaweedFs {
    /// `http://127.0.0.1:PORT`, the S3 endpoint.
    pub endpoint: String,
    child: std::process::Child,
    dir: PathBuf,
}

/// Whether nothing listens on `port` (nor on its gRPC twin, port + 10000,
/// which SeaweedFS also takes).
fn free(port: u16) -> bool {
    let bind = |p: u16| std::net::TcpListener::bind(("127.0.0.1", p)).is_ok();
    bind(port) && port.checked_add(10_000).is_some_and(bind)
}

/// The status of `METHOD PATH` on loopback `port`, if it answers.
fn http_status(port: u16, method: &str, path: &str) -> Option<u16> {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(std::time::Duration::from_secs(10))).ok()?;
    let body = if method == "PUT" { "x" } else { "" };
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    s.write_all(request.as_bytes()).ok()?;
    let mut head = [0u8; 12];
    s.read_exact(&mut head).ok()?;
    std::str::from_utf8(&head[9..12]).ok()?.parse().ok()
}

impl SeaweedFs {
    /// Start `weed server` with S3 on free loopback ports, wait until S3
    /// answers, and make the tests' bucket and its first volumes (their
    /// growth is slow the first time).
    pub fn start(weed: &Path) -> Result<SeaweedFs, String> {
        let dir = std::env::temp_dir().join(format!("phananh-ci-s3-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        // Four ports (and their gRPC twins) in a quiet range.
        let base = (20_000..29_000)
            .step_by(7)
            .map(|b: u16| b + (std::process::id() % 7) as u16)
            .find(|b| (0..4).all(|i| free(b + i)))
            .ok_or("no free ports for SeaweedFS")?;
        let (master, volume, filer, s3) = (base, base + 1, base + 2, base + 3);
        let log = std::fs::File::create(dir.join("weed.log")).map_err(|e| e.to_string())?;
        let child = Command::new(weed)
            .arg("server")
            .args(["-ip=127.0.0.1", "-ip.bind=127.0.0.1"])
            .arg(format!("-dir={}", dir.display()))
            .arg(format!("-master.port={master}"))
            .arg(format!("-volume.port={volume}"))
            .args(["-filer", &format!("-filer.port={filer}")])
            .args(["-s3", &format!("-s3.port={s3}")])
            .args(["-master.volumeSizeLimitMB=64", "-volume.max=100"])
            .stdout(log.try_clone().map_err(|e| e.to_string())?)
            .stderr(log)
            .spawn()
            .map_err(|e| format!("{}: {e}", weed.display()))?;
        let server = SeaweedFs { endpoint: format!("http://127.0.0.1:{s3}"), child, dir };
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
        while http_status(s3, "GET", "/") != Some(200) {
            if std::time::Instant::now() > deadline {
                let log = std::fs::read_to_string(server.dir.join("weed.log")).unwrap_or_default();
                return Err(format!("SeaweedFS did not answer on port {s3}:\n{log}"));
            }
            std::thread::sleep(std::time::Duration::from_millis(250));
        }
        // The tests' bucket (tests/common/s3.rs), and one write so its
        // volumes exist before the tests time anything.
        for _ in 0..60 {
            let bucket = http_status(s3, "PUT", "/phananh-tests");
            if matches!(bucket, Some(200 | 409)) && http_status(s3, "PUT", "/phananh-tests/warm-up") == Some(200) {
                return Ok(server);
            }
            std::thread::sleep(std::time::Duration::from_millis(500));
        }
        Err("SeaweedFS did not accept a first object".into())
    }
}

impl Drop for SeaweedFs {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
