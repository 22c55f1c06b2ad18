//! The fuzz harness: hostile and half-right scenario files, fed to the parser and the
//! replay in-process, with three assertions on every input (issue 13):
//!
//! - nothing panics (parsing, replaying under every version, and writing the reports);
//! - a rejected file's error has a line and a column inside the file, a message and a
//!   help line;
//! - a replayed file's model and implementation agree, with the model checked in full.
//!
//! Inputs come from two sources, in turn: structure-aware generation (valid TOML in the
//! scenario's shape with wrong values, huge values, unknown keys and part 2's keys), and
//! byte-level mutation of seed files (the bundled scenarios). Randomness comes from
//! proptest's seeded generator, so a run is repeatable from its seed; a stable toolchain
//! is enough (cargo-fuzz needs nightly, which these machines cannot fetch).
//!
//! ```
//! use migwiz::tools::fuzz::{fuzz, FuzzConfig};
//! let seeds = vec!["name = \"x\"\n[[users]]\naddress = \"NET1/PO1/JDOE\"\n".to_string()];
//! let report = fuzz(&FuzzConfig { inputs: 200, seed: 7 }, &seeds, |_| {});
//! assert_eq!(report.inputs, 200);
//! assert!(report.bugs.is_empty(), "{:?}", report.bugs);
//! ```

pub mod batch;

use std::collections::BTreeMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::{Duration, Instant};

use proptest::prelude::RngExt;
use proptest::test_runner::{RngAlgorithm, TestRng};

use crate::tools::format::scenario::{Scenario, ScenarioError};
use crate::tools::runs::replay::{replay_with, ModelCheckPolicy};
use crate::vocabulary::operation::Version;

/// What one input came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Parsed, replayed under its own versions and every other, model and implementation
    /// agreeing.
    Replayed,
    /// Rejected with a well-formed error; the class is the message's first words.
    Rejected(String),
    /// A bug in migwiz: a panic, a malformed error, or a disagreement.
    Bug(String),
}

/// How much to fuzz.
#[derive(Debug, Clone, Copy)]
pub struct FuzzConfig {
    /// Inputs to try.
    pub inputs: u64,
    /// The random seed: the same seed and seeds give the same inputs.
    pub seed: u64,
}

/// What a fuzz run found.
#[derive(Debug, Clone, Default)]
pub struct FuzzReport {
    /// Inputs tried.
    pub inputs: u64,
    /// Outcomes: `replayed`, `rejected: <class>`, or `bug`, with their counts.
    pub histogram: BTreeMap<String, u64>,
    /// Every bug: the input, and what went wrong.
    pub bugs: Vec<(Vec<u8>, String)>,
    /// Wall time.
    pub elapsed: Duration,
}

/// The most bugs a report keeps with their inputs; the histogram counts them all.
const MOST_KEPT: usize = 20;

/// The file name errors are reported against.
const FILE: &str = "fuzz.toml";

/// Runs one input through what `migwiz run` and `migwiz diff` do, and judges it.
pub fn check_input(bytes: &[u8]) -> Verdict {
    match catch_unwind(AssertUnwindSafe(|| judge(bytes))) {
        Ok(verdict) => verdict,
        Err(panic) => {
            let what = panic
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| panic.downcast_ref::<&str>().copied())
                .unwrap_or("a panic");
            Verdict::Bug(format!("panicked: {what}"))
        }
    }
}

