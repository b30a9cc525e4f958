//! The dashboard's files (`crates/accord-serve/ui/`): compiled into the
//! binary through [`FILES`], the one table of them, and served at `/`
//! (index.html) and `/ui/<path>`. With `ACCORD_UI_DIR` set, they are read
//! from that folder on each request instead (to edit them without a
//! rebuild). Each answer carries its content type, an ETag (a digest of
//! its bytes) and `Cache-Control: no-cache`: a browser keeps the files
//! and asks again each time, answered 304 while they are unchanged, so a
//! new binary is never shown with an old file.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use axum::extract::{Path as UrlPath, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

use crate::api::AppState;
use crate::problem::Problem;

macro_rules! file {
    ($path:literal) => {
        ($path, include_bytes!(concat!("../ui/", $path)) as &[u8])
    };
}

/// Every file of the dashboard, by its path under `ui/`.
pub const FILES: &[(&str, &[u8])] = &[
    file!("index.html"),
    file!("app.js"),
    file!("style.css"),
    file!("lib/fmt.js"),
    file!("lib/chart.js"),
    file!("lib/table.js"),
    file!("vendor/uPlot.iife.min.js"),
    file!("vendor/uPlot.min.css"),
    file!("vendor/LICENSE"),
    file!("vendor/README.md"),
    // The pages (`ui/pages/<name>.js`, one ES module each).
    file!("pages/kpi.js"),
    file!("pages/funnel.js"),
    file!("pages/sla.js"),
    file!("pages/queue.js"),
    file!("pages/lead.js"),
    // The other five pages (branch `pages`) are listed below.
    file!("pages/velocity.js"),
    file!("pages/attribution.js"),
    file!("pages/content.js"),
    file!("pages/leaderboard.js"),
    file!("pages/agreement.js"),
];

/// Where the files come from.
pub enum Assets {
    /// Compiled in: each file with its ETag.
    Embedded(HashMap<&'static str, (&'static [u8], String)>),
    /// Read from this folder on each request.
    Disk(PathBuf),
}

impl Assets {
    /// From `ACCORD_UI_DIR` when it is set, else compiled in.
    pub fn from_env() -> Assets {
        match std::env::var_os("ACCORD_UI_DIR") {
            Some(dir) if !dir.is_empty() => Assets::Disk(PathBuf::from(dir)),
            _ => Assets::embedded(),
        }
    }

    pub fn embedded() -> Assets {
        Assets::Embedded(FILES.iter().map(|(p, b)| (*p, (*b, etag(b)))).collect())
    }

    /// A file's bytes and ETag, by its path under `ui/`.
    fn get(&self, path: &str) -> Option<(Vec<u8>, String)> {
        if !is_safe(path) {
            return None;
        }
        match self {
            Assets::Embedded(files) => files.get(path).map(|(b, e)| (b.to_vec(), e.clone())),
            Assets::Disk(dir) => {
                let bytes = std::fs::read(dir.join(Path::new(path))).ok()?;
                let tag = etag(&bytes);
                Some((bytes, tag))
            }
        }
    }
}

/// A path of plain names (letters, digits, `-`, `_`, `.`) separated by
/// `/`, none of them empty or starting with a dot: nothing outside `ui/`.
fn is_safe(path: &str) -> bool {
    !path.is_empty()
        && path.split('/').all(|seg| {
            !seg.is_empty()
                && !seg.starts_with('.')
                && seg
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
        })
}

fn etag(bytes: &[u8]) -> String {
    let d = Sha256::digest(bytes);
    let hex: String = d[..12].iter().map(|b| format!("{b:02x}")).collect();
    format!("\"{hex}\"")
}

/// The content type of a file, by its extension.
pub fn content_type(path: &str) -> &'static str {
    match path.rsplit_once('.').map(|(_, e)| e) {
        Some("html") => "text/html; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("json") => "application/json",
        Some("md") => "text/markdown; charset=utf-8",
        _ => "text/plain; charset=utf-8",
    }
}

/// What a page may load: only this server's own files and API.
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/// `GET /`: the dashboard's page.
pub async fn index(State(state): State<AppState>, headers: HeaderMap) -> Response {
    serve(&state.ui, "index.html", &headers)
}

/// `GET /ui/<path>`: one of the dashboard's files.
pub async fn asset(
    State(state): State<AppState>,
    UrlPath(path): UrlPath<String>,
    headers: HeaderMap,
) -> Response {
    serve(&state.ui, &path, &headers)
}

fn serve(assets: &Assets, path: &str, headers: &HeaderMap) -> Response {
    let Some((bytes, tag)) = assets.get(path) else {
        return Problem::not_found(format!(
            "no file ui/{} in the dashboard",
            accord_core::shown::for_terminal(path, 80).0
        ))
        .into_response();
    };
    let fresh = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == tag));
    let mut r = if fresh {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        (StatusCode::OK, bytes).into_response()
    };
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(content_type(path)),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    if let Ok(v) = HeaderValue::from_str(&tag) {
        h.insert(header::ETAG, v);
    }
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    if path.ends_with(".html") {
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CSP),
        );
        h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_paths_under_ui_are_served() {
        for ok in ["app.js", "lib/fmt.js", "vendor/uPlot.min.css"] {
            assert!(is_safe(ok), "{ok}");
        }
        for bad in [
            "",
            "../Cargo.toml",
            "lib/../../x",
            "/etc/passwd",
            ".hidden",
            "lib//fmt.js",
            "a\\b",
            "a%2e",
        ] {
            assert!(!is_safe(bad), "{bad}");
        }
    }

    #[test]
    fn every_listed_file_has_a_known_content_type() {
        assert_eq!(content_type("app.js"), "text/javascript; charset=utf-8");
        assert_eq!(content_type("index.html"), "text/html; charset=utf-8");
        assert_eq!(content_type("style.css"), "text/css; charset=utf-8");
        assert_eq!(content_type("vendor/LICENSE"), "text/plain; charset=utf-8");
    }
}
