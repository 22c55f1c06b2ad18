//! The pages in a real browser: headless Chromium renders every kind of page, and the
//! tests check what a person would see (no console message, no request on the network, a
//! screenshot that is not blank), and Graphviz draws the check's graph.
//!
//! They need Chromium and Graphviz, which a machine with only Rust lacks, so `cargo test`
//! lists them as ignored, with the reason. Run them with
//! `cargo test --test browser -- --ignored` (Debian: `apt-get install chromium graphviz`;
//! `.ci/run` installs both and runs them). Run that way without Chromium or Graphviz,
//! they fail and say how to install them: never a silent pass. The page's structure is
//! checked without a browser in `tests/pages.rs`, in every run.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::pages::{checked, checked_svg, made};

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
        "cannot start {}: the browser tests need headless Chromium.\n  help: install it (Debian: apt-get install chromium; .ci/run does), or name it with MIGWIZ_CHROMIUM=/path/to/chromium",
        browser.display()
    );
    browser
}

/// Runs headless Chromium on `file` with `args`; returns its standard output and error.
fn headless(file: &Path, args: &[&str]) -> (String, String) {
    headless_at(file, 1280, args)
}

/// Runs headless Chromium on `file` in a window `width` pixels wide.
fn headless_at(file: &Path, width: u32, args: &[&str]) -> (String, String) {
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
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--window-size={width},1600"))
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

/// Hosts Chromium asks on its own, whatever the page (clock, accounts, spelling, its
/// components' updates).
const BROWSER_OWN: [&str; 5] = [
    "clients2.google.com",
    "update.googleapis.com",
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

/// The browser checks themselves can fail: a page that logs to the console, and one that
/// asks the network, are caught.
#[test]
#[ignore = "needs headless Chromium (and Graphviz): apt-get install chromium graphviz, then cargo test --test browser -- --ignored"]
fn a_page_with_a_console_message_or_a_request_is_caught() {
    let dir = made::folder("browser", "caught");
    let noisy = dir.join("noisy.html");
    std::fs::write(
        &noisy,
        "<!DOCTYPE html><html><body><script>console.error('boom')</script></body></html>",
    )
    .unwrap();
    let caught = std::panic::catch_unwind(|| rendered(&noisy));
    assert!(caught.is_err(), "a console message went unseen");
    let asking = dir.join("asking.html");
    std::fs::write(
        &asking,
        "<!DOCTYPE html><html><body><img src=\"http://example.invalid/x.png\"></body></html>",
    )
    .unwrap();
    let caught = std::panic::catch_unwind(|| rendered(&asking));
    assert!(caught.is_err(), "a request went unseen");
}

#[test]
#[ignore = "needs headless Chromium (and Graphviz): apt-get install chromium graphviz, then cargo test --test browser -- --ignored"]
fn the_side_by_side_page_shows_each_version_in_a_browser() {
    let dir = made::folder("browser", "symptoms");
    let path = made::symptoms(&dir);
    let dom = rendered(&path);
    assert_eq!(dom.matches("class=\"path\" data-version=").count(), 3);
    assert_eq!(dom.matches("<td class=\"aborted\">").count(), 2);
    // What a reader sees first: the legend, the first differing step marked, a cue in
    // each aborted cell, and the words that differ marked.
    assert!(dom.contains("<dl class=\"legend\">"));
    assert_eq!(dom.matches("<tr class=\"first-difference\">").count(), 1);
    assert_eq!(
        dom.matches("<span class=\"cue\">✗ aborted</span>").count(),
        2
    );
    assert!(dom.contains("<mark>"));
    assert!(screenshot_is_not_blank(&path), "a blank screenshot");
}

#[test]
#[ignore = "needs headless Chromium (and Graphviz): apt-get install chromium graphviz, then cargo test --test browser -- --ignored"]
fn names_from_a_scenario_stay_text_in_a_browser() {
    let dir = made::folder("browser", "hostile");
    let dom = rendered(&made::hostile(&dir));
    // The browser built no element from them: the only scripts and images are none.
    assert!(!dom.contains("<script") && !dom.contains("<img"), "{dom}");
    assert!(dom.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(
        !dom.contains('\u{1b}') && !dom.contains('\u{202e}'),
        "{dom}"
    );
}

#[test]
#[ignore = "needs headless Chromium (and Graphviz): apt-get install chromium graphviz, then cargo test --test browser -- --ignored"]
fn every_scenario_page_renders() {
    let dir = made::folder("browser", "all");
    made::every_scenario(&dir);
    let index = checked(&dir.join("index.html"));
    for link in index.attrs("a", "href") {
        let dom = rendered(&dir.join(common::pages::percent_decoded(&link).unwrap()));
        assert!(
            dom.contains("<nav class=\"back\"><a href=\"./index.html\">"),
            "{link}: no way back"
        );
    }
    assert!(screenshot_is_not_blank(&index.path));
}

#[test]
#[ignore = "needs headless Chromium (and Graphviz): apt-get install chromium graphviz, then cargo test --test browser -- --ignored"]
fn a_concurrent_run_is_drawn_in_a_browser() {
    let dir = made::folder("browser", "race");
    let passing = made::passing_history(&dir);
    let dom = rendered(&passing);
    // Two clients and the final state, in each row of the drawing.
    let rows = dom.matches("<svg class=\"history\"").count();
    assert!(rows >= 1);
    assert_eq!(dom.matches("<g class=\"lane\">").count(), 3 * rows);
    assert!(screenshot_is_not_blank(&passing));
    let failing = made::failing_history(&dir);
    let dom = rendered(&failing);
    assert_eq!(dom.matches("<g class=\"bar stuck\"").count(), 1);
    // Every bar carries a label: a place, ✗ or ·, not a colour alone.
    let bars = dom.matches("<g class=\"bar").count();
    assert_eq!(dom.matches("<text class=\"label\"").count(), bars);
    assert!(dom.contains("<text class=\"label\" x=") && dom.contains(">✗ #1 user"));
    assert!(screenshot_is_not_blank(&failing));
}

#[test]
#[ignore = "needs headless Chromium (and Graphviz): apt-get install chromium graphviz, then cargo test --test browser -- --ignored"]
fn the_explorer_pages_render() {
    let dir = made::folder("browser", "explore");
    let index = made::catalogue(&dir);
    rendered(&index);
    let first = checked(&index).attrs("a", "href")[0].clone();
    let dom = rendered(&index.parent().unwrap().join(first));
    assert_eq!(dom.matches("class=\"path\" data-version=").count(), 3);
    assert!(screenshot_is_not_blank(&index));
}

/// Graphviz draws the check's graph beside the `.dot`; the browser shows a node per state
/// and per property.
#[test]
#[ignore = "needs headless Chromium (and Graphviz): apt-get install chromium graphviz, then cargo test --test browser -- --ignored"]
fn the_check_graph_is_drawn_by_graphviz() {
    let graphviz = Command::new("dot")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        graphviz,
        "Graphviz's dot cannot start; the graph test needs it.\n  help: apt-get install graphviz (.ci/run does)"
    );
    let dir = made::folder("browser", "check");
    let dot = made::graph(&dir);
    let graph = std::fs::read_to_string(&dot).unwrap();
    // Every node statement: the states, the properties reached and the legend's three.
    let nodes = graph
        .lines()
        .map(str::trim)
        .filter(|l| l.contains(" [") && !l.contains("->"))
        .filter(|l| !l.starts_with("node ") && !l.starts_with("edge "))
        .count();
    let svg = dot.with_extension("svg");
    checked_svg(&svg);
    let dom = rendered(&svg);
    assert_eq!(dom.matches("class=\"node\"").count(), nodes);
    assert!(screenshot_is_not_blank(&svg));
}

/// What a reader sees of a page in a window `width` pixels wide, measured by a probe
/// script added to a copy of it (the page itself has none): the smallest text drawn (in
/// screen pixels, an SVG's scale counted), and labels of a picture that overlap.
struct Seen {
    smallest: f64,
    small: Vec<String>,
    overlaps: Vec<String>,
    /// Elements with text inside a `<details>` that the reader cannot see.
    folded: u64,
    /// For each grid of versions, whether its columns stand one under the other.
    stacked: Vec<bool>,
}

/// The probe: it walks every text the reader can see (folded text, tooltips and styles
/// aside), and sweeps each picture's labels for pairs whose boxes meet by more than a
/// pixel each way.
const PROBE: &str = r#"<script>(function () {
  // checkVisibility: false inside a closed <details>, whose content keeps its boxes.
  function visible(el) { return el.checkVisibility() && el.getClientRects().length > 0; }
  var small = [], smallest = 1e9, walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT), n;
  while ((n = walker.nextNode())) {
    if (!n.data.trim()) continue;
    var el = n.parentElement;
    if (el.closest('title, style, script') || !visible(el)) continue;
    var size = parseFloat(getComputedStyle(el).fontSize);
    if (el instanceof SVGElement) { var m = el.getScreenCTM(); if (m) size *= Math.hypot(m.a, m.b); }
    smallest = Math.min(smallest, size);
    if (size < 11 && small.length < 5) small.push(n.data.trim().slice(0, 40) + ' (' + size.toFixed(1) + ' px)');
  }
  var overlaps = [];
  document.querySelectorAll('svg').forEach(function (svg) {
    var boxes = [];
    svg.querySelectorAll('text').forEach(function (t) {
      if (visible(t) && t.textContent.trim()) boxes.push([t.getBoundingClientRect(), t.textContent.trim()]);
    });
    boxes.sort(function (a, b) { return a[0].left - b[0].left; });
    for (var i = 0; i < boxes.length; i++) {
      for (var j = i + 1; j < boxes.length && boxes[j][0].left < boxes[i][0].right; j++) {
        var a = boxes[i][0], b = boxes[j][0];
        var w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
        var h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
        if (w > 1 && h > 1 && overlaps.length < 5) overlaps.push(boxes[i][1] + ' / ' + boxes[j][1]);
      }
    }
  });
  // Whether each grid of versions shows its columns one under the other.
  var stacked = [];
  document.querySelectorAll('.versions').forEach(function (grid) {
    var lefts = Array.prototype.map.call(grid.children, function (c) { return Math.round(c.getBoundingClientRect().left); });
    stacked.push(lefts.every(function (l) { return l === lefts[0]; }));
  });
  var folded = 0;
  document.querySelectorAll('details *').forEach(function (el) {
    if (el.tagName !== 'SUMMARY' && !el.closest('summary') && el.textContent.trim() && !visible(el)) folded++;
  });
  var out = document.createElement('pre');
  out.id = 'probe';
  out.textContent = JSON.stringify({ smallest: smallest, small: small, overlaps: overlaps, folded: folded, stacked: stacked });
  document.body.appendChild(out);
})();</script>"#;

