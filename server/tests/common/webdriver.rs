//! A headless Chromium driven over WebDriver (chromedriver), for the
//! pages' tests. Needs Debian's `chromium` and `chromium-driver` (.ci/run
//! installs them).

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::{Value, json};

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

pub struct Driver {
    child: Child,
    base: String,
    session: String,
    http: reqwest::Client,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Driver {
    pub async fn start(profile: &std::path::Path) -> Driver {
        Driver::start_sized(profile, 412, 915).await
    }

    /// A browser with a window of `width` × `height` CSS pixels.
    pub async fn start_sized(profile: &std::path::Path, width: u32, height: u32) -> Driver {
        let driver = ["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"]
            .into_iter()
            .find(|p| std::path::Path::new(p).exists())
            .expect("chromedriver not found: apt-get install chromium chromium-driver (as .ci/run does)");
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let child = Command::new(driver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let base = format!("http://127.0.0.1:{port}");
        let http = super::client();
        for _ in 0..100 {
            if http.get(format!("{base}/status")).send().await.is_ok() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": "/usr/bin/chromium",
                "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
                         "--no-first-run", "--disable-background-networking", "--disable-component-update",
                         "--disable-sync", format!("--window-size={width},{height}"), format!("--user-data-dir={}", profile.display())]
            }
        }}});
        let mut d = Driver { child, base, session: String::new(), http };
        let r = d.call("POST", "/session", caps).await;
        d.session = r["sessionId"].as_str().unwrap_or_else(|| panic!("no session: {r}")).to_owned();
        d
    }

    pub async fn call(&self, method: &str, path: &str, body: Value) -> Value {
        let url = if path == "/session" {
            format!("{}{path}", self.base)
        } else {
            format!("{}/session/{}{path}", self.base, self.session)
        };
        let req = match method {
            "GET" => self.http.get(url),
            "DELETE" => self.http.delete(url),
            _ => self.http.post(url).json(&body),
        };
        let v: Value = req.send().await.unwrap().json().await.unwrap();
        v["value"].clone()
    }

    pub async fn go(&self, url: &str) {
        self.call("POST", "/url", json!({"url": url})).await;
    }

    pub async fn find(&self, css: &str) -> String {
        let v = self.call("POST", "/element", json!({"using": "css selector", "value": css})).await;
        v[ELEMENT].as_str().unwrap_or_else(|| panic!("no element {css}: {v}")).to_owned()
    }

    pub async fn type_into(&self, css: &str, text: &str) {
        let e = self.find(css).await;
        self.call("POST", &format!("/element/{e}/value"), json!({"text": text})).await;
    }

    pub async fn click(&self, css: &str) {
        let e = self.find(css).await;
        self.call("POST", &format!("/element/{e}/click"), json!({})).await;
    }

    pub async fn source(&self) -> String {
        self.call("GET", "/source", json!(null)).await.as_str().unwrap_or_default().to_owned()
    }

    pub async fn url(&self) -> String {
        self.call("GET", "/url", json!(null)).await.as_str().unwrap_or_default().to_owned()
    }

    /// Wait (up to 10 s) for the page to show a text; returns the page.
    pub async fn wait_for_text(&self, text: &str) -> String {
        for _ in 0..100 {
            let page = self.source().await;
            if page.contains(text) {
                return page;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("the page never showed {text:?}");
    }

    /// Wait (up to 10 s) for a form submission's navigation to land.
    pub async fn wait_for_url(&self, suffix: &str) -> String {
        for _ in 0..100 {
            let url = self.url().await;
            if url.ends_with(suffix) {
                return url;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("never reached …{suffix}; at {}", self.url().await);
    }
}

impl Driver {
    /// Run a script in the page and return its value.
    pub async fn script(&self, js: &str) -> Value {
        self.call("POST", "/execute/sync", json!({"script": js, "args": []})).await
    }

    /// Wait (up to 20 s) until a script returns something truthy.
    pub async fn wait_until(&self, js: &str) -> Value {
        for _ in 0..200 {
            let v = self.script(js).await;
            let truthy = match &v {
                Value::Null | Value::Bool(false) => false,
                Value::Number(n) => n.as_f64() != Some(0.0),
                Value::String(s) => !s.is_empty(),
                _ => true,
            };
            if truthy {
                return v;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("never true: {js}");
    }

    /// A screenshot as PNG, written to `path` too.
    pub async fn screenshot(&self, path: &std::path::Path) -> Vec<u8> {
        let png = self.call("GET", "/screenshot", json!(null)).await;
        let png = base64::Engine::decode(&base64::engine::general_purpose::STANDARD, png.as_str().unwrap_or_default())
            .unwrap_or_default();
        std::fs::write(path, &png).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        eprintln!("screenshot: {}", path.display());
        png
    }
}
