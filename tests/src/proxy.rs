//! A fault-injecting TCP proxy the test controls, between the app's sync
//! client and the real server.
//!
//! Faults are armed one at a time and fire once: cut a connection after N
//! bytes, reset it, stall it, flip one byte, drop the response to a request,
//! answer in the server's place (a 500, a 429 with some `Retry-After`). A
//! fault can wait for a pattern (e.g. `PATCH /api/v1/uploads/`) in the
//! client's bytes before it starts counting. Every byte each way is counted.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// What a fault does when it fires.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Forward `n` more client bytes, then close both sides.
    CutAfter(u64),
    /// Flip (xor 0xff) the client byte `n` bytes on.
    Flip(u64),
    /// Close the connection with a TCP reset at once.
    Reset,
    /// Hold the client's bytes for this long before going on.
    Stall(Duration),
    /// Let the request reach the server but throw its answer away and close.
    DropResponse,
    /// Answer with these raw HTTP bytes instead of the server, and close.
    Respond(String),
}

/// One armed fault.
#[derive(Debug, Clone)]
pub struct Fault {
    /// Fire only on a connection whose client bytes contain this (counting
    /// starts where it begins); `None`: the next client bytes.
    pub when: Option<Vec<u8>>,
    /// What to do.
    pub action: Action,
}

impl Fault {
    /// A fault on the next request whose bytes contain `pattern`.
    pub fn on(pattern: &str, action: Action) -> Fault {
        Fault { when: Some(pattern.as_bytes().to_vec()), action }
    }
}

/// A canned HTTP answer.
pub fn http_response(status: u16, reason: &str, headers: &[(&str, &str)], body: &str) -> String {
    let mut text = format!("HTTP/1.1 {status} {reason}\r\nContent-Length: {}\r\nConnection: close\r\n", body.len());
    for (k, v) in headers {
        text.push_str(&format!("{k}: {v}\r\n"));
    }
    text.push_str("\r\n");
    text.push_str(body);
    text
}

#[derive(Default)]
struct Shared {
    faults: Mutex<VecDeque<Fault>>,
    upstream: Mutex<Option<SocketAddr>>,
    up_bytes: AtomicU64,
    down_bytes: AtomicU64,
    fired: AtomicU64,
    latency_ms: AtomicU64,
    requests: Mutex<Vec<String>>,
    conns: Mutex<Vec<tokio::task::AbortHandle>>,
}

