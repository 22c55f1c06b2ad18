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
    // A legend, and the words that differ marked: 5.0's "ok" against 5.5's "aborted"
    // leaves different mail at the end.
    assert_eq!(page.count("dl.legend"), 1);
    assert!(page.count("table.final-state mark") >= 2);
    assert!(page.count("div.log mark") >= 2, "the logs differ");
}

/// Never colour alone (issue 38): every outcome cell says its outcome with a symbol and a
/// word, every bar of a history carries a label, and the colours that tell states apart
/// stay apart under red/green colour blindness (Machado et al.'s protanopia and
/// deuteranopia, ΔE*ab of at least 10 between any two).
#[test]
fn every_colour_has_a_word_and_stays_apart_under_colour_blindness() {
    let dir = made::folder("pages", "colour");
    made::every_scenario(&dir);
    let page = checked(&dir.join("08-v50-alias-wrong-mailbox.html"));
    for outcome in ["ok", "refused", "aborted"] {
        let cells = page.count(&format!("td.{outcome}"));
        let cues = page.count(&format!("td.{outcome} > span.cue"));
        assert_eq!(cells, cues, "{outcome}");
    }
    let cue_words = page.text_of("span.cue");
    assert!(cue_words.contains("✓ ok"), "{cue_words}");
    let fills: Vec<String> = [
        "td.ok, dt.ok",
        "td.refused, dt.refused",
        "td.aborted, dt.aborted",
    ]
    .iter()
    .map(|rule| colour_after(&page.text, &format!("{rule} {{ background: ")))
    .collect();
    colours_apart(&fills);
    // Mail into a mailbox not tied to its owner: dashed as well as coloured.
    assert!(page
        .text
        .contains("line.unbound { stroke: #d55e00; stroke-width: 2.5; stroke-dasharray"));

    let history = checked(&made::failing_history(&dir));
    let bars = history.count("g.bar");
    assert_eq!(
        history.count("g.bar > text.label"),
        bars,
        "a label on every bar"
    );
    let fills: Vec<String> = [
        ".bar rect { fill: ",
        ".bar.placed rect { fill: ",
        ".bar.stuck rect { fill: ",
    ]
    .iter()
    .map(|rule| colour_after(&history.text, rule))
    .collect();
    colours_apart(&fills);
    assert_eq!(history.count("dl.legend"), 1);
}

/// The `#rrggbb` colour right after `rule` in the page's style.
fn colour_after(text: &str, rule: &str) -> String {
    let at = text.find(rule).unwrap_or_else(|| panic!("no {rule}")) + rule.len();
    text[at..at + 7].to_string()
}

/// Every two of `colours` at least 10 ΔE*ab apart as seen normally, with protanopia and
/// with deuteranopia.
fn colours_apart(colours: &[String]) {
    const PROTAN: [[f64; 3]; 3] = [
        [0.152286, 1.052583, -0.204868],
        [0.114503, 0.786281, 0.099216],
        [-0.003882, -0.048116, 1.051998],
    ];
    const DEUTAN: [[f64; 3]; 3] = [
        [0.367322, 0.860646, -0.227968],
        [0.280085, 0.672501, 0.047413],
        [-0.011820, 0.042940, 0.968881],
    ];
    const SEEN: [[f64; 3]; 3] = [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]];
    for (vision, matrix) in [
        ("normal", SEEN),
        ("protanopia", PROTAN),
        ("deuteranopia", DEUTAN),
    ] {
        let lab: Vec<[f64; 3]> = colours.iter().map(|c| lab_of(c, &matrix)).collect();
        for i in 0..lab.len() {
            for j in i + 1..lab.len() {
                let delta = (0..3)
                    .map(|k| (lab[i][k] - lab[j][k]).powi(2))
                    .sum::<f64>()
                    .sqrt();
                assert!(
                    delta >= 10.0,
                    "{} and {} are {delta:.1} apart with {vision}",
                    colours[i],
                    colours[j]
                );
            }
        }
    }
}

