//! The module graph of `src/`: no import loop, and no import from a lower layer to a higher
//! one (issue 25, "no circle, no arrow back up").
//!
//! Every `crate::NAME` path in code (comments and doc comments are left out: a doc link is
//! not an import), every `crate::{NAME::…, …}` group and every `super::NAME` that leaves a
//! top-level module is an arrow from the file's top-level module to `NAME`. The layer order
//! below is the design: a module may import only modules of a strictly lower layer (so
//! modules of one layer never import each other, and a loop is impossible); the loop check
//! is kept anyway, to name a loop if the order is ever loosened.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Lowest layer first.
const LAYERS: &[&[&str]] = &[
    // foundations: no knowledge of spaces, proxies or networks
    &["error", "numerics", "rng"],
    &["io"],
    &["window"],
    &["entropy", "data", "plot"],
    // topology: the search spaces (no networks, no proxies)
    &["arch"],
    // scorers from the topology
    &["sed"],
    // the proxy registry (and the streaming scorer over it)
    &["proxy"],
    &["search", "eval"],
    // networks: implement measurement for the spaces of `arch`
    &["nn"],
    &["propositions"],
    // experiments (and the demo) may use the propositions' checks
    &["experiments"],
    &["cli"],
];

/// Macros exported at the crate root, and the module that defines them.
const MACROS: &[(&str, &str)] = &[("for_each_space", "arch")];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The code of a file without `//` comments (a `//` inside a string literal is rare in
/// this crate and only hides text after it, never adds an arrow).
fn code(text: &str) -> String {
    text.lines()
        .map(|l| {
            let t = l.trim_start();
            if t.starts_with("//") {
                ""
            } else {
                match l.find(" // ") {
                    Some(i) => &l[..i],
                    None => l,
                }
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn ident_at(s: &str) -> &str {
    let end = s
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(s.len());
    &s[..end]
}

/// The top-level names `code` reaches through `crate::` (and `super::` from `depth`
/// levels below the crate root).
fn targets(code: &str, depth: usize) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut rest = code;
    while let Some(i) = rest.find("crate::") {
        let after = &rest[i + "crate::".len()..];
        if let Some(group) = after.strip_prefix('{') {
            // crate::{a::x, b::{y, z}, c}: the names at brace depth 0 of the group
            let mut d = 0usize;
            let mut start = true;
            for (k, ch) in group.char_indices() {
                match ch {
                    '{' => d += 1,
                    '}' if d == 0 => break,
                    '}' => d -= 1,
                    ',' if d == 0 => start = true,
                    c if start && (c.is_ascii_alphabetic() || c == '_') => {
                        out.insert(ident_at(&group[k..]).to_string());
                        start = false;
                    }
                    _ => {}
                }
            }
        } else {
            out.insert(ident_at(after).to_string());
        }
        rest = after;
    }
    // `super::` chains that climb to the crate root
    let climb = "super::".repeat(depth);
    if depth > 0 {
        let mut rest = code;
        while let Some(i) = rest.find(&climb) {
            let after = &rest[i + climb.len()..];
            if !after.starts_with("super::") {
                out.insert(ident_at(after).to_string());
            }
            rest = after;
        }
    }
    out
}

#[test]
fn no_loop_and_no_arrow_up() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let layer_of: BTreeMap<&str, usize> = LAYERS
        .iter()
        .enumerate()
        .flat_map(|(i, l)| l.iter().map(move |m| (*m, i)))
        .collect();
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut evidence: BTreeMap<(String, String), String> = BTreeMap::new();
    // the top-level modules: src/x.rs and src/x/
    let modules: BTreeSet<String> = files
        .iter()
        .map(|f| {
            let rel = f.strip_prefix(&src).unwrap();
            let first = rel.iter().next().unwrap().to_string_lossy();
            first.trim_end_matches(".rs").to_string()
        })
        .filter(|m| m != "lib" && m != "main")
        .collect();
    for f in &files {
        let rel = f.strip_prefix(&src).unwrap();
        let parts: Vec<String> = rel
            .iter()
            .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_string())
            .collect();
        if parts.len() == 1 && (parts[0] == "lib" || parts[0] == "main") {
            continue; // the crate root declares the modules; the binary only calls `cli`
        }
        let top = parts[0].clone();
        // how many `super::` climb from this file to the crate root: src/x.rs and
        // src/x/mod.rs are one level down, src/x/y.rs two, …
        let depth = if parts.last().is_some_and(|p| p == "mod") {
            parts.len() - 1
        } else {
            parts.len()
        };
        let text = std::fs::read_to_string(f).unwrap();
        for t in targets(&code(&text), depth) {
            let t = MACROS
                .iter()
                .find(|(m, _)| *m == t)
                .map_or(t.clone(), |(_, def)| def.to_string());
            if t == top || !modules.contains(&t) {
                continue;
            }
            evidence
                .entry((top.clone(), t.clone()))
                .or_insert_with(|| rel.display().to_string());
            graph.entry(top.clone()).or_default().insert(t);
        }
    }
    // every top-level module has a layer (a new module must be placed in the order)
    for m in &modules {
        assert!(
            layer_of.contains_key(m.as_str()),
            "module {m} is in no layer of tests/import_graph.rs: place it"
        );
    }
    // no loop (depth-first search with colours)
    fn visit(
        n: &str,
        g: &BTreeMap<String, BTreeSet<String>>,
        state: &mut BTreeMap<String, u8>,
        stack: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        match state.get(n) {
            Some(1) => {
                let i = stack.iter().position(|x| x == n).unwrap();
                let mut cycle = stack[i..].to_vec();
                cycle.push(n.to_string());
                return Some(cycle);
            }
            Some(2) => return None,
            _ => {}
        }
        state.insert(n.to_string(), 1);
        stack.push(n.to_string());
        for m in g.get(n).into_iter().flatten() {
            if let Some(c) = visit(m, g, state, stack) {
                return Some(c);
            }
        }
        stack.pop();
        state.insert(n.to_string(), 2);
        None
    }
    let mut state = BTreeMap::new();
    for m in &modules {
        if let Some(c) = visit(m, &graph, &mut state, &mut Vec::new()) {
            panic!("import loop: {}", c.join(" → "));
        }
    }
    // no arrow up (or sideways within a layer)
    let mut bad = Vec::new();
    for (from, tos) in &graph {
        for to in tos {
            if layer_of[to.as_str()] >= layer_of[from.as_str()] {
                bad.push(format!(
                    "{from} (layer {}) → {to} (layer {}), e.g. in src/{}",
                    layer_of[from.as_str()],
                    layer_of[to.as_str()],
                    evidence[&(from.clone(), to.clone())]
                ));
            }
        }
    }
    assert!(bad.is_empty(), "arrows up:\n{}", bad.join("\n"));
    // the graph is not vacuous: the arrows the design relies on are seen
    for (from, to) in [
        ("nn", "arch"),
        ("proxy", "sed"),
        ("cli", "proxy"),
        ("eval", "proxy"),
    ] {
        assert!(
            graph.get(from).is_some_and(|t| t.contains(to)),
            "expected an arrow {from} → {to}"
        );
    }
}

#[test]
fn the_parser_sees_groups_and_super() {
    let t = targets(
        "use crate::{arch::X, io::{a, b}};\nuse super::super::eval::Y; let x = crate::sed::f();",
        2,
    );
    let v: Vec<&str> = t.iter().map(|s| s.as_str()).collect();
    assert_eq!(v, ["arch", "eval", "io", "sed"]);
    assert!(code("/// [`crate::nn`]\nfn f() {} // crate::cli").trim() == "fn f() {}");
}