fn judge(bytes: &[u8]) -> Verdict {
    // No folder: a fuzzed `{ from = … }` reads nothing from the disk.
    let parsed =
        Scenario::text_from_bytes(FILE, bytes).and_then(|t| Scenario::parse_at(FILE, t, None));
    let scenario = match parsed {
        Ok(scenario) => scenario,
        Err(e) => return rejected(bytes, &e),
    };
    for version in std::iter::once(None).chain(Version::ALL.map(Some)) {
        let run = replay_with(&scenario, version, ModelCheckPolicy::Full);
        if let Some(first) = run.disagreements.first() {
            return Verdict::Bug(format!("model and implementation disagree: {first}"));
        }
        if let Some(first) = run.broken.first() {
            return Verdict::Bug(format!("a property broke: {first}"));
        }
        // The reports must render whatever the file held.
        let _ = (run.transcript(), run.to_json());
    }
    let again = Scenario::parse_at(FILE, &scenario.to_toml(), None);
    if again.as_ref() != Ok(&scenario) {
        return Verdict::Bug(format!(
            "the scenario written back does not read back the same: {again:?}"
        ));
    }
    Verdict::Replayed
}

/// A well-formed rejection: its line and column are inside the file, and it says what and
/// how to fix it.
fn rejected(bytes: &[u8], e: &ScenarioError) -> Verdict {
    let lines = bytes.split(|&b| b == b'\n').count();
    if e.line == 0 || e.line > lines || e.column == 0 {
        return Verdict::Bug(format!(
            "error outside the file ({lines} lines): {}:{}",
            e.line, e.column
        ));
    }
    if e.message.trim().is_empty() || e.help.trim().is_empty() {
        return Verdict::Bug(format!("error without a message or a help line: {e:?}"));
    }
    // The class: the message's first words, before anything quoted or numbered.
    let message = e.message.trim_start_matches("not a valid scenario: ");
    let class: Vec<&str> = message
        .split_whitespace()
        .take_while(|w| w.chars().all(|c| c.is_ascii_alphabetic() || c == '-'))
        .take(4)
        .collect();
    Verdict::Rejected(class.join(" "))
}

/// Runs `config.inputs` inputs, alternating generated files and mutated `seeds`, and
/// calls `progress` with the number done every 1,000 inputs.
pub fn fuzz(config: &FuzzConfig, seeds: &[String], mut progress: impl FnMut(u64)) -> FuzzReport {
    let started = Instant::now();
    let mut seed = [0u8; 32];
    seed[..8].copy_from_slice(&config.seed.to_le_bytes());
    let mut rng = TestRng::from_seed(RngAlgorithm::ChaCha, &seed);
    let mut report = FuzzReport::default();
    for i in 0..config.inputs {
        let input = match (i % 2 == 0) || seeds.is_empty() {
            true => generate(&mut rng).into_bytes(),
            false => mutate(&mut rng, seeds),
        };
        let verdict = match check_input(&input) {
            Verdict::Replayed => Ok("replayed".to_string()),
            Verdict::Rejected(class) => Ok(format!("rejected: {class}")),
            Verdict::Bug(what) => Err(what),
        };
        report.count(verdict, || input, &mut progress);
    }
    report.elapsed = started.elapsed();
    report
}

impl FuzzReport {
    /// Counts one input's outcome (its class, or the bug it found, whose input is kept
    /// while fewer than 20 are), and calls `progress` every 1,000 inputs.
    fn count(
        &mut self,
        verdict: Result<String, String>,
        input: impl FnOnce() -> Vec<u8>,
        progress: &mut impl FnMut(u64),
    ) {
        let class = match verdict {
            Ok(class) => class,
            Err(what) => {
                if self.bugs.len() < MOST_KEPT {
                    self.bugs.push((input(), what));
                }
                "bug".to_string()
            }
        };
        *self.histogram.entry(class).or_default() += 1;
        self.inputs += 1;
        if self.inputs.is_multiple_of(1000) {
            progress(self.inputs);
        }
    }
}

/// The scenario files in `dir`, in name order: the seeds byte mutation starts from.
pub fn seed_files(dir: &std::path::Path) -> std::io::Result<Vec<String>> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.extension().is_some_and(|x| x == "toml") {
            files.push(path);
        }
    }
    files.sort();
    files.iter().map(std::fs::read_to_string).collect()
}

