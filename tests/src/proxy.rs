//! A fault-injecting TCP proxy the test controls, between the app's sync
//! client and the real server.
//!
//! Faults are armed one at a time and fire once: cut a connection after N
//! bytes, reset it, stall it, flip one byte, drop the response to a request,
//! answer in the server's place (a 500, a 429 with some `Retry-After`). A
//! fault can wait for a pattern (e.g. `PATCH /api/v1/uploads/`) in the
//! client's bytes before it starts counting. Every byte each way is counted.
//!
//! Or it plays a rural link ([`Link`]): a rate each way shared by all
//! connections, a one-way delay as a pipeline (bytes arrive `delay` after
//! they were sent, whatever follows them), and periodic blackouts that reset
//! every open connection and refuse new ones until the signal returns, on a
//! schedule jittered from a seed (the same seed, the same link).

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

/// A link's events (time from its start, what) and its blackouts (from, to):
/// see [`FaultProxy::timeline`].
pub type Timeline = (Vec<(Duration, String)>, Vec<(Duration, Duration)>);

/// A link's shape for [`FaultProxy::set_link`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// Client → server rate, bits per second.
    pub up_bps: u64,
    /// Server → client rate, bits per second.
    pub down_bps: u64,
    /// One-way delay.
    pub delay: Duration,
    /// A blackout starts about this often...
    pub blackout_every: Duration,
    /// ...and lasts this long (zero: never).
    pub blackout_for: Duration,
    /// Seeds the blackouts' jitter (up to a quarter of `blackout_every`).
    pub seed: u64,
}

impl Link {
    /// The rural 3G link of issue 19: 1 Mbit/s up, 2 down, 150 ms each way,
    /// a 4 s blackout every 12 s.
    pub fn rural_3g(seed: u64) -> Link {
        Link {
            up_bps: 1_000_000,
            down_bps: 2_000_000,
            delay: Duration::from_millis(150),
            blackout_every: Duration::from_secs(12),
            blackout_for: Duration::from_secs(4),
            seed,
        }
    }

    /// The harsher one: 384 kbit/s up, 768 down, 300 ms, 10 s out every 30 s.
    pub fn harsh(seed: u64) -> Link {
        Link {
            up_bps: 384_000,
            down_bps: 768_000,
            delay: Duration::from_millis(300),
            blackout_every: Duration::from_secs(30),
            blackout_for: Duration::from_secs(10),
            seed,
        }
    }

    /// The least time `bytes` can take to go up from the moment the link is
    /// set: their air time, stretched by the blackouts on the way (what a
    /// perfect client would reach).
    pub fn ideal_up(&self, bytes: u64) -> Duration {
        let state = LinkState::new(self.clone());
        let need = Link::air(bytes as usize, self.up_bps);
        let step = Duration::from_millis(10);
        let (mut t, mut up) = (Duration::ZERO, Duration::ZERO);
        while up < need {
            if state.blackout_at(state.started + t).is_none() {
                up += step;
            }
            t += step;
        }
        t
    }

    /// Time on the air for `bytes` at `bps`.
    fn air(bytes: usize, bps: u64) -> Duration {
        Duration::from_secs_f64(bytes as f64 * 8.0 / bps.max(1) as f64)
    }
}

/// A link being played: its shape, when it started, and each direction's
/// next free moment on the air (shared by all connections, as a phone's
/// radio is).
struct LinkState {
    shape: Link,
    started: tokio::time::Instant,
    up_free: tokio::time::Instant,
    down_free: tokio::time::Instant,
    /// Blackout `k` starts at `k · every + jitter[k]`.
    jitter: Vec<Duration>,
}

impl LinkState {
    fn new(shape: Link) -> LinkState {
        let now = tokio::time::Instant::now();
        // xorshift64*: a seeded, dependency-free sequence (bounded jitter).
        let mut x = shape.seed | 1;
        let quarter = (shape.blackout_every.as_millis() / 4).max(1) as u64;
        let jitter = (0..10_000)
            .map(|_| {
                x ^= x >> 12;
                x ^= x << 25;
                x ^= x >> 27;
                Duration::from_millis(x.wrapping_mul(0x2545_F491_4F6C_DD1D) % quarter)
            })
            .collect();
        LinkState { shape, started: now, up_free: now, down_free: now, jitter }
    }

    /// The blackout around `at`, as (start, end), if `at` is in one.
    fn blackout_at(&self, at: tokio::time::Instant) -> Option<(tokio::time::Instant, tokio::time::Instant)> {
        let every = self.shape.blackout_every;
        if self.shape.blackout_for.is_zero() || every.is_zero() {
            return None;
        }
        let t = at.saturating_duration_since(self.started);
        let k = (t.as_millis() / every.as_millis()) as usize;
        // This period's blackout, or the previous one still running.
        for k in [k, k.saturating_sub(1)] {
            if k == 0 {
                continue; // the first period is clear: the phone starts with a signal
            }
            let start = self.started + every * k as u32 + self.jitter[k % self.jitter.len()];
            let end = start + self.shape.blackout_for;
            if at >= start && at < end {
                return Some((start, end));
            }
        }
        None
    }

