//! Photos by tus 1.0.0: creation (and creation-with-upload), core,
//! checksum (sha1, sha256), expiration and termination. A phone on 3G
//! sends a photo in chunks (the first may ride with the creation); after
//! any failure it asks (`HEAD`) where the server got to and resumes there.
//!
//! On completion the whole file's SHA-256 must equal the one declared with
//! the report, and the bytes must be a JPEG within limits; only then is the
//! photo attached.

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, LOCATION};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use http_body_util::BodyExt;
use phananh_protocol::Lang;
use sha2::{Digest, Sha256};

use crate::auth::{Device, new_token};
use crate::error::ApiError;
use crate::routes::limited;
use crate::state::Shared;
use crate::storage::{AttachedPhoto, NewUpload, Upload, UploadRefusal};

fn locked(lang: Lang) -> ApiError {
    tus_error(
        ApiError::new(
            StatusCode::LOCKED,
            "upload_busy",
            lang,
            "Ảnh này đang được gửi từ một kết nối khác; hãy thử lại",
            "This upload is being written by another request; try again",
        )
        .with_header(axum::http::header::RETRY_AFTER, "1"),
    )
}

const TUS_VERSION: &str = "1.0.0";
const EXTENSIONS: &str = "creation,creation-with-upload,checksum,expiration,termination";
/// Largest PATCH body: a chunk, not a whole file, on a phone link.
pub const MAX_CHUNK: usize = 8 * 1024 * 1024;

fn h(name: &'static str) -> HeaderName {
    HeaderName::from_static(name)
}

fn tus(status: StatusCode) -> Response {
    let mut r = status.into_response();
    r.headers_mut().insert(h("tus-resumable"), HeaderValue::from_static(TUS_VERSION));
    r
}

fn tus_error(e: ApiError) -> ApiError {
    e.with_header(h("tus-resumable"), TUS_VERSION)
}

/// `OPTIONS`: what this server speaks.
pub async fn options(State(state): State<Shared>) -> Response {
    let mut r = tus(StatusCode::NO_CONTENT);
    let hs = r.headers_mut();
    hs.insert(h("tus-version"), HeaderValue::from_static(TUS_VERSION));
    hs.insert(h("tus-extension"), HeaderValue::from_static(EXTENSIONS));
    hs.insert(h("tus-checksum-algorithm"), HeaderValue::from_static("sha1,sha256"));
    if let Ok(v) = HeaderValue::from_str(&state.config.max_photo_bytes.to_string()) {
        hs.insert(h("tus-max-size"), v);
    }
    r
}

/// A tus request on one upload: the device (authenticated), the upload's
/// id from the path, and a `Tus-Resumable` we speak.
pub struct TusCall {
    device: Device,
    id: String,
}

impl axum::extract::FromRequestParts<Shared> for TusCall {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, state: &Shared) -> Result<Self, ApiError> {
        let device = Device::from_request_parts(parts, state).await?;
        check_version(&parts.headers, device.lang)?;
        let Path(id) =
            Path::<String>::from_request_parts(parts, state).await.map_err(|_| ApiError::not_found(device.lang))?;
        Ok(TusCall { device, id })
    }
}

fn check_version(headers: &HeaderMap, lang: Lang) -> Result<(), ApiError> {
    match headers.get("tus-resumable").and_then(|v| v.to_str().ok()) {
        Some(TUS_VERSION) => Ok(()),
        _ => Err(tus_error(ApiError::new(
            StatusCode::PRECONDITION_FAILED,
            "tus_version",
            lang,
            "Cần Tus-Resumable: 1.0.0",
            "Tus-Resumable: 1.0.0 is required",
        ))
        .with_header(h("tus-version"), TUS_VERSION)),
    }
}

fn header_u64(headers: &HeaderMap, name: &str) -> Option<u64> {
    headers.get(name)?.to_str().ok()?.trim().parse().ok()
}

