//! The wall screen: `/` lists the scopes, `/screen/{scope}` is one scope's cockpit.
//! Assets are embedded in the binary (screens often sit on an intranet with no CDN).
//!
//! The page is plain HTML/CSS/JS with no build step: it reads the scope from its own
//! URL, opens `/api/v1/ws?scope=…` and renders every snapshot and update it receives
//! (see `docs/screen.md`). Every response says `Cache-Control: no-cache` and carries an
//! ETag computed at compile time, so a browser revalidates on each load (a cheap 304)
//! and never runs yesterday's script after an upgrade.

use super::routes::Endpoint;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, web};

use super::AppState;
use super::query::registered;

/// One embedded file.
struct Asset {
    body: &'static [u8],
    content_type: &'static str,
    /// FNV-1a of the body, computed at compile time.
    tag: u64,
}

macro_rules! asset {
    ($file:literal, $ct:literal) => {
        Asset {
            body: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/assets/", $file)),
            content_type: $ct,
            tag: fnv1a(include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/assets/", $file))),
        }
    };
}

const HTML: &str = "text/html; charset=utf-8";
const INDEX: Asset = asset!("index.html", "text/html; charset=utf-8");
const SCREEN: Asset = asset!("screen.html", "text/html; charset=utf-8");
const NOT_FOUND: Asset = asset!("not-found.html", "text/html; charset=utf-8");

/// Files under `/assets/`, by name.
const ASSETS: [(&str, Asset); 6] = [
    ("screen.css", asset!("screen.css", "text/css; charset=utf-8")),
    ("screen.js", asset!("screen.js", "text/javascript; charset=utf-8")),
    ("screen-sw.js", asset!("screen-sw.js", "text/javascript; charset=utf-8")),
    ("common.js", asset!("common.js", "text/javascript; charset=utf-8")),
    ("index.js", asset!("index.js", "text/javascript; charset=utf-8")),
    ("favicon.svg", asset!("favicon.svg", "image/svg+xml")),
];

/// Pages load scripts and styles from this origin only and talk to its WebSocket.
const CSP: &str = "default-src 'self'; img-src 'self' data:; connect-src 'self' ws: wss:; \
                   object-src 'none'; base-uri 'none'; form-action 'none'";

pub fn routes() -> Vec<Endpoint> {
    vec![
        Endpoint::get("/", index).elsewhere("docs/screen.md"),
        Endpoint::get("/screen/{scope}", screen).elsewhere("docs/screen.md"),
        Endpoint::get("/assets/{name}", asset).elsewhere("docs/screen.md"),
    ]
}

async fn index(req: HttpRequest) -> HttpResponse {
    serve(&req, &INDEX)
}

/// An unknown or malformed scope gets a 404 page pointing back at the list, rather
/// than a screen that would retry a WebSocket the server will never accept.
async fn screen(req: HttpRequest, state: web::Data<AppState>, path: web::Path<String>) -> HttpResponse {
    match registered(&state, &path).await {
        Ok(_) => serve(&req, &SCREEN),
        Err(_) => HttpResponse::NotFound()
            .content_type(HTML)
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .insert_header((header::CONTENT_SECURITY_POLICY, CSP))
            .body(NOT_FOUND.body),
    }
}

async fn asset(req: HttpRequest, name: web::Path<String>) -> HttpResponse {
    match ASSETS.iter().find(|(n, _)| *n == name.as_str()) {
        // The screen's service worker lives under /assets/ but keeps copies of /screen/ pages
        // for a kiosk that reboots while the server is down (docs/screen.md).
        Some(("screen-sw.js", a)) => {
            let mut res = serve(&req, a);
            res.headers_mut().insert(
                header::HeaderName::from_static("service-worker-allowed"),
                HeaderValue::from_static("/screen/"),
            );
            res
        }
        Some((_, a)) => serve(&req, a),
        None => HttpResponse::NotFound()
            .content_type("text/plain; charset=utf-8")
            .body("no such asset"),
    }
}

fn serve(req: &HttpRequest, a: &Asset) -> HttpResponse {
    let etag = format!("\"{:016x}\"", a.tag);
    let fresh = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
    let mut res = if fresh { HttpResponse::NotModified() } else { HttpResponse::Ok() };
    res.insert_header((header::CACHE_CONTROL, HeaderValue::from_static("no-cache")))
        .insert_header((header::ETAG, etag))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")));
    if a.content_type.starts_with("text/html") {
        res.insert_header((header::CONTENT_SECURITY_POLICY, CSP));
    }
    if fresh {
        return res.finish();
    }
    res.content_type(a.content_type).body(a.body)
}

/// FNV-1a, 64 bits: a stable content tag, cheap enough for compile-time evaluation.
const fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut i = 0;
    while i < bytes.len() {
        h ^= bytes[i] as u64;
        h = h.wrapping_mul(0x0100_0000_01b3);
        i += 1;
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn assets_are_named_once_and_tagged_apart() {
        for (i, (a, x)) in ASSETS.iter().enumerate() {
            assert!(!x.body.is_empty(), "{a} is empty");
            for (b, y) in ASSETS.iter().skip(i + 1) {
                assert_ne!(a, b);
                assert_ne!(x.tag, y.tag, "{a} and {b} share a tag");
            }
        }
    }

    #[test]
    fn pages_name_only_embedded_assets() {
        let pages = [INDEX.body, SCREEN.body, NOT_FOUND.body];
        for page in pages {
            let text = String::from_utf8_lossy(page);
            for part in text.split("/assets/").skip(1) {
                let name: String = part
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '.' || *c == '-')
                    .collect();
                assert!(
                    ASSETS.iter().any(|(n, _)| *n == name),
                    "page names /assets/{name}, which is not embedded"
                );
            }
            assert!(
                !text.contains("http://") && !text.contains("https://"),
                "pages must not load anything remote"
            );
        }
    }
}