/// CIELAB of `#rrggbb` seen through `matrix` (applied in linear RGB).
fn lab_of(hex: &str, matrix: &[[f64; 3]; 3]) -> [f64; 3] {
    let channel = |k: usize| {
        let c = f64::from(u8::from_str_radix(&hex[1 + 2 * k..3 + 2 * k], 16).unwrap()) / 255.0;
        match c <= 0.04045 {
            true => c / 12.92,
            false => ((c + 0.055) / 1.055).powf(2.4),
        }
    };
    let rgb = [channel(0), channel(1), channel(2)];
    let seen: Vec<f64> = matrix
        .iter()
        .map(|row| (0..3).map(|k| row[k] * rgb[k]).sum::<f64>().clamp(0.0, 1.0))
        .collect();
    let (r, g, b) = (seen[0], seen[1], seen[2]);
    let xyz = [
        (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047,
        0.2126 * r + 0.7152 * g + 0.0722 * b,
        (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883,
    ];
    let f = |t: f64| match t > 0.008856 {
        true => t.cbrt(),
        false => 7.787 * t + 16.0 / 116.0,
    };
    let (fx, fy, fz) = (f(xyz[0]), f(xyz[1]), f(xyz[2]));
    [116.0 * fy - 16.0, 500.0 * (fx - fy), 200.0 * (fy - fz)]
}

/// Indexes that summarise and pages that link back (issue 38): the index of `diff --html`
/// says per scenario where the versions part ways, which abort and which put mail into a
/// mailbox not tied to its owner, with runs of clients at once apart; every page links
/// back to it, and every witness page of the explorer to its index.
#[test]
fn indexes_summarise_and_every_page_links_back() {
    let dir = made::folder("pages", "back");
    made::every_scenario(&dir);
    let index = checked(&dir.join("index.html"));
    assert_eq!(
        index.count("table.index"),
        2,
        "steps one after the other, clients at once"
    );
    assert_eq!(index.count("dl.legend"), 1);
    let rows = scraper::Selector::parse("table.index tr").unwrap();
    let row = |file: &str| {
        index
            .doc
            .select(&rows)
            .map(|tr| tr.text().collect::<Vec<_>>().join("|"))
            .find(|t| t.contains(file))
            .unwrap_or_else(|| panic!("no row for {file}"))
    };
    let symptoms = row("Q242184 symptoms");
    assert!(
        symptoms.contains("from step 2") && symptoms.contains("5.5, 5.5-sp1"),
        "{symptoms}"
    );
    let alias = row("5.0 alias lookup delivers to the wrong mailbox");
    assert!(
        alias.contains("from step 2") && alias.contains("|5.0"),
        "{alias}"
    );
    for link in index.attrs("a", "href") {
        let page = checked(&dir.join(common::pages::percent_decoded(&link).unwrap()));
        assert_eq!(page.attrs("nav.back a", "href"), ["./index.html"], "{link}");
    }
    let explore = made::folder("pages", "back-explore");
    let catalogue = checked(&made::catalogue(&explore));
    assert!(catalogue.count("td.share") > 0 && catalogue.count("ol.steps li") > 0);
    assert_eq!(catalogue.count("dl.legend"), 1);
    let first = &catalogue.attrs("td > a", "href")[0];
    let witness = checked(&catalogue.path.parent().unwrap().join(first));
    assert_eq!(witness.attrs("nav.back a", "href"), ["./index.html"]);
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
    // Two clients and the final state, in each row of ticks the run is drawn in.
    let rows = passing.count("svg.history");
    assert!(rows >= 1);
    assert_eq!(passing.count("g.lane"), 3 * rows);
    // A bar that runs on into the next row is drawn in both: units are told by number.
    let units = |page: &common::pages::Page, selector: &str| {
        let mut ops = page.attrs(selector, "data-op");
        ops.dedup();
        ops.len()
    };
    let bars = units(&passing, "g.bar");
    assert!(bars > 0);
    assert_eq!(
        units(&passing, "g.bar.placed"),
        bars,
        "every unit in the order"
    );
    assert!(passing.count("polyline.order") >= 1);

    // Lanes named by what their clients do, the version stated, and the order as a
    // table, a row per unit placed.
    let words = passing.words();
    assert!(words.contains("The wizard runs as 5.5."), "{words}");
    assert!(passing.text_of("text.does").contains("wizard 5.5 migrate"));
    assert_eq!(passing.count("table.order tbody tr"), bars);

    let failing = checked(&made::failing_history(&dir));
    assert_eq!(failing.count("g.bar.stuck"), 1, "the unit no order places");
    // Units past the order are listed with what they returned, as their hovers say.
    let unplaced = units(&failing, "g.bar.unplaced") + units(&failing, "g.bar.stuck");
    assert_eq!(failing.count("table.unreached tbody tr"), unplaced);
    let words = failing.words();
    assert!(words.contains("the model expected") && words.contains("the server returned"));
    assert!(
        words.contains("4 message(s) moved") && words.contains("3 message(s) moved"),
        "{words}"
    );
    // Where the order stops: the difference marked, what "cannot be placed" means, and
    // the witness file with the command that replays it.
    // 4 against 3 messages, and the rule the server cited that the model did not.
    assert_eq!(failing.count("div.stuck mark"), 3);
    assert_eq!(failing.text_of("div.stuck mark"), "4");
    assert!(words.contains("cannot be placed") && words.contains("not always the culprit"));
    let replay = failing.text_of("p.replay code");
    assert!(
        replay.starts_with("migwiz run ")
            && replay.ends_with("race-seed-3-case-19.toml --fault waiting-read-apart"),
        "{replay}"
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
    let lines = |start: &str, has: &str| {
        graph
            .lines()
            .filter(|l| l.starts_with(start) && l.contains(has))
            .count()
    };
    let properties = lines("  p", "shape=ellipse");
    assert_eq!(
        properties, 4,
        "every sometimes property is reached by depth 3:\n{graph}"
    );
    // Every state on the way is named by what it holds (issue 38).
    let states = graph
        .lines()
        .filter(|l| l.starts_with("  s") && l.contains(" [") && !l.contains(" -> "))
        .count();
    assert!(states > 1, "{graph}");
    assert_eq!(
        lines("  s", "mailbox(es)"),
        states,
        "named states:\n{graph}"
    );
    assert_eq!(
        lines("  s", " -> "),
        states - 1 + properties,
        "a tree:\n{graph}"
    );
    // A title with the check's scope and counts, and a legend that tells a `sometimes`
    // reached from a violation by shape and symbol as well as colour.
    assert!(
        graph
            .contains("label=\"migwiz check: 2 MS Mail user(s), every sequence of up to 3 step(s)"),
        "{graph}"
    );
    assert!(
        graph.contains("subgraph cluster_legend")
            && graph.contains("✗ an `always` property broken")
    );
    assert_eq!(lines("  p", "◎ "), properties);
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
