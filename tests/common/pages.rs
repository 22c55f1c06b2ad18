//! The pages as a reader's browser would get them, checked without a browser: every page
//! is parsed with html5ever (the HTML parser of Servo, through `scraper`) and every inline
//! SVG with an XML parser, and each must be self-contained, script-free, well formed and
//! linked only to what exists. `tests/pages.rs` runs these checks on every kind of page in
//! every `cargo test`; `tests/browser.rs` adds what only a real browser can tell.

use std::path::{Path, PathBuf};

use scraper::{Html, Selector};

/// A page read from disk and parsed.
pub struct Page {
    /// Where it was read from.
    pub path: PathBuf,
    /// Its text as written.
    pub text: String,
    /// Its document as html5ever builds it.
    pub doc: Html,
}

impl Page {
    /// How many elements `selector` (CSS) matches.
    pub fn count(&self, selector: &str) -> usize {
        self.doc.select(&sel(selector)).count()
    }

    /// The values of attribute `attr` on the elements `selector` matches.
    pub fn attrs(&self, selector: &str, attr: &str) -> Vec<String> {
        self.doc
            .select(&sel(selector))
            .filter_map(|e| e.value().attr(attr).map(str::to_string))
            .collect()
    }

    /// The text of the first element `selector` matches (empty when none does).
    pub fn text_of(&self, selector: &str) -> String {
        self.doc
            .select(&sel(selector))
            .next()
            .map(|e| e.text().collect())
            .unwrap_or_default()
    }

    /// The text a reader sees, all of it.
    pub fn words(&self) -> String {
        self.doc.root_element().text().collect()
    }
}

fn sel(selector: &str) -> Selector {
    Selector::parse(selector).unwrap_or_else(|e| panic!("selector {selector}: {e:?}"))
}

/// Elements that fetch, run or embed something: a self-contained page has none.
const FORBIDDEN_ELEMENTS: [&str; 14] = [
    "script", "iframe", "frame", "object", "embed", "img", "link", "base", "form", "audio",
    "video", "source", "image", "use",
];

/// Attributes that make a request.
const FETCHING_ATTRIBUTES: [&str; 7] = [
    "src",
    "srcset",
    "poster",
    "data",
    "action",
    "formaction",
    "background",
];

/// Reads and checks the page at `path`; panics naming the first thing wrong.
pub fn checked(path: &Path) -> Page {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{}: cannot read the page: {e}", path.display()));
    let page = Page {
        path: path.to_path_buf(),
        doc: Html::parse_document(&text),
        text,
    };
    if let Err(why) = structure(&page) {
        panic!("{}: {why}", path.display());
    }
    page
}

/// What is wrong with `page`, if anything.
pub fn structure(page: &Page) -> Result<(), String> {
    if !page.doc.errors.is_empty() {
        return Err(format!("the HTML parser reports {:?}", page.doc.errors));
    }
    if page.count("html") != 1 || page.count("title") == 0 {
        return Err("not a whole page: no <html> or no <title>".into());
    }
    for element in page.doc.root_element().descendants() {
        let Some(element) = element.value().as_element() else {
            continue;
        };
        let name = element.name();
        if FORBIDDEN_ELEMENTS.contains(&name) {
            return Err(format!("a <{name}> element: pages fetch and run nothing"));
        }
        if name == "meta" && element.attr("http-equiv").is_some() {
            return Err("a <meta http-equiv>: pages neither refresh nor redirect".into());
        }
        for (attr, value) in element.attrs() {
            let attr = attr.to_ascii_lowercase();
            if attr.starts_with("on") {
                return Err(format!("<{name} {attr}=…>: an event handler runs script"));
            }
            if FETCHING_ATTRIBUTES.contains(&attr.as_str()) {
                return Err(format!(
                    "<{name} {attr}=\"{value}\">: a page makes no request"
                ));
            }
            if attr == "style" {
                no_fetch_in_style(value)?;
            }
            if attr == "href" || attr.ends_with(":href") {
                link_resolves(page, value)?;
            }
        }
    }
    for style in page.doc.select(&sel("style")) {
        no_fetch_in_style(&style.text().collect::<String>())?;
    }
    svg_well_formed(&page.text)
}

/// A style sheet that asks for nothing: no `url(…)`, no `@import`.
fn no_fetch_in_style(css: &str) -> Result<(), String> {
    let lower = css.to_ascii_lowercase();
    for fetch in ["url(", "@import", "expression("] {
        if lower.contains(fetch) {
            return Err(format!("style with {fetch}: a page makes no request"));
        }
    }
    Ok(())
}

