//! Scopes: the dotted paths that name units of the governance tree
//! (district → street → community → grid), parsed once and trusted after.

use std::fmt;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

/// Deepest tree the contract allows (district is level 1).
pub const MAX_DEPTH: usize = 6;
const MAX_SEGMENT: usize = 32;

/// A validated scope path such as `nanan.nanping.zhengjie.g03`.
///
/// Cheap to clone: the path is shared, because every record fans out to all
/// of its ancestors and scopes are copied into many aggregate keys.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Scope(Arc<str>);

impl Scope {
    /// Parses a scope path, explaining what is wrong when it is not one.
    pub fn parse(s: &str) -> Result<Self, String> {
        if s.is_empty() {
            return Err("scope is empty".into());
        }
        let segments: Vec<&str> = s.split('.').collect();
        if segments.len() > MAX_DEPTH {
            return Err(format!("scope has {} levels, at most {MAX_DEPTH} are allowed", segments.len()));
        }
        for seg in segments {
            let ok_chars = seg.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
            if seg.is_empty() || seg.len() > MAX_SEGMENT || !ok_chars {
                return Err(format!("scope segment {seg:?} must be 1-{MAX_SEGMENT} characters of [a-z0-9-]"));
            }
        }
        Ok(Scope(Arc::from(s)))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Number of levels: `nanan` is 1, `nanan.nanping` is 2.
    pub fn depth(&self) -> usize {
        self.0.split('.').count()
    }

    /// The enclosing unit, `None` for a root.
    pub fn parent(&self) -> Option<Scope> {
        self.0.rfind('.').map(|i| Scope(Arc::from(&self.0[..i])))
    }

    /// This scope and every ancestor, nearest first: a record counts in all of them.
    pub fn lineage(&self) -> Vec<Scope> {
        let mut out = vec![self.clone()];
        let mut cur = self.parent();
        while let Some(s) = cur {
            cur = s.parent();
            out.push(s);
        }
        out
    }

    /// True when `self` is `other` or lies under it.
    pub fn is_within(&self, other: &Scope) -> bool {
        self.0.as_ref() == other.0.as_ref() || (self.0.starts_with(other.as_str()) && self.0.as_bytes().get(other.0.len()) == Some(&b'.'))
    }
}

impl schemars::JsonSchema for Scope {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Scope".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "pattern": "^[a-z0-9-]{1,32}(\\.[a-z0-9-]{1,32}){0,5}$",
            "description": "A unit of the tree, root first: district.street.community.grid",
            "examples": ["nanan.nanping.zhengjie.g03"]
        })
    }
}

impl TryFrom<String> for Scope {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        Scope::parse(&s)
    }
}

impl From<Scope> for String {
    fn from(s: Scope) -> String {
        s.0.to_string()
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Scope({})", self.0)
    }
}

/// A registered unit: its path, display name and, for communities, a theme.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ScopeInfo {
    pub id: Scope,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub theme: Option<String>,
    /// Households living there, when registered: a survey's response rate is
    /// counted against it (or against the sum of its children's). Registering
    /// the scope again without it keeps the known count.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub households: Option<i64>,
}

/// A ticket holder's display names (a worker or a department: holders are free
/// ids, named by the optional `assignees` table of the scopes file).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Assignee {
    /// The name in Chinese, as the screens show it (1-100 printable characters, as are the others).
    #[schemars(
        length(min = 1, max = 100),
        regex(pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$")
    )]
    pub zh: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(
        length(min = 1, max = 100),
        regex(pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$")
    )]
    pub en: Option<String>,
    /// The unit it belongs to (a grid, a community office, a department).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(
        length(min = 1, max = 100),
        regex(pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$")
    )]
    pub unit: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_contract_examples() {
        for s in ["nanan", "nanan.nanping", "nanan.nanping.zhengjie.g03", "a-1.b.c.d.e.f"] {
            assert!(Scope::parse(s).is_ok(), "{s}");
        }
    }

    #[test]
    fn rejects_malformed_paths() {
        for s in [
            "",
            "Nanan",
            "nanan.",
            ".nanan",
            "nanan..x",
            "a.b.c.d.e.f.g",
            "nan an",
            "南岸",
            &"x".repeat(33),
        ] {
            assert!(Scope::parse(s).is_err(), "{s:?}");
        }
    }

    #[test]
    fn lineage_runs_nearest_first_to_the_root() {
        let s = Scope::parse("nanan.nanping.zhengjie.g03").unwrap();
        let names: Vec<String> = s.lineage().into_iter().map(String::from).collect();
        assert_eq!(
            names,
            ["nanan.nanping.zhengjie.g03", "nanan.nanping.zhengjie", "nanan.nanping", "nanan"]
        );
    }

    #[test]
    fn within_respects_segment_boundaries() {
        let a = Scope::parse("nanan.nanping").unwrap();
        assert!(Scope::parse("nanan.nanping.zhengjie").unwrap().is_within(&a));
        assert!(a.is_within(&a));
        assert!(!Scope::parse("nanan.nanpingzhen").unwrap().is_within(&a));
    }
}
