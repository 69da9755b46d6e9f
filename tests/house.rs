//! The house has no circles: no source file reaches itself through the
//! modules it imports (`crate::…` and `super::…` paths, in `use` lines or
//! spelled out). A circle means two layers of the pipeline know each other;
//! it fails here, naming the files, before review has to find it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let p = entry.path();
        if p.is_dir() {
            sources(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

/// The module path of a file: `src/hub/mod.rs` → `hub`, `src/hub/run.rs` → `hub::run`.
fn module_of(src: &Path, file: &Path) -> Vec<String> {
    let rel = file.strip_prefix(src).unwrap().with_extension("");
    let mut parts: Vec<String> = rel.iter().map(|c| c.to_string_lossy().into_owned()).collect();
    if matches!(parts.last().map(String::as_str), Some("mod" | "lib" | "main")) {
        parts.pop();
    }
    parts
}

/// `crate::a::b::C` and `super::x` paths in a file, as module paths (the
/// longest prefix that is a file).
fn imports(text: &str, here: &[String], files: &BTreeMap<Vec<String>, PathBuf>) -> BTreeSet<Vec<String>> {
    let mut out = BTreeSet::new();
    let code: String = text
        .lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n");
    for (start, _) in code.match_indices("crate::").chain(code.match_indices("super::")) {
        if start > 0 && code[..start].ends_with(|c: char| c.is_alphanumeric() || c == '_' || c == ':') {
            continue;
        }
        let rest = &code[start..];
        let path: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':').collect();
        let mut segs: Vec<&str> = path.split("::").filter(|s| !s.is_empty()).collect();
        let mut base: Vec<String> = Vec::new();
        match segs.first() {
            Some(&"crate") => {
                segs.remove(0);
            }
            Some(&"super") => {
                // `super` is the parent module, from a `mod.rs` as from any file.
                base = here.to_vec();
                while segs.first() == Some(&"super") {
                    segs.remove(0);
                    base.pop();
                }
            }
            _ => continue,
        }
        let mut target = base.clone();
        let mut best: Option<Vec<String>> = None;
        for s in segs {
            target.push(s.to_owned());
            if files.contains_key(&target) {
                best = Some(target.clone());
            }
        }
        if let Some(m) = best.or(Some(base)).filter(|m| files.contains_key(m) && m != here) {
            out.insert(m);
        }
    }
    out
}

#[test]
fn no_module_reaches_itself_through_its_imports() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut all = Vec::new();
    sources(&src, &mut all);
    let files: BTreeMap<Vec<String>, PathBuf> = all
        .iter()
        .filter(|f| !f.ends_with("main.rs"))
        .map(|f| (module_of(&src, f), f.clone()))
        .collect();
    let mut edges: BTreeMap<Vec<String>, BTreeSet<Vec<String>>> = BTreeMap::new();
    for (m, f) in &files {
        let text = std::fs::read_to_string(f).unwrap();
        // Unit tests may reach anywhere: they are not part of the layering.
        let text = text.split("#[cfg(test)]").next().unwrap_or_default();
        let mut to = imports(text, m, &files);
        // A module's parent file declares it (`mod x;`), which is not an import.
        to.retain(|t| !t.is_empty());
        edges.insert(m.clone(), to);
    }
    assert!(edges.len() > 40, "the scan found the sources");
    assert!(
        edges
            .get(&vec!["dashboard".to_owned()])
            .is_some_and(|e| e.contains(&vec!["registry".to_owned()])),
        "the scan sees imports"
    );
    // Depth-first search for a back edge.
    let mut state: BTreeMap<&Vec<String>, u8> = BTreeMap::new();
    let mut stack: Vec<&Vec<String>> = Vec::new();
    let mut circles = Vec::new();
    fn visit<'a>(
        m: &'a Vec<String>,
        edges: &'a BTreeMap<Vec<String>, BTreeSet<Vec<String>>>,
        state: &mut BTreeMap<&'a Vec<String>, u8>,
        stack: &mut Vec<&'a Vec<String>>,
        circles: &mut Vec<String>,
    ) {
        state.insert(m, 1);
        stack.push(m);
        for t in edges.get(m).into_iter().flatten() {
            match state.get(t) {
                Some(1) => {
                    let at = stack.iter().position(|s| *s == t).unwrap_or(0);
                    let names: Vec<String> = stack[at..].iter().map(|s| s.join("::")).collect();
                    circles.push(format!("{} -> {}", names.join(" -> "), t.join("::")));
                }
                Some(_) => {}
                None => visit(t, edges, state, stack, circles),
            }
        }
        stack.pop();
        state.insert(m, 2);
    }
    for m in edges.keys() {
        if !state.contains_key(m) {
            visit(m, &edges, &mut state, &mut stack, &mut circles);
        }
    }
    assert!(circles.is_empty(), "import circles:\n{}", circles.join("\n"));
}
