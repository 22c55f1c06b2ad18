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

/// Issue "output a KB reader understands": each item, as a user meets it.
mod reader {
    use super::*;

    fn good_path(name: &str) -> String {
        write(name, GOOD.as_bytes()).to_string_lossy().into_owned()
    }

    #[test]
    fn steps_count_from_one_in_the_transcript_the_json_and_the_diff() {
        let path = good_path("numbered.toml");
        let text = succeeds(["run", &path]);
        assert!(text.contains("  #1 create-mailbox JDOE"), "{text}");
        assert!(text.contains("  #2 wizard 5.5 migrate"), "{text}");
        let json: serde_json::Value =
            serde_json::from_str(&succeeds(["run", &path, "--json"])).unwrap();
        assert_eq!(json["steps"][0]["index"], 1);
        assert_eq!(json["steps"][1]["index"], 2);
        let diff = succeeds(["diff", &path]);
        assert!(diff.contains("#2 wizard migrate"), "{diff}");
        assert!(!diff.contains("#0 "), "{diff}");
    }

    #[test]
    fn a_wizard_step_in_json_names_the_version_that_ran() {
        let path = good_path("versioned.toml");
        let json: serde_json::Value =
            serde_json::from_str(&succeeds(["run", &path, "--json", "--version", "5.0"])).unwrap();
        assert_eq!(json["steps"][1]["version"], "5.0");
        assert!(
            json["steps"][0].get("version").is_none(),
            "create-mailbox has no version"
        );
        let json: serde_json::Value =
            serde_json::from_str(&succeeds(["run", &path, "--json"])).unwrap();
        assert_eq!(json["steps"][1]["version"], "5.5");
    }

