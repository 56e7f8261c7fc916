//! The province's setup on one machine: replicas of the real server
//! sharing a PostgreSQL database and an S3 bucket (SeaweedFS), behind a
//! real nginx. `.ci/run` starts PostgreSQL and SeaweedFS
//! (`PHANANH_PG_URL`, `PHANANH_S3_ENDPOINT`) and installs nginx.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use phananh_server::photos::s3::S3Location;

/// Where a cluster keeps its records and photos: a database and a prefix
/// in the tests' bucket, kept in `DATA/cluster.txt` so a restart on the
/// same data finds them again.
#[derive(Debug, Clone)]
pub struct Backing {
    /// The database.
    pub database: String,
    /// The photos and partial uploads.
    pub photos: S3Location,
}

/// Whether the end-to-end tests run against a cluster
/// (`PHANANH_E2E_CLUSTER=1`); CI runs the sync suite a second time so.
pub fn wanted() -> bool {
    std::env::var("PHANANH_E2E_CLUSTER").is_ok_and(|v| v == "1")
}

fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| panic!("a cluster needs {name} (see .ci/run)"))
}

impl Backing {
    /// The backing of `data`: made fresh the first time, found again after.
    pub async fn of(data: &Path) -> Backing {
        let file = data.join("cluster.txt");
        if let Ok(text) = std::fs::read_to_string(&file) {
            let (database, photos) = text.split_once('\n').expect("cluster.txt");
            return Backing { database: database.to_owned(), photos: S3Location::parse(photos.trim()).expect("s3") };
        }
        let backing = Backing::fresh().await;
        let photos =
            format!("s3://{}/{}?endpoint={}", backing.photos.bucket, backing.photos.prefix, env("PHANANH_S3_ENDPOINT"));
        std::fs::write(&file, format!("{}\n{photos}", backing.database)).expect("cluster.txt");
        backing
    }

    /// A new database and a new prefix in the tests' bucket.
    pub async fn fresh() -> Backing {
        let url = env("PHANANH_PG_URL");
        let (client, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls).await.expect("PostgreSQL");
        tokio::spawn(connection);
        let id = uuid::Uuid::now_v7().simple().to_string();
        client.batch_execute(&format!("CREATE DATABASE e2e_{id}")).await.expect("create database");
        let base = url.split('?').next().unwrap_or(&url);
        let host_end = base.find("://").map_or(0, |i| i + 3);
        let host_end = base[host_end..].find('/').map_or(base.len(), |i| host_end + i);
        let database = format!("{}/e2e_{id}", &base[..host_end]);
        let endpoint = env("PHANANH_S3_ENDPOINT");
        let _ = rustls::crypto::ring::default_provider().install_default();
        let r = reqwest::Client::new().put(format!("{endpoint}/phananh-tests")).send().await.expect("S3 server");
        assert!(r.status().is_success() || r.status() == 409, "bucket: {}", r.status());
        let photos = S3Location::parse(&format!("s3://phananh-tests/e2e-{id}?endpoint={endpoint}")).expect("s3");
        Backing { database, photos }
    }
}

/// nginx balancing between `upstreams`, on a loopback port of its own.
pub struct Nginx {
    /// Where clients connect.
    pub addr: SocketAddr,
    child: Child,
    dir: PathBuf,
}

impl Nginx {
    /// Start nginx (`nginx` on PATH or in /usr/sbin) in front of `upstreams`,
    /// round robin: consecutive requests go to different replicas. A replica
    /// that refuses connections is passed over (idempotent requests are
    /// retried on the next; a PATCH is not, as nginx never retries one).
    pub fn start(upstreams: &[SocketAddr]) -> Nginx {
        let dir = tempfile::tempdir().expect("nginx dir").keep();
        let port = std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("port").port();
        let servers: String = upstreams.iter().map(|u| format!("        server {u} max_fails=0;\n")).collect();
        let conf = format!(
            "worker_processes 1;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
daemon off;
{user}
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {dir}/body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    upstream replicas {{
{servers}        keepalive 16;
    }}
    server {{
        listen 127.0.0.1:{port};
        client_max_body_size 16m;
        location / {{
            proxy_pass http://replicas;
            proxy_http_version 1.1;
            proxy_set_header Connection \"\";
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            # Uploads stream through as they arrive, answers too.
            proxy_request_buffering off;
            proxy_buffering off;
            proxy_next_upstream error timeout;
            proxy_connect_timeout 2s;
            proxy_read_timeout 120s;
            proxy_send_timeout 120s;
        }}
    }}
}}
",
            dir = dir.display(),
            // As root the workers would drop to `nobody`, who cannot write
            // the temporary directories made here.
            user = if is_root() { "user root;" } else { "" },
        );
        std::fs::write(dir.join("nginx.conf"), conf).expect("nginx.conf");
        let nginx = ["/usr/sbin/nginx", "/usr/local/sbin/nginx"]
            .into_iter()
            .map(PathBuf::from)
            .find(|p| p.is_file())
            .unwrap_or_else(|| PathBuf::from("nginx"));
        let child = Command::new(nginx)
            .arg("-p")
            .arg(&dir)
            .arg("-c")
            .arg(dir.join("nginx.conf"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("nginx (apt-get install nginx)");
        let addr: SocketAddr = format!("127.0.0.1:{port}").parse().expect("addr");
        let nginx = Nginx { addr, child, dir };
        for _ in 0..500 {
            if std::net::TcpStream::connect(addr).is_ok() {
                return nginx;
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        let dir = nginx.dir.clone();
        drop(nginx);
        let log = std::fs::read_to_string(dir.join("error.log")).unwrap_or_default();
        panic!("nginx did not start: {log}");
    }
}

fn is_root() -> bool {
    Command::new("id").arg("-u").output().is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

impl Drop for Nginx {
    fn drop(&mut self) {
        // SIGTERM: nginx's fast shutdown takes its workers with it (a
        // SIGKILL to the master left them running, orphaned, each holding
        // the port). SIGKILL only if it has not gone within a few seconds.
        let pid = self.child.id().to_string();
        let _ = Command::new("kill").args(["-TERM", &pid]).status();
        for _ in 0..300 {
            if self.child.try_wait().ok().flatten().is_some() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
