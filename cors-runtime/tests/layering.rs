//! The runtime's modules depend on each other one way only, in the order `lib.rs` declares them
//! and `ARCHITECTURE.md` draws them: a module's code names only modules declared before it. A
//! new dependency the other way — the start of an import cycle — fails here.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The modules of `src/`, lowest first, as `lib.rs` declares them.
const LAYERS: [&str; 11] = [
    "policy", "request", "counts", "tenant", "decide", "respond", "explain", "startup", "app",
    "layer", "inspect",
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
            // `lib.rs` names them all; `fuzzing.rs` is an entry point above them all.
            assert!(
                top == "lib" || top == "fuzzing",
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
