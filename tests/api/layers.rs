//! The layers of `src/` as the README draws them, checked on the source: every module names
//! only modules of its own layer or of a layer under it, and no two modules name each other,
//! directly or round a loop. A module "names" another with `use crate::…`/`use super::…`, a
//! `crate::…`/`super::…` path in code, or `$crate::…` in a macro it exports.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Layers, top first: a module may name modules of its own layer and of the layers after it.
const LAYERS: &[&[&str]] = &[
    &["app"],
    &["ops", "feeds", "identity"],
    &["resources"],
    &["kernel"],
    &["http"],
    &["texts", "config"],
    &["store"],
    &["http::error"],
];

fn layer(module: &str) -> (usize, &'static str) {
    let mut best: Option<(usize, &'static str)> = None;
    for (i, names) in LAYERS.iter().enumerate() {
        for name in names.iter() {
            let within = module == *name || module.starts_with(&format!("{name}::"));
            if within && best.is_none_or(|(_, b)| name.len() > b.len()) {
                best = Some((i, name));
            }
        }
    }
    best.unwrap_or((LAYERS.len(), ""))
}

/// Every `.rs` file under `dir` as (module path, source before its tests, comments removed).
fn modules(dir: &Path, prefix: &str, out: &mut BTreeMap<String, String>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_stem().unwrap().to_string_lossy().to_string();
        let child = if prefix.is_empty() {
            name.clone()
        } else {
            format!("{prefix}::{name}")
        };
        if path.is_dir() {
            modules(&path, &child, out);
        } else if path.extension().is_some_and(|e| e == "rs") && name != "main" {
            let module = if name == "mod" || name == "lib" {
                prefix.to_string()
            } else {
                child
            };
            let source = std::fs::read_to_string(&path).unwrap();
            let code = source.split("#[cfg(test)]").next().unwrap_or("");
            let code: Vec<&str> = code.lines().map(|l| l.split("//").next().unwrap_or("")).collect();
            out.insert(module, code.join("\n"));
        }
    }
}

/// The paths of a use tree (`a::{b, c::{d, e}}` → `a::b`, `a::c::d`, `a::c::e`).
fn expand(tree: &str, prefix: &str, out: &mut Vec<String>) {
    let tree = tree.trim();
    let Some(open) = tree.find('{') else {
        let path = tree.split(" as ").next().unwrap_or("").trim();
        out.push(format!("{prefix}{path}"));
        return;
    };
    let head = format!("{prefix}{}", &tree[..open]);
    let body = &tree[open + 1..tree.rfind('}').unwrap_or(tree.len())];
    let (mut depth, mut start) = (0, 0);
    for (i, c) in body.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                expand(&body[start..i], &head, out);
                start = i + 1;
            }
            _ => {}
        }
    }
    if !body[start..].trim().is_empty() {
        expand(&body[start..], &head, out);
    }
}

/// The `ident::ident…` path that starts at `at` in `code`.
fn path_at(code: &str, at: usize) -> &str {
    let end = code[at..]
        .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
        .map_or(code.len(), |n| at + n);
    &code[at..end]
}

/// The paths one module's code names, from the crate root.
fn named(module: &str, code: &str) -> Vec<String> {
    let parent = module.rsplit_once("::").map_or("", |(p, _)| p);
    let from_super = |p: &str| {
        if parent.is_empty() {
            p.to_string()
        } else {
            format!("{parent}::{p}")
        }
    };
    let mut out = Vec::new();
    for statement in code.split(';') {
        let statement = statement.trim_start();
        let statement = statement.strip_prefix("pub ").unwrap_or(statement);
        if let Some(tree) = statement.strip_prefix("use crate::") {
            expand(tree, "", &mut out);
        } else if let Some(tree) = statement.strip_prefix("use super::") {
            let mut paths = Vec::new();
            expand(tree, "", &mut paths);
            out.extend(paths.iter().map(|p| from_super(p)));
        }
    }
    for (marker, relative) in [("crate::", false), ("super::", true)] {
        for (at, _) in code.match_indices(marker) {
            let before = code[..at].chars().next_back();
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
                continue;
            }
            let path = path_at(code, at + marker.len());
            if path.ends_with("::") {
                continue; // a use tree's head: expanded above
            }
            out.push(if relative { from_super(path) } else { path.to_string() });
        }
    }
    out
}

fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let mut sources = BTreeMap::new();
    modules(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"), "", &mut sources);
    let known: BTreeSet<String> = sources.keys().cloned().collect();
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (module, code) in &sources {
        for path in named(module, code) {
            let parts: Vec<&str> = path.split("::").filter(|p| !p.is_empty()).collect();
            let target = (1..=parts.len())
                .rev()
                .map(|n| parts[..n].join("::"))
                .find(|m| known.contains(m));
            let Some(target) = target else { continue };
            let related = |a: &str, b: &str| a.is_empty() || b.starts_with(&format!("{a}::"));
            if target != *module && !related(&target, module) && !related(module, &target) {
                edges.entry(module.clone()).or_default().insert(target);
            }
        }
    }
    edges
}

#[test]
fn every_module_names_only_its_own_layer_and_the_layers_under_it() {
    let edges = graph();
    assert!(
        edges.len() > 50,
        "the scan found the modules ({} with imports)",
        edges.len()
    );
    let mut upward = Vec::new();
    for (from, targets) in &edges {
        for to in targets {
            let ((a, la), (b, lb)) = (layer(from), layer(to));
            if la != lb && b <= a {
                upward.push(format!("{from} -> {to}"));
            }
        }
    }
    assert!(upward.is_empty(), "modules naming a layer above them: {upward:#?}");
}

#[test]
fn no_two_modules_name_each_other() {
    let edges = graph();
    // Depth-first: a module met again while its own descent is open closes a loop.
    fn visit<'a>(
        node: &'a str,
        edges: &'a BTreeMap<String, BTreeSet<String>>,
        open: &mut Vec<&'a str>,
        done: &mut BTreeSet<&'a str>,
    ) -> Option<Vec<String>> {
        if let Some(at) = open.iter().position(|n| *n == node) {
            let mut cycle: Vec<String> = open[at..].iter().map(|n| n.to_string()).collect();
            cycle.push(node.to_string());
            return Some(cycle);
        }
        if !done.insert(node) {
            return None;
        }
        open.push(node);
        for next in edges.get(node).into_iter().flatten() {
            if let Some(cycle) = visit(next, edges, open, done) {
                return Some(cycle);
            }
        }
        open.pop();
        None
    }
    let mut done = BTreeSet::new();
    for node in edges.keys() {
        if let Some(cycle) = visit(node, &edges, &mut Vec::new(), &mut done) {
            panic!("an import cycle: {}", cycle.join(" -> "));
        }
    }
}