fn pick<'a, T>(rng: &mut TestRng, items: &'a [T]) -> &'a T {
    &items[rng.random_range(0..items.len())]
}

/// Values as TOML: right ones, wrong ones, huge ones, and ones of the wrong type.
const VALUES: &[&str] = &[
    "\"NET1/PO1/JDOE\"",
    "\"NET2/PO1/JDOE\"",
    "\"net1/po1/mariabl\"",
    "\"NET1/PO1/ADMIN\"",
    "\"NET1/PO1/ADMINSCH\"",
    "\"NET1/PO1\"",
    "\"NET1/PO 1/JDOE\"",
    "\"JDOE\"",
    "\"jdoe2\"",
    "\"JDOE-MS\"",
    "\"J DOE\"",
    "\"\"",
    "\"5.0\"",
    "\"5.5\"",
    "\"5.5-sp1\"",
    "\"6.0\"",
    "\"create\"",
    "\"migrate\"",
    "\"full\"",
    "\"English\"",
    "\"Spanish\"",
    "\"German\"",
    "\"Klingon\"",
    "\"Recipients\"",
    "\"Sales\"",
    "\"SALES\"",
    "\"Y\"",
    "\"N\"",
    "\"Create\"",
    "\"Update\"",
    "\"open\"",
    "\"closed\"",
    "\"wizard\"",
    "\"command-line\"",
    "\"permissions-admin\"",
    "\"service-account-admin\"",
    "\"MigrateUser\"",
    "\"Mode\"",
    "\"Common-Name\"",
    "\"migrate:MS:NET1/PO1/JDOE\"",
    "\"MS:NET1/PO1/JDOE\"",
    "\"smtp:jdoe@contoso.com\"",
    "\"X400:c=US;a= ;p=CONTOSO;o=HQ;s=JDOE;\"",
    "\"toolongtype:x\"",
    "\"a\\u0007b\"",
    "\"\\u001b[31mred\"",
    "\"line\\nbreak\"",
    "\"Ñandú\"",
    "\"../../etc/passwd\"",
    "0",
    "1",
    "3",
    "10",
    "-1",
    "4294967295",
    "4294967296",
    "10000000000",
    "10000000001",
    "9223372036854775807",
    "1e9",
    "3.5",
    "nan",
    "inf",
    "true",
    "false",
    "1979-05-27",
    "[]",
    "[\"NET1/PO1/JDOE\"]",
    "[\"NET1/PO1/JDOE\", \"NET1/PO1/JDOE\"]",
    "[1, 2]",
    "{}",
    "{ a = 1 }",
];

/// Step keys, the format's and some it does not have.
const STEP_KEYS: &[&str] = &[
    "alias",
    "name",
    "language",
    "address",
    "version",
    "phase",
    "users",
    "container",
    "directory_name",
    "user",
    "state",
    "messages",
    "field",
    "value",
    "user_list",
    "operator",
    "mode",
    "colour",
    "Alias",
    "op",
];

/// Step names, the format's and some it does not have.
const OPS: &[&str] = &[
    "create-mailbox",
    "logon",
    "add-proxy",
    "remove-proxy",
    "custom-recipient",
    "msmail-client",
    "recover-password",
    "deliver",
    "extract-user-list",
    "edit-user-list",
    "wizard",
    "wizzard",
    "",
    "WIZARD",
];

