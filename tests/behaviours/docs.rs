//! The documentation holds: every compile error's message is listed where a user searches for it
//! (`cors-runtime/docs/compile_errors.md`, regenerated with `UPDATE_DOCS=1`), every relative link
//! of every Markdown page resolves, the README stays a front door that lost none of the sections
//! it once held, no public Rust example hides in a `text` fence, and nothing points at a
//! protocol page outside the repository.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

/// Every Markdown page of the repository: the root's, `docs/`, the crates' and their `docs/`.
fn markdown_pages() -> Vec<PathBuf> {
    let mut pages = Vec::new();
    for dir in [
        "",
        "docs",
        "tests",
        "cors-runtime",
        "cors-runtime/docs",
        "cors-macros",
        "cors-policy",
        "cors-postgres",
        "cors-bench",
        "fuzz",
        "examples",
    ] {
        let Ok(entries) = std::fs::read_dir(root().join(dir)) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.extension().is_some_and(|ext| ext == "md") {
                pages.push(path);
            }
        }
    }
    pages.sort();
    pages
}

/// The section of the compile-error guide that lists every message, by subject.
const LIST_START: &str =
    "<!-- every message: generated from tests/ui/fail/*.stderr by tests/behaviours/docs.rs; UPDATE_DOCS=1 rewrites it -->";
const LIST_END: &str = "<!-- end of every message -->";

/// The subject a trybuild case's messages are listed under, by the case's file name.
fn subject_of(case: &str) -> &'static str {
    const SUBJECTS: &[(&str, &str)] = &[
        ("pattern_", "Subdomain patterns"),
        ("origin", "Origins"),
        ("null_origin", "Origins"),
        ("wildcard_", "Origins"),
        ("missing_origins", "Origins"),
        (
            "http_origin_with_credentials",
            "Plain http with credentials",
        ),
        ("insecure_opt_in", "Plain http with credentials"),
        ("header", "Request and exposed headers"),
        ("expose_", "Request and exposed headers"),
        ("forbidden_request_header", "Request and exposed headers"),
        ("method", "Methods"),
        ("default_methods", "Methods"),
        ("max_age", "`max_age`"),
        ("writes_opt_out", "Cross-origin writes"),
        ("configured_origins", "Origins from configuration"),
        ("tenant_origins", "Origins by tenant"),
        ("shared_policy", "Shared policies"),
        ("builder_policy", "Builder-style routes and opting out"),
        ("opt_out", "Builder-style routes and opting out"),
        ("cors_below", "Where the attribute goes"),
        ("missing_route", "Where the attribute goes"),
        ("not_a_function", "Where the attribute goes"),
        ("repeated_cors", "Where the attribute goes"),
        ("utoipa", "Where the attribute goes"),
    ];
    SUBJECTS
        .iter()
        .find(|(prefix, _)| case.starts_with(prefix))
        .map_or("Keys and syntax", |(_, subject)| subject)
}

/// Every error message of the trybuild cases (the first line of each error), by subject.
fn messages_by_subject() -> BTreeMap<&'static str, Vec<String>> {
    let dir = root().join("tests/ui/fail");
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("tests/ui/fail")
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "stderr"))
        .collect();
    cases.sort();
    let mut by_subject: BTreeMap<&'static str, Vec<String>> = BTreeMap::new();
    for case in cases {
        let name = case
            .file_stem()
            .and_then(|stem| stem.to_str())
            .unwrap_or_default();
        let messages = by_subject.entry(subject_of(name)).or_default();
        for line in read(&case).lines() {
            if line.starts_with("error") && !messages.iter().any(|known| known == line) {
                messages.push(line.to_owned());
            }
        }
    }
    by_subject
}

fn message_list() -> String {
    let mut list = String::new();
    for (subject, messages) in messages_by_subject() {
        write!(list, "\n### {subject}\n\n```text\n").unwrap();
        for message in messages {
            writeln!(list, "{message}").unwrap();
        }
        list.push_str("```\n");
    }
    list
}

#[test]
fn every_compile_error_is_listed_by_its_message() {
    let path = root().join("cors-runtime/docs/compile_errors.md");
    let page = read(&path);
    let (Some(start), Some(end)) = (page.find(LIST_START), page.find(LIST_END)) else {
        panic!(
            "{} has no generated list between {LIST_START} and {LIST_END}",
            path.display()
        );
    };
    let listed = &page[start + LIST_START.len()..end];
    let expected = format!("{}\n", message_list());
    if std::env::var_os("UPDATE_DOCS").is_some() {
        let updated = format!("{}{LIST_START}{expected}{}", &page[..start], &page[end..]);
        std::fs::write(&path, updated).expect("write the guide");
        return;
    }
    let messages: usize = messages_by_subject().values().map(Vec::len).sum();
    assert!(messages > 100, "only {messages} messages found");
    assert!(
        listed == expected,
        "{} does not list the messages of tests/ui/fail/*.stderr as they are: run \
         `UPDATE_DOCS=1 cargo test --test behaviours docs::` and commit the page",
        path.display()
    );
}

