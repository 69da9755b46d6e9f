//! Screen tokens: signed (HMAC-SHA256), expiring, bound to a scope and everything
//! under it. Format `st1~<expires unix secs>~<signature hex>~<scope>`; a community
//! monitor's token cannot open another community, the district wall's sees all below.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use super::keys::{hex, same};
use crate::domain::scope::Scope;

type HmacSha256 = Hmac<Sha256>;

/// Signs and checks screen tokens with the configured secret.
#[derive(Clone)]
pub struct ScreenTokens {
    secret: Vec<u8>,
}

impl ScreenTokens {
    pub fn new(secret: &str) -> ScreenTokens {
        ScreenTokens {
            secret: secret.as_bytes().to_vec(),
        }
    }

    fn sign(&self, expires: i64, scope: &Scope) -> String {
        let Ok(mut mac) = HmacSha256::new_from_slice(&self.secret) else {
            return String::new();
        };
        mac.update(format!("st1~{expires}~{scope}").as_bytes());
        hex(&mac.finalize().into_bytes())
    }

    /// A token for `scope` valid until `expires` (unix seconds).
    pub fn issue(&self, scope: &Scope, expires: i64) -> String {
        format!("st1~{expires}~{}~{scope}", self.sign(expires, scope))
    }

    /// The scope a token grants, if it is genuine and not expired at `now` (unix seconds).
    pub fn verify(&self, token: &str, now: i64) -> Result<Scope, &'static str> {
        let mut parts = token.splitn(4, '~');
        let (Some("st1"), Some(exp), Some(sig), Some(scope)) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
            return Err("malformed screen token");
        };
        let expires: i64 = exp.parse().map_err(|_| "malformed screen token")?;
        let scope = Scope::parse(scope).map_err(|_| "malformed screen token")?;
        if !same(self.sign(expires, &scope).as_bytes(), sig.as_bytes()) {
            return Err("screen token signature does not match");
        }
        if expires < now {
            return Err("screen token has expired");
        }
        Ok(scope)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_verify_expire_and_resist_tampering() {
        let t = ScreenTokens::new("s3cret");
        let zj = Scope::parse("nanan.nanping.zhengjie").unwrap();
        let token = t.issue(&zj, 1000);
        assert_eq!(t.verify(&token, 999), Ok(zj.clone()));
        assert_eq!(t.verify(&token, 1001), Err("screen token has expired"));
        let widened = token.replace("~nanan.nanping.zhengjie", "~nanan");
        assert!(t.verify(&widened, 999).is_err(), "a token cannot be widened to the district");
        assert!(ScreenTokens::new("other").verify(&token, 999).is_err());
        assert!(t.verify("st1~x", 0).is_err());
    }
}