fn seen_at(path: &Path, width: u32) -> Seen {
    seen_as(path, width, false)
}

/// The page measured as [`seen_at`] does, its print style applied on screen when
/// `printed`: what a printed page shows.
fn seen_as(path: &Path, width: u32, printed: bool) -> Seen {
    let mut text = std::fs::read_to_string(path).unwrap();
    if printed {
        text = text.replace("@media print", "@media all");
    }
    let probed = path.with_extension(format!(
        "probe-{width}{}.html",
        if printed { "-print" } else { "" }
    ));
    std::fs::write(&probed, text.replace("</body>", &format!("{PROBE}</body>"))).unwrap();
    let (dom, log) = headless_at(&probed, width, &["--dump-dom"]);
    let json = dom
        .split("<pre id=\"probe\">")
        .nth(1)
        .and_then(|rest| rest.split("</pre>").next())
        .unwrap_or_else(|| panic!("the probe ran on {}:\n{log}", path.display()))
        .replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">");
    let seen: serde_json::Value = serde_json::from_str(&json).unwrap();
    eprintln!("{} at {width} px: {json}", path.display());
    let list = |key: &str| -> Vec<String> {
        seen[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .collect()
    };
    Seen {
        smallest: seen["smallest"].as_f64().unwrap(),
        small: list("small"),
        overlaps: list("overlaps"),
        folded: seen["folded"].as_u64().unwrap(),
        stacked: seen["stacked"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_bool().unwrap())
            .collect(),
    }
}