/// `Upload-Metadata: key base64,key base64`.
fn metadata(headers: &HeaderMap) -> std::collections::HashMap<String, String> {
    let mut out = std::collections::HashMap::new();
    if let Some(v) = headers.get("upload-metadata").and_then(|v| v.to_str().ok()) {
        for pair in v.split(',') {
            let mut it = pair.trim().splitn(2, ' ');
            if let Some(key) = it.next().filter(|k| !k.is_empty()) {
                let value = it.next().and_then(|b| B64.decode(b.trim()).ok()).and_then(|b| String::from_utf8(b).ok());
                out.insert(key.to_owned(), value.unwrap_or_default());
            }
        }
    }
    out
}

/// An IMF-fixdate (`Upload-Expires`), by `httpdate`.
fn http_date(ms: i64) -> String {
    httpdate::fmt_http_date(std::time::UNIX_EPOCH + std::time::Duration::from_millis(ms.max(0) as u64))
}

/// `POST /api/v1/reports/{client_id}/photos`: start (or find again) the
/// upload of one declared photo, with its first chunk if the body carries
/// one (creation-with-upload: on a 300 ms link a round trip less per photo).
pub async fn create(
    State(state): State<Shared>,
    device: Device,
    Path(client_id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let lang = device.lang;
    let client_id =
        crate::routes::reports::parse_uuid(&client_id, lang).map_err(|_| tus_error(ApiError::not_found(lang)))?;
    start(state, device, client_id, headers, false, body).await
}

/// `POST /api/v1/follows/{tracking_code}/photos`: tus creation for a
/// follower's photo ("I see it too"), declared by its follow. The report's
/// own ids stay the server's: the follower names it by tracking code.
pub async fn create_for_follower(
    State(state): State<Shared>,
    device: Device,
    Path(code): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let lang = device.lang;
    let code = crate::tracking::normalize(&code);
    let facts = state.store.report_facts(code, true).await?.ok_or_else(|| tus_error(ApiError::not_found(lang)))?;
    start(state, device, facts.client_id, headers, true, body).await
}

/// Whether a request's body is upload data (a PATCH's, or a creation's).
fn is_upload_data(headers: &HeaderMap) -> bool {
    headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok()) == Some("application/offset+octet-stream")
}