/// A link is a fragment naming an element of the page, or a relative, percent-encoded
/// path to a file that exists beside the page (and the fragment in it, if it names one).
fn link_resolves(page: &Page, href: &str) -> Result<(), String> {
    let encoded = href
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"-._~/%#!$&'()*+,;=@".contains(&b));
    if !encoded {
        return Err(format!(
            "href=\"{href}\": not percent-encoded (a space, a non-ASCII letter, a colon or a question mark)"
        ));
    }
    let (path, fragment) = href.split_once('#').unwrap_or((href, ""));
    if path.starts_with('/') {
        return Err(format!("href=\"{href}\": not relative"));
    }
    let target = if path.is_empty() {
        page.text.clone()
    } else {
        let decoded = percent_decoded(path)
            .ok_or_else(|| format!("href=\"{href}\": a bad percent escape"))?;
        let file = page.path.parent().unwrap_or(Path::new(".")).join(&decoded);
        std::fs::read_to_string(&file).map_err(|e| {
            format!(
                "href=\"{href}\": {} cannot be read ({e}): the link leads nowhere",
                file.display()
            )
        })?
    };
    if !fragment.is_empty() {
        let id = percent_decoded(fragment)
            .ok_or_else(|| format!("href=\"{href}\": a bad percent escape"))?;
        let doc = Html::parse_document(&target);
        let found = doc
            .root_element()
            .descendants()
            .filter_map(|n| n.value().as_element())
            .any(|e| e.id() == Some(id.as_str()));
        if !found {
            return Err(format!("href=\"{href}\": no element has the id {id}"));
        }
    }
    Ok(())
}