    /// The next blackout's start after `at`.
    fn next_blackout(&self, at: tokio::time::Instant) -> Option<tokio::time::Instant> {
        let every = self.shape.blackout_every;
        if self.shape.blackout_for.is_zero() || every.is_zero() {
            return None;
        }
        let t = at.saturating_duration_since(self.started);
        let k = (t.as_millis() / every.as_millis()) as usize;
        (k.max(1)..k + 3)
            .map(|k| self.started + every * k as u32 + self.jitter[k % self.jitter.len()])
            .find(|start| *start > at)
    }
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
    link: Mutex<Option<LinkState>>,
    /// Connections reset by blackouts.
    blackout_resets: AtomicU64,
    /// What happened on a link, when (requests, answers' status lines,
    /// connections opened, refused and reset): where a slow run's time went.
    timeline: Mutex<Vec<(tokio::time::Instant, String)>>,
}

/// Note an event on the link's timeline (only while a link is played).
fn mark(shared: &Shared, what: impl FnOnce() -> String) {
    if lock(&shared.link).is_some() {
        lock(&shared.timeline).push((tokio::time::Instant::now(), what()));
    }
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

    /// Play a rural link from now on (new connections; see [`Link`]).
    pub fn set_link(&self, link: Link) {
        *lock(&self.shared.link) = Some(LinkState::new(link));
    }

    /// Connections the blackouts have reset so far.
    pub fn blackout_resets(&self) -> u64 {
        self.shared.blackout_resets.load(Ordering::SeqCst)
    }

    /// Client → server bytes so far (on a link: bytes that went on the air,
    /// lost in a blackout or not).
    pub fn up_bytes(&self) -> u64 {
        self.shared.up_bytes.load(Ordering::SeqCst)
    }

    /// Server → client bytes so far.
    pub fn down_bytes(&self) -> u64 {
        self.shared.down_bytes.load(Ordering::SeqCst)
    }

    /// The link's timeline since [`FaultProxy::set_link`]: each event's
    /// time from the link's start (`> PATCH …` a request, `< 204` an
    /// answer, `connect`, `refused`, `reset`), and the blackouts' windows
    /// up to the last event.
    pub fn timeline(&self) -> Timeline {
        let guard = lock(&self.shared.link);
        let Some(link) = guard.as_ref() else { return (Vec::new(), Vec::new()) };
        let events: Vec<(Duration, String)> = lock(&self.shared.timeline)
            .iter()
            .map(|(at, what)| (at.saturating_duration_since(link.started), what.clone()))
            .collect();
        let end = link.started + events.last().map_or(Duration::ZERO, |e| e.0);
        let mut blackouts = Vec::new();
        let mut at = link.started;
        while let Some(start) = link.next_blackout(at) {
            if start > end {
                break;
            }
            let (s, e) = (start - link.started, start - link.started + link.shape.blackout_for);
            blackouts.push((s, e));
            at = start + link.shape.blackout_for;
        }
        (events, blackouts)
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
                    mark(shared, || format!("> {line}"));
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
    if lock(&shared.link).is_some() {
        return handle_link(client, shared).await;
    }
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
                            shared.down_bytes.fetch_add(text.len() as u64, Ordering::SeqCst);
                            w.write_all(text.as_bytes()).await?;
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
                // Counted before the write: once the peer has the bytes, a
                // test may read the counter, and it must already include them.
                shared.up_bytes.fetch_add(forward as u64, Ordering::SeqCst);
                sw.write_all(&chunk[..forward]).await?;
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
                shared.down_bytes.fetch_add(n as u64, Ordering::SeqCst);
                cw.lock().await.write_all(&buf[..n]).await?;
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

/// Which way bytes go on the link.
#[derive(Clone, Copy)]
enum Way {
    Up,
    Down,
}

/// When `n` bytes read now leave the link's far end: after the direction's
/// earlier bytes, their own time on the air, and the delay.
fn shape(shared: &Shared, way: Way, n: usize) -> Option<(tokio::time::Instant, tokio::time::Instant)> {
    let mut guard = lock(&shared.link);
    let link = guard.as_mut()?;
    let now = tokio::time::Instant::now();
    let (free, bps) = match way {
        Way::Up => (&mut link.up_free, link.shape.up_bps),
        Way::Down => (&mut link.down_free, link.shape.down_bps),
    };
    let sent = (*free).max(now) + Link::air(n, bps);
    *free = sent;
    Some((sent, sent + link.shape.delay))
}

/// A connection over the link: shaped and delayed both ways, reset when a
/// blackout starts, refused during one.
async fn handle_link(client: TcpStream, shared: Arc<Shared>) -> std::io::Result<()> {
    let (blackout, next, delay) = {
        let guard = lock(&shared.link);
        let Some(link) = guard.as_ref() else { return Ok(()) };
        let now = tokio::time::Instant::now();
        (link.blackout_at(now), link.next_blackout(now), link.shape.delay)
    };
    if blackout.is_some() {
        // No signal: the phone's connection attempt fails.
        mark(&shared, || "refused".into());
        let _ = socket2::SockRef::from(&client).set_linger(Some(Duration::ZERO));
        return Ok(());
    }
    // The handshake's round trip.
    tokio::time::sleep(delay * 2).await;
    mark(&shared, || "connect".into());
    let upstream = *lock(&shared.upstream);
    let Some(server) = (match upstream {
        Some(addr) => TcpStream::connect(addr).await.ok(),
        None => None,
    }) else {
        let _ = socket2::SockRef::from(&client).set_linger(Some(Duration::ZERO));
        return Ok(());
    };
    let _ = client.set_nodelay(true);
    let _ = server.set_nodelay(true);
    let (cr, cw) = client.into_split();
    let (sr, sw) = server.into_split();
    // The blackout's start resets both ends.
    let (cut_tx, cut_rx) = tokio::sync::watch::channel(false);
    let up = pipe(cr, sw, shared.clone(), Way::Up, cut_rx.clone());
    let down = pipe(sr, cw, shared.clone(), Way::Down, cut_rx);
    let clock = async {
        match next {
            Some(at) => {
                tokio::time::sleep_until(at).await;
                shared.blackout_resets.fetch_add(1, Ordering::SeqCst);
                mark(&shared, || "reset".into());
                let _ = cut_tx.send(true);
            }
            None => std::future::pending().await,
        }
    };
    tokio::select! {
        _ = async { let _ = tokio::join!(up, down); } => {}
        _ = clock => {}
    }
    Ok(())
}

/// One direction of a link connection: read, take the air time, deliver
/// after the delay (a pipeline: later bytes do not wait for earlier ones'
/// delay, only for their air time).
async fn pipe(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    shared: Arc<Shared>,
    way: Way,
    cut: tokio::sync::watch::Receiver<bool>,
) -> std::io::Result<()> {
    let (tx, mut rx) = tokio::sync::mpsc::channel::<(tokio::time::Instant, Vec<u8>)>(256);
    let mut reader_cut = cut.clone();
    let mut writer_cut = cut;
    let reader = {
        let shared = shared.clone();
        async move {
            // Small reads: the air time is taken a few KiB at a time, as a
            // radio would.
            let mut buf = vec![0u8; 4 * 1024];
            loop {
                let n = tokio::select! {
                    n = from.read(&mut buf) => n?,
                    _ = reader_cut.wait_for(|c| *c) => return Ok::<_, std::io::Error>(()),
                };
                if n == 0 {
                    return Ok::<_, std::io::Error>(());
                }
                match way {
                    Way::Up => note_requests(&shared, &buf[..n]),
                    Way::Down if buf[..n].starts_with(b"HTTP/1.") => {
                        let end = find(&buf[..n], b"\r\n").unwrap_or(n).min(16);
                        mark(&shared, || format!("< {}", String::from_utf8_lossy(&buf[9.min(end)..end])));
                    }
                    Way::Down => {}
                }
                let Some((on_air_until, arrives)) = shape(&shared, way, n) else { return Ok(()) };
                // The sender's radio is busy until its bytes are out.
                tokio::time::sleep_until(on_air_until).await;
                match way {
                    Way::Up => shared.up_bytes.fetch_add(n as u64, Ordering::SeqCst),
                    Way::Down => shared.down_bytes.fetch_add(n as u64, Ordering::SeqCst),
                };
                if tx.send((arrives, buf[..n].to_vec())).await.is_err() {
                    return Ok(());
                }
            }
        }
    };
    let writer = async move {
        let delivered = async {
            while let Some((at, bytes)) = rx.recv().await {
                tokio::time::sleep_until(at).await;
                to.write_all(&bytes).await?;
            }
            let _ = to.shutdown().await;
            Ok::<_, std::io::Error>(())
        };
        tokio::select! {
            r = delivered => r,
            _ = writer_cut.wait_for(|c| *c) => {
                // Bytes still on the way are lost; the far end sees a reset.
                reset(&to);
                Ok(())
            }
        }
    };
    let (r, w) = tokio::join!(reader, writer);
    r.and(w)
}
