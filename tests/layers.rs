//! The layers of `src/`, kept by reading the source: the reference model imports nothing
//! but the vocabulary (so it restates every rule it decides), each layer imports only the
//! layers below it, and no module reaches back up to one that imports it (no cycles).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The layers, bottom first: a module may import its own layer and those before it.
const LAYERS: [&str; 5] = ["vocabulary", "server", "model", "harness", "tools"];

/// What each layer may import, besides itself.
fn allowed(layer: &str) -> &'static [&'static str] {
    match layer {
        "vocabulary" => &[],
        "server" | "model" => &["vocabulary"],
        "harness" => &["vocabulary", "server", "model"],
        _ => &["vocabulary", "server", "model", "harness"],
    }
}

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(rust_files(&path));
        } else if path.extension().is_some_and(|x| x == "rs") {
            files.push(path);
        }
    }
    files.sort();
    files
}

/// The module a file is: `server::directory` for `src/server/directory.rs`, `server` for
/// `src/server/mod.rs`, `harness::properties` for its `tests.rs` too.
fn module_of(file: &Path) -> String {
    let rel = file.strip_prefix(src()).unwrap();
    let parts: Vec<String> = rel
        .with_extension("")
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .filter(|p| p != "mod" && p != "tests")
        .collect();
    parts.join("::")
}

/// Every `crate::a::b` path a file names (in `use` lines and inline), without comments,
/// as the module it lands in: `crate::server::directory::Directory` -> `server::directory`.
fn imports(text: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    for line in text.lines() {
        let code = line.split("//").next().unwrap_or("");
        let mut rest = code;
        while let Some(at) = rest.find("crate::") {
            rest = &rest[at + "crate::".len()..];
            let path: Vec<&str> = rest
                .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
                .next()
                .unwrap_or("")
                .split("::")
                .filter(|part| !part.is_empty())
                .collect();
            found.insert(target_module(&path));
        }
    }
    found
}

/// The module a path lands in: the longest prefix that is a module file.
fn target_module(path: &[&str]) -> String {
    let mut module = path[0].to_string();
    let mut dir = src().join(path[0]);
    for part in &path[1..] {
        if dir.join(format!("{part}.rs")).exists() || dir.join(part).join("mod.rs").exists() {
            module = format!("{module}::{part}");
            dir = dir.join(part);
        } else {
            break;
        }
    }
    module
}

fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let mut graph = BTreeMap::new();
    for file in rust_files(&src()) {
        let module = module_of(&file);
        if module.starts_with("cli") || module == "lib" {
            continue; // the binary and the crate root sit above every layer
        }
        let text = std::fs::read_to_string(&file).unwrap();
        let mut targets = imports(&text);
        targets.remove(&module);
        graph
            .entry(module)
            .or_insert_with(BTreeSet::new)
            .extend(targets);
    }
    graph
}

#[test]
fn the_model_imports_only_the_vocabulary() {
    let model = src().join("model");
    let files = rust_files(&model);
    assert!(!files.is_empty());
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        for line in text.lines().filter(|l| l.trim_start().starts_with("use ")) {
            assert!(
                line.contains("crate::vocabulary") || !line.contains("crate::"),
                "{}: the reference model imports from outside the vocabulary: {line}",
                file.display()
            );
            // `super` inside the model's own files is the model; from mod.rs it is the crate.
            let at_root = file.ends_with("mod.rs");
            assert!(
                !(at_root && line.contains("super::")),
                "{}: the reference model reaches outside itself: {line}",
                file.display()
            );
        }
        for target in imports(&text) {
            assert!(
                target.starts_with("vocabulary"),
                "{}: the reference model names crate::{target}, outside the vocabulary",
                file.display()
            );
        }
    }
}

#[test]
fn each_layer_imports_only_the_layers_below_it() {
    for (module, targets) in graph() {
        let layer = module.split("::").next().unwrap();
        assert!(LAYERS.contains(&layer), "{module} is in no layer");
        for target in targets {
            let to = target.split("::").next().unwrap();
            assert!(
                to == layer || allowed(layer).contains(&to),
                "{module} imports {target}: the {layer} layer may import only {:?}",
                allowed(layer)
            );
        }
    }
}

