//! `phananh-server serve | staff add | unit list | apikey add`.

use std::io::Read;
use std::path::PathBuf;

use anyhow::Context;
use clap::{Parser, Subcommand};
use phananh_server::storage::Role;
use phananh_server::{Config, auth, demo, staff};
use tokio::net::TcpListener;

/// The Phản Ánh reference server.
#[derive(Debug, Parser)]
#[command(name = "phananh-server", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the API, uploads, public pages and the staff side
    Serve(Box<ServeArgs>),
    /// Copy a district's data directory (SQLite and photo files) into
    /// PostgreSQL (and an S3 bucket), then verify every table and photo
    Migrate {
        /// The data directory to copy from (left as it is)
        #[arg(long, value_name = "DIR")]
        from: PathBuf,
        /// The new, empty PostgreSQL database (postgres://USER:PASSWORD@HOST:PORT/DB)
        #[arg(long, value_name = "URL", value_parser = parse_database)]
        to: String,
        /// The bucket for the photos (s3://BUCKET[/PREFIX]?endpoint=URL&region=REGION);
        /// without it they stay in DIR/photos
        #[arg(long, value_name = "URL", value_parser = phananh_server::photos::s3::S3Location::parse)]
        photos: Option<phananh_server::photos::s3::S3Location>,
    },
    /// The district's units
    #[command(subcommand)]
    Unit(UnitCommand),
    /// Manage staff accounts
    #[command(subcommand)]
    Staff(StaffCommand),
    /// Manage Open311 API keys
    #[command(subcommand)]
    Apikey(ApikeyCommand),
}

/// `serve`'s options.
#[derive(Debug, clap::Args)]
struct ServeArgs {
    /// Data directory (database, photos, partial uploads); created if missing
    #[arg(long, value_name = "DIR")]
    data: PathBuf,
    /// PostgreSQL instead of DIR/server.sqlite3 (postgres://USER:PASSWORD@HOST:PORT/DB)
    #[arg(long, value_name = "URL", value_parser = parse_database)]
    database: Option<String>,
    /// An S3-compatible bucket for photos and unfinished uploads instead of
    /// DIR/photos and DIR/uploads: s3://BUCKET[/PREFIX]?endpoint=URL&region=REGION
    /// (credentials from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)
    #[arg(long, value_name = "URL", value_parser = phananh_server::photos::s3::S3Location::parse)]
    photos: Option<phananh_server::photos::s3::S3Location>,
    /// A proxy (the load balancer) whose X-Forwarded-For gives the client's
    /// address, for per-address limits; repeat for several
    #[arg(long, value_name = "IP")]
    trusted_proxy: Vec<std::net::IpAddr>,
    /// Address to listen on
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: String,
    /// Seed demo categories, the Đô Lương service area and a staff account
    #[arg(long)]
    demo: bool,
    /// With --demo: also this many synthetic reports over the past year,
    /// spread over the communes (once; for the map, charts and scoreboard)
    #[arg(long, value_name = "N", default_value_t = 0)]
    demo_reports: u32,
    /// Report creations allowed per device per minute
    #[arg(long, default_value_t = 30)]
    creates_per_minute: u32,
    /// Report creations and registrations allowed per client IP per minute (0: no limit)
    #[arg(long, default_value_t = 600)]
    ip_creates_per_minute: u32,
    /// The address residents reach the server at, for links in answers
    /// (e.g. https://phananh.doluong.gov.vn) [default: http://LISTEN]
    #[arg(long, value_name = "URL")]
    public_url: Option<String>,
    /// Connections served at once; more wait until one closes
    #[arg(long, default_value_t = 512)]
    max_connections: usize,
    /// Seconds for a request's headers to arrive (also the keep-alive idle limit)
    #[arg(long, default_value_t = 20)]
    header_timeout: u64,
    /// Seconds a connection may go without sending or receiving a byte
    #[arg(long, default_value_t = 60)]
    idle_timeout: u64,
    /// Seconds for a whole request body to arrive
    #[arg(long, default_value_t = 300)]
    body_timeout: u64,
    /// Most memory one photo decode may need, in MiB (larger photos are refused)
    #[arg(long, default_value_t = 64)]
    decode_budget_mib: u64,
    /// The district's configuration (units, rules, calendar) [default:
    /// DIR/district.toml; with --demo, the demo district is written there]
    #[arg(long, value_name = "FILE")]
    district: Option<PathBuf>,
    /// The maps' basemap tiles, a URL with {z}, {x} and {y}; "none" for
    /// maps without one [default: OpenStreetMap's standard tiles]
    #[arg(long, value_name = "URL")]
    map_tiles: Option<String>,
    /// What the basemap must credit
    #[arg(long, value_name = "TEXT", default_value = "© OpenStreetMap contributors")]
    map_attribution: String,
}

