//! Any request into the server's real router, in-process: the report JSON,
//! the tus headers (creation metadata, offsets, checksums), the Open311 form
//! and multipart bodies. Whatever arrives, the answer is never a 500 and
//! nothing panics; libFuzzer's `-malloc_limit_mb` catches an allocation past
//! the budget (see docs/fuzzing.md).

#![no_main]

use std::sync::OnceLock;

use axum::body::Body;
use axum::http::Request;
use libfuzzer_sys::fuzz_target;
use tower::ServiceExt;

struct World {
    rt: tokio::runtime::Runtime,
    router: axum::Router,
    token: String,
    api_key: String,
    _dir: tempfile::TempDir,
}

fn world() -> &'static World {
    static WORLD: OnceLock<World> = OnceLock::new();
    WORLD.get_or_init(|| {
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
        let dir = tempfile::tempdir().unwrap();
        let mut config = phananh_server::Config::new(dir.path().to_owned());
        config.creates_per_minute = u32::MAX;
        config.uploads_per_minute = u32::MAX;
        config.ip_creates_per_minute = 0;
        let (state, token, api_key) = rt.block_on(async {
            let state = phananh_server::open(config).unwrap();
            phananh_server::demo::seed(state.store.as_ref()).await.unwrap();
            let token = phananh_server::auth::new_token().unwrap();
            let device = uuid::Uuid::now_v7().to_string();
            state.store.add_device(device, phananh_server::auth::token_hash(&token)).await.unwrap();
            let api_key = phananh_server::auth::new_token().unwrap();
            state.store.add_api_key("fuzz".into(), phananh_server::auth::token_hash(&api_key)).await.unwrap();
            (state, token, api_key)
        });
        let router = phananh_server::routes::router(state);
        World { rt, router, token, api_key, _dir: dir }
    })
}

/// Split the input at the first 0x00: (header value, body).
fn split(data: &[u8]) -> (String, Vec<u8>) {
    match data.iter().position(|&b| b == 0) {
        Some(i) => (String::from_utf8_lossy(&data[..i]).into_owned(), data[i + 1..].to_vec()),
        None => (String::new(), data.to_vec()),
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&kind, rest)) = data.split_first() else { return };
    let w = world();
    let (head, body) = split(rest);
    let bearer = format!("Bearer {}", w.token);
    let id = "01a2299e-30dd-7487-849f-a095e80c3a1b";
    let request = match kind % 5 {
        0 => Request::put(format!("/api/v1/reports/{id}"))
            .header("authorization", &bearer)
            .header("content-type", "application/json")
            .body(Body::from(body)),
        1 => Request::post(format!("/api/v1/reports/{id}/photos"))
            .header("authorization", &bearer)
            .header("tus-resumable", "1.0.0")
            .header("upload-length", head.chars().filter(char::is_ascii_digit).take(12).collect::<String>())
            .header("upload-metadata", head.replace(['\r', '\n'], ""))
            .body(Body::empty()),
        2 => Request::patch(format!("/api/v1/uploads/{}", "0".repeat(32)))
            .header("authorization", &bearer)
            .header("tus-resumable", "1.0.0")
            .header("content-type", "application/offset+octet-stream")
            .header("upload-offset", "0")
            .header("upload-checksum", head.replace(['\r', '\n'], ""))
            .body(Body::from(body)),
        3 => {
            let mut form = format!("api_key={}&", w.api_key).into_bytes();
            form.extend_from_slice(&body);
            Request::post("/open311/v2/requests.xml")
                .header("content-type", "application/x-www-form-urlencoded")
                .body(Body::from(form))
        }
        _ => {
            let boundary: String = head.chars().filter(char::is_ascii_alphanumeric).take(40).collect();
            let boundary = if boundary.is_empty() { "b".to_owned() } else { boundary };
            let mut mp = format!(
                "--{boundary}\r\ncontent-disposition: form-data; name=\"api_key\"\r\n\r\n{}\r\n",
                w.api_key
            )
            .into_bytes();
            mp.extend_from_slice(&body);
            Request::post("/open311/v2/requests.json")
                .header("content-type", format!("multipart/form-data; boundary={boundary}"))
                .body(Body::from(mp))
        }
    };
    let Ok(request) = request else { return };
    let response = w.rt.block_on(w.router.clone().oneshot(request)).unwrap();
    assert_ne!(response.status().as_u16(), 500, "a client's request answered with a 500");
});
