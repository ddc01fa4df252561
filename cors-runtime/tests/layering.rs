//! The runtime's modules depend on each other one way only. The order of the top-level modules
//! is [`LAYERS`] — the one source: `ARCHITECTURE.md`'s table is checked against it, row by row —
//! and a module's code names only modules before it there. Within every module, its files (and
//! sub-modules) depend on each other one way too: no cycle among siblings; a module's `mod.rs`
//! and its own children may use each other. A new dependency the other way — the start of an
//! import cycle — fails here.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The modules of `src/`, lowest first, as `lib.rs` declares them.
const LAYERS: [&str; 13] = [
    "watchers",
    "policy",
    "startup",
    "request",
    "counts",
    "tenant",
    "decide",
    "websocket",
    "respond",
    "explain",
    "app",
    "layer",
    "inspect",
];

fn source_files(dir: &Path, into: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("source directory") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            source_files(&path, into);
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            into.push(path);
        }
    }
}

/// The top-level modules `code` names as `crate::module`, comments left out.
fn named_modules(code: &str) -> BTreeSet<String> {
    let mut named = BTreeSet::new();
    for line in code.lines() {
        let code = line.split("//").next().unwrap_or_default();
        let mut rest = code;
        while let Some(at) = rest.find("crate::") {
            rest = &rest[at + "crate::".len()..];
            let module: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            named.insert(module);
        }
    }
    named
}

#[test]
fn every_module_names_only_the_modules_below_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    source_files(&src, &mut files);
    let mut checked = BTreeSet::new();
    for file in files {
        let relative = file.strip_prefix(&src).expect("under src");
        let top = relative
            .components()
            .next()
            .and_then(|part| part.as_os_str().to_str())
            .unwrap_or_default()
            .trim_end_matches(".rs")
            .to_owned();
        let Some(level) = LAYERS.iter().position(|layer| *layer == top) else {
            // `lib.rs` names them all; `fuzzing.rs` is an entry point above them all; `guide.rs` is
            // documentation only.
            assert!(
                top == "lib" || top == "fuzzing" || top == "guide",
                "{} is not in LAYERS: place it in ARCHITECTURE.md and here",
                relative.display()
            );
            continue;
        };
        checked.insert(top.clone());
        let code = std::fs::read_to_string(&file).expect("source");
        for module in named_modules(&code) {
            if module == top {
                continue;
            }
            let named_level = LAYERS.iter().position(|layer| *layer == module);
            assert!(
                named_level.is_some_and(|named| named < level),
                "{} ({top}) names `crate::{module}`, which is not below {top}: {LAYERS:?}",
                relative.display()
            );
        }
    }
    assert_eq!(
        checked.len(),
        LAYERS.len(),
        "every layer has code: {checked:?}"
    );
}

#[test]
fn a_name_in_a_comment_is_not_a_dependency() {
    let named = named_modules("use crate::policy::Policy; // see crate::layer\n/// crate::app");
    assert_eq!(named, BTreeSet::from(["policy".to_owned()]));
}

/// The module path of `file` under `src` (`app/route/entry.rs` → `["app", "route", "entry"]`;
/// a `mod.rs` is its directory's module).
fn module_of(src: &Path, file: &Path) -> Vec<String> {
    let relative = file.strip_prefix(src).expect("under src");
    let mut parts: Vec<String> = relative
        .components()
        .filter_map(|part| part.as_os_str().to_str().map(str::to_owned))
        .collect();
    let last = parts.pop().unwrap_or_default();
    if last != "mod.rs" && last != "lib.rs" {
        parts.push(last.trim_end_matches(".rs").to_owned());
    }
    parts
}

/// The modules `code` (of module `module`, from a `mod.rs` or not) names: `crate::a::b`,
/// `super::x`, `self::x`, resolved to full module paths as far as they name modules in
/// `known`. Comments are left out.
fn references(
    code: &str,
    module: &[String],
    known: &BTreeSet<Vec<String>>,
) -> BTreeSet<Vec<String>> {
    let mut found = BTreeSet::new();
    for line in code.lines() {
        let code = line.split("//").next().unwrap_or_default();
        let bytes = code.as_bytes();
        for keyword in ["crate::", "super::", "self::"] {
            for (at, _) in code.match_indices(keyword) {
                // A path's first segment: not the tail of a longer name or path.
                let before = at.checked_sub(1).map(|i| bytes[i]);
                if before.is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b':') {
                    continue;
                }
                let written = code[at..]
                    .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ':'))
                    .next()
                    .unwrap_or_default();
                let path: Vec<&str> = written
                    .split("::")
                    .filter(|segment| !segment.is_empty())
                    .collect();
                // `super::{a, b::C}`: each name in the braces, as if written after the path.
                let listed: Vec<&str> = code[at + written.len()..]
                    .strip_prefix('{')
                    .and_then(|rest| rest.split('}').next())
                    .map(|inside| {
                        inside
                            .split(',')
                            .filter_map(|item| item.trim().split("::").next())
                            .filter(|name| !name.is_empty())
                            .collect()
                    })
                    .unwrap_or_default();
                let mut paths = vec![path.clone()];
                for name in listed {
                    let mut longer = path.clone();
                    longer.push(name);
                    paths.push(longer);
                }
                for path in paths {
                    // A file's `self` is itself; its `super`, its parent.
                    let mut base: Vec<String> = match path[0] {
                        "crate" => Vec::new(),
                        "super" => module[..module.len().saturating_sub(1)].to_vec(),
                        _ => module.to_vec(),
                    };
                    let mut resolved = None;
                    for segment in &path[1..] {
                        if *segment == "super" {
                            base.pop();
                            resolved = Some(base.clone());
                            continue;
                        }
                        base.push((*segment).to_owned());
                        if !known.contains(&base) {
                            break;
                        }
                        resolved = Some(base.clone());
                    }
                    if let Some(module) = resolved {
                        found.insert(module);
                    }
                }
            }
        }
    }
    found
}

