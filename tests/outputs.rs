//! What the commands write (issue 35): no page, graph or witness replaces a file migwiz
//! did not write, one command never deletes another's files, a write that fails is a
//! failure, and a reader that closes the pipe early ends the printing but never the files.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use common::migwiz;
use common::pages::made;

const SYMPTOMS: &str = "01-q242184-symptoms.toml";

/// A copy of scenario 01 in `dir`.
fn scenario_in(dir: &Path) -> PathBuf {
    let file = dir.join(SYMPTOMS);
    std::fs::copy(made::scenarios().join(SYMPTOMS), &file).unwrap();
    file
}

/// Runs migwiz; asserts the exit status and that stderr says `words`; returns stderr.
fn refused(args: &[&std::ffi::OsStr], words: &str) -> String {
    let out = migwiz(args);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
    assert!(
        stderr.contains(words) && stderr.contains("help:"),
        "{stderr}"
    );
    stderr
}

#[test]
fn a_page_never_replaces_a_file_migwiz_did_not_write() {
    let dir = made::folder("outputs", "replace");
    let file = scenario_in(&dir);
    let before = std::fs::read_to_string(&file).unwrap();
    // The scenario file itself, named as the page.
    refused(
        &[
            "diff".as_ref(),
            file.as_os_str(),
            "--html".as_ref(),
            file.as_os_str(),
        ],
        "migwiz did not write it",
    );
    refused(
        &[
            "run".as_ref(),
            file.as_os_str(),
            "--html".as_ref(),
            file.as_os_str(),
        ],
        "migwiz did not write it",
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), before);
    // The user's own index beside the pages: refused before any page is written.
    let pages = dir.join("pages");
    std::fs::create_dir_all(&pages).unwrap();
    std::fs::write(pages.join("index.html"), "my own index").unwrap();
    refused(
        &[
            "diff".as_ref(),
            dir.as_os_str(),
            "--html".as_ref(),
            pages.as_os_str(),
        ],
        "index.html",
    );
    assert_eq!(
        std::fs::read_to_string(pages.join("index.html")).unwrap(),
        "my own index"
    );
    assert!(!pages.join("01-q242184-symptoms.html").exists());
    // A page migwiz wrote is written again.
    let page = dir.join("01.html");
    for _ in 0..2 {
        let out = migwiz([
            "run".as_ref(),
            file.as_os_str(),
            "--html".as_ref(),
            page.as_os_str(),
        ]);
        assert_eq!(out.status.code(), Some(0));
    }
    // The check's graph: a file of the user's under its name is refused before the search;
    // an .svg of the user's beside it is left alone, and the .dot still written.
    let dot = dir.join("check.dot");
    std::fs::write(&dot, "digraph mine {}").unwrap();
    let check = ["check", "--users", "1", "--depth", "2", "--dot"];
    let mut args: Vec<&std::ffi::OsStr> = check.iter().map(|a| a.as_ref()).collect();
    args.push(dot.as_os_str());
    refused(&args, "migwiz did not write it");
    assert_eq!(std::fs::read_to_string(&dot).unwrap(), "digraph mine {}");
    std::fs::remove_file(&dot).unwrap();
    std::fs::write(dot.with_extension("svg"), "<svg>mine</svg>").unwrap();
    let out = migwiz(&args);
    assert_eq!(out.status.code(), Some(0));
    assert!(std::fs::read_to_string(&dot)
        .unwrap()
        .starts_with("digraph migwiz_check {"));
    assert_eq!(
        std::fs::read_to_string(dot.with_extension("svg")).unwrap(),
        "<svg>mine</svg>"
    );
    // race refuses the page's place before it searches.
    let race = ["race", "--cases", "5", "--out"];
    let mut args: Vec<&std::ffi::OsStr> = race.iter().map(|a| a.as_ref()).collect();
    let witnesses = dir.join("w");
    args.extend([witnesses.as_os_str(), "--html".as_ref(), file.as_os_str()]);
    refused(&args, "migwiz did not write it");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), before);
}