/// Values a key takes in a valid file, as TOML.
fn good_values(key: &str) -> &'static [&'static str] {
    match key {
        "alias" | "directory_name" => &[
            "\"JDOE\"",
            "\"JDOE2\"",
            "\"jdoe\"",
            "\"U1\"",
            "\"U2-MS\"",
            "\"ADMIN\"",
        ],
        "name" | "description" | "organization" | "site" => {
            &["\"John Doe\"", "\"JDOE\"", "\"CONTOSO\""]
        }
        "smtp_domain" => &["\"contoso.com\""],
        "path" => &["\"\\\\\\\\SERVER\\\\MAILDATA\""],
        "language" | "server_language" => {
            &["\"English\"", "\"Spanish\"", "\"French\"", "\"German\""]
        }
        "address" => &[
            "\"migrate:MS:N1/P1/U1\"",
            "\"MS:N1/P1/U1\"",
            "\"ms:N0/P0/U2\"",
            "\"smtp:u1@contoso.com\"",
            "\"N1/P1/U1\"",
            "\"N0/P0/U2\"",
        ],
        "version" => &["\"5.0\"", "\"5.5\"", "\"5.5-sp1\""],
        "phase" => &["\"create\"", "\"migrate\"", "\"full\""],
        "users" => &["[\"N1/P1/U1\"]", "[\"N0/P0/U2\", \"N1/P1/U1\"]"],
        "container" => &["\"Recipients\"", "\"Sales\""],
        "user" => &["\"N1/P1/U1\"", "\"N0/P0/U2\"", "\"N2/P1/U3\""],
        "state" => &["\"open\"", "\"closed\""],
        "messages" => &["0", "1", "2", "5"],
        "field" => &["\"MigrateUser\"", "\"Mode\"", "\"Common-Name\""],
        "value" => &["\"Y\"", "\"N\"", "\"Create\"", "\"\"", "\"JDOE\""],
        "user_list" => &["true", "false"],
        "operator" => &["\"permissions-admin\"", "\"service-account-admin\""],
        "mode" => &["\"wizard\"", "\"command-line\""],
        _ => VALUES,
    }
}

/// A value for `key`: mostly one it takes, sometimes anything (never, in a clean file).
fn value_for(rng: &mut TestRng, key: &str, clean: bool) -> String {
    match rng.random_range(0..8) + u32::from(clean) * 8 {
        0 => value(rng),
        _ => pick(rng, good_values(key)).to_string(),
    }
}

fn value(rng: &mut TestRng) -> String {
    match rng.random_range(0..12) {
        0 => format!("\"{}\"", "A".repeat(rng.random_range(60..400))),
        1 => rng.random_range(0..u64::MAX).to_string(),
        _ => pick(rng, VALUES).to_string(),
    }
}

fn generate(rng: &mut TestRng) -> String {
    let clean = rng.random_range(0..2) == 0;
    let mut text = String::new();
    if clean || rng.random_range(0..20) > 0 {
        text.push_str(&format!("name = {}\n", value_for(rng, "name", clean)));
    }
    let top = ["server_language", "description", "nickname"];
    for _ in 0..rng.random_range(0..2) {
        let key = match rng.random_range(0..10) {
            0 if !clean => pick(rng, &top),
            _ => &top[rng.random_range(0..2)],
        };
        text.push_str(&format!("{key} = {}\n", value_for(rng, key, clean)));
    }
    if rng.random_range(0..4) == 0 {
        let keys = ["organization", "site", "smtp_domain", "country"];
        let key = keys[rng.random_range(0..keys.len() - usize::from(clean))];
        text.push_str("[site]\n");
        text.push_str(&format!("{key} = {}\n", value_for(rng, key, clean)));
    }
    if rng.random_range(0..6) == 0 {
        text.push_str(&format!(
            "[postoffice]\npath = {}\n",
            value_for(rng, "path", clean)
        ));
    }
    for _ in 0..rng.random_range(0..5) {
        text.push_str("\n[[users]]\n");
        let address = match rng.random_range(0..10) {
            0 => value(rng),
            _ => format!(
                "\"N{}/P{}/U{}\"",
                rng.random_range(0..3),
                rng.random_range(0..2),
                rng.random_range(0..4)
            ),
        };
        text.push_str(&format!("address = {address}\n"));
        if rng.random_range(0..2) == 0 {
            text.push_str(&format!(
                "messages = {}\n",
                value_for(rng, "messages", clean)
            ));
        }
        if rng.random_range(0..5) == 0 {
            let key = ["name", "mailbox"][rng.random_range(0..2 - usize::from(clean))];
            text.push_str(&format!("{key} = {}\n", value_for(rng, key, clean)));
        }
    }
    for _ in 0..rng.random_range(0..7) {
        let op = OPS[rng.random_range(0..OPS.len() - 3 * usize::from(clean))];
        text.push_str(&format!("\n[[steps]]\nop = \"{op}\"\n"));
        // A clean step has the keys its op takes (SCENARIO-FORMAT.md), and some of the
        // optional ones; others have random keys, now and then repeated or unknown.
        let mut keys: Vec<&str> = match clean {
            true => {
                let (needs, may) = op_keys(op);
                let optional = may.iter().filter(|_| rng.random_range(0..3) == 0);
                needs.iter().chain(optional).copied().collect()
            }
            false => (0..rng.random_range(0..4))
                .map(|_| *pick(rng, STEP_KEYS))
                .collect(),
        };
        if clean || rng.random_range(0..10) > 0 {
            keys.retain(|k| !matches!(*k, "colour" | "Alias" | "op"));
            keys.sort_unstable();
            keys.dedup();
        }
        for key in keys {
            text.push_str(&format!("{key} = {}\n", value_for(rng, key, clean)));
        }
    }
    text
}

