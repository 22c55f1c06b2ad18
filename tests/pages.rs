//! The pages (issue 26), checked in every `cargo test` without a browser: each kind of page
//! is made as a user makes it, parsed with an HTML parser, and must be well formed (SVG
//! elements closed), self-contained (no script, no request, no event handler), with every
//! name escaped and every link leading to a page or an element that exists; then the test
//! counts what a reader would see on it. `tests/browser.rs` renders the same pages in
//! headless Chromium and draws the check's graph with Graphviz.

mod common;

use common::pages::{checked, checked_svg, made, structure, Page};

/// The checks themselves can fail: a script, an event handler, a request, a link with a
/// scheme or to nothing, an unclosed SVG element and markup the parser must mend are each
/// caught.
#[test]
fn a_page_that_breaks_a_rule_is_caught() {
    let dir = made::folder("pages", "caught");
    std::fs::write(dir.join("there.html"), page_with("<p id=\"x\">there</p>")).unwrap();
    let wrong = [
        ("script", "<script>alert(1)</script>"),
        ("handler", "<p onclick=\"alert(1)\">x</p>"),
        (
            "image",
            "<img alt=\"\" src=\"http://example.invalid/x.png\">",
        ),
        (
            "style",
            "<p style=\"background: url(http://example.invalid/x)\">x</p>",
        ),
        ("scheme", "<a href=\"javascript:alert(1)\">x</a>"),
        ("elsewhere", "<a href=\"http://example.invalid/\">x</a>"),
        ("nowhere", "<a href=\"missing.html\">x</a>"),
        ("no id", "<a href=\"#missing\">x</a>"),
        ("no id there", "<a href=\"there.html#missing\">x</a>"),
        ("unencoded", "<a href=\"a b.html\">x</a>"),
        ("unclosed svg", "<svg><g><text>x</text></svg>"),
        ("misnested", "<p><b>x</p></b>"),
    ];
    for (what, body) in wrong {
        let path = dir.join("wrong.html");
        std::fs::write(&path, page_with(body)).unwrap();
        let page = parsed(&path);
        assert!(structure(&page).is_err(), "{what} went unseen: {body}");
    }
    let right = "<a href=\"there.html#x\">x</a><a href=\"#here\">y</a><svg><g><text id=\"here\">z</text></g></svg>";
    let path = dir.join("right.html");
    std::fs::write(&path, page_with(right)).unwrap();
    checked(&path);
}

fn page_with(body: &str) -> String {
    format!("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>t</title></head><body>{body}</body></html>")
}

fn parsed(path: &std::path::Path) -> Page {
    let text = std::fs::read_to_string(path).unwrap();
    Page {
        path: path.to_path_buf(),
        doc: scraper::Html::parse_document(&text),
        text,
    }
}

#[test]
fn the_side_by_side_page_shows_each_version() {
    let dir = made::folder("pages", "symptoms");
    let page = checked(&made::symptoms(&dir));
    assert!(page.text.len() < 1_000_000, "{} bytes", page.text.len());
    // Three versions: a column each in the steps table, a mail path and an event log.
    assert_eq!(
        page.count("table.steps thead th"),
        4,
        "step and three versions"
    );
    assert_eq!(page.count(".path[data-version]"), 3);
    assert_eq!(page.count("table.steps tr"), 3, "the header and two steps");
    // What differs is said: the first step where the versions part ways is marked (step
    // two), the final states are compared as the terminal prints them, and 5.0's "ok"
    // says in words that it put the mail into a mailbox not tied to its owner.
    assert_eq!(page.count("tr.first-difference"), 1);
    assert!(page.words().contains("the versions part ways here"));
    assert!(page.count("table.final-state tbody tr") >= 3);
    assert!(page.words().contains("a mailbox not tied to it"));
    // Step two: 5.0 migrates (into a mailbox not tied to JDOE: one red arrow), 5.5 and
    // SP1 abort with 7026 (Q242184's SYMPTOMS).
    assert_eq!(page.count("td.aborted"), 2);
    assert_eq!(page.count("line.unbound"), 1);
    assert_eq!(page.count("line.bound"), 0);
    assert_eq!(page.count("[data-id=\"7026\"]"), 2);
    // Every rule id links to its text on the page (checked() resolves every link).
    assert!(page.count("a[href^=\"#rule-\"]") >= 4);
}

/// Escaping is security: names, aliases, addresses and descriptions from a scenario are
/// shown as text, never read as markup.
#[test]
fn names_from_a_scenario_are_text_in_the_page() {
    let dir = made::folder("pages", "hostile");
    let page = checked(&made::hostile(&dir));
    // The parser built no element from them: checked() found no script and no image.
    let words = page.words();
    assert!(words.contains("<script>alert(1)</script>"), "{words}");
    assert!(words.contains("<img src=x onerror=alert(1)>"), "{words}");
    // The escape and the right-to-left override are shown as escapes, never raw.
    assert!(
        !page.text.contains('\u{1b}') && !page.text.contains('\u{202e}'),
        "{}",
        page.text
    );
    assert!(
        words.contains("\\u{1b}[31mred") && words.contains("\\u{202e}evil"),
        "{words}"
    );
}

