//! `Scope::parse` on arbitrary strings: it never panics, accepts exactly the
//! contract's paths (1-6 dot-separated segments of 1-32 [a-z0-9-]), and an accepted
//! scope's lineage runs nearest first to a root, each element within the next ones.
//!
//! Input: one string, or two separated by a NUL byte (the second checks `is_within`
//! against segment prefixes).
#![no_main]

use cockpit::domain::scope::{MAX_DEPTH, Scope};
use libfuzzer_sys::fuzz_target;

/// The contract, written independently of the implementation.
fn is_valid(s: &str) -> bool {
    let segs: Vec<&str> = s.split('.').collect();
    !s.is_empty()
        && segs.len() <= MAX_DEPTH
        && segs
            .iter()
            .all(|g| (1..=32).contains(&g.len()) && g.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'))
}

fn check(s: &str) -> Option<Scope> {
    let parsed = Scope::parse(s);
    assert_eq!(parsed.is_ok(), is_valid(s), "{s:?}: {parsed:?}");
    // Deserializing goes through the same check.
    let de = serde_json::from_value::<Scope>(serde_json::Value::String(s.to_owned()));
    assert_eq!(de.is_ok(), parsed.is_ok(), "{s:?}");
    let scope = match parsed {
        Err(e) => {
            assert!(!e.is_empty());
            return None;
        }
        Ok(scope) => scope,
    };
    assert_eq!(scope.as_str(), s);
    assert_eq!(scope.to_string(), s);
    let depth = scope.depth();
    assert!((1..=MAX_DEPTH).contains(&depth), "{s:?} has depth {depth}");
    let lineage = scope.lineage();
    assert_eq!(lineage.len(), depth, "{s:?}");
    assert_eq!(lineage[0], scope);
    let root = lineage.last().unwrap();
    assert_eq!(root.depth(), 1, "{s:?} ends at {root:?}");
    assert_eq!(root.parent(), None);
    for (i, a) in lineage.iter().enumerate() {
        assert_eq!(a.depth(), depth - i);
        assert_eq!(Scope::parse(a.as_str()).as_ref(), Ok(a), "an ancestor of {s:?} does not parse");
        if let Some(next) = lineage.get(i + 1) {
            assert_eq!(a.parent().as_ref(), Some(next));
        }
        for (j, b) in lineage.iter().enumerate() {
            if j >= i {
                assert!(a.is_within(b), "{a:?} is not within its ancestor {b:?}");
            } else {
                assert!(!a.is_within(b), "{a:?} is within its descendant {b:?}");
            }
        }
    }
    Some(scope)
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        check(&String::from_utf8_lossy(data));
        return;
    };
    let mut parts = text.splitn(2, '\0');
    let a = check(parts.next().unwrap_or_default());
    let b = parts.next().and_then(check);
    if let (Some(a), Some(b)) = (a, b) {
        let sa: Vec<&str> = a.as_str().split('.').collect();
        let sb: Vec<&str> = b.as_str().split('.').collect();
        assert_eq!(a.is_within(&b), sa.starts_with(&sb), "{a:?} within {b:?}");
        assert_eq!(a.is_within(&b) && b.is_within(&a), a == b);
    }
});