    #[test]
    fn a_failure_says_what_the_wizard_looked_for_and_by_which_rule() {
        let path = good_path("why.toml");
        let text = succeeds(["run", &path]);
        assert!(
            text.contains("7026: no mailbox holds migrate:MS:NET1/PO1/JDOE (5.5 looks up by MIGRATE proxy, W-2-55)"),
            "{text}"
        );
        let diff = succeeds(["diff", &path]);
        for words in [
            "no mailbox holds migrate:MS:NET1/PO1/JDOE",
            "(5.5 looks up by MIGRATE proxy, W-2-55)",
            "(5.5 SP1 looks up by MIGRATE proxy,",
        ] {
            assert!(diff.contains(words), "{words:?} not in\n{diff}");
        }
        let cr = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/scenarios/05-q183312-custom-recipient.toml"
        );
        let text = succeeds(["run", cr, "--version", "5.0"]);
        assert!(
            text.contains("no mailbox has alias JDOE (5.0 looks up by alias, W-2-50)"),
            "{text}"
        );
    }

    #[test]
    fn the_diff_speaks_plainly() {
        let text = succeeds(["diff", concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios")]);
        assert!(text.contains("not tied to its owner (I-OWNER)"), "{text}");
        assert!(text.contains("the SMTP, MS and X400 addresses"), "{text}");
        for jargon in [
            "unbound deliveries",
            "site addresses only",
            "site addresses and",
        ] {
            assert!(!text.contains(jargon), "{jargon:?} still in the diff");
        }
    }

    #[test]
    fn explore_replaces_only_its_own_witnesses() {
        let dir = std::env::temp_dir().join(format!("migwiz-stale-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let out = dir.to_string_lossy().into_owned();
        succeeds(["explore", "--seed", "1", "--cases", "300", "--out", &out]);
        let first: Vec<String> = names(&dir);
        assert!(first.len() >= 8, "{first:?}");
        std::fs::write(dir.join("mine.toml"), "name = \"kept\"\n").unwrap();
        let run = migwiz(["explore", "--seed", "2", "--cases", "3", "--out", &out]);
        assert_eq!(run.status.code(), Some(0));
        let said = String::from_utf8_lossy(&run.stderr);
        assert!(
            said.contains("removed") && said.contains(".migwiz-witnesses"),
            "{said}"
        );
        let index = std::fs::read_to_string(dir.join(".migwiz-witnesses")).unwrap();
        let listed: Vec<&str> = index.lines().filter(|l| !l.starts_with('#')).collect();
        let mut now = names(&dir);
        assert!(
            now.contains(&"mine.toml".to_string()),
            "a file explore did not write was removed"
        );
        now.retain(|n| n != "mine.toml");
        assert_eq!(now, listed, "the folder holds exactly this run's witnesses");
    }

    #[test]
    fn explore_runs_the_seed_and_the_cases_asked_for() {
        // Two missed mutants of the CLI dropped `--seed` or `--cases` on the way to the
        // explorer: its defaults ran instead, and nothing noticed. A third said it removed
        // 0 files.
        let dir = std::env::temp_dir().join(format!("migwiz-seed-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let out = dir.to_string_lossy().into_owned();
        let run = migwiz(["explore", "--seed", "7", "--cases", "5", "--out", &out]);
        assert_eq!(run.status.code(), Some(0));
        // A fresh folder: nothing of an earlier run to remove, so nothing said about it.
        let said = String::from_utf8_lossy(&run.stderr);
        assert!(!said.contains("removed"), "{said}");
        let witnesses: Vec<String> = names(&dir)
            .into_iter()
            .filter(|n| n.ends_with(".toml"))
            .collect();
        assert!(!witnesses.is_empty(), "seed 7 found no witness in 5 cases");
        for name in witnesses {
            let text = std::fs::read_to_string(dir.join(&name)).unwrap();
            assert!(text.contains("explore seed 7 case "), "{name}: {text}");
            assert!(
                text.contains("`migwiz explore --seed 7 --cases 5`"),
                "{name}: {text}"
            );
        }
        let _ = std::fs::remove_dir_all(&dir);
    }

    fn names(dir: &std::path::Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".toml"))
            .collect();
        names.sort();
        names
    }

    #[test]
    fn an_unwritable_out_is_reported_before_the_first_case() {
        let file = write("not-a-folder.toml", b"x");
        let out = format!("{}/witnesses", file.display());
        let started = std::time::Instant::now();
        let run = migwiz(["explore", "--cases", "100000000", "--out", &out]);
        assert_eq!(run.status.code(), Some(2));
        assert!(started.elapsed().as_secs() < 5, "it explored first");
        let said = String::from_utf8_lossy(&run.stderr);
        assert!(
            said.contains("cannot write witnesses there") && said.contains("help:"),
            "{said}"
        );
    }

    #[test]
    fn ctrl_c_during_explore_prints_a_partial_catalogue() {
        let dir = std::env::temp_dir().join(format!("migwiz-ctrlc-{}", std::process::id()));
        let child = std::process::Command::new(env!("CARGO_BIN_EXE_migwiz"))
            .args(["explore", "--cases", "100000000", "--out"])
            .arg(&dir)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(1500));
        let kill = std::process::Command::new("kill")
            .args(["-INT", &child.id().to_string()])
            .status()
            .unwrap();
        assert!(kill.success());
        let out = child.wait_with_output().unwrap();
        assert_eq!(out.status.code(), Some(130));
        let table = String::from_utf8_lossy(&out.stdout);
        assert!(
            table.starts_with("partial catalogue (PARTIAL: stopped after"),
            "{table}"
        );
        assert!(table.contains("class"), "{table}");
        let said = String::from_utf8_lossy(&out.stderr);
        assert!(said.contains("stopped by Ctrl-C"), "{said}");
        assert!(
            !said.contains('\r'),
            "a progress bar drawn to a pipe: {said:?}"
        );
    }

    /// Starts migwiz, sends it Ctrl-C after `wait`, and returns what it printed.
    fn interrupted(args: &[&str], wait: std::time::Duration) -> std::process::Output {
        let child = std::process::Command::new(env!("CARGO_BIN_EXE_migwiz"))
            .args(args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        std::thread::sleep(wait);
        let kill = std::process::Command::new("kill")
            .args(["-INT", &child.id().to_string()])
            .status()
            .unwrap();
        assert!(kill.success());
        child.wait_with_output().unwrap()
    }

    /// Issue 25, item 5: Ctrl-C on `check` prints the counts of the levels it finished,
    /// marked, and exits 130 (it printed nothing at all).
    #[test]
    fn ctrl_c_during_check_prints_the_levels_done() {
        let out = interrupted(
            &["check", "--users", "3", "--depth", "30"],
            std::time::Duration::from_millis(2500),
        );
        assert_eq!(out.status.code(), Some(130));
        let shown = String::from_utf8_lossy(&out.stdout);
        assert!(
            shown.contains("depth reached: ") && shown.contains("(stopped by Ctrl-C)"),
            "{shown}"
        );
        assert!(
            shown.contains("states: ") && shown.contains("reached: "),
            "{shown}"
        );
        let said = String::from_utf8_lossy(&out.stderr);
        assert!(
            said.contains("check: stopped by Ctrl-C after depth"),
            "{said}"
        );
    }

    /// Issue 35, item 10: Ctrl-C on `race` prints how many cases ran and exits 130, as
    /// `check` and `explore` do.
    #[test]
    fn ctrl_c_during_race_says_how_many_cases_ran() {
        let dir = std::env::temp_dir().join(format!("migwiz-ctrlc-race-{}", std::process::id()));
        let out = interrupted(
            &[
                "race",
                "--cases",
                "100000000",
                "--out",
                dir.to_str().unwrap(),
            ],
            std::time::Duration::from_millis(1500),
        );
        assert_eq!(out.status.code(), Some(130));
        let shown = String::from_utf8_lossy(&out.stdout);
        let ran: u64 = shown
            .strip_prefix("no failure in ")
            .and_then(|rest| rest.split(' ').next())
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("{shown}"));
        assert!(ran > 0 && ran < 100_000_000, "{shown}");
        assert!(
            shown.contains(&format!("stopped by Ctrl-C after {ran} of 100000000 cases")),
            "{shown}"
        );
        let said = String::from_utf8_lossy(&out.stderr);
        assert!(said.contains("race: stopped by Ctrl-C"), "{said}");
    }

    /// Issue 25, item 5: `explore --json` stopped by Ctrl-C says it is partial and how many
    /// cases ran.
    #[test]
    fn ctrl_c_during_explore_json_marks_it_partial() {
        let dir = std::env::temp_dir().join(format!("migwiz-ctrlc-json-{}", std::process::id()));
        let out = interrupted(
            &[
                "explore",
                "--cases",
                "100000000",
                "--json",
                "--out",
                dir.to_str().unwrap(),
            ],
            std::time::Duration::from_millis(1500),
        );
        assert_eq!(out.status.code(), Some(130));
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(json["partial"], true, "{json}");
        assert_eq!(json["cases"], 100_000_000u64);
        let run = json["cases_run"].as_u64().unwrap();
        assert!(run > 0 && run < 100_000_000, "{json}");
        assert!(
            json["classes"].as_array().is_some_and(|c| !c.is_empty()),
            "{json}"
        );
    }

    /// Issue 25, item 9: with ADMINSCH in the universe, "all mail migrated" is said to be
    /// unreachable, and why, not left as if the search were too shallow.
    #[test]
    fn check_says_why_all_mail_cannot_migrate_with_adminsch() {
        let out = succeeds([
            "check",
            "--alphabet",
            "part1",
            "--users",
            "8",
            "--depth",
            "1",
        ]);
        assert!(
            out.contains("not reachable here: all mail migrated (the wizard never takes ADMINSCH"),
            "{out}"
        );
        let seven = succeeds([
            "check",
            "--alphabet",
            "part1",
            "--users",
            "7",
            "--depth",
            "1",
        ]);
        assert!(
            seven.contains("reached: all mail migrated (in 1 step)"),
            "{seven}"
        );
    }

    /// Issue 25, item 9: threads the system will not start (an address-space limit) are
    /// done without, not a panic; the counts are the same.
    #[test]
    fn check_with_more_threads_than_the_system_gives_still_checks() {
        let command = format!(
            "ulimit -v 300000; exec {} check --threads 64 --users 2 --depth 3",
            env!("CARGO_BIN_EXE_migwiz")
        );
        let out = std::process::Command::new("sh")
            .args(["-c", &command])
            .output()
            .unwrap();
        let shown = String::from_utf8_lossy(&out.stdout);
        let said = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{shown}\n{said}");
        assert!(!said.contains("panicked"), "{said}");
        let alone = succeeds(["check", "--threads", "1", "--users", "2", "--depth", "3"]);
        let states = |text: &str| {
            text.lines()
                .find(|l| l.starts_with("states:"))
                .map(str::to_string)
        };
        assert_eq!(states(&shown), states(&alone), "{shown}");
    }

    /// Issue 25, item 9: numbers out of range say the range, a date says it is a date,
    /// `[users]` after `[[users]]` asks for the brackets, too deep a nesting is found where
    /// it is, a long unknown key is cut.
    #[test]
    fn errors_say_what_is_wrong_in_plain_words() {
        let user = "name = \"x\"\n[[users]]\naddress = \"N/P/A\"\n";
        rejects(
            "u64-messages",
            &format!("{user}messages = 18446744073709551615\n"),
            4,
            "messages = 18446744073709551615 is out of range",
        );
        rejects(
            "huge-messages",
            &format!("{user}messages = 99999999999999999999999999999999999999999\n"),
            4,
            "help: write a whole number from 0 to 4294967295",
        );
        rejects(
            "date-messages",
            &format!("{user}messages = 1979-05-27\n"),
            4,
            "found the date or time 1979-05-27, expected a whole number",
        );
        rejects(
            "single-after-double",
            &format!("{user}[users]\naddress = \"N/P/B\"\n"),
            4,
            "help: write [[users]] with two brackets",
        );
        // The reader's recursion limit is reported where the nesting is, not at 1:1.
        let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
        rejects(
            "deep-nesting",
            &format!("name = \"x\"\n\nv = {deep}\n"),
            3,
            "help: nest arrays and tables less deeply",
        );
        let key = "k".repeat(1_000_000);
        let path = write(
            "long-key.toml",
            format!("name = \"x\"\n{key} = 1\n").as_bytes(),
        );
        let out = migwiz(["run", path.to_str().unwrap()]);
        let said = String::from_utf8_lossy(&out.stderr);
        assert!(said.len() < 2_000, "{} bytes", said.len());
        assert!(said.contains("… (1000000 characters)`"), "{said}");
    }

    /// Issue 25, item 9: `migwiz run -` reads the scenario from standard input.
    #[test]
    fn run_dash_reads_standard_input() {
        use std::io::Write as _;
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_migwiz"))
            .args(["run", "-"])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(GOOD.as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let shown = String::from_utf8_lossy(&out.stdout);
        assert!(shown.starts_with("Scenario: ok"), "{shown}");
    }

    #[test]
    fn keywords_are_read_in_any_case() {
        let text = GOOD
            .replace("create-mailbox", "Create-Mailbox")
            .replace("\"wizard\"", "\"Wizard\"")
            .replace("\"5.5\"", "\"5.5-SP1\"")
            .replace("\"migrate\"", "\"Migrate\"");
        let text = format!(
            "{text}\n[[steps]]\nop = \"LOGON\"\nalias = \"JDOE\"\nlanguage = \"Spanish\"\n"
        );
        let path = write("cases.toml", text.as_bytes());
        let out = succeeds(["run", path.to_str().unwrap()]);
        assert!(out.contains("wizard 5.5-sp1 migrate"), "{out}");
    }

    #[test]
    fn errors_are_in_the_users_words() {
        let g = GOOD;
        let long = "A".repeat(200);
        let cases: Vec<(&str, String, usize, &str)> = vec![
            (
                "whole-number",
                g.replace("messages = 3", "messages = \"three\""),
                5,
                "expected a whole number",
            ),
            (
                "step-table",
                "name = \"x\"\nsteps = [1]\n".to_string(),
                2,
                "expected a step table",
            ),
            (
                "one-bracket",
                "name = \"x\"\n[steps]\nop = \"wizard\"\n".to_string(),
                2,
                "write [[steps]] with two brackets",
            ),
            (
                "duplicate-key",
                g.replace("name = \"ok\"", "name = \"ok\"\nname = \"again\""),
                2,
                "the key `name` is written twice",
            ),
            (
                "alias-characters",
                g.replace(
                    "alias = \"JDOE\"",
                    &format!("alias = \"{}\"", "é".repeat(33)),
                ),
                9,
                "contains 'é'",
            ),
            (
                "clipped",
                g.replace("alias = \"JDOE\"", &format!("alias = \"{long}\"")),
                9,
                "…\" (200 characters)",
            ),
            (
                "user-twice",
                g.replace(
                    "users = [\"NET1/PO1/JDOE\"]",
                    "users = [\"NET1/PO1/JDOE\", \"net1/po1/jdoe\"]",
                ),
                15,
                "listed twice in this step's users",
            ),
        ];
        for (case, text, line, needle) in cases {
            rejects(case, &text, line, needle);
        }
        for rust_words in ["i64", "struct Raw", "sequence", "invalid type"] {
            let path = write(
                "rust.toml",
                g.replace("messages = 3", "messages = \"3\"").as_bytes(),
            );
            let said = String::from_utf8_lossy(&migwiz(["run", path.to_str().unwrap()]).stderr)
                .into_owned();
            assert!(!said.contains(rust_words), "{rust_words:?} in {said}");
        }
        let path = write(
            "clip.toml",
            g.replace("alias = \"JDOE\"", &format!("alias = \"{long}\""))
                .as_bytes(),
        );
        let said =
            String::from_utf8_lossy(&migwiz(["run", path.to_str().unwrap()]).stderr).into_owned();
        assert!(!said.contains(&long), "a 200-character value echoed whole");
    }

    #[test]
    fn argument_errors_exit_2_and_name_the_argument() {
        let out = migwiz(["run", "--bogus", "x.toml"]);
        assert_eq!(out.status.code(), Some(2));
        let said = String::from_utf8_lossy(&out.stderr);
        assert!(
            said.starts_with("error:") && said.contains("--bogus"),
            "{said}"
        );
        let help = succeeds(["--help"]);
        assert!(help.contains("an argument migwiz cannot use"), "{help}");
    }

    #[test]
    fn explore_help_heads_its_examples_in_the_plural() {
        let help = succeeds(["explore", "--help"]);
        assert!(help.contains("Examples:\n  migwiz explore"), "{help}");
        assert!(!help.contains("Example:\n"), "{help}");
    }
}

/// Part 2's keys (SCENARIO-FORMAT-2.md): every bad value is exit 2 at its line, with help.
mod part2_keys {
    use super::*;

    const BASE: &str = r#"name = "part 2"

[[users]]
address = "NET1/PO1/JDOE"
messages = 3

[[steps]]
op = "extract-user-list"
version = "5.5"
"#;

    fn with_step(step: &str) -> String {
        format!("{BASE}\n[[steps]]\n{step}")
    }

    #[test]
    fn a_file_with_every_part_2_key_replays() {
        let text = format!(
            "{}\n[postoffice]\npath = '\\\\MAILSRV2\\MAIL'\n",
            with_step(
                "op = \"edit-user-list\"\nuser = \"NET1/PO1/JDOE\"\nfield = \"Mode\"\nvalue = \"\"\n\n\
                 [[steps]]\nop = \"create-mailbox\"\nalias = \"JSMITH\"\ncontainer = \"Sales\"\ndirectory_name = \"JDOE\"\n\n\
                 [[steps]]\nop = \"custom-recipient\"\nalias = \"JDOE-MS\"\naddress = \"MS:NET1/PO1/JDOE\"\ncontainer = \"Sales\"\n\n\
                 [[steps]]\nop = \"msmail-client\"\nuser = \"NET1/PO1/JDOE\"\nstate = \"open\"\n\n\
                 [[steps]]\nop = \"recover-password\"\nuser = \"NET1/PO1/JDOE\"\n\n\
                 [[steps]]\nop = \"deliver\"\nuser = \"NET1/PO1/JDOE\"\nmessages = 2\n\n\
                 [[steps]]\nop = \"wizard\"\nversion = \"5.5\"\nphase = \"full\"\nuser_list = true\ncontainer = \"Sales\"\noperator = \"service-account-admin\"\nmode = \"command-line\"\n"
            )
        );
        let path = write("part2-all.toml", text.as_bytes());
        let json: serde_json::Value =
            serde_json::from_str(&succeeds(["run", path.to_str().unwrap(), "--json"])).unwrap();
        assert_eq!(json["mailboxes"][0]["container"], "Sales");
        assert_eq!(json["mailboxes"][0]["directory_name"], "JDOE");
        assert_eq!(json["custom_recipients"][0]["container"], "Sales");
        assert_eq!(json["msmail"][0]["client"], "open");
        assert_eq!(json["msmail"][0]["password_in_step"], false);
        assert_eq!(json["user_list"][0]["SFS_UserName"], "JDOE");
        assert_eq!(json["user_list"][0]["Mode"], "");
        assert_eq!(
            json["user_list"][0]["Secondary-Proxy-Addresses"],
            "migrate:MS:NET1/PO1/JDOE"
        );
        assert_eq!(
            json["steps"][0]["version"], "5.5",
            "extract-user-list names its version"
        );
        let events = json["events"].as_array().unwrap();
        let summary = events.last().unwrap()["description"].as_str().unwrap();
        assert!(
            summary.contains(r"'Microsoft Mail - \\MAILSRV2\MAIL'"),
            "{summary}"
        );
        assert!(
            summary.contains("\nImport:\n"),
            "the summary keeps its line breaks: {summary}"
        );
    }

    #[test]
    fn bad_values_of_part_2_keys_are_located_with_help() {
        let cases: Vec<(&str, String, usize, &str)> = vec![
            ("unknown-field", with_step("op = \"edit-user-list\"\nuser = \"NET1/PO1/JDOE\"\nfield = \"Colour\"\nvalue = \"x\"\n"), 14, "unknown user list field \"Colour\""),
            ("client-state", with_step("op = \"msmail-client\"\nuser = \"NET1/PO1/JDOE\"\nstate = \"ajar\"\n"), 14, "unknown client state \"ajar\""),
            ("operator", with_step("op = \"wizard\"\nversion = \"5.5\"\nphase = \"full\"\noperator = \"root\"\n"), 15, "unknown operator \"root\""),
            ("mode", with_step("op = \"wizard\"\nversion = \"5.5\"\nphase = \"full\"\nmode = \"batch\"\n"), 15, "unknown mode \"batch\""),
            ("user-list-and-users", with_step("op = \"wizard\"\nversion = \"5.5\"\nphase = \"full\"\nuser_list = true\nusers = [\"NET1/PO1/JDOE\"]\n"), 16, "do not go together"),
            ("user-list-not-bool", with_step("op = \"wizard\"\nversion = \"5.5\"\nphase = \"full\"\nuser_list = \"yes\"\n"), 15, "expected true or false"),
            ("container", with_step("op = \"create-mailbox\"\nalias = \"X\"\ncontainer = \"Sales/East\"\n"), 14, "A-CONT"),
            ("directory-name", with_step("op = \"create-mailbox\"\nalias = \"X\"\ndirectory_name = \"J DOE\"\n"), 14, "directory_name"),
            ("deliver-negative", with_step("op = \"deliver\"\nuser = \"NET1/PO1/JDOE\"\nmessages = -2\n"), 14, "not a count of messages"),
            ("deliver-no-count", with_step("op = \"deliver\"\nuser = \"NET1/PO1/JDOE\"\n"), 11, "has no `messages`"),
            ("unknown-user", with_step("op = \"recover-password\"\nuser = \"NET9/PO9/NOBODY\"\n"), 13, "no MS Mail user NET9/PO9/NOBODY"),
            ("foreign-key", with_step("op = \"deliver\"\nuser = \"NET1/PO1/JDOE\"\nmessages = 1\nstate = \"open\"\n"), 15, "does not belong"),
            ("extract-twice", with_step("op = \"extract-user-list\"\nversion = \"5.5\"\nusers = [\"NET1/PO1/JDOE\", \"NET1/PO1/JDOE\"]\n"), 14, "listed twice"),
            ("postoffice-empty", format!("{BASE}\n[postoffice]\npath = \" \"\n"), 12, "[postoffice] path is empty"),
            ("postoffice-key", format!("{BASE}\n[postoffice]\nshare = \"x\"\n"), 12, "unknown field"),
        ];
        for (case, text, line, needle) in cases {
            // Files of their own: the other tests run at the same time in the same folder.
            rejects(&format!("part2-{case}"), &text, line, needle);
        }
    }
}

/// Hostile input: every case gets exit 2 and a one-line reason naming the file, quickly,
/// without reading what is not a scenario file.
mod hostile {
    use super::*;
    use std::time::{Duration, Instant};

    /// Runs migwiz; asserts exit 2 within a few seconds and returns standard error.
    fn refused(args: &[&str]) -> String {
        let started = Instant::now();
        let out = migwiz(args);
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{args:?} took {:?}",
            started.elapsed()
        );
        let said = String::from_utf8_lossy(&out.stderr).into_owned();
        assert_eq!(out.status.code(), Some(2), "{args:?}: {said}");
        assert!(said.contains("help:"), "{args:?}: {said}");
        assert!(!said.contains("panicked"), "{said}");
        said
    }

    fn fifo(dir: &std::path::Path, name: &str) -> PathBuf {
        std::fs::create_dir_all(dir).unwrap();
        let path = dir.join(name);
        let _ = std::fs::remove_file(&path);
        let made = std::process::Command::new("mkfifo")
            .arg(&path)
            .status()
            .unwrap();
        assert!(made.success());
        path
    }

    #[test]
    fn devices_are_refused_without_reading() {
        for device in ["/dev/zero", "/dev/urandom"] {
            let said = refused(&["run", device]);
            assert!(
                said.starts_with(&format!("{device}: is not a regular file")),
                "{said}"
            );
        }
    }

    #[test]
    fn a_fifo_is_refused_without_opening() {
        let dir = std::env::temp_dir().join(format!("migwiz-fifo-{}", std::process::id()));
        let path = fifo(&dir, "x.toml");
        let said = refused(&["run", path.to_str().unwrap()]);
        assert!(said.contains("is not a regular file"), "{said}");
    }

    #[test]
    fn a_folder_given_to_run_is_refused() {
        let said = refused(&["run", concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios")]);
        assert!(
            said.contains("is a folder") && said.contains("migwiz diff"),
            "{said}"
        );
    }

    #[test]
    fn a_file_over_the_cap_is_refused_without_reading_it() {
        let path = write("huge.toml", b"");
        // Sparse: 65 MiB that take no disk.
        std::fs::OpenOptions::new()
            .write(true)
            .open(&path)
            .unwrap()
            .set_len(65 * 1024 * 1024)
            .unwrap();
        let said = refused(&["run", path.to_str().unwrap()]);
        assert!(
            said.contains("is 68157440 bytes, more than the 67108864"),
            "{said}"
        );
    }

    #[test]
    fn message_counts_past_the_ceiling_are_refused_at_their_line() {
        let mut users = "name = \"x\"\n".to_string();
        for who in ["A", "B", "C"] {
            users.push_str(&format!(
                "[[users]]\naddress = \"N/P/{who}\"\nmessages = 4000000000\n"
            ));
        }
        let path = write("billions.toml", users.as_bytes());
        let said = refused(&["run", path.to_str().unwrap()]);
        assert!(
            said.contains("billions.toml:10:12: this brings the scenario to 12000000000 messages, more than the 10000000000"),
            "{said}"
        );
    }

    #[test]
    fn a_billion_messages_cost_what_ten_do() {
        let text = |n: u64| {
            format!("name = \"x\"\n[[users]]\naddress = \"N/P/A\"\nmessages = {n}\n\n[[steps]]\nop = \"wizard\"\nversion = \"5.5\"\nphase = \"full\"\n")
        };
        let path = write("billion.toml", text(1_000_000_000).as_bytes());
        let started = Instant::now();
        let json: serde_json::Value =
            serde_json::from_str(&succeeds(["run", path.to_str().unwrap(), "--json"])).unwrap();
        assert!(started.elapsed() < Duration::from_secs(5));
        assert_eq!(json["mailboxes"][0]["mail"][0]["count"], 1_000_000_000u64);
        assert_eq!(json["model_check"], "full");
    }

    #[test]
    fn diff_reports_each_bad_file_and_goes_on() {
        let dir = std::env::temp_dir().join(format!("migwiz-batch-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("a-good.toml"), GOOD).unwrap();
        std::fs::write(dir.join("b-bad.toml"), "name = 3\n").unwrap();
        fifo(&dir, "c-pipe.toml");
        std::fs::write(
            dir.join("d-good.toml"),
            GOOD.replace("\"ok\"", "\"ok too\""),
        )
        .unwrap();
        let out = migwiz(["diff", dir.to_str().unwrap()]);
        assert_eq!(
            out.status.code(),
            Some(2),
            "a bad file makes the batch exit 2, at the end"
        );
        let shown = String::from_utf8_lossy(&out.stdout);
        assert!(
            shown.contains("== ok (") && shown.contains("== ok too ("),
            "{shown}"
        );
        let said = String::from_utf8_lossy(&out.stderr);
        assert!(said.contains("b-bad.toml:1:8:"), "{said}");
        assert!(
            said.contains("c-pipe.toml: is not a regular file"),
            "{said}"
        );
    }

    #[test]
    fn names_cannot_drive_the_terminal_or_forge_headers() {
        let text = GOOD.replace(
            "name = \"ok\"",
            "name = \"ok\\n== forged (x.toml)\\u001b[2J\"\ndescription = \"bell\\u0007\"",
        );
        let path = write("controls.toml", text.as_bytes());
        let run = succeeds(["run", path.to_str().unwrap()]);
        let diff = succeeds(["diff", path.to_str().unwrap()]);
        for out in [&run, &diff] {
            assert!(!out.contains('\u{1b}') && !out.contains('\u{7}'), "{out:?}");
            assert!(!out.lines().any(|l| l.starts_with("== forged")), "{out}");
        }
        assert!(
            run.contains("Scenario: ok\\n== forged (x.toml)\\u{1b}[2J"),
            "{run}"
        );
        assert!(run.contains("bell\\u{7}"), "{run}");
    }

    /// Issue 25, item 4: a post office path with control characters is refused where it is
    /// written; one with a right-to-left override runs, and every place the path or a
    /// value reaches the terminal shows the marks as escapes, never raw.
    #[test]
    fn paths_and_values_cannot_drive_the_terminal_or_forge_events() {
        let bad = "X\\u001b[31mRED\\u0007\\r\\u0000\\nEvent ID: 7026";
        let text = format!("name = \"p\"\n[postoffice]\npath = \"\\\\\\\\SRV\\\\{bad}\"\n[[users]]\naddress = \"NET1/PO1/JDOE\"\n");
        let path = write("control-path.toml", text.as_bytes());
        let said = refused(&["run", path.to_str().unwrap()]);
        assert!(
            said.contains("control-path.toml:3:8: [postoffice] path")
                && said.contains("holds the control character \\u{1b}, which no Windows path can"),
            "{said}"
        );
        let rlo = "\\u202e";
        let text = format!(
            "name = \"n{rlo}evil\"\n[postoffice]\npath = \"\\\\\\\\SRV\\\\{rlo}exe\"\n[[users]]\naddress = \"NET1/PO1/JDOE\"\nmessages = 1\n\n[[steps]]\nop = \"msmail-client\"\nuser = \"NET1/PO1/JDOE\"\nstate = \"open\"\n\n[[steps]]\nop = \"wizard\"\nversion = \"5.0\"\nphase = \"full\"\n\n[[steps]]\nop = \"extract-user-list\"\nversion = \"5.5\"\n\n[[steps]]\nop = \"edit-user-list\"\nuser = \"NET1/PO1/JDOE\"\nfield = \"Mode\"\nvalue = \"{bad}{rlo}{}\"\n",
            "x".repeat(100_000)
        );
        let path = write("control-values.toml", text.as_bytes());
        let run = succeeds(["run", path.to_str().unwrap()]);
        let diff = succeeds(["diff", path.to_str().unwrap()]);
        for out in [&run, &diff] {
            for c in ['\u{1b}', '\u{7}', '\r', '\0', '\u{202e}'] {
                assert!(!out.contains(c), "{c:?} printed raw in {out}");
            }
            assert_eq!(
                out.lines().filter(|l| l.trim() == "Event ID: 7026").count(),
                0
            );
        }
        assert!(run.contains("Description: Could not migrate MMF file for Account: JDOE. MMF Path '\\\\SRV\\\\u{202e}exe"), "{run}");
        // The refused 100,000-character value is cut to about 60 characters, in the step's
        // line and in the refusal alike.
        assert!(run.len() < 20_000, "{} bytes", run.len());
        assert_eq!(run.matches("(100028 characters)").count(), 2, "{run}");
    }

    /// Issue 25, item 2: a world past the limit is refused when read, at the table that
    /// passes it, before the TOML parser builds it, with the limit in the message.
    #[test]
    fn a_world_past_the_limit_is_refused_when_read() {
        let limit = migwiz::tools::scenario::MAX_WORLD;
        let mut text = String::from("name = \"x\"\n[[users]]\naddress = \"N/P/A\"\n");
        for _ in 0..limit {
            text.push_str("[[steps]]\nop = \"recover-password\"\nuser = \"N/P/A\"\n");
        }
        let path = write("too-big.toml", text.as_bytes());
        let said = refused(&["run", path.to_str().unwrap()]);
        let line = 3 * limit + 1; // the user is the first table, so the last step passes
        assert!(
            said.starts_with(&format!(
                "{}:{line}:1: this is the scenario's 250001st",
                path.display()
            )) && said.contains("more than the 250000 users plus steps migwiz runs"),
            "{said}"
        );
    }

    /// Issue 35, item 7: the limit holds in every form a world can be written in: a
    /// `users = [ … ]` list inline, and `[[clients.steps]]`; each refused at the entry
    /// that passes it, before the parser builds anything.
    #[test]
    fn a_world_past_the_limit_is_refused_in_every_form() {
        let limit = migwiz::tools::scenario::MAX_WORLD;
        let user = "{ address = \"N/P/A\" }, ";
        let inline = format!("name = \"x\"\nusers = [ {}]\n", user.repeat(limit + 1));
        let path = write("too-big-inline.toml", inline.as_bytes());
        let said = refused(&["run", path.to_str().unwrap()]);
        let column = "users = [ ".len() + limit * user.len() + 1;
        assert!(
            said.starts_with(&format!(
                "{}:2:{column}: this is the scenario's 250001st",
                path.display()
            )),
            "{}",
            &said[..said.len().min(300)]
        );
        let mut clients = String::from(
            "name = \"x\"\n[[users]]\naddress = \"N/P/A\"\n[[clients]]\nname = \"c\"\n",
        );
        for _ in 0..limit {
            clients.push_str("[[clients.steps]]\nop = \"recover-password\"\nuser = \"N/P/A\"\n");
        }
        let path = write("too-big-clients.toml", clients.as_bytes());
        let said = refused(&["run", path.to_str().unwrap()]);
        let line = 5 + 3 * (limit - 1) + 1;
        assert!(
            said.starts_with(&format!(
                "{}:{line}:1: this is the scenario's 250001st",
                path.display()
            )),
            "{said}"
        );
    }

    /// Issue 25, item 3: a step that names its users one by one costs about what the same
    /// step costs with its users left implicit (it was quadratic: 22 s for 10^5 users),
    /// and so does a delivery step per user (24.5 s for 10^5). Compared within one run,
    /// with room for a slow machine; the figures are in `BENCHMARKS.md` (`bench scale`).
    #[test]
    fn steps_naming_many_users_cost_about_what_implicit_ones_do() {
        let n = 100_000;
        let names: Vec<String> = (0..n)
            .map(|i| format!("N{}/P{}/U{i}", i % 100, i / 100))
            .collect();
        let users: String = names
            .iter()
            .map(|a| format!("[[users]]\naddress = \"{a}\"\n"))
            .collect();
        let wizard = "[[steps]]\nop = \"wizard\"\nversion = \"5.5\"\nphase = \"create\"\n";
        let quoted: Vec<String> = names.iter().map(|a| format!("\"{a}\"")).collect();
        let explicit = format!(
            "name = \"e\"\n{users}{wizard}users = [{}]\n",
            quoted.join(", ")
        );
        let implicit = format!("name = \"i\"\n{users}{wizard}");
        let deliveries: String = names
            .iter()
            .map(|a| format!("[[steps]]\nop = \"deliver\"\nuser = \"{a}\"\nmessages = 1\n"))
            .collect();
        let delivered = format!("name = \"d\"\n{users}{deliveries}");
        let time = |name: &str, text: &str| {
            let path = write(name, text.as_bytes());
            let started = Instant::now();
            succeeds(["run", path.to_str().unwrap()]);
            started.elapsed()
        };
        let implicit = time("implicit.toml", &implicit);
        let allowed = implicit * 2 + Duration::from_secs(1);
        let explicit = time("explicit.toml", &explicit);
        assert!(
            explicit < allowed,
            "explicit {explicit:?}, implicit {implicit:?}"
        );
        let delivered = time("delivered.toml", &delivered);
        assert!(
            delivered < allowed,
            "deliveries {delivered:?}, implicit {implicit:?}"
        );
    }
}

/// Issue 35, item 8: users of one mailbox name in many post offices cost about what users
/// of unique names do (the free alias was searched from 1 for each: 11.6 s for 8,000 in
/// a release build). Compared within one run, with room for a slow machine; the figures
/// are in `BENCHMARKS.md` (`bench scale`).
#[test]
fn users_of_one_name_cost_about_what_unique_names_do() {
    use std::time::{Duration, Instant};
    let n = 8_000;
    let world = |same: bool| {
        let mut text = String::from("name = \"n\"\n");
        for i in 0..n {
            let mailbox = if same {
                "JDOE".to_string()
            } else {
                format!("U{i}")
            };
            text.push_str(&format!("[[users]]\naddress = \"NET1/P{i}/{mailbox}\"\n"));
        }
        text + "[[steps]]\nop = \"wizard\"\nversion = \"5.5\"\nphase = \"create\"\n"
    };
    let time = |name: &str, text: &str| {
        let path = write(name, text.as_bytes());
        let started = Instant::now();
        succeeds(["run", path.to_str().unwrap()]);
        started.elapsed()
    };
    let unique = time("unique-names.toml", &world(false));
    let same = time("one-name.toml", &world(true));
    assert!(
        same < unique * 2 + Duration::from_secs(1),
        "one name {same:?}, unique names {unique:?}"
    );
}

/// Large worlds: the model check is skipped above its documented size and says so; a flag
/// forces it; the diff summarises instead of listing every mailbox.
mod scale {
    use super::*;

    fn world(users: usize) -> String {
        let mut text = format!("name = \"{users} users\"\n");
        for i in 0..users {
            text.push_str(&format!(
                "\n[[users]]\naddress = \"N{}/P{}/U{i}\"\nmessages = 1\n",
                i % 10,
                i / 10
            ));
        }
        text + "\n[[steps]]\nop = \"wizard\"\nversion = \"5.5\"\nphase = \"full\"\n"
    }

    /// Issue 35, item 5: a valid concurrent file longer than the scheduler's old fixed
    /// budget (1,000,000 points; this one takes about 1.2 million) is judged, not reported
    /// as a deadlock: the budget grows with the case.
    #[test]
    fn a_long_concurrent_run_is_judged_not_called_a_deadlock() {
        let mut text = world(10).replace(
            "\n[[steps]]\nop = \"wizard\"\nversion = \"5.5\"\nphase = \"full\"\n",
            "",
        );
        text.push_str("[[clients]]\nname = \"wizard\"\nsteps = [\n");
        for _ in 0..9_000 {
            text.push_str("  { op = \"wizard\", version = \"5.5\", phase = \"full\" },\n");
        }
        text.push_str("]\n[[clients]]\nname = \"mail\"\nsteps = [ { op = \"deliver\", user = \"N0/P0/U0\", messages = 1 } ]\n");
        let path = write("long-concurrent.toml", text.as_bytes());
        let out = migwiz(["run", path.to_str().unwrap()]);
        let shown = String::from_utf8_lossy(&out.stdout);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            shown.contains("verdict: linearizable"),
            "{}",
            &shown[shown.len().saturating_sub(2000)..]
        );
    }

    /// Issue 35, item 6: `--model-check` is honoured by concurrent runs: `on` judges every
    /// unit on the whole state, `auto` on the part it names once the world is large, and
    /// `off` judges no unit; each says so.
    #[test]
    fn a_concurrent_run_honours_model_check() {
        let mut text = world(500).replace(
            "\n[[steps]]\nop = \"wizard\"\nversion = \"5.5\"\nphase = \"full\"\n",
            "",
        );
        text.push_str("[[clients]]\nname = \"wizard\"\nsteps = [ { op = \"wizard\", version = \"5.5\", phase = \"full\" } ]\n[[clients]]\nname = \"mail\"\nsteps = [ { op = \"deliver\", user = \"N0/P0/U0\", messages = 1 } ]\n");
        let path = write("model-check-concurrent.toml", text.as_bytes());
        for (policy, words) in [
            ("auto", Some("judged on the part of the state it names")),
            (
                "off",
                Some("no property was judged on each unit (--model-check off)"),
            ),
            ("on", None),
        ] {
            let shown = succeeds(["run", path.to_str().unwrap(), "--model-check", policy]);
            assert!(shown.contains("verdict: linearizable"), "{policy}");
            match words {
                Some(words) => assert!(shown.contains(words), "{policy}"),
                None => assert!(
                    !shown.contains("each unit was judged")
                        && !shown.contains("no property was judged"),
                    "{policy}"
                ),
            }
        }
    }

    #[test]
    fn a_user_listed_twice_at_the_end_of_a_large_post_office_is_named_at_its_line() {
        let mut text = world(20_000);
        let at = text.find("\n[[steps]]").unwrap();
        text.insert_str(at, "\n[[users]]\naddress = \"n0/p0/u0\"\n");
        let line = text[..text.find("\"n0/p0/u0\"").unwrap()]
            .matches('\n')
            .count()
            + 1;
        let path = write("twice-at-the-end.toml", text.as_bytes());
        let out = migwiz(["run", path.to_str().unwrap()]);
        let said = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{said}");
        assert!(
            said.contains(&format!("twice-at-the-end.toml:{line}:"))
                && said.contains("listed twice")
                && said.contains("help:"),
            "{said}"
        );
    }

    #[test]
    fn the_model_check_is_skipped_above_its_size_and_says_so() {
        let path = write(
            "big.toml",
            world(migwiz::tools::replay::MODEL_CHECK_LIMIT).as_bytes(),
        );
        let path = path.to_str().unwrap();
        let json: serde_json::Value =
            serde_json::from_str(&succeeds(["run", path, "--json"])).unwrap();
        let said = json["model_check"].as_str().unwrap();
        assert!(
            said.starts_with("skipped: 2000 users and 1 steps are more than the 2000"),
            "{said}"
        );
        assert!(succeeds(["run", path]).contains("(the reference model did not run alongside:"));
        let forced: serde_json::Value =
            serde_json::from_str(&succeeds(["run", path, "--json", "--model-check", "full"]))
                .unwrap();
        assert_eq!(forced["model_check"], "full");
        let small = write("small.toml", world(10).as_bytes());
        let json: serde_json::Value =
            serde_json::from_str(&succeeds(["run", small.to_str().unwrap(), "--json"])).unwrap();
        assert_eq!(json["model_check"], "full");
    }

    #[test]
    fn the_transcript_summarises_instead_of_listing_every_mailbox() {
        let path = write("wide-run.toml", world(120).as_bytes());
        let text = succeeds(["run", path.to_str().unwrap()]);
        assert!(
            text.contains("… 70 more mailboxes (U50 … U119); --json lists them all"),
            "{text}"
        );
        assert!(text.contains("and 200 more results of users"), "{text}");
        assert!(text.len() < 20_000, "{} bytes", text.len());
        let json: serde_json::Value =
            serde_json::from_str(&succeeds(["run", path.to_str().unwrap(), "--json"])).unwrap();
        assert_eq!(
            json["mailboxes"].as_array().unwrap().len(),
            120,
            "--json has them all"
        );
    }

    #[test]
    fn the_diff_summarises_instead_of_listing_every_mailbox() {
        let path = write("wide.toml", world(100).as_bytes());
        let text = succeeds(["diff", path.to_str().unwrap()]);
        assert!(
            text.contains("… 80 more mailboxes' addresses differ"),
            "{text}"
        );
        // A step's cell names its first users' results and counts the rest by kind.
        assert!(
            text.contains("… and 190 more: 95 created, 95 migrated (alias)"),
            "{text}"
        );
        assert!(text.lines().count() < 200, "{} lines", text.lines().count());
    }
}

const CLIENT_WIZARD: &str = r#"
[[clients]]
name = "wizard"
steps = [ { op = "wizard", version = "5.5", phase = "full" } ]
"#;

const CLIENT_MAIL: &str = r#"
[[clients]]
name = "mail"
steps = [ { op = "deliver", user = "NET1/PO1/JDOE", messages = 1 } ]
"#;

#[test]
fn a_bad_clients_section_is_refused_at_its_line() {
    let base = "name = \"race\"\n[[users]]\naddress = \"NET1/PO1/JDOE\"\n";
    // Line 4 is the first [[clients]]'s blank line, 5 its header.
    rejects(
        "one-client",
        &format!("{base}{CLIENT_WIZARD}"),
        5,
        "only one [[clients]]",
    );
    let five: String = (0..5)
        .map(|k| format!("\n[[clients]]\nname = \"c{k}\"\nsteps = [ {{ op = \"deliver\", user = \"NET1/PO1/JDOE\", messages = 1 }} ]\n"))
        .collect();
    rejects("five-clients", &format!("{base}{five}"), 21, "more than 4");
    let two_wizards = format!(
        "{base}{CLIENT_WIZARD}{}",
        CLIENT_WIZARD.replace("\"wizard\"\nsteps", "\"second\"\nsteps")
    );
    rejects("two-wizards", &two_wizards, 11, "both run the wizard");
    let twice = format!("{base}{CLIENT_MAIL}{CLIENT_MAIL}");
    rejects("same-name", &twice, 10, "used twice");
    let badly = format!(
        "{base}{CLIENT_WIZARD}{}",
        CLIENT_MAIL.replace("\"mail\"", "\"no spaces\"")
    );
    rejects("bad-name", &badly, 10, "not 1 to 32 letters");
    let empty = format!("{base}{CLIENT_WIZARD}\n[[clients]]\nname = \"idle\"\n");
    rejects("no-steps", &empty, 9, "has no steps");
    let seed = format!("{base}{CLIENT_WIZARD}{CLIENT_MAIL}\n[schedule]\nseed = -1\n");
    rejects("negative-seed", &seed, 14, "below 0");
}

#[test]
fn a_race_file_runs_with_its_schedule_and_a_bad_schedule_is_refused() {
    let text = format!("name = \"race\"\n[[users]]\naddress = \"NET1/PO1/JDOE\"\nmessages = 2\n{CLIENT_WIZARD}{CLIENT_MAIL}");
    let path = write("race.toml", text.as_bytes());
    let file = path.to_str().unwrap();
    let out = migwiz(["run", file, "--schedule", "3"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(
        stdout.contains("Clients at once (wizard, mail), schedule 3"),
        "{stdout}"
    );
    assert!(stdout.contains("verdict: linearizable"), "{stdout}");
    let out = migwiz(["run", file, "--schedule", "x"]);
    assert_eq!(out.status.code(), Some(2));
    let plain = write("plain.toml", GOOD.as_bytes());
    let out = migwiz(["run", plain.to_str().unwrap(), "--schedule", "3"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("has none") && stderr.contains("help:"),
        "{stderr}"
    );
}

#[test]
fn race_finds_a_named_fault_and_its_file_replays_it() {
    let out_dir = std::env::temp_dir().join(format!("migwiz-race-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&out_dir);
    let dir = out_dir.to_str().unwrap();
    let out = migwiz([
        "race",
        "--fault",
        "waiting-read-apart",
        "--cases",
        "300",
        "--out",
        dir,
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("verdict: not linearizable"), "{stdout}");
    // One blank line between the parts of the report, with a prefix or without.
    assert!(!stdout.contains("\n\n\n"), "{stdout}");
    let written = std::fs::read_dir(&out_dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|x| x == "toml"))
        .expect("the failing case is written");
    let file = written.to_str().unwrap();
    let replayed = migwiz(["run", file, "--fault", "waiting-read-apart"]);
    assert_eq!(
        replayed.status.code(),
        Some(1),
        "the file replays the failure"
    );
    let clean = migwiz(["run", file]);
    assert_eq!(clean.status.code(), Some(0), "without the fault it passes");
    let none = migwiz(["race", "--cases", "50", "--out", dir]);
    assert_eq!(none.status.code(), Some(0));
    let bad = migwiz(["race", "--fault", "no-such"]);
    let stderr = String::from_utf8_lossy(&bad.stderr);
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr.contains("mmf-checked-apart"), "{stderr}");
}

/// A file with [[clients]] is valid for `diff` too: it runs as `migwiz run` runs it, beside
/// the sequential files.
#[test]
fn diff_runs_a_race_file_beside_the_others() {
    let race = format!(
        "name = \"race\"\n[[users]]\naddress = \"NET1/PO1/JDOE\"\n{CLIENT_WIZARD}{CLIENT_MAIL}"
    );
    let race = write("race-for-diff.toml", race.as_bytes());
    let good = write("good-for-diff.toml", GOOD.as_bytes());
    let out = migwiz(["diff", race.to_str().unwrap(), good.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stdout.contains("a concurrent run (linearizable)") && stdout.contains("migwiz run"),
        "{stdout}"
    );
    assert!(stdout.contains("== ok"), "the good file ran");
}

#[test]
fn explore_never_replaces_a_file_it_did_not_write() {
    let out_dir = std::env::temp_dir().join(format!("migwiz-foreign-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&out_dir);
    let dir = out_dir.to_str().unwrap();
    // A first run learns a witness name; then a hand-written file takes that name.
    let first = migwiz(["explore", "--cases", "100", "--out", dir]);
    assert_eq!(first.status.code(), Some(0));
    let index = std::fs::read_to_string(out_dir.join(".migwiz-witnesses")).unwrap();
    let name = index
        .lines()
        .find(|l| l.ends_with(".toml"))
        .unwrap()
        .to_string();
    std::fs::write(out_dir.join(".migwiz-witnesses"), "").unwrap();
    std::fs::write(out_dir.join(&name), "hand-written").unwrap();
    let second = migwiz(["explore", "--cases", "100", "--out", dir]);
    let stderr = String::from_utf8_lossy(&second.stderr);
    assert_eq!(second.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(&name) && stderr.contains("help:"),
        "{stderr}"
    );
    assert!(
        !second.stdout.is_empty(),
        "the catalogue is printed all the same"
    );
    assert_eq!(
        std::fs::read_to_string(out_dir.join(&name)).unwrap(),
        "hand-written"
    );
}

#[test]
fn version_is_printed_and_a_thread_count_out_of_range_is_refused() {
    let out = migwiz(["--version"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("migwiz "));
    for threads in ["0", "65"] {
        let out = migwiz(["check", "--threads", threads]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains("1..=64"), "{stderr}");
    }
}

#[test]
fn one_bad_path_does_not_stop_diff_of_the_others() {
    let good = write("good-beside-empty.toml", GOOD.as_bytes());
    let empty = std::env::temp_dir().join(format!("migwiz-empty-{}", std::process::id()));
    std::fs::create_dir_all(&empty).unwrap();
    let out = migwiz(["diff", good.to_str().unwrap(), empty.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("no .toml scenario files") && stderr.contains("help:"),
        "{stderr}"
    );
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("== ok"),
        "the good file ran"
    );
}

/// Issue 35, item 9: a count that would run nothing is refused, not summed as cases that
/// passed.
#[test]
fn a_count_of_zero_is_refused() {
    for args in [
        ["race", "--stress", "0", "--cases", "1000000"].as_slice(),
        ["race", "--cases", "0"].as_slice(),
        ["explore", "--cases", "0"].as_slice(),
    ] {
        let out = migwiz(args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains("0 is not in 1.."), "{args:?}: {stderr}");
        assert!(out.stdout.is_empty(), "{args:?}");
    }
}

/// Issue 35, items 10 and 11: each error points where it is, with help that fits it.
#[test]
fn errors_point_at_what_is_wrong() {
    let cases = [
        // A seed in quotes gets a seed's example, not a message count's.
        (
            "seed-text",
            format!("{GOOD}\n[schedule]\nseed = \"x\"\n"),
            18,
            "e.g. seed = 7",
        ),
        // A seed in a file without clients is refused, as --schedule on it is.
        (
            "seed-alone",
            format!("{GOOD}\n[schedule]\nseed = 4\n"),
            18,
            "[schedule] seed is for a file with [[clients]]",
        ),
        // A key dotted past the reader's depth is named at its line, not at 1:1.
        (
            "deep-key",
            format!("{GOOD}\n{} = 1\n", vec!["a"; 300].join(".")),
            17,
            "nested too deeply",
        ),
    ];
    for (case, text, line, needle) in cases {
        rejects(case, &text, line, needle);
    }
    let path = write("schedule-minus-one.toml", GOOD.as_bytes());
    let out = migwiz(["run", path.to_str().unwrap(), "--schedule", "-1"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr.contains("invalid value '-1' for '--schedule")
            && stderr.contains("a whole number from 0"),
        "{stderr}"
    );
}

/// Issue 35, item 11: a concurrent run that fails, printed as JSON, points at the report's
/// verdict, since there is no verdict "above" in words.
#[test]
fn a_failing_json_run_points_at_its_verdict() {
    let dir = std::env::temp_dir().join(format!("migwiz-json-verdict-{}", std::process::id()));
    common::pages::made::race_failure(&dir, None);
    let witness = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|x| x == "toml"))
        .unwrap();
    let out = migwiz([
        "run",
        witness.to_str().unwrap(),
        "--fault",
        "waiting-read-apart",
        "--json",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["verdict"], "not linearizable");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("its \"verdict\" in the report above"),
        "{stderr}"
    );
}

/// `migwiz mailmig` (SCENARIO-FORMAT-4.md): a real control file and user list on disk, run
/// against a world file, with mailmig's result code as the exit status.
mod mailmig {
    use super::common::migwiz;
    use std::path::{Path, PathBuf};

    fn docs() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/mailmig")
    }

    fn folder(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("migwiz-mailmig-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn code(out: &std::process::Output) -> Option<i32> {
        out.status.code()
    }

    #[test]
    fn the_readme_example_reads_its_local_files_and_exits_with_the_result_code() {
        let world = docs().join("world.toml");
        let control = format!("/C:{}", docs().join("po1.txt").display());
        let out = migwiz([
            "mailmig",
            "--world",
            world.to_str().unwrap(),
            "--",
            &control,
            "/A:ADMIN",
            "/P:PASSWORD",
        ]);
        let text = String::from_utf8_lossy(&out.stdout);
        assert_eq!(code(&out), Some(1), "a warning: {text}");
        assert!(
            text.contains("read C:\\Migrate\\Userlist.csv from"),
            "{text}"
        );
        assert!(text.contains("Unnecessary keyword 'POName,'"), "{text}");
        assert!(text.ends_with("result code 1\n"), "{text}");
        // It wrote nothing, so it left nothing beside the files it read.
        assert!(!docs().join(".migwiz-mailmig").exists());
    }

    #[test]
    fn extract_writes_the_user_list_and_never_over_a_file_it_did_not_write() {
        let dir = folder("extract");
        let control = dir.join("ex.txt");
        std::fs::write(&control, "Mode,MSMAILPC\r\nFunction,EXTRACT\r\nFile,C:\\Migrate\\Userlist.csv\r\nPostoffice,M:\\\r\n").unwrap();
        let world = docs().join("world.toml");
        let run = || {
            migwiz([
                "mailmig",
                "--world",
                world.to_str().unwrap(),
                "--",
                &format!("/C:{}", control.display()),
                "/A:admin",
                "/P:password",
                "/S",
            ])
        };
        let first = run();
        assert_eq!(
            code(&first),
            Some(0),
            "{}",
            String::from_utf8_lossy(&first.stderr)
        );
        let csv = std::fs::read_to_string(dir.join("Userlist.csv")).unwrap();
        assert!(
            csv.starts_with("SFS_UserName,SFS_FullName,MigrateUser"),
            "{csv}"
        );
        assert!(
            csv.contains("JDOE,\"Doe, Jane\",Y,Mailbox,Create,JDOE"),
            "{csv}"
        );
        // A file the administrator put there is left alone: exit 3, unchanged.
        std::fs::write(dir.join("Userlist.csv"), "mine\n").unwrap();
        std::fs::remove_file(dir.join(".migwiz-mailmig")).unwrap();
        let refused = run();
        assert_eq!(code(&refused), Some(3));
        assert!(String::from_utf8_lossy(&refused.stderr).contains("no `migwiz mailmig` wrote it"));
        assert_eq!(
            std::fs::read_to_string(dir.join("Userlist.csv")).unwrap(),
            "mine\n"
        );
    }

    #[test]
    fn a_run_that_stops_exits_2_and_migwiz_own_errors_exit_3() {
        let world = docs().join("world.toml");
        let missing = migwiz([
            "mailmig",
            "--world",
            world.to_str().unwrap(),
            "--",
            "/C:nowhere.txt",
            "/A:ADMIN",
            "/P:PASSWORD",
        ]);
        assert_eq!(code(&missing), Some(2));
        assert!(String::from_utf8_lossy(&missing.stdout)
            .contains("Cannot open the file 'nowhere.txt'."));
        let no_world = migwiz(["mailmig", "--world", "no-such-world.toml", "--", "/C:x.txt"]);
        assert_eq!(code(&no_world), Some(3));
        let dir = folder("unwritable");
        let file = dir.join("a-file");
        std::fs::write(&file, "").unwrap();
        let bad_out = migwiz([
            "mailmig",
            "--world",
            world.to_str().unwrap(),
            "--out",
            file.to_str().unwrap(),
            "--",
            "/C:x.txt",
        ]);
        assert_eq!(
            code(&bad_out),
            Some(3),
            "{}",
            String::from_utf8_lossy(&bad_out.stderr)
        );
    }
}
