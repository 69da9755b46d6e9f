//! What the Open311 suite needs beyond the shared harness (`tests/support`):
//! raw responses (status, content type, text: Open311 also speaks XML) and forms.

use serde_json::Value;

use crate::helpers::TestApp;

/// A response as received: status, content type and body text.
pub struct Raw {
    pub status: u16,
    pub content_type: String,
    pub text: String,
}

impl Raw {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text))
    }
}

async fn raw(res: reqwest::Response) -> Raw {
    let status = res.status().as_u16();
    let content_type = res
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    Raw {
        status,
        content_type,
        text: res.text().await.unwrap(),
    }
}

/// `application/x-www-form-urlencoded`, every byte outside the unreserved set escaped.
pub fn encode(fields: &[(&str, &str)]) -> String {
    let esc = |s: &str| {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
                _ => format!("%{b:02X}"),
            })
            .collect::<String>()
    };
    fields
        .iter()
        .map(|(k, v)| format!("{}={}", esc(k), esc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// The Open311 side of a test app: raw responses, forms, query strings.
impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    pub async fn raw_get(&self, path: &str) -> Raw {
        raw(self.client.get(self.url(path)).send().await.unwrap()).await
    }

    /// GET `path` with `fields` as its query string.
    pub async fn get_with(&self, path: &str, fields: &[(&str, &str)]) -> Raw {
        self.raw_get(&format!("{path}?{}", encode(fields))).await
    }

    /// POSTs a form, as Open311 clients do.
    pub async fn form(&self, path: &str, fields: &[(&str, &str)]) -> Raw {
        self.form_with(path, fields, None).await
    }

    /// POSTs a form with an `Idempotency-Key` header.
    pub async fn form_with(&self, path: &str, fields: &[(&str, &str)], idempotency_key: Option<&str>) -> Raw {
        let mut r = self
            .client
            .post(self.url(path))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(encode(fields));
        if let Some(k) = idempotency_key {
            r = r.header("idempotency-key", k);
        }
        raw(r.send().await.unwrap()).await
    }

    pub async fn post_json(&self, path: &str, body: &Value, bearer: Option<&str>) -> Raw {
        let mut r = self.client.post(self.url(path)).json(body);
        if let Some(b) = bearer {
            r = r.bearer_auth(b);
        }
        raw(r.send().await.unwrap()).await
    }
}