async fn start(
    state: Shared,
    device: Device,
    client_id: String,
    headers: HeaderMap,
    follower: bool,
    body: Body,
) -> Result<Response, ApiError> {
    let lang = device.lang;
    check_version(&headers, lang)?;
    let length = header_u64(&headers, "upload-length").ok_or_else(|| {
        tus_error(ApiError::bad_request(lang, "upload_length", "Thiếu Upload-Length", "Upload-Length is required"))
    })?;
    if length == 0 || length > state.config.max_photo_bytes {
        return Err(tus_error(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "photo_too_large",
            lang,
            "Ảnh quá lớn",
            "The photo is too large",
        )));
    }
    let meta = metadata(&headers);
    let photo_id = meta
        .get("photo_id")
        .and_then(|p| uuid::Uuid::parse_str(p).ok())
        .map(|u| u.hyphenated().to_string())
        .ok_or_else(|| {
            tus_error(ApiError::bad_request(
                lang,
                "photo_id",
                "Thiếu photo_id trong Upload-Metadata",
                "Upload-Metadata needs photo_id",
            ))
        })?;
    let key = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(|k| k.trim().chars().take(128).collect::<String>())
        .filter(|k| !k.is_empty())
        .unwrap_or_else(|| photo_id.clone());
    // Keys are per report: the same key (a photo id) on another report is
    // another upload, never the first report's finished one.
    let key = format!("{client_id}/{key}");
    limited(&state, &format!("upload:{}", device.id), state.config.uploads_per_minute, lang)
        .await
        .map_err(tus_error)?;

    let upload_id = new_token()?[..32].to_owned();
    let now = state.now_ms();
    let expires = now + state.config.upload_ttl_secs * 1000;
    let new = NewUpload {
        id: upload_id,
        device_id: device.id.clone(),
        client_id,
        photo_id,
        key,
        length,
        now,
        expires_at: expires,
        max_open: state.config.max_open_uploads,
        follower,
    };
    let outcome = state.store.start_upload(new).await?;
    let (id, expires) = outcome.map_err(|why| {
        tus_error(match why {
            UploadRefusal::Undeclared => crate::routes::reports::invalid(
                lang,
                "photo_not_declared",
                phananh_protocol::Field::Photos,
                "Ảnh này không có trong phản ánh",
                "This photo was not declared with the report",
            ),
            UploadRefusal::LengthMismatch => crate::routes::reports::invalid(
                lang,
                "length_mismatch",
                phananh_protocol::Field::Photos,
                "Kích thước ảnh khác với khai báo",
                "Upload-Length differs from the declared size",
            ),
            UploadRefusal::TooMany => ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "too_many_uploads",
                lang,
                "Quá nhiều ảnh đang tải lên dở",
                "Too many unfinished uploads",
            )
            .with_header(axum::http::header::RETRY_AFTER, "60"),
            UploadRefusal::NotFound => ApiError::not_found(lang),
        })
    })?;
    // Where the upload stands: after the first chunk if one came with the
    // creation; a replayed creation (the answer to the first was lost) says
    // what the server kept, so the phone resumes without a HEAD.
    let upload = if is_upload_data(&headers) {
        first_chunk(&state, &device, &id, &headers, body).await?
    } else {
        find(&state, &device, &id).await?
    };
    let mut r = tus(StatusCode::CREATED);
    offset_headers(&mut r, &upload);
    let hs = r.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&format!("/api/v1/uploads/{id}")) {
        hs.insert(LOCATION, v);
    }
    if let Ok(v) = HeaderValue::from_str(&http_date(expires)) {
        hs.insert(h("upload-expires"), v);
    }
    Ok(r)
}

/// creation-with-upload: the creation's body is the upload's first chunk,
/// written as a `PATCH` at offset 0 would be (checksum, kept bytes on a
/// cut, the photo finished if whole). A replayed creation whose upload has
/// bytes already, or one being written right now, leaves them alone and
/// says where the upload stands (the body is not read).
async fn first_chunk(
    state: &Shared,
    device: &Device,
    id: &str,
    headers: &HeaderMap,
    body: Body,
) -> Result<Upload, ApiError> {
    let lang = device.lang;
    let checksum =
        headers.get("upload-checksum").and_then(|v| v.to_str().ok()).map(|c| Checksum::parse(c, lang)).transpose()?;
    let Some(writer) = state.claims.claim(id).await? else {
        return find(state, device, id).await;
    };
    let upload = find(state, device, id).await?;
    if upload.completed || upload.offset != 0 {
        writer.release().await;
        return Ok(upload);
    }
    if header_u64(headers, "content-length").is_some_and(|n| n > upload.length) {
        writer.release().await;
        return Err(past_length(lang));
    }
    // Its own task, as a PATCH's: a hang-up must not stop it half-way.
    let (state, id) = (state.clone(), id.to_owned());
    let task = tokio::spawn(async move {
        let answer = append(state, id, upload, 0, body, checksum, lang).await;
        writer.release().await;
        answer
    });
    task.await.map_err(ApiError::internal)?
}

async fn find(state: &Shared, device: &Device, id: &str) -> Result<Upload, ApiError> {
    let lang = device.lang;
    if id.len() != 32 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(tus_error(ApiError::not_found(lang)));
    }
    let found = state.store.upload(id.to_owned(), device.id.clone()).await?;
    let upload = found.ok_or_else(|| tus_error(ApiError::not_found(lang)))?;
    if !upload.completed && upload.expires_at <= state.now_ms() {
        return Err(tus_error(ApiError::new(
            StatusCode::GONE,
            "upload_expired",
            lang,
            "Phiên tải ảnh đã hết hạn",
            "This upload has expired",
        )));
    }
    Ok(upload)
}

