//! The server's native API (`/api/v1`), one method per call.

use phananh_protocol::Lang;
use phananh_protocol::wire::{
    ChangesPage, DeviceRegistered, FollowBody, FollowedReport, Nearby, PhotoDecl, ReportBody, ReportStatus, Services,
};
use reqwest::header::{ACCEPT, ACCEPT_LANGUAGE, ETAG, IF_NONE_MATCH};
use reqwest::{RequestBuilder, StatusCode, Url};

use super::http::{Failure, failure, json, network};
use crate::error::Error;
use crate::model::ReportId;

/// The server, as the sync sees it.
#[derive(Debug, Clone)]
pub(crate) struct Api {
    pub(crate) http: reqwest::Client,
    pub(crate) base: Url,
    /// Every request's bytes (the month's "data used").
    pub(crate) meter: std::sync::Arc<super::meter::Meter>,
}

/// A server address as typed in settings, checked (http or https, a host)
/// and written one way: trimmed, without a trailing slash.
pub fn normalize_server_url(text: &str) -> Result<String, Error> {
    let url = parse_server_url(text)?;
    Ok(url.as_str().trim_end_matches('/').to_owned())
}

fn parse_server_url(server_url: &str) -> Result<Url, Error> {
    let base = Url::parse(server_url.trim()).map_err(|e| Error::Config(format!("server URL {server_url:?}: {e}")))?;
    if !matches!(base.scheme(), "http" | "https") || base.host().is_none() {
        return Err(Error::Config(format!("server URL {server_url:?} must be http(s)://host[:port]")));
    }
    Ok(base)
}

impl Api {
    pub(crate) fn new(http: reqwest::Client, server_url: &str) -> Result<Api, Error> {
        let mut base = parse_server_url(server_url)?;
        if !base.path().ends_with('/') {
            let path = format!("{}/", base.path());
            base.set_path(&path);
        }
        Ok(Api { http, base, meter: Default::default() })
    }

    pub(crate) fn url(&self, path: &str) -> Url {
        // `path` is always one of ours, relative and valid.
        self.base.join(path).unwrap_or_else(|_| self.base.clone())
    }

    /// Send, counting the bytes; no answer at all is a link failure.
    async fn send(&self, r: RequestBuilder) -> Result<reqwest::Response, Failure> {
        super::meter::send(&self.meter, r).await.map_err(network)
    }

    fn req(&self, r: RequestBuilder, lang: Lang, token: Option<&str>) -> RequestBuilder {
        let r = r.header(ACCEPT, "application/json").header(ACCEPT_LANGUAGE, lang.code());
        match token {
            Some(t) => r.bearer_auth(t),
            None => r,
        }
    }

    pub(crate) async fn register(&self, lang: Lang) -> Result<DeviceRegistered, Failure> {
        let resp = self.send(self.req(self.http.post(self.url("api/v1/devices")), lang, None)).await?;
        Ok(json(resp, lang).await?.1)
    }

    /// The category list, or `None` when it has not changed since `etag`.
    pub(crate) async fn services(
        &self,
        etag: Option<&str>,
        lang: Lang,
    ) -> Result<Option<(Services, Option<String>)>, Failure> {
        let mut r = self.req(self.http.get(self.url("api/v1/services")), lang, None);
        if let Some(tag) = etag {
            r = r.header(IF_NONE_MATCH, tag);
        }
        let resp = self.send(r).await?;
        if resp.status() == StatusCode::NOT_MODIFIED {
            return Ok(None);
        }
        let tag = resp.headers().get(ETAG).and_then(|v| v.to_str().ok()).map(str::to_owned);
        Ok(Some((json(resp, lang).await?.1, tag)))
    }

    pub(crate) async fn put_report(
        &self,
        token: &str,
        id: ReportId,
        body: &ReportBody,
        lang: Lang,
    ) -> Result<ReportStatus, Failure> {
        let url = self.url(&format!("api/v1/reports/{id}"));
        let resp = self.send(self.req(self.http.put(url), lang, Some(token)).json(body)).await?;
        Ok(json(resp, lang).await?.1)
    }

    /// A rating or reopen of a report (`kind` is `rating` or `reopen`),
    /// under the id the server keys it by; the body as stored.
    pub(crate) async fn put_action(
        &self,
        token: &str,
        report: ReportId,
        kind: &str,
        id: &str,
        body: &str,
        lang: Lang,
    ) -> Result<ReportStatus, Failure> {
        let url = self.url(&format!("api/v1/reports/{report}/{kind}/{id}"));
        let r =
            self.req(self.http.put(url), lang, Some(token)).header(reqwest::header::CONTENT_TYPE, "application/json");
        let resp = self.send(r.body(body.to_owned())).await?;
        Ok(json(resp, lang).await?.1)
    }

    /// Follow a report by its tracking code.
    pub(crate) async fn follow(
        &self,
        token: &str,
        code: &str,
        me_too: bool,
        photos: Vec<PhotoDecl>,
        lang: Lang,
    ) -> Result<FollowedReport, Failure> {
        let url = self.url(&format!("api/v1/follows/{code}"));
        let body = FollowBody { me_too, photos };
        let resp = self.send(self.req(self.http.put(url), lang, Some(token)).json(&body)).await?;
        Ok(json(resp, lang).await?.1)
    }

    pub(crate) async fn changes(
        &self,
        token: &str,
        cursor: Option<&str>,
        limit: u32,
        lang: Lang,
    ) -> Result<ChangesPage, Failure> {
        let mut url = self.url("api/v1/reports/changes");
        url.query_pairs_mut().append_pair("limit", &limit.to_string());
        if let Some(c) = cursor {
            url.query_pairs_mut().append_pair("cursor", c);
        }
        let resp = self.send(self.req(self.http.get(url), lang, Some(token))).await?;
        Ok(json(resp, lang).await?.1)
    }

    pub(crate) async fn nearby(
        &self,
        lat: f64,
        lon: f64,
        radius_m: u32,
        category: Option<&str>,
        lang: Lang,
    ) -> Result<Nearby, Failure> {
        let mut url = self.url("api/v1/reports/nearby");
        url.query_pairs_mut()
            .append_pair("lat", &lat.to_string())
            .append_pair("lon", &lon.to_string())
            .append_pair("radius_m", &radius_m.to_string());
        if let Some(c) = category {
            url.query_pairs_mut().append_pair("category", c);
        }
        let resp = self.send(self.req(self.http.get(url), lang, None)).await?;
        if !resp.status().is_success() {
            return Err(failure(resp, lang).await);
        }
        Ok(json(resp, lang).await?.1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_addresses_are_checked_and_written_one_way() {
        assert_eq!(normalize_server_url("  http://10.0.2.2:8080/ ").unwrap(), "http://10.0.2.2:8080");
        assert_eq!(normalize_server_url("https://phananh.example.vn/api/").unwrap(), "https://phananh.example.vn/api");
        for bad in ["", "10.0.2.2:8080", "ftp://x.vn", "http://", "not a url"] {
            assert!(matches!(normalize_server_url(bad), Err(Error::Config(_))), "{bad:?}");
        }
    }
}