/// `explore` and `race` share the default witness folder: each removes only what it wrote
/// itself; `explore --html` removes only its own stale pages.
#[test]
fn explore_and_race_keep_each_others_files() {
    let dir = made::folder("outputs", "witnesses");
    let out = dir.join("witnesses");
    let explore = |seed: &str, cases: &str, html: Option<&Path>| {
        let words = ["explore", "--seed", seed, "--cases", cases, "--out"];
        let mut args: Vec<&std::ffi::OsStr> = words.iter().map(|a| a.as_ref()).collect();
        args.push(out.as_os_str());
        if let Some(html) = html {
            args.extend(["--html".as_ref(), html.as_os_str()]);
        }
        made::migwiz(&args, 0);
    };
    explore("1", "300", None);
    let explored = common::toml_files(&out);
    assert!(explored > 5, "{explored}");
    made::race_failure(&out, None);
    assert_eq!(
        common::toml_files(&out),
        explored + 1,
        "race removed explore's witnesses"
    );
    made::race_failure(&out, None);
    assert_eq!(
        common::toml_files(&out),
        explored + 1,
        "race replaces its own"
    );
    explore("1", "300", None);
    assert_eq!(
        common::toml_files(&out),
        explored + 1,
        "explore removed race's witness"
    );

    let pages = dir.join("pages");
    std::fs::create_dir_all(&pages).unwrap();
    std::fs::write(pages.join("notes.html"), "mine").unwrap();
    explore("1", "300", Some(&pages));
    let first: Vec<String> = html_files(&pages);
    explore("2", "20", Some(&pages));
    let second: Vec<String> = html_files(&pages);
    assert!(second.contains(&"notes.html".to_string()), "{second:?}");
    assert!(
        second.len() < first.len(),
        "stale pages stayed: {first:?} {second:?}"
    );
    for name in &second {
        if name != "notes.html" && name != "index.html" {
            let index = std::fs::read_to_string(pages.join("index.html")).unwrap();
            assert!(index.contains(name.as_str()), "{name} is stale");
        }
    }
}

fn html_files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".html"))
        .collect();
    names.sort();
    names
}

/// A disk that is full is a failure that says what was lost, never a quiet exit 0.
#[test]
fn a_write_that_fails_is_a_failure() {
    let Ok(full) = std::fs::OpenOptions::new().write(true).open("/dev/full") else {
        println!("no /dev/full here: nothing to check");
        return;
    };
    let file = made::scenarios().join(SYMPTOMS);
    for args in [vec!["run", "--json"], vec!["run"], vec!["diff"]] {
        let out = Command::new(env!("CARGO_BIN_EXE_migwiz"))
            .args(&args)
            .arg(&file)
            .stdout(full.try_clone().unwrap())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains("cannot write standard output"), "{stderr}");
    }
}

/// `race … | true`: the reader is gone before race prints, and the failure is still
/// written, with its page, and still exit 1.
#[test]
fn a_closed_pipe_ends_the_printing_not_the_files() {
    let dir = made::folder("outputs", "pipe");
    let (out, page) = (dir.join("w"), dir.join("race.html"));
    let mut child = Command::new(env!("CARGO_BIN_EXE_migwiz"))
        .args(made::RACE_FAILURE)
        .arg(&out)
        .arg("--html")
        .arg(&page)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(1));
    assert_eq!(common::toml_files(&out), 1, "the failing case is written");
    common::pages::checked(&page);
}

/// A valid file is valid for every output: a concurrent file replays under `diff` with or
/// without `--html`.
#[test]
fn diff_runs_a_concurrent_file_with_or_without_pages() {
    let dir = made::folder("outputs", "concurrent");
    let concurrent = made::scenarios().join("concurrent");
    made::migwiz(&["diff".as_ref(), concurrent.as_os_str()], 0);
    let pages = dir.join("pages");
    made::migwiz(
        &[
            "diff".as_ref(),
            concurrent.as_os_str(),
            "--html".as_ref(),
            pages.as_os_str(),
        ],
        0,
    );
}
