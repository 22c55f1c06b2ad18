//! The command line, run as a user would: exit statuses, and one clear error naming file,
//! line and column for every kind of malformed scenario file.

use std::path::PathBuf;

mod common;
use common::{migwiz, succeeds};

const GOOD: &str = r#"name = "ok"

[[users]]
address = "NET1/PO1/JDOE"
messages = 3

[[steps]]
op = "create-mailbox"
alias = "JDOE"

[[steps]]
op = "wizard"
version = "5.5"
phase = "migrate"
users = ["NET1/PO1/JDOE"]
"#;

fn write(name: &str, contents: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("migwiz-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, contents).unwrap();
    path
}

/// Runs `migwiz run` on `text`; asserts exit 2, nothing on stdout, and an error that starts
/// with `file:line:` and contains `needle`.
fn rejects(case: &str, text: &str, line: usize, needle: &str) {
    let path = write(&format!("{case}.toml"), text.as_bytes());
    let out = migwiz(["run", path.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{case}: {stderr}");
    assert!(
        out.stdout.is_empty(),
        "{case}: printed a report for a bad file"
    );
    let prefix = format!("{}:{line}:", path.display());
    assert!(
        stderr.starts_with(&prefix),
        "{case}: expected {prefix}… got {stderr}"
    );
    assert!(
        stderr.contains(needle),
        "{case}: expected {needle:?} in {stderr}"
    );
    assert!(stderr.contains("help:"), "{case}: no help in {stderr}");
    assert!(!stderr.contains("panicked"), "{case}: {stderr}");
}

#[test]
fn a_good_file_replays_with_status_zero_even_when_the_wizard_aborts() {
    let path = write("good.toml", GOOD.as_bytes());
    let out = migwiz(["run", path.to_str().unwrap(), "--json"]);
    assert_eq!(out.status.code(), Some(0));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["steps"][1]["outcome"], "aborted");
    assert_eq!(report["events"][0]["id"], 7026);
    let out = migwiz(["run", path.to_str().unwrap(), "--version", "5.0", "--json"]);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["steps"][1]["outcome"], "ok");
    assert_eq!(report["mailboxes"][0]["mail"][0]["count"], 3);
}

#[test]
fn malformed_files_get_exit_2_and_a_located_message() {
    let g = GOOD;
    // (case, file text, line of the error, words the message must contain)
    let cases: Vec<(&str, String, usize, &str)> = vec![
        ("toml-syntax", g.replace("name = \"ok\"", "name = \"ok"), 1, "not a valid scenario"),
        ("no-name", g.replace("name = \"ok\"\n", ""), 1, "name"),
        ("empty-name", g.replace("name = \"ok\"", "name = \" \""), 1, "`name` is empty"),
        ("unknown-top-key", format!("colour = 1\n{g}"), 1, "unknown field"),
        ("unknown-op", g.replace("create-mailbox", "make-mailbox"), 8, "create-mailbox, logon, add-proxy"),
        ("ms-part-too-long", g.replace( "address = \"NET1/PO1/JDOE\"", "address = \"NET1/PO1/JOHNATHANDOE\"", ), 4, "the mailbox part"),
        ("ms-two-parts", g.replace("address = \"NET1/PO1/JDOE\"", "address = \"NET1/JDOE\""), 4, "has 2 part(s)"),
        ("ms-bad-char", g.replace( "address = \"NET1/PO1/JDOE\"", "address = \"NET 1/PO1/JDOE\"", ), 4, "network part"),
        ("bad-alias", g.replace("alias = \"JDOE\"", "alias = \"J DOE\""), 9, "A-ALIAS"),
        ("no-alias", g.replace("alias = \"JDOE\"\n", ""), 7, "has no `alias`"),
        ("unknown-user-in-step", g.replace("users = [\"NET1/PO1/JDOE\"]", "users = [\"NET1/PO1/ANA\"]"), 15, "no MS Mail user NET1/PO1/ANA"),
        ("bad-version", g.replace("version = \"5.5\"", "version = \"5.6\""), 13, "5.5-sp1"),
        ("bad-phase", g.replace("phase = \"migrate\"", "phase = \"step2\""), 14, "unknown phase"),
        ("no-version", g.replace("version = \"5.5\"\n", ""), 11, "has no `version`"),
        ("foreign-key", g.replace( "alias = \"JDOE\"", "alias = \"JDOE\"\nlanguage = \"spanish\"", ), 10, "does not belong"),
        ("negative-messages", g.replace("messages = 3", "messages = -1"), 5, "whole number"),
        ("messages-not-number", g.replace("messages = 3", "messages = \"three\""), 5, "not a valid scenario"),
        ("duplicate-user", g.replace( "messages = 3\n", "messages = 3\n\n[[users]]\naddress = \"net1/po1/jdoe\"\n", ), 8, "listed twice"),
        ("bad-site", format!("{g}\n[site]\norganization = \"CONTOSO LTD\"\n"), 18, "organization"),
        ("bad-domain", format!("{g}\n[site]\nsmtp_domain = \"contoso..com\"\n"), 18, "smtp_domain"),
        ("bad-language", format!("{g}\n[[steps]]\nop = \"logon\"\nalias = \"JDOE\"\nlanguage = \"klingon\"\n"), 20, "unknown language"),
        ("bad-proxy-no-colon", format!("{g}\n[[steps]]\nop = \"add-proxy\"\nalias = \"JDOE\"\naddress = \"migrate\"\n"), 20, "no ':'"),
        ("bad-proxy-mixed-case", format!("{g}\n[[steps]]\nop = \"add-proxy\"\nalias = \"JDOE\"\naddress = \"Smtp:a@b\"\n"), 20, "all upper case"),
        ("cr-not-ms", format!( "{g}\n[[steps]]\nop = \"custom-recipient\"\nalias = \"X\"\naddress = \"SMTP:x@y\"\n" ), 20, "not MS"),
        ("steps-not-array", "name = \"x\"\nsteps = 3\n".to_string(), 2, "not a valid scenario"),
        ("empty-file", String::new(), 1, "name"),
    ];
    for (case, text, line, needle) in cases {
        rejects(case, &text, line, needle);
    }
}

#[test]
fn unreadable_input_is_an_error_not_a_panic() {
    let bytes = write("binary.toml", &[0x6e, 0x61, 0xff, 0xfe, 0x00, 0x0a]);
    let out = migwiz(["run", bytes.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.starts_with(&format!("{}:1:", bytes.display())),
        "{stderr}"
    );
    let out = migwiz(["run", "/no/such/file.toml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("/no/such/file.toml"));
    let out = migwiz(["run", "x.toml", "--version", "6.0"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn diff_of_the_kb_folder_shows_the_q242184_difference_first() {
    let text = succeeds(["diff", concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios")]);
    let first: Vec<&str> = text.lines().take(6).collect();
    assert!(first[0].contains("Q242184 symptoms"), "{first:?}");
    assert!(
        first[3].contains("ok") && first[3].contains("aborted: 7026"),
        "{first:?}"
    );
}

#[test]
fn diff_says_when_versions_agree() {
    let path = write(
        "agree.toml",
        b"name = \"nothing happens\"\n[[users]]\naddress = \"N/P/M\"\n",
    );
    let out = migwiz(["diff", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("agree"));
}

#[test]
fn every_command_has_help_with_an_example() {
    for args in [
        &["--help"][..],
        &["run", "--help"],
        &["diff", "--help"],
        &["explore", "--help"],
        &["check", "--help"],
    ] {
        let out = migwiz(args.iter());
        assert_eq!(out.status.code(), Some(0));
        assert!(
            String::from_utf8_lossy(&out.stdout).contains("Example"),
            "{args:?}"
        );
    }
}
