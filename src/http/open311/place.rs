//! Where an Open311 request lands in the scope tree. Never creates a scope.
//!
//! - `jurisdiction_id` names a registered scope (normally the district, `nanan`);
//!   absent, it is the only root when one is registered.
//! - An API key bound to a scope narrows that: the request is placed within the
//!   narrower of the two (a Zhengjie kiosk's key files into Zhengjie).
//! - `address_id` names a registered scope, in full (`nanan.nanping.zhengjie.g03`)
//!   or relative to the jurisdiction (`nanping.zhengjie.g03`).
//! - Otherwise `address_string` is matched against the registered names under
//!   the bound (see [`by_name`]).
//! - Otherwise (lat/long alone) the ticket is filed at the bound itself: the
//!   cockpit has no unit boundaries to place a point in.

use crate::domain::scope::{Scope, ScopeInfo};
use crate::registry::Registry;

/// Why a request cannot be placed.
#[derive(Debug, PartialEq, Eq)]
pub enum Miss {
    /// Names nothing usable (400).
    Unknown(String),
    /// Names a unit the API key may not write to (403).
    Outside(String),
}

/// The scope named by `jurisdiction_id`, if given.
pub async fn jurisdiction(registry: &Registry, raw: Option<&str>) -> Result<Option<Scope>, String> {
    let Some(raw) = raw else { return Ok(None) };
    let known = match Scope::parse(raw) {
        Ok(s) => registry.find(&s).await.map(|i| i.id),
        Err(_) => None,
    };
    match known {
        Some(s) => Ok(Some(s)),
        None => {
            let roots: Vec<String> = registry.roots().into_iter().map(|s| s.id.to_string()).collect();
            Err(format!(
                "jurisdiction_id {raw:?} is not a jurisdiction served here (registered: {})",
                roots.join(", ")
            ))
        }
    }
}

/// The narrower of the jurisdiction and the API key's scope; `Err` when they do not overlap.
pub fn bound(jurisdiction: Option<Scope>, key: Option<Scope>) -> Result<Option<Scope>, String> {
    match (jurisdiction, key) {
        (j, None) => Ok(j),
        (None, k) => Ok(k),
        (Some(j), Some(k)) if k.is_within(&j) => Ok(Some(k)),
        (Some(j), Some(k)) if j.is_within(&k) => Ok(Some(j)),
        (Some(j), Some(k)) => Err(format!("this api_key is for {k}, which is not in jurisdiction {j}")),
    }
}

/// The scope a new request is filed in.
pub async fn resolve(
    registry: &Registry,
    jurisdiction: Option<&Scope>,
    bound: Option<&Scope>,
    address_id: Option<&str>,
    address: Option<&str>,
) -> Result<Scope, Miss> {
    if let Some(raw) = address_id {
        return by_id(registry, jurisdiction, bound, raw).await;
    }
    if let Some(text) = address
        && let Some(s) = by_name(&registry.all(), bound, text)
    {
        return Ok(s);
    }
    if let Some(b) = bound {
        return Ok(b.clone());
    }
    let roots = registry.roots();
    match roots.as_slice() {
        [only] => Ok(only.id.clone()),
        _ => Err(Miss::Unknown(
            "jurisdiction_id is required: this server serves several jurisdictions".into(),
        )),
    }
}

async fn by_id(registry: &Registry, jurisdiction: Option<&Scope>, bound: Option<&Scope>, raw: &str) -> Result<Scope, Miss> {
    let mut tries = vec![raw.to_owned()];
    for prefix in [jurisdiction, bound].into_iter().flatten() {
        tries.push(format!("{prefix}.{raw}"));
    }
    for t in tries {
        let Ok(s) = Scope::parse(&t) else { continue };
        if registry.find(&s).await.is_none() {
            continue;
        }
        if let Some(j) = jurisdiction
            && !s.is_within(j)
        {
            return Err(Miss::Unknown(format!("address_id {raw:?} is not in jurisdiction {j}")));
        }
        if let Some(b) = bound
            && !s.is_within(b)
        {
            return Err(Miss::Outside(format!("this api_key may file requests only under {b}, not {s}")));
        }
        return Ok(s);
    }
    let under = jurisdiction.map(|j| format!(" in jurisdiction {j}")).unwrap_or_default();
    Err(Miss::Unknown(format!(
        "address_id {raw:?} names no registered unit{under}: use a scope id such as nanan.nanping.zhengjie.g03"
    )))
}

