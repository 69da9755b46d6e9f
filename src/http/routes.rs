//! The route table: every endpoint of the HTTP surface as data (method, path,
//! handler, description), gathered from each feature's module in one list.
//! Both actix and the OpenAPI document are built from it: actix one resource
//! per path, so a path called with a method it does not serve is answered 405
//! with `Allow`; the document by asking each entry to describe itself, so a
//! route cannot be served undescribed, nor described at another path.

use actix_web::http::Method;
use actix_web::http::header;
use actix_web::{FromRequest, Handler, HttpResponse, Responder, Route, web};
use serde_json::{Map, Value, json};

use super::openapi::{About, At, Doc};
use crate::error::ApiError;

/// One method on one path, described.
pub struct Endpoint {
    pub method: Option<Method>,
    pub path: &'static str,
    pub about: About,
    route: Route,
}

/// A route not yet described: it becomes an [`Endpoint`] only with its description.
pub struct Undescribed {
    method: Option<Method>,
    path: &'static str,
    route: Route,
}

impl Undescribed {
    /// Described in the OpenAPI document by `describe`.
    pub fn about(self, describe: fn(&mut Doc, At)) -> Endpoint {
        self.with(About::Op(describe))
    }

    /// Described by another document under `docs/` (Open311's standard, the screen).
    pub fn elsewhere(self, doc: &'static str) -> Endpoint {
        self.with(About::Elsewhere(doc))
    }

    fn with(self, about: About) -> Endpoint {
        Endpoint {
            method: self.method,
            path: self.path,
            about,
            route: self.route,
        }
    }
}