/// `migwiz diff scenarios/ scenarios/concurrent/ --html DIR` (the guide's command): a
/// page for every scenario file, each under 1 MB, and an index linking them all.
#[test]
fn one_command_writes_the_page_of_every_scenario() {
    let dir = made::folder("pages", "all");
    made::every_scenario(&dir);
    let index = checked(&dir.join("index.html"));
    let links = index.attrs("a", "href");
    let mut files = 0;
    for folder in [made::scenarios(), made::scenarios().join("concurrent")] {
        files += common::toml_files(&folder);
    }
    assert!(files >= 22, "{files} scenario files");
    assert_eq!(links.len(), files, "a link per scenario file: {links:?}");
    for link in &links {
        let page = checked(&dir.join(common::pages::percent_decoded(link).unwrap()));
        assert!(
            page.text.len() < 1_000_000,
            "{link}: {} bytes",
            page.text.len()
        );
    }
    let race = checked(&dir.join("q190423-mail-arrives-during-the-run.html"));
    assert_eq!(race.count("g.lane"), 3);
}

/// The history of a concurrent run: a lane per client (and the final state), a bar per
/// unit, and the order drawn through them; for a failure, the unit no order places in red
/// with what the model expected beside what the server returned.
#[test]
fn a_concurrent_run_is_drawn_as_lanes_and_bars() {
    let dir = made::folder("pages", "race");
    let passing = checked(&made::passing_history(&dir));
    assert_eq!(
        passing.count("g.lane"),
        3,
        "two clients and the final state"
    );
    let bars = passing.count("g.bar");
    assert!(bars > 0);
    assert_eq!(
        passing.count("g.bar.placed"),
        bars,
        "every unit in the order"
    );
    assert_eq!(passing.count("polyline.order"), 1);

    let failing = checked(&made::failing_history(&dir));
    assert_eq!(failing.count("g.bar.stuck"), 1, "the unit no order places");
    let words = failing.words();
    assert!(words.contains("the model expected") && words.contains("the server returned"));
    assert!(
        words.contains("4 message(s) moved") && words.contains("3 message(s) moved"),
        "{words}"
    );
}

/// `migwiz explore --html DIR`: an index of the classes found, each linking to its
/// witness's side-by-side page, which exists.
#[test]
fn the_explorer_writes_an_index_of_its_classes() {
    let dir = made::folder("pages", "explore");
    let index = checked(&made::catalogue(&dir));
    let witnesses = common::toml_files(&dir.join("witnesses"));
    let links = index.attrs("a", "href");
    assert_eq!(links.len(), witnesses, "a link per witness");
    assert_eq!(index.count("tr"), 25, "the header and every class");
    for link in &links {
        let page = checked(&index.path.parent().unwrap().join(link));
        assert!(page.text.len() < 1_000_000, "{link}");
        assert_eq!(page.count(".path[data-version]"), 3, "{link}");
    }
}

/// `migwiz check --dot OUT.dot`: the shortest path to every `sometimes` property reached,
/// a tree in Graphviz's language. (Graphviz draws it in `tests/browser.rs`.)
#[test]
fn the_check_writes_its_shortest_paths_as_a_graph() {
    let dir = made::folder("pages", "check");
    let dot = made::graph(&dir);
    let graph = std::fs::read_to_string(&dot).unwrap();
    let properties = graph.matches("shape=ellipse").count();
    assert_eq!(
        properties, 4,
        "every sometimes property is reached by depth 3:\n{graph}"
    );
    let states = graph.matches("shape=circle").count();
    assert_eq!(
        graph.matches(" -> ").count(),
        states + properties,
        "a tree:\n{graph}"
    );
    // Where Graphviz is installed the drawing is beside it; it too must be safe.
    let svg = dot.with_extension("svg");
    if svg.exists() {
        checked_svg(&svg);
    }
}

/// Links built from file names (issue 35): a scenario named like a `javascript:` URL, or
/// with `#`, `?`, `%`, a space or letters outside ASCII, still links to its own page, by a
/// relative, percent-encoded path; two scenarios with one stem in two folders, and one
/// named `index.toml`, each get a page of their own, and the index stays the index.
#[test]
fn every_file_name_links_to_its_own_page() {
    let dir = made::folder("pages", "names");
    let (one, two) = (dir.join("one"), dir.join("two"));
    std::fs::create_dir_all(&one).unwrap();
    std::fs::create_dir_all(&two).unwrap();
    let symptoms =
        std::fs::read_to_string(made::scenarios().join("01-q242184-symptoms.toml")).unwrap();
    let names = [
        "javascript:alert(1).toml",
        "a#b.toml",
        "what?.toml",
        "100%.toml",
        "two words.toml",
        "déjà vu.toml",
        "index.toml",
        "same.toml",
    ];
    for (k, name) in names.iter().enumerate() {
        let text = symptoms.replacen("name = \"", &format!("name = \"{k} "), 1);
        std::fs::write(one.join(name), text).unwrap();
    }
    std::fs::write(
        two.join("same.toml"),
        symptoms.replacen("name = \"", "name = \"other ", 1),
    )
    .unwrap();
    let pages = dir.join("pages");
    made::migwiz(
        &[
            "diff".as_ref(),
            one.as_os_str(),
            two.as_os_str(),
            "--html".as_ref(),
            pages.as_os_str(),
        ],
        0,
    );
    let index = checked(&pages.join("index.html"));
    let links = index.attrs("a", "href");
    assert_eq!(links.len(), names.len() + 1, "{links:?}");
    // Each link leads to the page of its own scenario: nine links, nine titles.
    let mut titles = Vec::new();
    for link in &links {
        assert!(!link.contains(':'), "{link}");
        let page = checked(&pages.join(common::pages::percent_decoded(link).unwrap()));
        assert_eq!(
            page.count(".path[data-version]"),
            3,
            "{link} is not a scenario's page"
        );
        titles.push(page.text_of("h1"));
    }
    titles.sort();
    titles.dedup();
    assert_eq!(
        titles.len(),
        links.len(),
        "two links to one scenario: {links:?}"
    );
}