fn offset_headers(r: &mut Response, u: &Upload) {
    let hs = r.headers_mut();
    for (name, value) in [("upload-offset", u.offset.to_string()), ("upload-length", u.length.to_string())] {
        if let Ok(v) = HeaderValue::from_str(&value) {
            hs.insert(h(name), v);
        }
    }
    if !u.completed
        && let Ok(v) = HeaderValue::from_str(&http_date(u.expires_at))
    {
        hs.insert(h("upload-expires"), v);
    }
    hs.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
}

/// `HEAD /api/v1/uploads/{id}`: where to resume.
pub async fn head(State(state): State<Shared>, TusCall { device, id }: TusCall) -> Result<Response, ApiError> {
    let mut upload = find(&state, &device, &id).await?;
    if !upload.completed && upload.offset == upload.length {
        // Every byte arrived but the server stopped before attaching the
        // photo: finish now, so "offset = length" always means "attached".
        // If a PATCH is finishing it right now, that one will.
        let writer = state.claims.claim(&id).await?.ok_or_else(|| locked(device.lang))?;
        let (writer, upload_now) = writer.unless_refused(find(&state, &device, &id).await).await?;
        if upload_now.completed {
            writer.release().await;
        } else {
            let (st, uid, lang) = (state.clone(), id.clone(), device.lang);
            // Its own task, so a hang-up cannot stop it half-way.
            tokio::spawn(async move {
                let answer = finish(&st, &uid, &upload_now, lang, None).await;
                writer.release().await;
                answer
            })
            .await
            .map_err(ApiError::internal)??;
        }
        upload.completed = true;
    }
    let mut r = tus(StatusCode::OK);
    offset_headers(&mut r, &upload);
    Ok(r)
}

/// `PATCH /api/v1/uploads/{id}`: append a chunk at the server's offset.
///
/// The body is written as it arrives (memory stays at one network read
/// whatever the chunk's size). A chunk with `Upload-Checksum` is all or
/// nothing: verified at its end, and thrown away if it does not match or
/// does not arrive whole. A chunk without one keeps what arrived before the
/// link dropped, and the next `HEAD` reports it (tus 1.0: a server SHOULD):
/// on a rural link a reset then costs nothing already sent.
pub async fn patch(
    State(state): State<Shared>,
    device: Device,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let lang = device.lang;
    check_version(&headers, lang)?;
    if !is_upload_data(&headers) {
        return Err(tus_error(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "content_type",
            lang,
            "Cần Content-Type: application/offset+octet-stream",
            "Content-Type must be application/offset+octet-stream",
        )));
    }
    let offset = header_u64(&headers, "upload-offset").ok_or_else(|| {
        tus_error(ApiError::bad_request(lang, "upload_offset", "Thiếu Upload-Offset", "Upload-Offset is required"))
    })?;
    let checksum =
        headers.get("upload-checksum").and_then(|v| v.to_str().ok()).map(|c| Checksum::parse(c, lang)).transpose()?;
    // One writer at a time; the upload is read under the claim, so the
    // offset checked is the one this request will write at.
    let writer = state.claims.claim(&id).await?.ok_or_else(|| locked(lang))?;
    // A refusal frees the upload before it is answered, as a written chunk
    // does: the phone's next request, sent the moment it reads the answer,
    // must not meet this request's claim (`423`) still being let go.
    let checked = writable(&state, &device, &id, offset, header_u64(&headers, "content-length")).await;
    let (writer, upload) = writer.unless_refused(checked).await?;
    // From here the work runs in its own task: a client that hangs up
    // mid-chunk must not cancel the server half-way between writing, recording
    // the offset and attaching the photo. The claim goes with the task:
    // released when the work is done, not when the client hangs up.
    let task = tokio::spawn(async move {
        let answer = append(state.clone(), id, upload, offset, body, checksum, lang).await;
        writer.release().await;
        answer
    });
    let upload = task.await.map_err(ApiError::internal)??;
    let mut r = tus(StatusCode::NO_CONTENT);
    offset_headers(&mut r, &upload);
    Ok(r)
}