/// The keys a step needs, and the ones it may have.
fn op_keys(op: &str) -> (&'static [&'static str], &'static [&'static str]) {
    match op {
        "create-mailbox" => (&["alias"], &["name", "container", "directory_name"]),
        "logon" => (&["alias", "language"], &[]),
        "add-proxy" | "remove-proxy" => (&["alias", "address"], &[]),
        "custom-recipient" => (&["alias", "address"], &["container"]),
        "msmail-client" => (&["user", "state"], &[]),
        "recover-password" => (&["user"], &[]),
        "deliver" => (&["user", "messages"], &[]),
        "extract-user-list" => (&["version"], &["users"]),
        "edit-user-list" => (&["user", "field", "value"], &[]),
        _ => (
            &["version", "phase"],
            &["users", "user_list", "container", "operator", "mode"],
        ),
    }
}

/// Bytes a mutation inserts: a NUL, a bare carriage return, a terminal escape, invalid
/// UTF-8, a stray quote, a stray table header.
const HOSTILE_BYTES: &[&[u8]] = &[b"\0", b"\r", b"\x1b[2J", b"\xff\xfe", b"\"", b"[[steps]]\n"];

/// A seed file with a few byte-level changes.
fn mutate(rng: &mut TestRng, seeds: &[String]) -> Vec<u8> {
    let mut bytes = pick(rng, seeds).as_bytes().to_vec();
    for _ in 0..rng.random_range(1..5) {
        let at = rng.random_range(0..=bytes.len());
        match rng.random_range(0..7) {
            0 if at < bytes.len() => bytes[at] ^= 1 << rng.random_range(0..8),
            1 => bytes.insert(at, rng.random()),
            2 if at < bytes.len() => {
                let end = (at + rng.random_range(1..40)).min(bytes.len());
                bytes.drain(at..end);
            }
            3 if at < bytes.len() => {
                let end = (at + rng.random_range(1..80)).min(bytes.len());
                let copy = bytes[at..end].to_vec();
                bytes.splice(at..at, copy);
            }
            4 => {
                let other = pick(rng, seeds).as_bytes();
                let from = rng.random_range(0..=other.len());
                let end = (from + rng.random_range(1..200)).min(other.len());
                bytes.splice(at..at, other[from..end].iter().copied());
            }
            5 => {
                let v = value(rng);
                bytes.splice(at..at, v.bytes());
            }
            _ => {
                let token = pick(rng, HOSTILE_BYTES);
                bytes.splice(at..at, token.iter().copied());
            }
        }
    }
    bytes
}
