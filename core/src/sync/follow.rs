//! Sending follows: each a `PUT` idempotent per device, with its own
//! backoff; the answer's public fields are kept for the "following" list.

use phananh_protocol::wire::PhotoDecl;

use super::Syncer;
use super::http::Failure;
use crate::error::Result;
use crate::store::FollowDue;

impl Syncer {
    /// Send every follow whose time has come; how many reached the server.
    pub(crate) async fn push_follows(&self) -> Result<u32> {
        let now = self.inner.store.now_ms();
        let due = self.db(move |s| s.follows_due(now)).await?;
        let mut sent = 0;
        for f in due {
            match self.send_follow(&f).await {
                Ok(()) => sent += 1,
                Err(Failure::Local(e)) => return Err(e),
                Err(Failure::Rejected { message, .. }) => {
                    let code = f.tracking_code.clone();
                    self.db(move |s| s.follow_refused(&code, &message)).await?;
                }
                Err(Failure::Unauthorized) | Err(Failure::Transient { .. }) => {
                    let delay = self.inner.config.backoff.delay(f.attempts + 1, None, super::backoff::random_u64());
                    let at = self.inner.store.now_ms() + delay.as_millis() as i64;
                    let code = f.tracking_code.clone();
                    self.db(move |s| s.follow_retry(&code, at)).await?;
                }
            }
        }
        Ok(sent)
    }

    /// The follow (declaring its photos), then each photo not yet there.
    async fn send_follow(&self, f: &FollowDue) -> Result<(), Failure> {
        let (api, lang) = (self.inner.api.clone(), self.lang());
        let (code, me_too) = (f.tracking_code.clone(), f.me_too);
        let decls: Vec<PhotoDecl> = f
            .photos
            .iter()
            .map(|p| PhotoDecl { id: p.photo.id.to_string(), sha256: p.photo.sha256.clone(), bytes: p.photo.bytes })
            .collect();
        let report = self
            .authed(|token| {
                let (api, code, decls) = (api.clone(), code.clone(), decls.clone());
                async move { api.follow(&token, &code, me_too, decls, lang).await }
            })
            .await?;
        self.db(move |s| s.follow_accepted(&report)).await?;
        let endpoint = self.inner.api.url(&format!("api/v1/follows/{}/photos", f.tracking_code));
        for upload in f.photos.iter().filter(|p| !p.sent) {
            self.send_photo_to(&endpoint, None, upload).await?;
            let pid = upload.photo.id;
            self.db(move |s| s.mark_photo_sent(pid)).await?;
        }
        let code = f.tracking_code.clone();
        self.db(move |s| s.follow_sent(&code)).await?;
        Ok(())
    }
}
