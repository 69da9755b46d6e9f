//! The route table: every endpoint of the HTTP surface as data (method, path,
//! handler), gathered from each feature's module in one list. actix is
//! configured from it, one resource per path, so a path called with a method
//! it does not serve is answered 405 with `Allow`; and what it lists is what
//! the server serves, for the tests and the OpenAPI document to check against.

use actix_web::http::Method;
use actix_web::http::header;
use actix_web::{FromRequest, Handler, HttpResponse, Responder, Route, web};

use crate::error::ApiError;

/// One method on one path.
pub struct Endpoint {
    pub method: Option<Method>,
    pub path: &'static str,
    route: Route,
}

impl Endpoint {
    fn new<F, Args>(method: Option<Method>, path: &'static str, handler: F) -> Endpoint
    where
        F: Handler<Args>,
        Args: FromRequest + 'static,
        F::Output: Responder + 'static,
    {
        let route = match &method {
            Some(m) => web::method(m.clone()).to(handler),
            None => web::route().to(handler),
        };
        Endpoint { method, path, route }
    }

    pub fn get<F, Args>(path: &'static str, handler: F) -> Endpoint
    where
        F: Handler<Args>,
        Args: FromRequest + 'static,
        F::Output: Responder + 'static,
    {
        Self::new(Some(Method::GET), path, handler)
    }

    pub fn post<F, Args>(path: &'static str, handler: F) -> Endpoint
    where
        F: Handler<Args>,
        Args: FromRequest + 'static,
        F::Output: Responder + 'static,
    {
        Self::new(Some(Method::POST), path, handler)
    }

    pub fn delete<F, Args>(path: &'static str, handler: F) -> Endpoint
    where
        F: Handler<Args>,
        Args: FromRequest + 'static,
        F::Output: Responder + 'static,
    {
        Self::new(Some(Method::DELETE), path, handler)
    }

    /// Any method (a catch-all that answers for itself).
    pub fn any<F, Args>(path: &'static str, handler: F) -> Endpoint
    where
        F: Handler<Args>,
        Args: FromRequest + 'static,
        F::Output: Responder + 'static,
    {
        Self::new(None, path, handler)
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
    ]
    .into_iter()
    .flatten()
    .collect()
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
}
