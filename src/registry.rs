//! The scope registry: the tree of registered units, held in memory for every
//! request and backed by the record store so all instances agree.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::domain::dictionary::{Dictionary, Vocabulary};
use crate::domain::geometry::{Geometry, MapNote};
use crate::domain::scope::{Assignee, Scope, ScopeInfo};
use crate::records::{RecordError, RecordStore};

/// Another instance may have registered a scope: look again at most this often.
const RELOAD_EVERY: Duration = Duration::from_secs(2);

pub struct Registry {
    store: Arc<dyn RecordStore>,
    /// The registered scopes and what is derived from them, replaced whole at
    /// each reload so a reader never sees one half old and the other new; with
    /// the number of the reload that read them.
    forest: RwLock<(u64, Arc<Forest>)>,
    /// Reloads started: each takes the next number before it reads the store.
    reloads: AtomicU64,
    /// Ticket holders' display names, from the scopes file (or a registration).
    assignees: RwLock<HashMap<String, Assignee>>,
    /// Names of codes: the shipped defaults and the scopes file's dictionary.
    dictionary: RwLock<Dictionary>,
    /// Scopes' points and outlines, from the scopes file (or a registration), like
    /// the holders' names: drawing data, not records, so the store does not keep them.
    places: RwLock<HashMap<Scope, Geometry>>,
    /// Whether those outlines are schematic, and the file's note on them.
    map_note: RwLock<MapNote>,
    loaded: RwLock<Instant>,
}

/// A scope with its children, for `GET /api/v1/scopes`.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct Node {
    #[serde(flatten)]
    pub info: ScopeInfo,
    pub children: Vec<Node>,
}

impl Registry {
    pub async fn load(store: Arc<dyn RecordStore>) -> Result<Self, RecordError> {
        let r = Registry {
            store,
            forest: RwLock::default(),
            reloads: AtomicU64::new(0),
            assignees: RwLock::default(),
            dictionary: RwLock::new(Dictionary::defaults()),
            places: RwLock::default(),
            map_note: RwLock::default(),
            loaded: RwLock::new(Instant::now()),
        };
        r.reload().await?;
        Ok(r)
    }

    pub async fn reload(&self) -> Result<(), RecordError> {
        let number = self.reloads.fetch_add(1, Ordering::SeqCst) + 1;
        let all: BTreeMap<Scope, ScopeInfo> = self.store.scopes().await?.into_iter().map(|s| (s.id.clone(), s)).collect();
        self.install(number, Forest::of(all));
        Ok(())
    }

    /// Installs what reload `number` read, unless a later reload's is already
    /// in: reloads overlap (a lookup of an unknown scope, a registration), and
    /// one that read the store before a registration must not finish after it.
    fn install(&self, number: u64, forest: Forest) {
        let mut installed = self.forest.write().unwrap_or_else(|p| p.into_inner());
        if number > installed.0 {
            *installed = (number, Arc::new(forest));
            *self.loaded.write().unwrap_or_else(|p| p.into_inner()) = Instant::now();
        }
    }

    /// The scopes as last loaded (cheap: a shared snapshot).
    fn forest(&self) -> Arc<Forest> {
        self.forest.read().unwrap_or_else(|p| p.into_inner()).1.clone()
    }

    pub fn get(&self, scope: &Scope) -> Option<ScopeInfo> {
        self.forest().scopes.get(scope).cloned()
    }

    /// Like [`Registry::get`], but looks in the store once more when the scope is unknown
    /// here (it may have been registered through another instance).
    pub async fn find(&self, scope: &Scope) -> Option<ScopeInfo> {
        if let Some(s) = self.get(scope) {
            return Some(s);
        }
        let stale = self.loaded.read().unwrap_or_else(|p| p.into_inner()).elapsed() > RELOAD_EVERY;
        if stale && self.reload().await.is_ok() {
            return self.get(scope);
        }
        None
    }