/// The proxy; it stops when dropped.
pub struct FaultProxy {
    addr: SocketAddr,
    shared: Arc<Shared>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl FaultProxy {
    /// Listen on a loopback port, forwarding to `upstream`.
    pub async fn start(upstream: SocketAddr) -> std::io::Result<FaultProxy> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared::default());
        *lock(&shared.upstream) = Some(upstream);
        let s = shared.clone();
        let task = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let conn = tokio::spawn(handle(client, s.clone()));
                let mut conns = lock(&s.conns);
                conns.retain(|c| !c.is_finished());
                conns.push(conn.abort_handle());
            }
        });
        Ok(FaultProxy { addr, shared, task })
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Send new connections elsewhere (a restarted server).
    pub fn set_upstream(&self, upstream: SocketAddr) {
        *lock(&self.shared.upstream) = Some(upstream);
    }

    /// The server is down: drop every open connection and refuse new ones
    /// until `set_upstream`.
    pub fn set_down(&self) {
        *lock(&self.shared.upstream) = None;
        for conn in lock(&self.shared.conns).drain(..) {
            conn.abort();
        }
    }

    /// Arm a fault (after those already armed).
    pub fn arm(&self, fault: Fault) {
        lock(&self.shared.faults).push_back(fault);
    }

    /// Faults armed and not yet fired.
    pub fn armed(&self) -> usize {
        lock(&self.shared.faults).len()
    }

    /// Faults fired so far.
    pub fn fired(&self) -> u64 {
        self.shared.fired.load(Ordering::SeqCst)
    }

    /// Delay every forwarded read by this much (a slow link).
    pub fn set_latency(&self, latency: Duration) {
        self.shared.latency_ms.store(latency.as_millis() as u64, Ordering::SeqCst);
    }

    /// Client → server bytes so far.
    pub fn up_bytes(&self) -> u64 {
        self.shared.up_bytes.load(Ordering::SeqCst)
    }

    /// Server → client bytes so far.
    pub fn down_bytes(&self) -> u64 {
        self.shared.down_bytes.load(Ordering::SeqCst)
    }

    /// The request lines seen (`PUT /api/v1/reports/…`), in order.
    pub fn requests(&self) -> Vec<String> {
        lock(&self.shared.requests).clone()
    }

    /// How many requests seen so far start with `prefix`.
    pub fn count(&self, prefix: &str) -> usize {
        lock(&self.shared.requests).iter().filter(|r| r.starts_with(prefix)).count()
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || hay.len() < needle.len() {
        return None;
    }
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Record request lines: any `METHOD /path` at a line start in the bytes.
fn note_requests(shared: &Shared, buf: &[u8]) {
    for method in ["GET ", "PUT ", "POST ", "PATCH ", "HEAD ", "DELETE ", "OPTIONS "] {
        let mut at = 0;
        while let Some(i) = find(&buf[at..], method.as_bytes()) {
            let start = at + i;
            if start == 0 || buf[start - 1] == b'\n' {
                let end = find(&buf[start..], b"\r\n").map_or(buf.len(), |e| start + e);
                let line = String::from_utf8_lossy(&buf[start..end]).to_string();
                if line.contains(" HTTP/1.") {
                    lock(&shared.requests).push(line);
                }
            }
            at = start + method.len();
        }
    }
}

/// The armed fault that applies to this chunk, with the offset in the chunk
/// where its count starts.
fn take_fault(shared: &Shared, buf: &[u8]) -> Option<(Fault, usize)> {
    let mut faults = lock(&shared.faults);
    let first = faults.front()?;
    let start = match &first.when {
        None => 0,
        Some(p) => find(buf, p)?,
    };
    let fault = faults.pop_front()?;
    shared.fired.fetch_add(1, Ordering::SeqCst);
    Some((fault, start))
}

type Writer = Arc<tokio::sync::Mutex<tokio::net::tcp::OwnedWriteHalf>>;

/// Close with a TCP reset instead of a FIN.
fn reset(w: &tokio::net::tcp::OwnedWriteHalf) {
    let _ = socket2::SockRef::from(AsRef::<TcpStream>::as_ref(w)).set_linger(Some(Duration::ZERO));
}

async fn handle(client: TcpStream, shared: Arc<Shared>) -> std::io::Result<()> {
    let upstream = *lock(&shared.upstream);
    let server = match upstream {
        Some(addr) => TcpStream::connect(addr).await.ok(),
        None => None,
    };
    let Some(server) = server else {
        // The server is down: the client's connection is refused.
        let _ = socket2::SockRef::from(&client).set_linger(Some(Duration::ZERO));
        return Ok(());
    };
    let _ = client.set_nodelay(true);
    let _ = server.set_nodelay(true);
    let (mut cr, cw) = client.into_split();
    let (mut sr, mut sw) = server.into_split();
    let cw: Writer = Arc::new(tokio::sync::Mutex::new(cw));
    let drop_response = Arc::new(AtomicBool::new(false));

    let up = {
        let (shared, drop_response, cw) = (shared.clone(), drop_response.clone(), cw.clone());
        async move {
            let mut buf = vec![0u8; 64 * 1024];
            // A fault counting down across reads: (is it a cut?, bytes to go).
            let mut active: Option<(bool, u64)> = None;
            loop {
                let n = cr.read(&mut buf).await?;
                if n == 0 {
                    let _ = sw.shutdown().await;
                    return Ok::<_, std::io::Error>(());
                }
                let chunk = &mut buf[..n];
                note_requests(&shared, chunk);
                let latency = shared.latency_ms.load(Ordering::SeqCst);
                if latency > 0 {
                    tokio::time::sleep(Duration::from_millis(latency)).await;
                }
                if active.is_none()
                    && let Some((fault, start)) = take_fault(&shared, chunk)
                {
                    match fault.action {
                        Action::Reset => {
                            reset(&*cw.lock().await);
                            return Ok(());
                        }
                        Action::Respond(text) => {
                            // Answer in the server's place; the server never
                            // sees this request.
                            let mut w = cw.lock().await;
                            w.write_all(text.as_bytes()).await?;
                            shared.down_bytes.fetch_add(text.len() as u64, Ordering::SeqCst);
                            let _ = w.shutdown().await;
                            return Ok(());
                        }
                        Action::Stall(d) => tokio::time::sleep(d).await,
                        Action::DropResponse => drop_response.store(true, Ordering::SeqCst),
                        Action::CutAfter(k) => active = Some((true, start as u64 + k)),
                        Action::Flip(k) => active = Some((false, start as u64 + k)),
                    }
                }
                let mut forward = n;
                let mut cut = false;
                if let Some((is_cut, to_go)) = active.take() {
                    if to_go < n as u64 {
                        if is_cut {
                            forward = to_go as usize;
                            cut = true;
                        } else {
                            chunk[to_go as usize] ^= 0xff;
                        }
                    } else {
                        active = Some((is_cut, to_go - n as u64));
                    }
                }
                sw.write_all(&chunk[..forward]).await?;
                shared.up_bytes.fetch_add(forward as u64, Ordering::SeqCst);
                if cut {
                    reset(&*cw.lock().await);
                    return Ok(());
                }
            }
        }
    };
    let down = {
        let (shared, cw) = (shared.clone(), cw.clone());
        async move {
            let mut buf = vec![0u8; 64 * 1024];
            loop {
                let n = sr.read(&mut buf).await?;
                if n == 0 {
                    let _ = cw.lock().await.shutdown().await;
                    return Ok::<_, std::io::Error>(());
                }
                if drop_response.load(Ordering::SeqCst) {
                    // The server answered; the client never hears it.
                    reset(&*cw.lock().await);
                    return Ok(());
                }
                cw.lock().await.write_all(&buf[..n]).await?;
                shared.down_bytes.fetch_add(n as u64, Ordering::SeqCst);
            }
        }
    };
    // Whichever side ends first ends the connection (both halves drop).
    tokio::select! {
        _ = up => {}
        _ = down => {}
    }
    Ok(())
}