/// `text` with its `%XX` escapes decoded as UTF-8; `None` for a bad escape.
pub fn percent_decoded(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Every `<svg>…</svg>` of the page's text is well-formed XML: each element closed, in
/// order. html5ever would close them silently; an XML parser does not.
fn svg_well_formed(text: &str) -> Result<(), String> {
    let mut rest = text;
    while let Some(start) = rest.find("<svg") {
        let from = &rest[start..];
        let end = from
            .find("</svg>")
            .ok_or("an <svg> is never closed".to_string())?
            + "</svg>".len();
        let fragment = &from[..end];
        roxmltree::Document::parse(fragment)
            .map_err(|e| format!("an SVG is not well formed: {e}"))?;
        rest = &from[end..];
    }
    Ok(())
}

/// A standalone SVG file (Graphviz's drawing) is well-formed XML with no script and no
/// request.
pub fn checked_svg(path: &Path) -> String {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{}: cannot read the SVG: {e}", path.display()));
    let doc = roxmltree::Document::parse_with_options(
        &text,
        roxmltree::ParsingOptions {
            allow_dtd: true,
            ..Default::default()
        },
    )
    .unwrap_or_else(|e| panic!("{}: not well formed: {e}", path.display()));
    for node in doc.descendants().filter(|n| n.is_element()) {
        let name = node.tag_name().name();
        assert!(name != "script", "{}: a <script>", path.display());
        for attr in node.attributes() {
            assert!(
                !attr.name().starts_with("on"),
                "{}: an event handler",
                path.display()
            );
            if attr.name() == "href" {
                assert!(
                    attr.value().starts_with('#'),
                    "{}: a link out: {}",
                    path.display(),
                    attr.value()
                );
            }
        }
    }
    text
}

/// The pages of every kind, made as a user makes them, each in a folder of its own test.
pub mod made {
    use std::ffi::OsStr;
    use std::path::{Path, PathBuf};

    use migwiz::tools::pages::diff::page;
    use migwiz::tools::replay::ModelCheckPolicy;
    use migwiz::Scenario;

    /// A new, empty folder for `test` of `suite` (`pages` or `browser`: the two test
    /// binaries run at once and must not share one).
    pub fn folder(suite: &str, test: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("migwiz-{suite}-{test}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    /// The project's folder of scenarios.
    pub fn scenarios() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios")
    }

    /// Runs the migwiz binary with `args`; asserts its exit status is `status`.
    pub fn migwiz(args: &[&OsStr], status: i32) {
        let out = super::super::migwiz(args);
        assert_eq!(
            out.status.code(),
            Some(status),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// The side-by-side page of Q242184's symptoms (scenario 01).
    pub fn symptoms(dir: &Path) -> PathBuf {
        let scenario = Scenario::read(&scenarios().join("01-q242184-symptoms.toml")).unwrap();
        let path = dir.join("01.html");
        std::fs::write(&path, page(&scenario, ModelCheckPolicy::Auto)).unwrap();
        path
    }

    /// Names, aliases, a path and a description made to look like markup, escapes and a
    /// right-to-left override.
    pub const HOSTILE: &str = "<script>alert(1)</script> \\\"quoted' \\u001b[31mred \\u202eevil";

    /// The side-by-side page of a scenario whose every name is [`HOSTILE`].
    pub fn hostile(dir: &Path) -> PathBuf {
        let text = format!(
            "name = \"{HOSTILE}\"\ndescription = \"{HOSTILE}\"\n[postoffice]\npath = '\\\\SRV\\<img src=x onerror=alert(1)>'\n[[users]]\naddress = \"NET1/PO1/JDOE\"\nmessages = 1\n[[steps]]\nop = \"create-mailbox\"\nalias = \"JDOE\"\nname = \"{HOSTILE}\"\n[[steps]]\nop = \"wizard\"\nversion = \"5.0\"\nphase = \"migrate\"\n"
        );
        let scenario = Scenario::parse("hostile.toml", &text).unwrap();
        let path = dir.join("hostile.html");
        std::fs::write(&path, page(&scenario, ModelCheckPolicy::Auto)).unwrap();
        path
    }

    /// `migwiz diff scenarios/ scenarios/concurrent/ --html DIR` (the guide's command, `docs/guide.md`).
    pub fn every_scenario(dir: &Path) {
        let scenarios = scenarios();
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
    }

    /// `migwiz run FILE --html PAGE`, which must succeed; returns the page.
    fn drawn(file: &Path, page: PathBuf) -> PathBuf {
        migwiz(
            &[
                "run".as_ref(),
                file.as_os_str(),
                "--html".as_ref(),
                page.as_os_str(),
            ],
            0,
        );
        page
    }

    /// `migwiz run c-midrun… --html`: a linearizable concurrent run's history.
    pub fn passing_history(dir: &Path) -> PathBuf {
        let page = dir.join("midrun.html");
        let file = scenarios().join("concurrent/c-midrun-migrate-proxy-added-during-the-run.toml");
        drawn(&file, page)
    }

    /// `migwiz run --html` on a run of 1,000 users: one wizard migrating them all, and
    /// mail for every fiftieth arriving meanwhile.
    #[allow(dead_code)] // used by the browser tests only
    pub fn thousand_user_history(dir: &Path) -> PathBuf {
        let mut text = String::from("name = \"a thousand users at once\"\n");
        for i in 0..1000 {
            text.push_str(&format!(
                "[[users]]\naddress = \"NET1/PO{}/U{i}\"\nmessages = 1\n",
                i / 100
            ));
        }
        text.push_str("[[clients]]\nname = \"wizard\"\nsteps = [ { op = \"wizard\", version = \"5.5\", phase = \"full\" } ]\n[[clients]]\nname = \"mail\"\nsteps = [\n");
        for i in (0..1000).step_by(50) {
            text.push_str(&format!(
                "  {{ op = \"deliver\", user = \"NET1/PO{}/U{i}\", messages = 1 }},\n",
                i / 100
            ));
        }
        text.push_str("]\n");
        let (file, page) = (dir.join("thousand.toml"), dir.join("thousand.html"));
        std::fs::write(&file, text).unwrap();
        drawn(&file, page)
    }

    /// The arguments of [`race_failure`], up to its `--out` folder.
    pub const RACE_FAILURE: [&str; 6] = [
        "race",
        "--fault",
        "waiting-read-apart",
        "--seed",
        "3",
        "--out",
    ];

    /// `migwiz race --fault waiting-read-apart --seed 3 --out OUT [--html PAGE]`: a
    /// failure found (exit 1), its witness written to `out`.
    pub fn race_failure(out: &Path, page: Option<&Path>) {
        let mut args: Vec<&OsStr> = RACE_FAILURE.iter().map(|a| a.as_ref()).collect();
        args.push(out.as_os_str());
        if let Some(page) = page {
            args.extend(["--html".as_ref(), page.as_os_str()]);
        }
        migwiz(&args, 1);
    }

    /// `migwiz race --fault waiting-read-apart --html`: a history no order explains.
    pub fn failing_history(dir: &Path) -> PathBuf {
        let page = dir.join("race.html");
        race_failure(&dir.join("witnesses"), Some(&page));
        page
    }

    /// `migwiz explore --html`: the catalogue's index (returned) and a page per class;
    /// the witnesses are in `dir/witnesses`.
    pub fn catalogue(dir: &Path) -> PathBuf {
        let (out, pages) = (dir.join("witnesses"), dir.join("pages"));
        let explore = ["explore", "--seed", "1", "--cases", "300", "--out"];
        let mut args: Vec<&OsStr> = explore.iter().map(|a| a.as_ref()).collect();
        args.extend([out.as_os_str(), "--html".as_ref(), pages.as_os_str()]);
        migwiz(&args, 0);
        pages.join("index.html")
    }

    /// `migwiz check --users 2 --depth 3 --dot`: the graph's `.dot` file (and, when
    /// Graphviz is installed, its `.svg` beside it).
    pub fn graph(dir: &Path) -> PathBuf {
        let dot = dir.join("check.dot");
        let check = ["check", "--users", "2", "--depth", "3", "--dot"];
        let mut args: Vec<&OsStr> = check.iter().map(|a| a.as_ref()).collect();
        args.push(dot.as_os_str());
        migwiz(&args, 0);
        dot
    }
}
