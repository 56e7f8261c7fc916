//! The user's settings: kept in the app's own store, checked and defaulted
//! here once (not in Kotlin, Swift and the CLI each).

use serde::{Deserialize, Serialize};

use super::views::{AppConfig, Settings};
use crate::error::{Error, Result};
use crate::sync::normalize_server_url;
use crate::ui_text::language_for_locale;
use crate::{Lang, Store};

const KEY: &str = "app_settings";

/// What is stored: only what the user chose.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Saved {
    language: Option<Lang>,
    server_url: Option<String>,
    #[serde(default)]
    volunteer_mode: bool,
}

/// The settings: what the user chose, else the device's language and the
/// configured server.
pub(super) fn load(store: &Store, config: &AppConfig) -> Result<Settings> {
    let saved: Saved = store.setting(KEY)?.unwrap_or_default();
    let language =
        saved.language.unwrap_or_else(|| config.device_locale.as_deref().map(language_for_locale).unwrap_or_default());
    let server_url = match saved.server_url {
        Some(url) => url,
        None => default_server(config, language)?,
    };
    Ok(Settings { language, server_url, volunteer_mode: saved.volunteer_mode })
}

/// `wanted` checked: the server address normalised, blank meaning the default.
pub(super) fn check(wanted: Settings, config: &AppConfig) -> Result<Settings> {
    let server_url = match wanted.server_url.trim() {
        "" => default_server(config, wanted.language)?,
        typed => normalize(typed, wanted.language)?,
    };
    Ok(Settings { server_url, ..wanted })
}

pub(super) fn save(store: &Store, s: &Settings) -> Result<()> {
    let saved =
        Saved { language: Some(s.language), server_url: Some(s.server_url.clone()), volunteer_mode: s.volunteer_mode };
    store.set_setting(KEY, Some(&saved))
}

fn default_server(config: &AppConfig, lang: Lang) -> Result<String> {
    match config.default_server_url.as_deref().map(str::trim) {
        None | Some("") => Ok(String::new()),
        Some(url) => normalize(url, lang),
    }
}

/// A server address written one way, or why it is not one, in `lang`.
fn normalize(url: &str, lang: Lang) -> Result<String> {
    normalize_server_url(url).map_err(|_| {
        Error::Config(match lang {
            Lang::Vi => format!("“{url}” không phải địa chỉ máy chủ; hãy nhập dạng http://máy-chủ:cổng"),
            Lang::En => format!("“{url}” is not a server address; type it as http://host:port"),
        })
    })
}