/// The anchor rustdoc and GitHub give a heading: lower case, spaces to `-`, punctuation gone.
fn anchor_of(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .collect()
}

/// The lines of a Markdown page outside its code fences (the fences' own lines left out).
fn prose_lines(page: &str) -> impl Iterator<Item = &str> {
    let mut in_fence = false;
    page.lines().filter(move |line| {
        if line.trim_start().starts_with("```") {
            in_fence = !in_fence;
            return false;
        }
        !in_fence
    })
}

/// The headings of a Markdown page, outside code fences.
fn headings(page: &str) -> Vec<String> {
    prose_lines(page)
        .filter(|line| line.starts_with('#'))
        .map(|line| line.trim_start_matches('#'))
        .filter(|text| text.starts_with(' '))
        .map(|text| text.trim().to_owned())
        .collect()
}

/// Inline links `[text](target)` outside code fences and code spans.
fn links(page: &str) -> Vec<String> {
    let mut found = Vec::new();
    for line in prose_lines(page) {
        // Drop code spans, whose brackets are not links.
        let mut prose = String::new();
        for (i, piece) in line.split('`').enumerate() {
            if i % 2 == 0 {
                prose.push_str(piece);
            }
        }
        let mut rest = prose.as_str();
        while let Some(at) = rest.find("](") {
            let after = &rest[at + 2..];
            let Some(end) = after.find(')') else { break };
            found.push(after[..end].to_owned());
            rest = &after[end..];
        }
    }
    found
}

#[test]
fn every_relative_link_resolves() {
    let mut broken = Vec::new();
    let pages = markdown_pages();
    assert!(pages.len() > 15, "pages found: {pages:?}");
    for page in &pages {
        let text = read(page);
        for link in links(&text) {
            let link = link.split_whitespace().next().unwrap_or_default();
            if link.is_empty()
                || link.contains("://")
                || link.starts_with("mailto:")
                || link.starts_with("crate::")
                || link.starts_with("Self::")
                || !link.contains(['.', '/', '#'])
            {
                // Web addresses, and rustdoc's intra-doc links (checked by `cargo doc -D warnings`).
                continue;
            }
            let (file, anchor) = link.split_once('#').unwrap_or((link, ""));
            // The guides are rustdoc pages (docs.rs has no repository beside them): a file of
            // the repository is linked by its web address there.
            if page.starts_with(root().join("cors-runtime/docs")) && !file.is_empty() {
                broken.push(format!(
                    "{}: {link} (a relative file link in a rustdoc page)",
                    page.display()
                ));
                continue;
            }
            let target = if file.is_empty() {
                page.clone()
            } else {
                page.parent().expect("a page has a folder").join(file)
            };
            if !target.exists() {
                broken.push(format!(
                    "{}: {link} (no {})",
                    page.display(),
                    target.display()
                ));
                continue;
            }
            if !anchor.is_empty() && target.extension().is_some_and(|ext| ext == "md") {
                let anchors: Vec<String> = headings(&read(&target))
                    .iter()
                    .map(|h| anchor_of(h))
                    .collect();
                if !anchors.iter().any(|known| known == anchor) {
                    broken.push(format!(
                        "{}: {link} (no heading `#{anchor}`)",
                        page.display()
                    ));
                }
            }
        }
    }
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
}

/// The README's sections before it became a front door (issue 26): each still a heading
/// somewhere in the repository's documentation.
const README_SECTIONS_ONCE: &[&str] = &[
    "Commands",
    "The playground, in a real browser",
    "Quickstart",
    "In a real app: authentication on a scope, `configure`, guards",
    "Forms, writes and WebSockets",
    "Origins per environment",
    "Per-tenant origins",
    "Several replicas",
    "Rolling out with metrics",
    "Why was my request refused?",
    "Shared policies",
    "Builder-style routes and a scope's default",
    "Where the attribute goes",
    "Attribute reference",
    "What happens at run time",
    "Performance",
    "Compile errors",
    "Repository layout",
    "The conformance routes",
    "Security",
    "Limits worth knowing",
];

#[test]
fn the_readme_is_a_front_door_that_lost_nothing() {
    let readme = read(&root().join("README.md"));
    let lines = readme.lines().count();
    assert!(
        lines <= 320,
        "the README has {lines} lines: move the detail to the guides"
    );
    for command in ["cargo run --example playground", "cargo test --workspace"] {
        assert!(readme.contains(command), "the README lacks `{command}`");
    }
    let everywhere: Vec<String> = markdown_pages()
        .iter()
        .flat_map(|page| headings(&read(page)))
        .collect();
    for section in README_SECTIONS_ONCE {
        assert!(
            everywhere.iter().any(|heading| heading == section),
            "the README's old section `{section}` is no heading anywhere any more"
        );
    }
}

