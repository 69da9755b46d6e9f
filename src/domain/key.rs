//! Ingest API keys: each bound to one scope (it may write there and below),
//! shown once at creation as `ck_<id>_<secret>` and stored only as a SHA-256 hash.

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::domain::scope::Scope;

/// A stored key: its public id, the scope it may write to, and the hash of its secret.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ApiKey {
    pub id: String,
    pub scope: Scope,
    pub label: String,
    #[serde(skip)]
    pub hash: String,
    pub revoked: bool,
}

pub fn hex(bytes: &[u8]) -> String {
    hex::encode(bytes)
}

fn hash(secret: &str) -> String {
    hex(&Sha256::digest(secret.as_bytes()))
}

/// Compares in constant time, so timing does not reveal how much matched.
pub fn same(a: &[u8], b: &[u8]) -> bool {
    use subtle::ConstantTimeEq;
    a.ct_eq(b).into()
}

impl ApiKey {
    /// A new key for `scope`, and the plaintext to hand over once.
    pub fn generate(scope: Scope, label: &str) -> (ApiKey, String) {
        let id = format!("{:08x}", rand::random::<u32>());
        let secret = format!("{:032x}", rand::random::<u128>());
        let key = ApiKey {
            id: id.clone(),
            scope,
            label: label.to_owned(),
            hash: hash(&secret),
            revoked: false,
        };
        (key, format!("ck_{id}_{secret}"))
    }

    /// Splits a presented key into its id and secret.
    pub fn parse(presented: &str) -> Option<(&str, &str)> {
        let rest = presented.strip_prefix("ck_")?;
        let (id, secret) = rest.split_once('_')?;
        (id.len() == 8 && secret.len() == 32).then_some((id, secret))
    }

    /// Whether `secret` is this key's and the key is live.
    pub fn accepts(&self, secret: &str) -> bool {
        !self.revoked && same(hash(secret).as_bytes(), self.hash.as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_generated_key_verifies_and_a_wrong_one_does_not() {
        let (key, plain) = ApiKey::generate(Scope::parse("nanan.nanping").unwrap(), "kiosk");
        let (id, secret) = ApiKey::parse(&plain).unwrap();
        assert_eq!(id, key.id);
        assert!(key.accepts(secret));
        assert!(!key.accepts(&"0".repeat(32)));
        assert!(!plain.contains(&key.hash), "the stored hash is not the secret");
        let revoked = ApiKey { revoked: true, ..key };
        assert!(!revoked.accepts(secret));
    }

    #[test]
    fn malformed_keys_do_not_parse() {
        for bad in [
            "",
            "ck_",
            "ck_abc_def",
            "xx_12345678_0123456789abcdef0123456789abcdef",
            "ck_12345678",
        ] {
            assert!(ApiKey::parse(bad).is_none(), "{bad}");
        }
    }
}