impl Endpoint {
    fn route<F, Args>(method: Option<Method>, path: &'static str, handler: F) -> Undescribed
    where
        F: Handler<Args>,
        Args: FromRequest + 'static,
        F::Output: Responder + 'static,
    {
        let route = match &method {
            Some(m) => web::method(m.clone()).to(handler),
            None => web::route().to(handler),
        };
        Undescribed { method, path, route }
    }

    pub fn get<F, Args>(path: &'static str, handler: F) -> Undescribed
    where
        F: Handler<Args>,
        Args: FromRequest + 'static,
        F::Output: Responder + 'static,
    {
        Self::route(Some(Method::GET), path, handler)
    }

    pub fn post<F, Args>(path: &'static str, handler: F) -> Undescribed
    where
        F: Handler<Args>,
        Args: FromRequest + 'static,
        F::Output: Responder + 'static,
    {
        Self::route(Some(Method::POST), path, handler)
    }

    pub fn delete<F, Args>(path: &'static str, handler: F) -> Undescribed
    where
        F: Handler<Args>,
        Args: FromRequest + 'static,
        F::Output: Responder + 'static,
    {
        Self::route(Some(Method::DELETE), path, handler)
    }

    /// Any method (a catch-all that answers for itself).
    pub fn any<F, Args>(path: &'static str, handler: F) -> Undescribed
    where
        F: Handler<Args>,
        Args: FromRequest + 'static,
        F::Output: Responder + 'static,
    {
        Self::route(None, path, handler)
    }
}

/// Every endpoint, in the order actix matches them.
pub fn all() -> Vec<Endpoint> {
    use super::*;
    [
        ingest::routes(),
        query::routes(),
        tickets::routes(),
        admin::routes(),
        alerts::routes(),
        ws::routes(),
        health::routes(),
        screen::routes(),
        open311::routes(),
        surveys::routes(),
        ledger::routes(),
        map::routes(),
        vec![Endpoint::get("/api/v1/openapi.json", serve_openapi).about(about_openapi)],
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// The OpenAPI document: every described endpoint of the table.
pub fn openapi() -> Value {
    let mut d = Doc::new();
    for e in all() {
        let (Some(method), About::Op(describe)) = (&e.method, e.about) else {
            continue;
        };
        let method = match *method {
            Method::POST => "post",
            Method::DELETE => "delete",
            _ => "get",
        };
        describe(&mut d, At { method, path: e.path });
    }
    d.finish()
}

/// The document as committed (`docs/openapi.json`): pretty, with a final newline.
pub fn openapi_text() -> String {
    serde_json::to_string_pretty(&openapi()).unwrap_or_default() + "\n"
}

async fn serve_openapi() -> HttpResponse {
    // Built once: the table and the types do not change while the process runs.
    static TEXT: std::sync::LazyLock<String> = std::sync::LazyLock::new(openapi_text);
    HttpResponse::Ok().content_type("application/json").body(TEXT.as_str())
}

fn about_openapi(d: &mut Doc, at: At) {
    let mut r = Map::new();
    r.insert("200".into(), d.json("This document", json!({"type": "object"})));
    d.op(at, "operations", "The OpenAPI document", "", vec![], None, r);
}

/// `(method, path)` of every endpoint (`None`: any method).
pub fn table() -> Vec<(Option<Method>, &'static str)> {
    all().into_iter().map(|e| (e.method, e.path)).collect()
}

/// Mounts the table: one resource per path with each of its methods; any
/// other method gets 405 naming the ones it has (HEAD is served wherever GET
/// is, by `edge`).
pub fn configure(cfg: &mut web::ServiceConfig) {
    let mut paths: Vec<(&'static str, Vec<Endpoint>)> = Vec::new();
    for e in all() {
        match paths.iter_mut().find(|(p, _)| *p == e.path) {
            Some((_, v)) => v.push(e),
            None => paths.push((e.path, vec![e])),
        }
    }
    for (path, endpoints) in paths {
        let allow = allow(endpoints.iter().map(|e| e.method.as_ref()));
        let has_methods = endpoints.iter().any(|e| e.method.is_some());
        let mut resource = web::resource(path);
        let mut fallback = None;
        for e in endpoints {
            match e.method {
                // A path's own answer for the other methods (Open311 has its own error form).
                None if has_methods => fallback = Some(e.route),
                _ => resource = resource.route(e.route),
            }
        }
        cfg.service(match fallback {
            Some(route) => resource.default_service(route),
            None => resource.default_service(web::to(move || not_allowed(allow.clone()))),
        });
    }
}

/// The `Allow` header of a path pattern, from the table.
pub fn allow_of(pattern: &str) -> String {
    let t = table();
    allow(t.iter().filter(|(_, p)| *p == pattern).map(|(m, _)| m.as_ref()))
}

fn allow<'a>(methods: impl Iterator<Item = Option<&'a Method>>) -> String {
    let mut allow: Vec<String> = methods.flatten().map(Method::to_string).collect();
    if allow.iter().any(|m| m == "GET") {
        allow.push("HEAD".into());
    }
    allow.join(", ")
}

async fn not_allowed(allow: String) -> HttpResponse {
    let e = ApiError::MethodNotAllowed(format!("this path answers {allow}"));
    let mut res = actix_web::ResponseError::error_response(&e);
    if let Ok(v) = header::HeaderValue::from_str(&allow) {
        res.headers_mut().insert(header::ALLOW, v);
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_path_is_served_twice_for_one_method() {
        let t = table();
        for (i, (m, p)) in t.iter().enumerate() {
            assert!(!t[..i].iter().any(|(m2, p2)| m2 == m && p2 == p), "{m:?} {p} is in the table twice");
        }
        assert!(t.len() > 30, "every feature's routes are listed");
    }

    #[test]
    fn every_described_route_is_in_the_document_at_its_own_path_and_method() {
        let doc = openapi();
        let paths = doc["paths"].as_object().cloned().unwrap_or_default();
        let mut described = 0;
        for e in all() {
            match (&e.method, e.about) {
                (Some(m), About::Op(_)) => {
                    let m = m.as_str().to_ascii_lowercase();
                    assert!(
                        paths.get(e.path).and_then(|p| p.get(&m)).is_some(),
                        "{m} {} is not in the document",
                        e.path
                    );
                    described += 1;
                }
                (None, About::Op(_)) => panic!("{}: a route for any method cannot be an operation", e.path),
                (_, About::Elsewhere(doc)) => {
                    let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(doc);
                    assert!(file.is_file(), "{} is described by {doc}, which does not exist", e.path);
                }
            }
        }
        let operations: usize = paths.values().filter_map(|p| p.as_object()).map(|o| o.len()).sum();
        assert_eq!(operations, described, "the document has exactly the table's operations");
        assert!(described > 30);
    }
}