    /// Adds (or renames) ticket holders' display names.
    pub fn name_assignees(&self, names: impl IntoIterator<Item = (String, Assignee)>) {
        self.assignees.write().unwrap_or_else(|p| p.into_inner()).extend(names);
    }

    /// Adds (or renames) codes of the dictionary.
    pub fn name_codes(&self, names: Dictionary) {
        self.dictionary.write().unwrap_or_else(|p| p.into_inner()).extend(names);
    }

    /// Adds (or moves) scopes' points and outlines; a `map` note, when given,
    /// replaces the one before.
    pub fn place(&self, places: impl IntoIterator<Item = (Scope, Geometry)>, map: Option<MapNote>) {
        self.places.write().unwrap_or_else(|p| p.into_inner()).extend(places);
        if let Some(m) = map {
            *self.map_note.write().unwrap_or_else(|p| p.into_inner()) = m;
        }
    }

    /// A scope's point or outline, when the scopes file gives one.
    pub fn geometry(&self, scope: &Scope) -> Option<Geometry> {
        self.places.read().unwrap_or_else(|p| p.into_inner()).get(scope).cloned()
    }

    /// Whether the outlines are schematic, and the note on them.
    pub fn map_note(&self) -> MapNote {
        self.map_note.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// The dictionary as it stands.
    pub fn dictionary(&self) -> Dictionary {
        self.dictionary.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Whether the dictionary names `code` in `v`.
    pub fn knows(&self, v: Vocabulary, code: &str) -> bool {
        self.dictionary.read().unwrap_or_else(|p| p.into_inner()).knows(v, code)
    }

    /// Every holder's display names.
    pub fn assignees(&self) -> BTreeMap<String, Assignee> {
        self.assignees
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
            .into_iter()
            .collect()
    }

    /// A holder's display names, when the scopes file gives them.
    pub fn assignee(&self, id: &str) -> Option<Assignee> {
        self.assignees.read().unwrap_or_else(|p| p.into_inner()).get(id).cloned()
    }

    pub fn all(&self) -> Vec<ScopeInfo> {
        self.forest().scopes.values().cloned().collect()
    }

    pub fn children(&self, scope: &Scope) -> Vec<ScopeInfo> {
        self.forest().children.get(scope).map(|c| c.to_vec()).unwrap_or_default()
    }

    /// Households under a scope: its own registered count, or else the sum of its
    /// children's when every child has one; `None` otherwise (a partial sum would
    /// overstate a response rate). Computed at each reload, so a read is a lookup.
    pub fn households(&self, scope: &Scope) -> Option<i64> {
        self.forest().households.get(scope).copied()
    }

    /// Whole levels of the tree, shallowest first, while together they are at
    /// most `cap` scopes (the roots always), in id order; and the deepest level taken.
    pub fn top_levels(&self, cap: usize) -> (usize, Vec<ScopeInfo>) {
        let forest = self.forest();
        let depth = levels_within(forest.scopes.keys(), cap);
        let scopes = forest.scopes.values().filter(|s| s.id.depth() <= depth).cloned().collect();
        (depth, scopes)
    }

    /// The registered roots (scopes of one level), in id order.
    pub fn roots(&self) -> Vec<ScopeInfo> {
        self.forest().roots.to_vec()
    }

    /// The registered forest, roots first.
    pub fn tree(&self) -> Vec<Node> {
        let forest = self.forest();
        fn build(s: &ScopeInfo, index: &HashMap<Scope, Arc<[ScopeInfo]>>) -> Node {
            let children = index.get(&s.id).map(|c| c.iter().map(|c| build(c, index)).collect());
            Node {
                info: s.clone(),
                children: children.unwrap_or_default(),
            }
        }
        forest.roots.iter().map(|s| build(s, &forest.children)).collect()
    }

    /// Registers scopes after checking each one's parent is registered or comes
    /// earlier in the list. On error returns the index and reason; nothing is stored.
    pub async fn register(&self, scopes: &[ScopeInfo]) -> Result<Result<(), (usize, String)>, RecordError> {
        self.reload().await?;
        let mut sorted: Vec<&ScopeInfo> = scopes.iter().collect();
        sorted.sort_by_key(|s| s.id.depth());
        {
            let forest = self.forest();
            let known = &forest.scopes;
            let mut adding: std::collections::HashSet<&Scope> = std::collections::HashSet::new();
            for s in &sorted {
                if let Some(p) = s.id.parent()
                    && !known.contains_key(&p)
                    && !adding.contains(&p)
                {
                    let index = scopes.iter().position(|x| x.id == s.id).unwrap_or(0);
                    return Ok(Err((index, format!("parent {p} of {} is not registered", s.id))));
                }
                adding.insert(&s.id);
            }
        }
        let owned: Vec<ScopeInfo> = sorted.into_iter().cloned().collect();
        self.store.put_scopes(&owned).await?;
        self.reload().await?;
        Ok(Ok(()))
    }
}

/// The registered scopes, and what is derived from them at each reload so that
/// a read is a lookup.
#[derive(Default)]
struct Forest {
    scopes: BTreeMap<Scope, ScopeInfo>,
    /// The scopes of one level, in id order.
    roots: Arc<[ScopeInfo]>,
    /// Each scope's children, in id order: a city root's dashboard asks for its
    /// 39 among 74,000 scopes on every read.
    children: HashMap<Scope, Arc<[ScopeInfo]>>,
    /// Households per scope, summed up the tree (see [`Registry::households`]).
    households: HashMap<Scope, i64>,
}

impl Forest {
    fn of(scopes: BTreeMap<Scope, ScopeInfo>) -> Forest {
        Forest {
            roots: scopes.values().filter(|s| s.id.depth() == 1).cloned().collect(),
            children: children(&scopes),
            households: households(&scopes),
            scopes,
        }
    }
}

/// The deepest level such that the scopes down to it are at most `cap` (at least 1).
fn levels_within<'a>(scopes: impl Iterator<Item = &'a Scope>, cap: usize) -> usize {
    let mut per_level: BTreeMap<usize, usize> = BTreeMap::new();
    for s in scopes {
        *per_level.entry(s.depth()).or_default() += 1;
    }
    let mut total = 0;
    let mut deepest = 1;
    for (depth, n) in per_level {
        total += n;
        if total > cap && depth > 1 {
            break;
        }
        deepest = depth;
    }
    deepest
}

/// Each registered scope's registered children, in id order.
fn children(all: &BTreeMap<Scope, ScopeInfo>) -> HashMap<Scope, Arc<[ScopeInfo]>> {
    let mut by_parent: HashMap<Scope, Vec<ScopeInfo>> = HashMap::new();
    for s in all.values() {
        if let Some(parent) = s.id.parent() {
            by_parent.entry(parent).or_default().push(s.clone());
        }
    }
    by_parent.into_iter().map(|(p, c)| (p, Arc::from(c))).collect()
}

/// Households of every scope that has a count of its own or whose children all
/// have one, deepest scopes first so each parent sees its children's sums.
fn households(all: &BTreeMap<Scope, ScopeInfo>) -> HashMap<Scope, i64> {
    let mut by_depth: Vec<&ScopeInfo> = all.values().collect();
    by_depth.sort_by_key(|s| std::cmp::Reverse(s.id.depth()));
    let mut sums: HashMap<Scope, Option<i64>> = HashMap::new();
    for s in by_depth {
        let summed = sums.remove(&s.id).flatten();
        let count = s.households.or(summed);
        if let Some(parent) = s.id.parent().filter(|p| all.contains_key(p)) {
            let acc = sums.entry(parent).or_insert(Some(0));
            *acc = acc.zip(count).map(|(a, c)| a + c);
        }
        sums.insert(s.id.clone(), count);
    }
    sums.into_iter().filter_map(|(k, v)| v.map(|v| (k, v))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(counts: &[(&str, Option<i64>)]) -> BTreeMap<Scope, ScopeInfo> {
        counts
            .iter()
            .map(|(id, households)| {
                let id = Scope::parse(id).unwrap();
                let info = ScopeInfo {
                    id: id.clone(),
                    name: String::new(),
                    theme: None,
                    households: *households,
                };
                (id, info)
            })
            .collect()
    }

    #[tokio::test]
    async fn a_reload_that_read_the_store_first_never_replaces_a_later_one() {
        let dir = std::env::temp_dir().join(format!("cockpit-registry-{:x}", rand::random::<u64>()));
        let store = Arc::new(crate::records::sqlite::SqliteRecords::open(&dir.join("r.sqlite3")).await.unwrap());
        store.migrate().await.unwrap();
        let registry = Registry::load(store).await.unwrap();
        let registered = Scope::parse("d.g").unwrap();
        // Reload 3 read the store after `d.g` was registered; reload 2, before.
        registry.install(3, Forest::of(tree(&[("d", None), ("d.g", None)])));
        registry.install(2, Forest::of(tree(&[("d", None)])));
        assert!(
            registry.get(&registered).is_some(),
            "the older reading came in last and replaced the newer"
        );
        registry.install(4, Forest::of(tree(&[("d", None)])));
        assert!(registry.get(&registered).is_none(), "a later reload is installed");
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn children_are_the_next_level_only_and_a_sibling_sharing_a_prefix_is_not_one() {
        let all = tree(&[
            ("d", None),
            ("d.t", None),
            ("d.t-x", None),
            ("d.t-x.b", None),
            ("d.t.a", None),
            ("d.t.a.g", None),
        ]);
        let index = children(&all);
        let ids = |s: &str| -> Vec<String> {
            let scope = Scope::parse(s).unwrap();
            index
                .get(&scope)
                .map_or(Vec::new(), |c| c.iter().map(|c| c.id.to_string()).collect())
        };
        assert_eq!(ids("d"), ["d.t", "d.t-x"]);
        assert_eq!(ids("d.t"), ["d.t.a"], "d.t-x sorts between d.t and d.t.a but is d's");
        assert_eq!(ids("d.t-x"), ["d.t-x.b"]);
        assert!(ids("d.t.a.g").is_empty());
    }

    #[test]
    fn metrics_take_whole_levels_while_they_fit() {
        let all = tree(&[
            ("d", None),
            ("d.a", None),
            ("d.b", None),
            ("d.a.x", None),
            ("d.a.y", None),
            ("d.b.z", None),
        ]);
        let depth = |cap| levels_within(all.keys(), cap);
        assert_eq!(depth(100), 3, "everything fits");
        assert_eq!(depth(6), 3);
        assert_eq!(depth(5), 2, "never part of a level");
        assert_eq!(depth(3), 2);
        assert_eq!(depth(2), 1);
        assert_eq!(depth(0), 1, "the roots always");
    }

    #[test]
    fn households_sum_up_only_when_every_child_counts() {
        let partial = tree(&[("d", None), ("d.a", Some(100)), ("d.b", None), ("d.b.x", Some(5)), ("d.b.y", None)]);
        let h = households(&partial);
        assert_eq!(
            (h.get(&Scope::parse("d.a").unwrap()), h.get(&Scope::parse("d.b").unwrap())),
            (Some(&100), None)
        );
        assert_eq!(h.get(&Scope::parse("d").unwrap()), None, "a partial sum would overstate a rate");
        let whole = tree(&[
            ("d", None),
            ("d.a", Some(100)),
            ("d.b", None),
            ("d.b.x", Some(5)),
            ("d.b.y", Some(7)),
        ]);
        let h = households(&whole);
        assert_eq!(
            (h.get(&Scope::parse("d.b").unwrap()), h.get(&Scope::parse("d").unwrap())),
            (Some(&12), Some(&112))
        );
        let own = tree(&[("d", Some(50)), ("d.a", None)]);
        assert_eq!(
            households(&own).get(&Scope::parse("d").unwrap()),
            Some(&50),
            "a registered count wins"
        );
    }
}