#[test]
fn within_every_module_its_parts_depend_on_each_other_one_way() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    source_files(&src, &mut files);
    let known: BTreeSet<Vec<String>> = files.iter().map(|file| module_of(&src, file)).collect();
    // Edges between siblings: for a reference from module M to module N, the children of their
    // closest common ancestor on each side, unless one contains the other.
    let mut edges: BTreeMap<Vec<String>, BTreeSet<(String, String)>> = BTreeMap::new();
    for file in &files {
        let module = module_of(&src, file);
        let code = std::fs::read_to_string(file).expect("source");
        for named in references(&code, &module, &known) {
            let common = module
                .iter()
                .zip(&named)
                .take_while(|(a, b)| a == b)
                .count();
            if common == module.len() || common == named.len() {
                continue; // a module and its own parts
            }
            let parent = module[..common].to_vec();
            edges
                .entry(parent)
                .or_default()
                .insert((module[common].clone(), named[common].clone()));
        }
    }
    assert!(
        edges.contains_key(&vec!["app".to_owned()]),
        "the walk sees app/"
    );
    let mut cycles = Vec::new();
    for (parent, edges) in &edges {
        // Top-level order is checked against LAYERS above; here, no cycle anywhere.
        let mut graph: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for (from, to) in edges {
            graph.entry(from).or_default().push(to);
        }
        for start in graph.keys() {
            let mut stack = vec![(*start, vec![*start])];
            while let Some((node, trail)) = stack.pop() {
                for next in graph.get(node).into_iter().flatten() {
                    if next == start {
                        cycles.push(format!(
                            "{}: {} → {next}",
                            if parent.is_empty() {
                                "src".to_owned()
                            } else {
                                parent.join("/")
                            },
                            trail.join(" → ")
                        ));
                    } else if !trail.contains(next) {
                        let mut longer = trail.clone();
                        longer.push(next);
                        stack.push((next, longer));
                    }
                }
            }
        }
    }
    assert!(
        cycles.is_empty(),
        "cycles among the parts of a module:\n{}",
        cycles.join("\n")
    );
}

/// `ARCHITECTURE.md`'s table of the runtime's modules says, for each, the modules it must not
/// depend on: exactly those after it in [`LAYERS`].
#[test]
fn architecture_md_states_the_layers_as_they_are() {
    let architecture =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../ARCHITECTURE.md"))
            .expect("ARCHITECTURE.md");
    let table = architecture
        .split("### `cors-runtime/src`")
        .nth(1)
        .expect("the runtime's section");
    let rows: Vec<(String, String)> = table
        .lines()
        .filter(|line| line.starts_with("| `"))
        .map(|line| {
            let cells: Vec<&str> = line.split(" | ").collect();
            (
                cells[0]
                    .trim_start_matches("| ")
                    .trim_matches('`')
                    .to_owned(),
                cells
                    .last()
                    .unwrap_or(&"")
                    .trim_end_matches(" |")
                    .trim_end_matches('|')
                    .trim()
                    .to_owned(),
            )
        })
        .collect();
    let listed: Vec<&str> = rows
        .iter()
        .map(|(module, _)| module.as_str())
        .filter(|module| LAYERS.contains(module))
        .collect();
    assert_eq!(listed, LAYERS, "the table lists the layers in their order");
    for (module, forbidden) in &rows {
        let Some(level) = LAYERS.iter().position(|layer| layer == module) else {
            continue;
        };
        let expected: Vec<&str> = LAYERS[level + 1..].to_vec();
        let written: Vec<&str> = if forbidden == "—" {
            Vec::new()
        } else {
            forbidden.split(", ").map(str::trim).collect()
        };
        assert_eq!(written, expected, "{module}: must not depend on");
    }
}
