//! A guard on the stylesheets in `assets/`, no browser needed: every block closes, and
//! no style rule opens a block inside another.
//!
//! Browsers now read CSS nesting, so a missing `}` is not an error to them: every rule
//! after it silently becomes a nested rule of the unclosed one and stops applying. That
//! is how the alert strip once lost all its styles (one brace short after the ledger's
//! rules). The page writes no nested CSS on purpose, so any block opened inside a style
//! rule is this mistake, and the check names the line of the rule that never closed.

use std::path::Path;

/// What kind of block a `{` opened.
#[derive(Clone, Copy, PartialEq)]
enum Block {
    /// `@media`, `@supports`, …: holds rules.
    Group,
    /// `@keyframes`: holds keyframe selectors (`50%`, `from`), each with declarations.
    Keyframes,
    /// A style rule or a keyframe: holds declarations only.
    Declarations,
}

/// The first structural mistake in `css`, with its line (1-based), if any.
pub fn check(css: &str) -> Result<(), String> {
    let bytes = css.as_bytes();
    let mut stack: Vec<(Block, usize, String)> = Vec::new();
    let mut prelude = String::new();
    let mut line = 1;
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        match c {
            b'\n' => {
                line += 1;
                prelude.push(' ');
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                // A comment: skip to its end, counting lines.
                let end = css[i + 2..].find("*/").ok_or(format!("line {line}: a comment never closes"))?;
                line += css[i..i + 2 + end].matches('\n').count();
                i += end + 4;
                continue;
            }
            b'"' | b'\'' => {
                // A string: braces inside it are text.
                let mut j = i + 1;
                while j < bytes.len() && bytes[j] != c {
                    if bytes[j] == b'\\' {
                        j += 1;
                    } else if bytes[j] == b'\n' {
                        return Err(format!("line {line}: a string runs past the end of its line"));
                    }
                    j += 1;
                }
                prelude.push_str(&css[i..(j + 1).min(css.len())]);
                i = j + 1;
                continue;
            }
            b'{' => {
                let head = prelude.trim().to_owned();
                let kind = match stack.last() {
                    Some((Block::Declarations, at, outer)) => {
                        return Err(format!(
                            "line {line}: `{head}` opens inside `{outer}` (line {at}), which is missing its closing brace"
                        ));
                    }
                    Some((Block::Keyframes, ..)) => Block::Declarations,
                    _ if head.starts_with("@keyframes") => Block::Keyframes,
                    _ if head.starts_with('@') => Block::Group,
                    _ => Block::Declarations,
                };
                stack.push((kind, line, head));
                prelude.clear();
            }
            b'}' => {
                if stack.pop().is_none() {
                    return Err(format!("line {line}: a `}}` closes nothing"));
                }
                prelude.clear();
            }
            b';' => prelude.clear(),
            _ => prelude.push(c as char),
        }
        i += 1;
    }
    match stack.last() {
        Some((_, at, head)) => Err(format!("`{head}` (line {at}) never closes")),
        None => Ok(()),
    }
}

#[test]
fn every_stylesheet_closes_each_rule_before_the_next() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets");
    let mut checked = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "css") {
            let css = std::fs::read_to_string(&path).unwrap();
            if let Err(e) = check(&css) {
                panic!("{}: {e}", path.display());
            }
            checked += 1;
        }
    }
    assert!(checked >= 1, "no stylesheet found in {}", dir.display());
}

#[test]
fn the_check_finds_a_missing_brace_and_passes_good_css() {
    let good = "/* { */ a { content: \"}\"; }\n@media (x) { b { c: d } }\n@keyframes k { 50% { e: f } to { g: h } }\n";
    assert_eq!(check(good), Ok(()));
    let missing = "a { b: c }\n.ledger b {\n  font-size: 2rem;\n/* alerts */\n.alerts {\n  d: e;\n}\n";
    let err = check(missing).unwrap_err();
    assert!(err.contains("line 5") && err.contains("`.ledger b` (line 2)"), "{err}");
    assert!(check("a { b: c }\n}").unwrap_err().contains("line 2"));
    assert!(check("a { b: c").unwrap_err().contains("never closes"));
}