/// The upload `id` as it stands, if a chunk of `declared` bytes (when
/// known) may be written at `offset`: not finished, at the server's offset
/// (`409` with the right one otherwise), not past its length.
async fn writable(
    state: &Shared,
    device: &Device,
    id: &str,
    offset: u64,
    declared: Option<u64>,
) -> Result<Upload, ApiError> {
    let lang = device.lang;
    let upload = find(state, device, id).await?;
    if upload.completed || offset != upload.offset {
        return Err(tus_error(ApiError::new(
            StatusCode::CONFLICT,
            "offset_mismatch",
            lang,
            "Upload-Offset không khớp với máy chủ",
            "Upload-Offset does not match the server's offset",
        ))
        .with_header(h("upload-offset"), &upload.offset.to_string()));
    }
    if declared.is_some_and(|n| offset + n > upload.length) {
        return Err(past_length(lang));
    }
    Ok(upload)
}

/// The largest one-PATCH photo finished from memory (the app's are ~300 KB).
const WHOLE_CAP: usize = 2 * crate::photos::PIECE;

/// How long a chunk's body may stall before it counts as cut.
const CHUNK_STALL: std::time::Duration = std::time::Duration::from_secs(20);

fn past_length(lang: Lang) -> ApiError {
    tus_error(ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "past_length",
        lang,
        "Dữ liệu vượt quá Upload-Length",
        "The chunk goes past Upload-Length",
    ))
}

/// Write a chunk at `offset` as it arrives (in pieces of
/// [`crate::photos::PIECE`]: memory stays at one piece whatever the chunk's
/// size), record the new offset, and attach the photo when it is whole (see
/// [`patch`] for what is kept). Returns the upload as it now stands.
async fn append(
    state: Shared,
    id: String,
    mut upload: Upload,
    offset: u64,
    body: Body,
    mut checksum: Option<Checksum>,
    lang: Lang,
) -> Result<Upload, ApiError> {
    let photos = state.photos.clone();
    // Cut back to the recorded offset first: bytes past it were never
    // counted (a chunk refused, or a server stopped before its offset was
    // recorded, on this replica or another).
    photos.truncate_partial(&id, offset).await.map_err(ApiError::internal)?;
    let room = upload.length - offset;
    let mut written: u64 = 0;
    let mut pending = bytes::BytesMut::new();
    // A photo sent whole in one PATCH (the usual case on a fair link) is
    // finished from these bytes rather than read back from the store — if
    // it is small: a slow client must not hold a large photo's memory for
    // the whole PATCH (past the cap it is read back at the finish).
    let mut whole: Option<Vec<u8>> = (offset == 0).then(Vec::new);
    let mut body = body;
    let mut cut = false;
    loop {
        // A phone that lost its signal sends no reset: a body that stalls
        // this long is a dropped link, and the upload is freed for the
        // phone's next request (which gets 423 until then).
        let frame = match tokio::time::timeout(CHUNK_STALL, body.frame()).await {
            Ok(Some(frame)) => frame,
            Ok(None) => break,
            Err(_) => {
                cut = true;
                break;
            }
        };
        let Ok(frame) = frame else {
            // The link dropped mid-chunk (or the body was longer than allowed).
            cut = true;
            break;
        };
        let Ok(data) = frame.into_data() else { continue };
        if written + pending.len() as u64 + data.len() as u64 > room {
            photos.truncate_partial(&id, offset).await.map_err(ApiError::internal)?;
            return Err(past_length(lang));
        }
        if let Some(c) = checksum.as_mut() {
            c.update(&data);
        }
        pending.extend_from_slice(&data);
        if let Some(w) = whole.as_mut() {
            w.extend_from_slice(&data);
            if w.len() > WHOLE_CAP {
                whole = None;
            }
        }
        if pending.len() >= crate::photos::PIECE {
            let piece = pending.split().freeze();
            let n = piece.len() as u64;
            photos.write_partial(&id, offset + written, piece).await.map_err(ApiError::internal)?;
            written += n;
        }
    }
    let keep = match (&checksum, cut) {
        // All or nothing with a checksum.
        (Some(_), true) => 0,
        (Some(c), false) if !c.matches() => {
            photos.truncate_partial(&id, offset).await.map_err(ApiError::internal)?;
            return Err(checksum_mismatch(lang));
        }
        _ => written + pending.len() as u64,
    };
    if keep == 0 && written > 0 {
        photos.truncate_partial(&id, offset).await.map_err(ApiError::internal)?;
    } else if !pending.is_empty() && keep > 0 {
        photos.write_partial(&id, offset + written, pending.freeze()).await.map_err(ApiError::internal)?;
    }
    if keep > 0 {
        upload.offset = offset + keep;
        state.store.set_upload_offset(id.clone(), upload.offset).await?;
        if cut {
            tracing::debug!(upload = %id, kept = keep, "kept the part of a chunk that arrived before the link dropped");
        }
    }
    if upload.offset == upload.length {
        let whole = whole.filter(|w| w.len() as u64 == upload.length);
        finish(&state, &id, &upload, lang, whole).await?;
        upload.completed = true;
    }
    Ok(upload)
}