#[derive(Debug, Subcommand)]
enum StaffCommand {
    /// Add a staff account (or reset its password); the password is read from stdin
    Add {
        /// Sign-in name
        name: String,
        #[arg(long, value_name = "DIR")]
        data: PathBuf,
        /// PostgreSQL instead of DIR/server.sqlite3 (postgres://USER:PASSWORD@HOST:PORT/DB)
        #[arg(long, value_name = "URL", value_parser = parse_database)]
        database: Option<String>,
        /// coordinator, officer, leader or admin
        #[arg(long, default_value = "coordinator", value_parser = parse_role)]
        role: Role,
        /// The account's unit (an officer's is required)
        #[arg(long, value_name = "CODE")]
        unit: Option<String>,
        /// The district's configuration [default: DIR/district.toml]
        #[arg(long, value_name = "FILE")]
        district: Option<PathBuf>,
    },
    /// Disable an account (a leaver): it can no longer sign in, its sessions
    /// end, its name stays on what it did; `staff add` enables it again
    Disable {
        /// Sign-in name
        name: String,
        #[arg(long, value_name = "DIR")]
        data: PathBuf,
        /// PostgreSQL instead of DIR/server.sqlite3 (postgres://USER:PASSWORD@HOST:PORT/DB)
        #[arg(long, value_name = "URL", value_parser = parse_database)]
        database: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
enum UnitCommand {
    /// Every unit: code, name, kind, parent
    List {
        #[arg(long, value_name = "DIR")]
        data: PathBuf,
        /// Print JSON: [{"code", "name", "kind", "parent"}]
        #[arg(long)]
        json: bool,
        /// The district's configuration [default: DIR/district.toml]
        #[arg(long, value_name = "FILE")]
        district: Option<PathBuf>,
    },
}

fn parse_database(text: &str) -> Result<String, String> {
    if !(text.starts_with("postgres://") || text.starts_with("postgresql://")) {
        return Err("a PostgreSQL URL: postgres://USER:PASSWORD@HOST:PORT/DATABASE".into());
    }
    text.parse::<tokio_postgres::Config>().map_err(|e| format!("not a PostgreSQL URL: {e}"))?;
    Ok(text.to_owned())
}

/// The configuration of a command that opens the records.
fn config_for(data: PathBuf, database: Option<String>) -> Config {
    let mut config = Config::new(data);
    config.database = database;
    config
}

fn parse_role(text: &str) -> Result<Role, String> {
    Role::from_code(text).ok_or_else(|| "use coordinator, officer, leader or admin".into())
}

#[derive(Debug, Subcommand)]
enum ApikeyCommand {
    /// Create an API key; printed as the last word of the output
    Add {
        /// Who the key is for
        name: String,
        #[arg(long, value_name = "DIR")]
        data: PathBuf,
        /// PostgreSQL instead of DIR/server.sqlite3 (postgres://USER:PASSWORD@HOST:PORT/DB)
        #[arg(long, value_name = "URL", value_parser = parse_database)]
        database: Option<String>,
    },
}

fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()))
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    match cli.command {
        Command::Serve(args) => {
            let ServeArgs {
                data,
                database,
                photos,
                trusted_proxy,
                listen,
                demo,
                demo_reports,
                creates_per_minute,
                ip_creates_per_minute,
                public_url,
                max_connections,
                header_timeout,
                idle_timeout,
                body_timeout,
                decode_budget_mib,
                district,
                map_tiles,
                map_attribution,
            } = *args;
            anyhow::ensure!(
                database.is_none() || demo_reports == 0,
                "--demo-reports writes into the SQLite default; fill a data directory, then `migrate` it"
            );
            let mut config = config_for(data, database);
            config.photos = photos;
            config.trusted_proxies = trusted_proxy;
            match map_tiles.as_deref() {
                None => {}
                Some("none" | "") => config.map_tiles = None,
                Some(url) => {
                    let tiles = phananh_server::state::MapTiles { url: url.to_owned(), attribution: map_attribution };
                    anyhow::ensure!(
                        tiles.origin().is_some() && ["{z}", "{x}", "{y}"].iter().all(|p| url.contains(p)),
                        "--map-tiles is an http(s) URL with {{z}}, {{x}} and {{y}}"
                    );
                    config.map_tiles = Some(tiles);
                }
            }
            config.district_file = district;
            config.creates_per_minute = creates_per_minute;
            config.ip_creates_per_minute = ip_creates_per_minute;
            if let Some(url) = public_url {
                anyhow::ensure!(
                    url.starts_with("http://") || url.starts_with("https://"),
                    "--public-url must start with http:// or https://"
                );
                config.public_url = Some(url);
            }
            config.conn.max_connections = max_connections.max(1);
            config.conn.header_timeout = std::time::Duration::from_secs(header_timeout.max(1));
            config.conn.idle_timeout = std::time::Duration::from_secs(idle_timeout.max(1));
            config.conn.body_timeout = std::time::Duration::from_secs(body_timeout.max(1));
            config.decode_budget = decode_budget_mib.max(1) << 20;
            serve(config, &listen, demo, demo_reports)
        }
        Command::Staff(StaffCommand::Add { name, data, database, role, unit, district }) => {
            let mut config = config_for(data, database);
            config.district_file = district;
            let units = phananh_server::load_district(&config)?;
            if let Some(code) = &unit {
                anyhow::ensure!(
                    units.unit(code).is_some(),
                    "unit {code} is not in the district (phananh-server unit list)"
                );
            }
            let mut password = String::new();
            std::io::stdin().read_to_string(&mut password).context("reading the password from stdin")?;
            let state = phananh_server::open(config)?;
            let password = password.trim_end_matches(['\r', '\n']);
            block_on(staff::add(state.store.as_ref(), &name, password, role, unit.as_deref()))??;
            println!("staff account {name} saved ({})", role.code());
            Ok(())
        }
        Command::Staff(StaffCommand::Disable { name, data, database }) => {
            let state = phananh_server::open(config_for(data, database))?;
            block_on(staff::disable(state.store.as_ref(), &name))??;
            println!("staff account {name} disabled");
            Ok(())
        }
        Command::Migrate { from, to, photos } => {
            let moved = block_on(phananh_server::migrate::migrate(&from, &to, photos.as_ref()))??;
            for (table, rows) in &moved.rows {
                println!("{table:<16} {rows:>9} rows, equal");
            }
            println!(
                "photos: {} copied and read back with their sha256 ({} thumbnails, {} unfinished uploads)",
                moved.photos, moved.thumbnails, moved.partial_uploads
            );
            println!("migrated {} into PostgreSQL; serve it with --database (and --photos)", from.display());
            Ok(())
        }
        Command::Unit(UnitCommand::List { data, json, district }) => {
            let mut config = Config::new(data);
            config.district_file = district;
            let units = phananh_server::load_district(&config)?;
            if json {
                let list: Vec<_> = units
                    .units()
                    .iter()
                    .map(|u| serde_json::json!({"code": u.code, "name": u.name_vi, "kind": u.kind.code(), "parent": u.parent}))
                    .collect();
                println!("{}", serde_json::to_string_pretty(&list)?);
            } else {
                for u in units.units() {
                    println!("{:<16} {:<10} {}", u.code, u.kind.code(), u.name_vi);
                }
            }
            Ok(())
        }
        Command::Apikey(ApikeyCommand::Add { name, data, database }) => {
            let state = phananh_server::open(config_for(data, database))?;
            let key = auth::new_token().map_err(|e| anyhow::anyhow!(e.message))?;
            block_on(state.store.add_api_key(name.clone(), auth::token_hash(&key)))?.map_err(|e| anyhow::anyhow!(e))?;
            println!("API key for {name}: {key}");
            Ok(())
        }
    }
}