/// The unit an address names, from the registered display names it contains.
///
/// Every registered scope under `bound` whose name (two characters or more)
/// occurs in the address is a candidate; a candidate scores one for each unit of
/// its lineage that is a candidate too. The best score wins; a tie goes to the
/// finest unit containing every tied candidate. So "正街社区第三网格" is
/// Zhengjie's third grid, "第三网格" alone (every community has one) is only the
/// jurisdiction, and "南坪街道正街社区" is Zhengjie.
pub fn by_name(all: &[ScopeInfo], bound: Option<&Scope>, address: &str) -> Option<Scope> {
    let matched: Vec<&Scope> = all
        .iter()
        .filter(|s| bound.is_none_or(|b| s.id.is_within(b)))
        .filter(|s| {
            let name = s.name.trim();
            name.chars().count() >= 2 && address.contains(name)
        })
        .map(|s| &s.id)
        .collect();
    let score = |s: &Scope| s.lineage().iter().filter(|a| matched.contains(a)).count();
    let best = matched.iter().map(|s| score(s)).max()?;
    let winners: Vec<&Scope> = matched.iter().copied().filter(|s| score(s) == best).collect();
    let first = winners.first()?;
    first.lineage().into_iter().find(|a| winners.iter().all(|w| w.is_within(a)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(id: &str, name: &str) -> ScopeInfo {
        ScopeInfo {
            id: Scope::parse(id).unwrap(),
            name: name.into(),
            theme: None,
            households: None,
        }
    }

    fn tree() -> Vec<ScopeInfo> {
        vec![
            info("nanan", "南岸区"),
            info("nanan.nanping", "南坪街道"),
            info("nanan.nanping.zhengjie", "正街社区"),
            info("nanan.nanping.zhengjie.g03", "第三网格"),
            info("nanan.nanpingzhen", "南坪镇"),
            info("nanan.nanpingzhen.xinglong", "兴隆社区"),
            info("nanan.nanpingzhen.xinglong.g03", "第三网格"),
        ]
    }

    fn place(bound: &str, address: &str) -> Option<String> {
        let b = Scope::parse(bound).unwrap();
        by_name(&tree(), Some(&b), address).map(String::from)
    }

    #[test]
    fn names_pick_the_unit_they_spell_out() {
        assert_eq!(
            place("nanan", "正街社区第三网格 路灯杆12号").as_deref(),
            Some("nanan.nanping.zhengjie.g03")
        );
        assert_eq!(place("nanan", "南坪街道正街社区").as_deref(), Some("nanan.nanping.zhengjie"));
        assert_eq!(
            place("nanan", "兴隆社区 第三网格").as_deref(),
            Some("nanan.nanpingzhen.xinglong.g03")
        );
    }

    #[test]
    fn ambiguous_names_fall_back_to_what_they_share() {
        assert_eq!(place("nanan", "第三网格").as_deref(), Some("nanan"));
        assert_eq!(place("nanan", "正街社区 or 兴隆社区").as_deref(), Some("nanan"));
        assert_eq!(place("nanan.nanping", "第三网格").as_deref(), Some("nanan.nanping.zhengjie.g03"));
        assert_eq!(place("nanan", "1234 5th street"), None);
    }

    #[test]
    fn the_key_and_the_jurisdiction_narrow_each_other() {
        let s = |x: &str| Some(Scope::parse(x).unwrap());
        assert_eq!(bound(s("nanan"), s("nanan.nanping.zhengjie")), Ok(s("nanan.nanping.zhengjie")));
        assert_eq!(bound(s("nanan.nanping"), s("nanan")), Ok(s("nanan.nanping")));
        assert_eq!(bound(None, s("nanan.nanping")), Ok(s("nanan.nanping")));
        assert!(bound(s("nanan.nanping"), s("nanan.nanpingzhen")).is_err());
    }
}