/// An `Upload-Checksum` being computed as the chunk arrives.
enum Checksum {
    Sha256(Sha256, Vec<u8>),
    Sha1(sha1::Sha1, Vec<u8>),
}

impl Checksum {
    fn parse(header: &str, lang: Lang) -> Result<Checksum, ApiError> {
        let (algo, b64) = header.trim().split_once(' ').unwrap_or((header, ""));
        let expected = B64.decode(b64.trim()).map_err(|_| {
            tus_error(ApiError::bad_request(
                lang,
                "bad_checksum",
                "Upload-Checksum không hợp lệ",
                "Malformed Upload-Checksum",
            ))
        })?;
        match algo {
            "sha256" => Ok(Checksum::Sha256(Sha256::new(), expected)),
            "sha1" => Ok(Checksum::Sha1(sha1::Sha1::new(), expected)),
            _ => Err(tus_error(ApiError::bad_request(
                lang,
                "checksum_algorithm",
                "Không hỗ trợ thuật toán kiểm tra này",
                "Unsupported checksum algorithm",
            ))),
        }
    }

    fn update(&mut self, data: &[u8]) {
        match self {
            Checksum::Sha256(h, _) => h.update(data),
            Checksum::Sha1(h, _) => sha1::Digest::update(h, data),
        }
    }

    fn matches(&self) -> bool {
        match self {
            Checksum::Sha256(h, expected) => h.clone().finalize().as_slice() == expected.as_slice(),
            Checksum::Sha1(h, expected) => sha1::Digest::finalize(h.clone()).as_slice() == expected.as_slice(),
        }
    }
}

fn checksum_mismatch(lang: Lang) -> ApiError {
    let status = StatusCode::from_u16(460).unwrap_or(StatusCode::BAD_REQUEST);
    tus_error(ApiError::new(
        status,
        "checksum_mismatch",
        lang,
        "Dữ liệu bị lỗi trên đường truyền; hãy gửi lại đoạn này",
        "Checksum mismatch; the chunk was discarded, send it again",
    ))
}