/// Text at least 11 px and no two labels of a picture overlapping, at 800 and 1,600 px.
fn reads_at_any_width(path: &Path) {
    for width in [800, 1600] {
        let seen = seen_at(path, width);
        assert!(
            seen.smallest >= 11.0,
            "{} at {width} px: text under 11 px: {:?}",
            path.display(),
            seen.small
        );
        assert!(
            seen.overlaps.is_empty(),
            "{} at {width} px: labels overlap: {:?}",
            path.display(),
            seen.overlaps
        );
    }
}

/// The probe can fail: text shrunk with its picture, and two labels on one spot, are seen.
#[test]
#[ignore = "needs headless Chromium (and Graphviz): apt-get install chromium graphviz, then cargo test --test browser -- --ignored"]
fn the_probe_sees_small_text_and_overlapping_labels() {
    let dir = made::folder("browser", "probe");
    let path = dir.join("wrong.html");
    let svg = "<svg width=\"100%\" viewBox=\"0 0 4000 100\"><text x=\"0\" y=\"50\" font-size=\"12\">shrunk</text><text x=\"2\" y=\"52\" font-size=\"12\">on top</text></svg>";
    std::fs::write(&path, format!("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>t</title></head><body>{svg}</body></html>")).unwrap();
    let seen = seen_at(&path, 800);
    assert!(seen.smallest < 11.0, "{:?}", seen.small);
    assert_eq!(seen.overlaps.len(), 1, "{:?}", seen.overlaps);
}