/// Whether a `text` block holds Rust a user would copy (and so must be a compiled example).
fn looks_like_rust(block: &str) -> bool {
    block.lines().any(|line| {
        let line = line.trim_start();
        [
            "#[",
            "use ",
            "fn ",
            "async fn ",
            "let ",
            "impl ",
            "struct ",
            "mod ",
            "pub ",
        ]
        .iter()
        .any(|start| line.starts_with(start))
    })
}

/// `text` code blocks of a Markdown page, or of a Rust file's doc comments.
fn text_blocks(text: &str, doc_comments: bool) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in text.lines() {
        let line = if doc_comments {
            let trimmed = line.trim_start();
            let Some(doc) = trimmed
                .strip_prefix("///")
                .or_else(|| trimmed.strip_prefix("//!"))
            else {
                continue;
            };
            doc.strip_prefix(' ').unwrap_or(doc)
        } else {
            line
        };
        let fence = line.trim_start();
        match &mut current {
            None if fence == "```text" => current = Some(String::new()),
            Some(block) if fence == "```" => {
                blocks.push(std::mem::take(block));
                current = None;
            }
            Some(block) => {
                block.push_str(line);
                block.push('\n');
            }
            None => {}
        }
    }
    blocks
}

fn rust_files(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, found);
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            found.push(path);
        }
    }
}

#[test]
fn no_public_rust_example_hides_in_a_text_fence() {
    let mut hidden = Vec::new();
    for page in markdown_pages()
        .iter()
        .filter(|page| page.starts_with(root().join("cors-runtime")))
    {
        for block in text_blocks(&read(page), false) {
            if looks_like_rust(&block) {
                hidden.push(format!("{}:\n{block}", page.display()));
            }
        }
    }
    let mut sources = Vec::new();
    for crate_dir in ["cors-runtime/src", "cors-macros/src", "cors-postgres/src"] {
        rust_files(&root().join(crate_dir), &mut sources);
    }
    for source in sources {
        for block in text_blocks(&read(&source), true) {
            if looks_like_rust(&block) {
                hidden.push(format!("{}:\n{block}", source.display()));
            }
        }
    }
    assert!(
        hidden.is_empty(),
        "Rust in `text` fences (compile it, or mark what must not compile `compile_fail`):\n{}",
        hidden.join("\n")
    );
}

#[test]
fn the_protocol_rules_are_in_the_repository() {
    let protocol = read(&root().join("cors-runtime/docs/protocol.md"));
    for rule in 1..=21 {
        assert!(
            protocol.contains(&format!("**R{rule} — ")),
            "docs/protocol.md does not define R{rule}"
        );
    }
    let mut pointing_outside = Vec::new();
    let mut files = markdown_pages();
    for dir in [
        "src",
        "tests",
        "cors-runtime",
        "cors-macros",
        "cors-policy",
        "cors-postgres",
        "cors-bench",
        "examples",
    ] {
        rust_files(&root().join(dir), &mut files);
    }
    files.push(root().join(".ci/run"));
    // Spelled in two pieces, so that this file does not name it.
    let outside = ["CORS-PROTOCOL", ".md"].concat();
    for file in files {
        if read(&file).contains(&outside) {
            pointing_outside.push(file.display().to_string());
        }
    }
    assert!(
        pointing_outside.is_empty(),
        "these name a protocol page outside the repository; link cors-runtime/docs/protocol.md \
         (rustdoc: `crate::guide::protocol`): {pointing_outside:?}"
    );
}

/// The builder chain of a recorder set-up, as text: from `PrometheusBuilder::new()` to
/// `.install_recorder()`, whitespace and the error conversions between them left out.
fn recorder_set_up(code: &str) -> String {
    let start = code
        .find("PrometheusBuilder::new()")
        .expect("a PrometheusBuilder");
    let end = start
        + code[start..]
            .find(".install_recorder()")
            .expect("install_recorder");
    code[start..end]
        .split_whitespace()
        .collect::<String>()
        .replace(".map_err(std::io::Error::other)?", "")
        .replace(".ok()?", "")
}

/// The metrics guide's recorder set-up is the one the conformance example runs — and so the
/// one `tests/prometheus.rs` scrapes from two processes: lookup durations a histogram with the
/// recommended buckets (issue 31).
#[test]
fn the_metrics_guide_sets_up_the_recorder_the_example_runs() {
    let guide = read(&root().join("cors-runtime/docs/metrics.md"));
    let example = read(&root().join("src/conformance/metrics_route.rs"));
    let from_guide = recorder_set_up(&guide);
    assert_eq!(from_guide, recorder_set_up(&example));
    assert!(
        from_guide.contains("set_buckets_for_metric(Matcher::Full(TENANT_LOOKUP_DURATION_SECONDS"),
        "{from_guide}"
    );
    assert!(
        from_guide.contains("&LOOKUP_DURATION_BUCKETS"),
        "{from_guide}"
    );
}
