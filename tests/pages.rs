//! The pages (issue 26), looked at in a real browser: headless Chromium renders each page,
//! and the test checks what a person would see. Where Chromium cannot start, the test
//! fails and says how to install it; it never passes silently.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use migwiz::tools::pages::diff::page;
use migwiz::tools::replay::ModelCheckPolicy;
use migwiz::Scenario;

/// Chromium: `MIGWIZ_CHROMIUM`, else `chromium` on the PATH.
fn chromium() -> PathBuf {
    let browser = std::env::var_os("MIGWIZ_CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("chromium"));
    let works = Command::new(&browser)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        works,
        "cannot start {}: the page tests need headless Chromium.\n  help: install it (Debian: apt-get install chromium; .ci/run does), or name it with MIGWIZ_CHROMIUM=/path/to/chromium",
        browser.display()
    );
    browser
}

/// Runs headless Chromium on `file` with `args`; returns its standard output and error.
fn headless(file: &Path, args: &[&str]) -> (String, String) {
    // A profile of its own for each run: tests run at once, and two browsers on one
    // profile hand their work to each other.
    static RUNS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let run = RUNS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let profile =
        std::env::temp_dir().join(format!("migwiz-chromium-{}-{run}", std::process::id()));
    let out = Command::new(chromium())
        .arg(format!("--user-data-dir={}", profile.display()))
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--enable-logging=stderr",
            "--v=0",
            "--window-size=1280,1600",
        ])
        .args(args)
        .arg(format!("file://{}", file.display()))
        .output()
        .expect("chromium runs");
    let _ = std::fs::remove_dir_all(&profile);
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Runs the migwiz binary with `args`; asserts its exit status is `status`.
fn migwiz(args: &[&std::ffi::OsStr], status: i32) {
    let out = Command::new(env!("CARGO_BIN_EXE_migwiz"))
        .args(args)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(status),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn scenario(name: &str) -> Scenario {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(name);
    Scenario::read(&path).unwrap()
}

fn written(name: &str, html: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("migwiz-pages-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, html).unwrap();
    path
}

/// Hosts Chromium asks on its own, whatever the page (clock, accounts, spelling).
const BROWSER_OWN: [&str; 4] = [
    "clients2.google.com",
    "accounts.google.com",
    "www.google.com",
    "redirector.gvt1.com",
];

/// The rendered DOM of the page; no console message, and no request the page made (the
/// browser's network log, its own background requests aside).
fn rendered(path: &Path) -> String {
    let net = path.with_extension("netlog.json");
    let _ = std::fs::remove_file(&net);
    let (dom, log) = headless(
        path,
        &["--dump-dom", &format!("--log-net-log={}", net.display())],
    );
    assert!(
        dom.contains("</html>") || dom.contains("</svg>"),
        "no DOM rendered:\n{log}"
    );
    for line in log.lines() {
        assert!(!line.contains(":CONSOLE"), "a console message: {line}");
    }
    let netlog = std::fs::read_to_string(&net).expect("chromium wrote its network log");
    for url in netlog.split("\"url\":\"").skip(1) {
        let url = url.split('"').next().unwrap_or("");
        let host = url
            .split("://")
            .nth(1)
            .unwrap_or("")
            .split('/')
            .next()
            .unwrap_or("");
        let page_file = url.starts_with("file://");
        assert!(
            page_file || BROWSER_OWN.contains(&host),
            "the page made a request: {url}"
        );
    }
    dom
}

/// The checks themselves can fail: a page that logs to the console, and one that asks
/// the network, are caught.
#[test]
fn a_page_with_a_console_message_or_a_request_is_caught() {
    let noisy = written(
        "noisy.html",
        "<!DOCTYPE html><html><body><script>console.error('boom')</script></body></html>",
    );
    let caught = std::panic::catch_unwind(|| rendered(&noisy));
    assert!(caught.is_err(), "a console message went unseen");
    let asking = written(
        "asking.html",
        "<!DOCTYPE html><html><body><img src=\"http://example.invalid/x.png\"></body></html>",
    );
    let caught = std::panic::catch_unwind(|| rendered(&asking));
    assert!(caught.is_err(), "a request went unseen");
}

/// A screenshot of the page, and whether it shows more than one colour.
fn screenshot_is_not_blank(path: &Path) -> bool {
    let shot = path.with_extension("png");
    let _ = std::fs::remove_file(&shot);
    headless(path, &[&format!("--screenshot={}", shot.display())]);
    let decoder = png::Decoder::new(std::io::BufReader::new(
        std::fs::File::open(&shot).expect("a screenshot was written"),
    ));
    let mut reader = decoder.read_info().expect("a PNG");
    let mut pixels = vec![0; reader.output_buffer_size().expect("a size")];
    let frame = reader.next_frame(&mut pixels).expect("one frame");
    let pixels = &pixels[..frame.buffer_size()];
    let first = &pixels[..4];
    let differing = pixels.chunks(4).filter(|p| *p != first).count();
    differing > pixels.len() / 4 / 100
}

#[test]
fn the_side_by_side_page_shows_each_version_in_a_browser() {
    let html = page(
        &scenario("01-q242184-symptoms.toml"),
        ModelCheckPolicy::Auto,
    );
    assert!(html.len() < 1_000_000, "{} bytes", html.len());
    for outside in [
        "<script",
        "src=\"http",
        "href=\"http",
        "@import",
        "url(http",
    ] {
        assert!(
            !html.contains(outside),
            "the page reaches outside: {outside}"
        );
    }
    let path = written("01.html", &html);
    let dom = rendered(&path);
    // Three versions: a column each in the steps table, a mail path and an event log.
    let head = dom.split("<tbody>").next().unwrap();
    assert_eq!(head.matches("<th>").count(), 4, "step and three versions");
    assert_eq!(dom.matches("class=\"path\" data-version=").count(), 3);
    assert_eq!(dom.matches("<tr>").count(), 3, "the header and two steps");
    // Step two: 5.0 migrates (into a mailbox not tied to JDOE: one red arrow), 5.5 and
    // SP1 abort with 7026 (Q242184's SYMPTOMS).
    assert_eq!(dom.matches("<td class=\"aborted\">").count(), 2);
    assert_eq!(dom.matches("<line class=\"unbound\"").count(), 1);
    assert_eq!(dom.matches("<line class=\"bound\"").count(), 0);
    assert_eq!(dom.matches("data-id=\"7026\"").count(), 2);
    // Every rule id links to its text on the page.
    for link in dom.split("href=\"#rule-").skip(1) {
        let id = link.split('"').next().unwrap();
        assert!(
            dom.contains(&format!("id=\"rule-{id}\"")),
            "{id} has no text"
        );
    }
    assert!(screenshot_is_not_blank(&path), "a blank screenshot");
}

/// Escaping is security: names, aliases, addresses and descriptions from a scenario are
/// shown as text, never read as markup.
#[test]
fn names_from_a_scenario_are_text_in_the_page() {
    let hostile = "<script>alert(1)</script> \\\"quoted' \\u001b[31mred \\u202eevil";
    let text = format!(
        "name = \"{hostile}\"\ndescription = \"{hostile}\"\n[postoffice]\npath = '\\\\SRV\\<img src=x onerror=alert(1)>'\n[[users]]\naddress = \"NET1/PO1/JDOE\"\nmessages = 1\n[[steps]]\nop = \"create-mailbox\"\nalias = \"JDOE\"\nname = \"{hostile}\"\n[[steps]]\nop = \"wizard\"\nversion = \"5.0\"\nphase = \"migrate\"\n"
    );
    let scenario = Scenario::parse("hostile.toml", &text).unwrap();
    let html = page(&scenario, ModelCheckPolicy::Auto);
    assert!(
        !html.contains("<script>") && !html.contains("<img"),
        "{html}"
    );
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(html.contains("&lt;img src=x onerror=alert(1)&gt;"));
    let path = written("hostile.html", &html);
    let dom = rendered(&path);
    // The browser built no element from them: the only scripts and images are none.
    assert!(!dom.contains("<script") && !dom.contains("<img"), "{dom}");
    assert!(dom.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    // The escape and the right-to-left override are shown as escapes, never raw.
    assert!(
        !dom.contains('\u{1b}') && !dom.contains('\u{202e}'),
        "{dom}"
    );
    assert!(
        dom.contains("\\u{1b}[31mred") && dom.contains("\\u{202e}evil"),
        "{dom}"
    );
}

/// `migwiz diff scenarios/ scenarios/concurrent/ --html DIR` (the README's command): a
/// page for every scenario file, each under 1 MB, and an index linking them all.
#[test]
fn one_command_writes_the_page_of_every_scenario() {
    let dir = std::env::temp_dir().join(format!("migwiz-pages-all-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let scenarios = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let concurrent = scenarios.join("concurrent");
    migwiz(
        &[
            "diff".as_ref(),
            scenarios.as_os_str(),
            concurrent.as_os_str(),
            "--html".as_ref(),
            dir.as_os_str(),
        ],
        0,
    );
    let index = std::fs::read_to_string(dir.join("index.html")).unwrap();
    let mut files = 0;
    for folder in [&scenarios, &concurrent] {
        for entry in std::fs::read_dir(folder).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_none_or(|x| x != "toml") {
                continue;
            }
            let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
            let page = dir.join(format!("{stem}.html"));
            let size = std::fs::metadata(&page).unwrap().len();
            assert!(size < 1_000_000, "{stem}: {size} bytes");
            assert!(
                index.contains(&format!("href=\"{stem}.html\"")),
                "{stem} not in the index"
            );
            files += 1;
        }
    }
    assert!(files >= 22, "{files} scenario files");
    let race = rendered(&dir.join("q190423-mail-arrives-during-the-run.html"));
    assert_eq!(race.matches("<g class=\"lane\">").count(), 3);
}

/// The history of a concurrent run: a lane per client (and the final state), a bar per
/// unit, and the order drawn through them; for a failure, the unit no order places in red
/// with what the model expected beside what the server returned.
#[test]
fn a_concurrent_run_is_drawn_as_lanes_and_bars() {
    let dir = std::env::temp_dir().join(format!("migwiz-pages-race-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let passing = dir.join("midrun.html");
    let file = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios/concurrent/c-midrun-migrate-proxy-added-during-the-run.toml");
    migwiz(
        &[
            "run".as_ref(),
            file.as_os_str(),
            "--html".as_ref(),
            passing.as_os_str(),
        ],
        0,
    );
    let dom = rendered(&passing);
    assert_eq!(
        dom.matches("<g class=\"lane\">").count(),
        3,
        "two clients and the final state"
    );
    let bars = dom.matches("<g class=\"bar").count();
    assert_eq!(
        dom.matches("<g class=\"bar placed\"").count(),
        bars,
        "every unit in the order"
    );
    assert_eq!(dom.matches("<polyline class=\"order\"").count(), 1);
    assert!(screenshot_is_not_blank(&passing));

    let failing = dir.join("race.html");
    let witnesses = dir.join("witnesses");
    let race = [
        "race",
        "--fault",
        "waiting-read-apart",
        "--seed",
        "1",
        "--out",
    ];
    let mut args: Vec<&std::ffi::OsStr> = race.iter().map(|a| a.as_ref()).collect();
    args.extend([
        witnesses.as_os_str(),
        "--html".as_ref(),
        failing.as_os_str(),
    ]);
    migwiz(&args, 1);
    let dom = rendered(&failing);
    assert_eq!(
        dom.matches("<g class=\"bar stuck\"").count(),
        1,
        "the unit no order places"
    );
    assert!(dom.contains("the model expected") && dom.contains("the server returned"));
    assert!(
        dom.contains("3 message(s) moved") && dom.contains("2 message(s) moved"),
        "{dom}"
    );
    assert!(screenshot_is_not_blank(&failing));
}

/// `migwiz explore --html DIR`: an index of the classes found, each linking to its
/// witness's side-by-side page, which exists and renders.
#[test]
fn the_explorer_writes_an_index_of_its_classes() {
    let dir = std::env::temp_dir().join(format!("migwiz-pages-explore-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let (out, pages) = (dir.join("witnesses"), dir.join("pages"));
    let explore = ["explore", "--seed", "1", "--cases", "300", "--out"];
    let mut args: Vec<&std::ffi::OsStr> = explore.iter().map(|a| a.as_ref()).collect();
    args.extend([out.as_os_str(), "--html".as_ref(), pages.as_os_str()]);
    migwiz(&args, 0);
    let dom = rendered(&pages.join("index.html"));
    let witnesses = common::toml_files(&out);
    let links: Vec<&str> = dom
        .split("<a href=\"")
        .skip(1)
        .map(|l| l.split('"').next().unwrap())
        .collect();
    assert_eq!(links.len(), witnesses, "a link per witness");
    assert_eq!(
        dom.matches("<tr>").count(),
        21,
        "the header and every class"
    );
    for link in &links {
        let page = pages.join(link);
        assert!(
            std::fs::metadata(&page).unwrap().len() < 1_000_000,
            "{link}"
        );
    }
    let first = rendered(&pages.join(links[0]));
    assert_eq!(first.matches("class=\"path\" data-version=").count(), 3);
    assert!(screenshot_is_not_blank(&pages.join("index.html")));
}

/// `migwiz check --dot OUT.dot`: the shortest path to every `sometimes` property reached
/// as a Graphviz graph, drawn as an SVG beside it when Graphviz is installed (`.ci/run`
/// installs it), which the browser shows with a node per state and per property.
#[test]
fn the_check_draws_its_shortest_paths_as_a_graph() {
    let dir = std::env::temp_dir().join(format!("migwiz-pages-check-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let dot = dir.join("check.dot");
    let check = ["check", "--users", "2", "--depth", "3", "--dot"];
    let mut args: Vec<&std::ffi::OsStr> = check.iter().map(|a| a.as_ref()).collect();
    args.push(dot.as_os_str());
    migwiz(&args, 0);
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
    let graphviz = Command::new("dot")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        graphviz,
        "Graphviz's dot cannot start; the graph test needs it.\n  help: apt-get install graphviz (.ci/run does)"
    );
    let svg = dot.with_extension("svg");
    let dom = rendered(&svg);
    assert_eq!(
        dom.matches("class=\"node\"").count(),
        1 + states + properties
    );
    assert!(screenshot_is_not_blank(&svg));
}