/// The versions' columns stand side by side on a wide window and stack on a narrow one,
/// where three would leave each too little room.
#[test]
#[ignore = "needs headless Chromium (and Graphviz): apt-get install chromium graphviz, then cargo test --test browser -- --ignored"]
fn the_columns_stack_on_a_narrow_window() {
    let dir = made::folder("browser", "stack");
    let page = made::symptoms(&dir);
    let (narrow, wide) = (seen_at(&page, 800), seen_at(&page, 1600));
    assert_eq!(narrow.stacked, [true, true], "at 800 px");
    assert_eq!(wide.stacked, [false, false], "at 1,600 px");
}

/// Printed, a page opens what is folded: the Q242184 text, the history's states and the
/// rows of a long run's drawing all show on paper, where no one can click.
#[test]
#[ignore = "needs headless Chromium (and Graphviz): apt-get install chromium graphviz, then cargo test --test browser -- --ignored"]
fn a_printed_page_shows_what_is_folded() {
    let dir = made::folder("browser", "print");
    for page in [made::symptoms(&dir), made::failing_history(&dir)] {
        assert!(
            seen_at(&page, 1000).folded > 0,
            "{}: nothing folded on screen",
            page.display()
        );
        let printed = seen_as(&page, 1000, true);
        assert_eq!(printed.folded, 0, "{}: folded when printed", page.display());
    }
}

/// Every kind of page reads at any width (issue 38): the scenarios' side-by-side pages and
/// their index, both histories, the explorer's index and a witness page.
#[test]
#[ignore = "needs headless Chromium (and Graphviz): apt-get install chromium graphviz, then cargo test --test browser -- --ignored"]
fn every_kind_of_page_reads_at_800_and_1600_px() {
    let dir = made::folder("browser", "widths");
    made::every_scenario(&dir.join("all"));
    let index = checked(&dir.join("all").join("index.html"));
    reads_at_any_width(&index.path);
    for link in index.attrs("a", "href") {
        reads_at_any_width(
            &dir.join("all")
                .join(common::pages::percent_decoded(&link).unwrap()),
        );
    }
    reads_at_any_width(&made::failing_history(&dir));
    let catalogue = made::catalogue(&dir);
    reads_at_any_width(&catalogue);
    let first = checked(&catalogue).attrs("a", "href")[0].clone();
    reads_at_any_width(&catalogue.parent().unwrap().join(first));
}

/// The history of a run of 1,000 users is drawn in rows of ticks at its own size: text
/// still 11 px or more, no label on another, and a picture as tall as its lanes, not a
/// line of a few pixels.
#[test]
#[ignore = "needs headless Chromium (and Graphviz): apt-get install chromium graphviz, then cargo test --test browser -- --ignored"]
fn the_history_of_a_thousand_users_is_readable() {
    let dir = made::folder("browser", "thousand");
    let page = made::thousand_user_history(&dir);
    reads_at_any_width(&page);
    let html = std::fs::read_to_string(&page).unwrap();
    let first = html.split("<svg class=\"history\"").nth(1).unwrap();
    let height: usize = first
        .split("height=\"")
        .nth(1)
        .and_then(|h| h.split('"').next())
        .and_then(|h| h.parse().ok())
        .unwrap();
    assert!(height >= 3 * 60, "a row of the drawing {height} px tall");
    assert!(html.len() < 2_000_000, "{} bytes", html.len());
}