#[test]
fn no_module_imports_one_that_imports_it() {
    let graph = graph();
    // Depth-first search for a back edge; the path to it is the cycle.
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) {
        if let Some(at) = path.iter().position(|p| p == node) {
            panic!("import cycle: {} -> {node}", path[at..].join(" -> "));
        }
        if done.contains(node) {
            return;
        }
        path.push(node.to_string());
        for next in graph.get(node).into_iter().flatten() {
            visit(next, graph, path, done);
        }
        path.pop();
        done.insert(node.to_string());
    }
    let mut done = BTreeSet::new();
    for node in graph.keys() {
        visit(node, &graph, &mut Vec::new(), &mut done);
    }
}

#[test]
fn the_reader_of_imports_sees_what_it_should() {
    // The checks above are only as good as this reader: it must see use lines, grouped
    // uses, and inline paths, and ignore comments.
    let text = "use crate::server::directory::{Directory, MailboxId};\n\
                // use crate::tools::check;\n\
                let x = crate::harness::properties::evaluate(&e);\n\
                use crate::vocabulary::{address::Alias, rules::RuleId};\n";
    let found: Vec<String> = imports(text).into_iter().collect();
    assert_eq!(
        found,
        ["harness::properties", "server::directory", "vocabulary"]
    );
}

/// The places in a vocabulary file's code (comments, docs and its tests left out) that
/// decide something a half of migwiz must decide for itself: a branch on a wizard version
/// outside `Version`'s own impls (its name, its parsing), or an event built or worded.
fn vocabulary_decisions(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut self_type = String::new();
    for (number, line) in text.lines().enumerate() {
        if line.trim_start().starts_with("#[cfg(test)]") {
            break; // the file's tests
        }
        let code = line.split("//").next().unwrap_or("");
        if !line.starts_with(' ') && !line.starts_with('}') && !code.trim().is_empty() {
            // A top-level item: `impl X`, `impl T for X`, or anything else.
            self_type = match code.trim_start().strip_prefix("impl") {
                Some(rest) => rest
                    .split(" for ")
                    .last()
                    .unwrap_or("")
                    .trim_matches(|c: char| !c.is_alphanumeric())
                    .split(|c: char| !c.is_alphanumeric())
                    .next()
                    .unwrap_or("")
                    .to_string(),
                None => String::new(),
            };
        }
        let version = ["Version::V50", "Version::V55", "Version::V55Sp1"]
            .iter()
            .any(|v| code.contains(v));
        let own = self_type == "Version" || code.contains("pub const ALL");
        if version && !own {
            found.push(format!(
                "line {}: branches on a version: {}",
                number + 1,
                line.trim()
            ));
        }
        // An `Event { … }` literal stands where an expression does; `-> Event {`,
        // `for Event {` and `struct Event {` name the type.
        let literal = code.match_indices("Event {").any(|(at, _)| {
            let before = code[..at].trim_end();
            before.is_empty()
                || before.ends_with("=>")
                || before.ends_with(['=', '(', ',', '{'])
                || before.ends_with("return")
        });
        let builds_event = literal || code.contains("\"MSExchangeMig\"");
        if builds_event {
            found.push(format!(
                "line {}: builds an event: {}",
                number + 1,
                line.trim()
            ));
        }
    }
    found
}

#[test]
fn the_vocabulary_decides_nothing() {
    // Types, parsing and display only: a rule decided here would be shared by the model and
    // the server, and a mistake in it invisible to the state machine test.
    let files = rust_files(&src().join("vocabulary"));
    assert!(!files.is_empty());
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let found = vocabulary_decisions(&text);
        assert!(
            found.is_empty(),
            "{}:\n{}",
            file.display(),
            found.join("\n")
        );
    }
}

#[test]
fn the_reader_of_decisions_sees_what_it_should() {
    let allowed = "impl Version {\n    pub fn as_str(self) -> &'static str {\n        match self {\n            Version::V50 => \"5.0\",\n        }\n    }\n}\n\
                   impl fmt::Display for Version {\n    fn fmt(&self) { Version::V55 }\n}\n\
                   /// Version::V55 in a doc\n// Event { in a comment\npub struct Event {\n}\n";
    assert_eq!(vocabulary_decisions(allowed), Vec::<String>::new());
    let decides = "impl Operation {\n    pub fn migrate(&self) -> bool {\n        self.version == Version::V55\n    }\n}\n\
                   pub fn event_7026() -> Event {\n    Event { id: 7026, source: \"MSExchangeMig\" }\n}\n\
                   #[cfg(test)]\nmod tests {\n    Version::V50\n}\n";
    let found = vocabulary_decisions(decides);
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(
        found[0].starts_with("line 3: branches on a version"),
        "{found:?}"
    );
    assert!(found[1].starts_with("line 7: builds an event"), "{found:?}");
}
