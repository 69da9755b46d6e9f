//! The scope registry: the tree of registered units, held in memory for every
//! request and backed by the record store so all instances agree.

use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::domain::scope::{Scope, ScopeInfo};
use crate::records::{RecordError, RecordStore};

/// Another instance may have registered a scope: look again at most this often.
const RELOAD_EVERY: Duration = Duration::from_secs(2);

pub struct Registry {
    store: Arc<dyn RecordStore>,
    scopes: RwLock<BTreeMap<Scope, ScopeInfo>>,
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
            scopes: RwLock::default(),
            loaded: RwLock::new(Instant::now()),
        };
        r.reload().await?;
        Ok(r)
    }

    pub async fn reload(&self) -> Result<(), RecordError> {
        let all = self.store.scopes().await?;
        *self.scopes.write().unwrap_or_else(|p| p.into_inner()) = all.into_iter().map(|s| (s.id.clone(), s)).collect();
        *self.loaded.write().unwrap_or_else(|p| p.into_inner()) = Instant::now();
        Ok(())
    }

    pub fn get(&self, scope: &Scope) -> Option<ScopeInfo> {
        self.scopes.read().unwrap_or_else(|p| p.into_inner()).get(scope).cloned()
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

    pub fn all(&self) -> Vec<ScopeInfo> {
        self.scopes.read().unwrap_or_else(|p| p.into_inner()).values().cloned().collect()
    }

    pub fn children(&self, scope: &Scope) -> Vec<ScopeInfo> {
        let map = self.scopes.read().unwrap_or_else(|p| p.into_inner());
        map.range(scope.clone()..)
            .skip(1)
            .take_while(|(k, _)| k.is_within(scope))
            .filter(|(k, _)| k.parent().as_ref() == Some(scope))
            .map(|(_, v)| v.clone())
            .collect()
    }

    /// Households under a scope: its own registered count, or else the sum of
    /// its children's (recursively); `None` when nothing under it says.
    pub fn households(&self, scope: &Scope) -> Option<i64> {
        if let Some(h) = self.get(scope).and_then(|i| i.households) {
            return Some(h);
        }
        let counts: Vec<i64> = self.children(scope).iter().filter_map(|c| self.households(&c.id)).collect();
        (!counts.is_empty()).then(|| counts.iter().sum())
    }

    /// The registered forest, roots first.
    pub fn tree(&self) -> Vec<Node> {
        let all = self.all();
        fn build(parent: Option<&Scope>, all: &[ScopeInfo]) -> Vec<Node> {
            all.iter()
                .filter(|s| s.id.parent().as_ref() == parent)
                .map(|s| Node {
                    info: s.clone(),
                    children: build(Some(&s.id), all),
                })
                .collect()
        }
        build(None, &all)
    }

    /// Registers scopes after checking each one's parent is registered or comes
    /// earlier in the list. On error returns the index and reason; nothing is stored.
    pub async fn register(&self, scopes: &[ScopeInfo]) -> Result<Result<(), (usize, String)>, RecordError> {
        self.reload().await?;
        let mut sorted: Vec<&ScopeInfo> = scopes.iter().collect();
        sorted.sort_by_key(|s| s.id.depth());
        {
            let known = self.scopes.read().unwrap_or_else(|p| p.into_inner());
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