/// Run one storage call from the command line.
fn block_on<F: std::future::Future>(f: F) -> anyhow::Result<F::Output> {
    Ok(tokio::runtime::Builder::new_current_thread().enable_all().build()?.block_on(f))
}

fn serve(config: Config, listen: &str, with_demo: bool, demo_reports: u32) -> anyhow::Result<()> {
    let data = config.data_dir.clone();
    // Where the records are, for the operator (never the URL: it may hold a password).
    let records = match (config.database.is_some(), config.photos.is_some()) {
        (false, false) => "SQLite",
        (true, false) => "PostgreSQL",
        (false, true) => "SQLite, photos in S3",
        (true, true) => "PostgreSQL, photos in S3",
    };
    if with_demo && config.district_file.is_none() {
        demo::write_district(&data)?;
    }
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(async {
        let state = phananh_server::open(config)?;
        // Reach the database now: a wrong URL stops the start, not the first request.
        state.store.staff_count().await.map_err(|e| anyhow::anyhow!("the records cannot be read: {e}"))?;
        state.photos.partial_len("start").await.map_err(|e| anyhow::anyhow!("the photo store cannot be read: {e}"))?;
        if with_demo {
            demo::seed(state.store.as_ref()).await.map_err(|e| anyhow::anyhow!(e))?;
            let fresh = state.store.staff_count().await.map_err(|e| anyhow::anyhow!(e))? == 0;
            if fresh {
                // Printed once, to the operator's terminal; never logged.
                for (line, name, role, unit) in demo::ACCOUNTS {
                    let password = auth::new_token().map_err(|e| anyhow::anyhow!(e.message))?[..16].to_owned();
                    staff::add(state.store.as_ref(), name, &password, *role, *unit).await?;
                    println!("{line}: {name} / {password}");
                }
            }
            if demo_reports > 0 {
                let db = data.join("server.sqlite3");
                let (district, now) = (state.reports.district(), state.now_ms());
                let filled = phananh_server::demo_reports::fill(&db, district, demo_reports.into(), now, 2026)?;
                if filled.reports > 0 {
                    println!("demo reports: {} written", filled.reports);
                }
            }
        }
        let listener = TcpListener::bind(listen).await.with_context(|| format!("listening on {listen}"))?;
        let addr = listener.local_addr()?;
        println!("phananh-server listening on http://{addr} (data in {}, records in {records})", data.display());
        println!("staff dashboard: http://{addr}/staff");
        phananh_server::serve(listener, state, shutdown_signal()).await
    })
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
