//! Bodies in the two GeoReport formats (`.json`, `.xml`) and the standard error
//! format: `[{"code":400,"description":"…"}]`, or
//! `<errors><error><code>400</code><description>…</description></error></errors>`.

use std::fmt;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use serde_json::{Value, json};

use crate::error::ApiError;

/// The format a URL asks for with its extension.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Json,
    Xml,
}

impl Format {
    /// `json` or `xml`; anything else is a resource that does not exist (404, in JSON).
    pub fn of(ext: &str) -> Result<Format, Fail> {
        match ext {
            "json" => Ok(Format::Json),
            "xml" => Ok(Format::Xml),
            other => Err(Fail::new(
                Format::Json,
                StatusCode::NOT_FOUND,
                format!("format {other:?} is not served: use .json or .xml"),
            )),
        }
    }

    /// A response whose top element is `root` in XML (the JSON body is `value` itself).
    pub fn respond(self, status: StatusCode, root: &str, value: &Value) -> HttpResponse {
        let mut res = HttpResponse::build(status);
        match self {
            Format::Json => res.json(value),
            Format::Xml => res.content_type("text/xml; charset=utf-8").body(xml(root, value)),
        }
    }
}

/// An XML document: objects become elements per key, arrays repeat their items
/// under the singular of the container's name, null becomes an empty element.
pub fn xml(root: &str, value: &Value) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>");
    element(&mut out, root, value);
    out
}

fn element(out: &mut String, name: &str, value: &Value) {
    out.push('<');
    out.push_str(name);
    out.push('>');
    match value {
        Value::Null => {}
        Value::String(s) => escape(out, s),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&n.to_string()),
        Value::Array(items) => {
            let item = singular(name);
            for v in items {
                element(out, item, v);
            }
        }
        Value::Object(map) => {
            for (k, v) in map {
                element(out, k, v);
            }
        }
    }
    out.push_str("</");
    out.push_str(name);
    out.push('>');
}

/// The element name of one item of a GeoReport list.
fn singular(container: &str) -> &'static str {
    match container {
        "services" => "service",
        "service_requests" => "request",
        "attributes" => "attribute",
        "values" => "value",
        "errors" => "error",
        "endpoints" => "endpoint",
        "formats" => "format",
        _ => "item",
    }
}

fn escape(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Not allowed in XML 1.0 at all: drop rather than emit a broken document.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            c => out.push(c),
        }
    }
}

/// An Open311 error, rendered in the format the request asked for.
#[derive(Debug)]
pub struct Fail {
    format: Format,
    status: StatusCode,
    description: String,
}

impl Fail {
    pub fn new(format: Format, status: StatusCode, description: impl Into<String>) -> Fail {
        Fail {
            format,
            status,
            description: description.into(),
        }
    }

    pub fn bad(format: Format, description: impl Into<String>) -> Fail {
        Fail::new(format, StatusCode::BAD_REQUEST, description)
    }

    pub fn not_found(format: Format, description: impl Into<String>) -> Fail {
        Fail::new(format, StatusCode::NOT_FOUND, description)
    }

    pub fn forbidden(format: Format, description: impl Into<String>) -> Fail {
        Fail::new(format, StatusCode::FORBIDDEN, description)
    }

    /// The cockpit's own errors in Open311 terms: a missing or bad API key is
    /// 403 (the GeoReport code for "api_key was not provided or invalid").
    pub fn from_api(format: Format, e: ApiError) -> Fail {
        let status = match &e {
            ApiError::Unauthorized(_) | ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            other => other.status_code(),
        };
        let description = match &e {
            ApiError::Unauthorized(m) => format!("api_key was not provided or is invalid: {m}"),
            ApiError::Internal(_) => "internal error".to_owned(),
            other => other.to_string(),
        };
        if status.is_server_error() {
            tracing::error!(error = ?e, "open311 request failed");
        }
        Fail::new(format, status, description)
    }
}

impl fmt::Display for Fail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.description)
    }
}

impl ResponseError for Fail {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        let body = json!([{ "code": self.status.as_u16(), "description": self.description }]);
        let mut res = self.format.respond(self.status, "errors", &body);
        let retry = match self.status {
            StatusCode::SERVICE_UNAVAILABLE => Some("2"),
            StatusCode::TOO_MANY_REQUESTS => Some("1"),
            _ => None,
        };
        if let Some(secs) = retry
            && let Ok(v) = actix_web::http::header::HeaderValue::from_str(secs)
        {
            res.headers_mut().insert(actix_web::http::header::RETRY_AFTER, v);
        }
        res
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_repeat_their_items_and_text_is_escaped() {
        let v = json!([{"service_code": "a<b", "metadata": false, "keywords": null}]);
        assert_eq!(
            xml("services", &v),
            "<?xml version=\"1.0\" encoding=\"utf-8\"?><services><service><keywords></keywords>\
             <metadata>false</metadata><service_code>a&lt;b</service_code></service></services>"
        );
    }

    #[test]
    fn errors_have_the_standard_shape() {
        let v = json!([{"code": 404, "description": "x & y"}]);
        assert_eq!(
            xml("errors", &v),
            "<?xml version=\"1.0\" encoding=\"utf-8\"?><errors><error><code>404</code><description>x &amp; y</description></error></errors>"
        );
    }

    #[test]
    fn control_characters_never_reach_the_document() {
        assert_eq!(
            xml("d", &json!("a\u{1}b\nc")),
            "<?xml version=\"1.0\" encoding=\"utf-8\"?><d>ab\nc</d>"
        );
    }
}