/// The last byte arrived: check the whole file and attach the photo.
///
/// `received`: the whole file, when this request received all of it.
async fn finish(
    state: &Shared,
    id: &str,
    upload: &Upload,
    lang: Lang,
    received: Option<Vec<u8>>,
) -> Result<(), ApiError> {
    let key = format!("{}/{}.jpg", upload.report_id, upload.photo_id);
    let read = match received {
        Some(bytes) => Ok(bytes),
        None => state.photos.read_partial(id).await,
    };
    let partial = match read {
        Ok(bytes) => Some(bytes),
        // An earlier finish stored the photo and removed the partial bytes,
        // then stopped before recording it: the photo store has it.
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(ApiError::internal(e)),
    };
    let already_stored = partial.is_none();
    let bytes = match partial {
        Some(b) => b,
        None => state.photos.get(&key).await.map_err(ApiError::internal)?,
    };
    let reset =
        |code: &'static str, vi: &str, en: &str| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, code, lang, vi, en);
    let accepted = crate::jpeg::accept(&bytes, state.config.decode_budget);
    // Bytes picked up from the photo store were checked (and cleaned)
    // before they were stored.
    let problem = if !already_stored && hex::encode(Sha256::digest(&bytes)) != upload.sha256 {
        Some(reset(
            "sha256_mismatch",
            "Ảnh nhận được khác với ảnh đã khai báo (sha256); hãy gửi lại",
            "The received photo's sha256 differs from the declared one; send it again",
        ))
    } else {
        match &accepted {
            Ok(_) => None,
            Err(crate::jpeg::Refused::TooCostly { .. }) => Some(reset(
                "photo_too_complex",
                "Ảnh quá phức tạp để máy chủ xử lý; hãy gửi ảnh do ứng dụng nén",
                "The photo needs too much memory to process; send the app's compressed photo",
            )),
            Err(_) => Some(reset(
                "not_a_jpeg",
                "Tệp gửi lên không phải ảnh JPEG hợp lệ",
                "The upload is not a valid JPEG within limits",
            )),
        }
    };
    let accepted = match (problem, accepted) {
        (None, Ok(a)) => a,
        (problem, _) => {
            // Start over: the bytes are wrong as a whole, resuming cannot help.
            let _ = state.photos.remove_partial(id).await;
            state.store.delete_upload(id.to_owned()).await?;
            return Err(tus_error(problem.unwrap_or_else(|| ApiError::internal("refused without a reason"))));
        }
    };
    let (width, height) = (accepted.width, accepted.height);
    // What is kept and published: the photo without its metadata (the
    // app's photos have none and stay byte-identical).
    let kept = match accepted.clean {
        std::borrow::Cow::Borrowed(_) => None,
        std::borrow::Cow::Owned(clean) => Some(clean),
    };
    let kept = bytes::Bytes::from(kept.unwrap_or(bytes));
    let (sha256, stored_len) = (hex::encode(Sha256::digest(&kept)), kept.len() as u64);
    if !already_stored {
        let _decoding = state.decodes.acquire().await.map_err(ApiError::internal)?;
        crate::photos::store_thumbnail(state.photos.as_ref(), &key, kept.clone()).await;
        state.photos.put(&key, kept).await.map_err(ApiError::internal)?;
        state.photos.remove_partial(id).await.map_err(ApiError::internal)?;
    }
    let photo = AttachedPhoto {
        id: upload.photo_id.clone(),
        report_id: upload.report_id,
        key,
        sha256,
        bytes: stored_len,
        width,
        height,
        position: None,
        fix: false,
    };
    state.store.complete_upload(id.to_owned(), photo).await?;
    tracing::info!(report = upload.report_id, "photo attached");
    Ok(())
}

/// `DELETE /api/v1/uploads/{id}`: termination.
pub async fn delete(State(state): State<Shared>, TusCall { device, id }: TusCall) -> Result<Response, ApiError> {
    let upload = find(&state, &device, &id).await?;
    if upload.completed {
        // The photo is attached; termination does not take it back.
        return Ok(tus(StatusCode::NO_CONTENT));
    }
    let _ = state.photos.remove_partial(&id).await;
    state.store.delete_upload(id).await?;
    Ok(tus(StatusCode::NO_CONTENT))
}

/// Remove expired unfinished uploads and their partial files.
pub async fn sweep_expired(state: &Shared) -> Result<usize, ApiError> {
    let now = state.now_ms();
    let ids = state.store.sweep_expired_uploads(now).await?;
    for id in &ids {
        if let Err(e) = state.photos.remove_partial(id).await {
            tracing::warn!(error = %e, "could not remove an expired upload's bytes");
        }
    }
    Ok(ids.len())
}
