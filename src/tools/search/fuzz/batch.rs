//! The batch run's fuzz harness (issue 37): control files, accounts files and user list
//! files as an administrator might write them, half-right, mutated or hostile (10^5 lines,
//! a field of a megabyte, a byte order mark, UTF-16, lines ended by CR alone, NUL, U+202E),
//! run by `mailmig` on the model and the implementation. On every input: nothing panics,
//! the two halves answer and end alike, and the transcript of the step shows no control
//! character but its line ends.
//!
//! ```
//! use migwiz::tools::fuzz::batch::fuzz_batch;
//! use migwiz::tools::fuzz::FuzzConfig;
//! let report = fuzz_batch(&FuzzConfig { inputs: 300, seed: 3 }, |_| {});
//! assert!(report.bugs.is_empty(), "{:?}", report.bugs);
//! assert_eq!(report.inputs, 300);
//! ```

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::Instant;

use proptest::prelude::RngExt;
use proptest::test_runner::{RngAlgorithm, TestRng};

use super::{pick, FuzzConfig, FuzzReport};
use crate::model::Model;
use crate::server::Server;
use crate::tools::runs::describe::describe_step;
use crate::vocabulary::files::WinPath;
use crate::vocabulary::operation::{Operation, Version};
use crate::vocabulary::setup::{MsMailUser, Setup};

/// Lines a control file is built from: right, wrong, odd.
const LINES: &[&str] = &[
    "Mode,MSMAILPC",
    "mode , msmailpc",
    "Mode,CCMAIL",
    "Mode,",
    "Function,FULL",
    "Function,Extract",
    "Function,IMPORT",
    "Function,Both",
    "File,C:\\Migrate\\Userlist.csv",
    "File,",
    "Accounts,C:\\Migrate\\Accounts.txt",
    "Postoffice,\\\\MAILSRV\\MAILDATA\\",
    "Postoffice,M:\\",
    "Postoffice,\\\\OTHER\\X",
    "Email,FALSE",
    "Schedule,TRUE",
    "Mailbox,FALSE",
    "EmailStart,19950101000000",
    "EmailEnd,19991231235959",
    "EmailEnd,20000230000000",
    "POName,Region1PO",
    "ImportDestination,PST",
    "Home-Server,EXSRV1",
    "Container,Sales",
    "Container,",
    "Bogus,1",
    "no comma",
    "! comment",
    "",
    ",",
    "Mode,MSMAILPC,extra",
];

/// What a hostile file may hold.
const HOSTILE: &[&str] = &[
    "\u{feff}",
    "\r",
    "\0",
    "\u{202e}",
    "\"",
    "\"\"",
    ",,,,",
    "\u{1b}[2J",
    "é",
    "\t",
];

/// A control file: lines drawn from [`LINES`], joined by CR LF, LF or CR alone, and now
/// and then salted with [`HOSTILE`] text.
fn control(rng: &mut TestRng) -> String {
    let mut lines: Vec<String> = Vec::new();
    if rng.random_range(0..4) != 0 {
        lines.push("Mode,MSMAILPC".to_string());
    }
    for _ in 0..rng.random_range(0..7) {
        lines.push(pick(rng, LINES).to_string());
    }
    salt(rng, &mut lines);
    let end = *pick(rng, &["\r\n", "\n", "\r\n", "\r"]);
    lines.join(end) + end
}

/// A user list file: the header in some order, rows for the world's users and others.
fn user_list(rng: &mut TestRng) -> String {
    let mut header = crate::vocabulary::files::USER_LIST_COLUMNS.to_vec();
    if rng.random_range(0..3) == 0 {
        let other = rng.random_range(0..header.len());
        header.swap(0, other);
    }
    let mut lines = vec![header.join(",")];
    for _ in 0..rng.random_range(0..5) {
        let name = *pick(rng, &["JDOE", "jdoe", "ANA", "NOBODY", "ADMINSCH", ""]);
        let fields: Vec<String> = header
            .iter()
            .map(|column| match *column {
                "SFS_UserName" | "Common-Name" => name.to_string(),
                "MigrateUser" => pick(rng, &["Y", "N", "y", "maybe"]).to_string(),
                "Mode" => pick(rng, &["Create", "", "Update"]).to_string(),
                "Home-Server" => pick(rng, &["~SERVER", "EXSRV1", "EXSRV2", ""]).to_string(),
                "Secondary-Proxy-Addresses" => {
                    pick(rng, &["migrate:MS:NET1/PO1/JDOE", "", "bad"]).to_string()
                }
                _ => pick(rng, &["Doe, Jane", "x", "\"q\""]).to_string(),
            })
            .map(|f| crate::vocabulary::files::csv_field(&f))
            .collect();
        lines.push(fields.join(","));
    }
    salt(rng, &mut lines);
    lines.join("\r\n") + "\r\n"
}

/// Now and then, hostile text in a line, a line copied, or a line dropped.
fn salt(rng: &mut TestRng, lines: &mut Vec<String>) {
    for _ in 0..rng.random_range(0..3) {
        if lines.is_empty() {
            return;
        }
        let at = rng.random_range(0..lines.len());
        match rng.random_range(0..4) {
            0 => {
                let hostile = *pick(rng, HOSTILE);
                let wanted = rng.random_range(0..=lines[at].len());
                let line = &mut lines[at];
                let cut = (0..=wanted)
                    .rev()
                    .find(|&i| line.is_char_boundary(i))
                    .unwrap_or(0);
                line.insert_str(cut, hostile);
            }
            1 => {
                let copy = lines[at].clone();
                lines.insert(at, copy);
            }
            2 => {
                lines.remove(at);
            }
            _ => lines.swap(0, at),
        }
    }
}

/// One of the huge inputs the issue names, built once per kind.
fn huge(rng: &mut TestRng) -> (String, String) {
    match rng.random_range(0..4) {
        0 => (
            "Mode,MSMAILPC\r\n".to_string() + &"! comment\r\n".repeat(100_000),
            String::new(),
        ),
        1 => (
            format!("Mode,MSMAILPC\r\nPOName,{}\r\n", "x".repeat(1 << 20)),
            String::new(),
        ),
        2 => (
            "Mode,MSMAILPC\r\nFunction,IMPORT\r\nFile,C:\\Migrate\\Userlist.csv\r\nPostoffice,M:\\\r\n".to_string(),
            format!("SFS_UserName,Home-Server\r\n{}", "JDOE,~SERVER\r\n".repeat(100_000)),
        ),
        _ => (
            // UTF-16 read as bytes: NULs between the letters.
            "M\0o\0d\0e\0,\0M\0S\0M\0A\0I\0L\0P\0C\0\r\0\n\0".to_string(),
            String::new(),
        ),
    }
}

/// The world every input runs in: two users and the drive M:.
fn world(control: &str, list: &str, accounts: &str) -> Setup {
    let users = ["NET1/PO1/JDOE", "NET1/PO2/ANA"]
        .iter()
        .filter_map(|a| Some(MsMailUser::new(a.parse().ok()?, 2)))
        .collect();
    let path = |p: &str| p.parse::<WinPath>().expect("a fixed path");
    Setup::new(Default::default(), Default::default(), users)
        .expect("two distinct users")
        .with_postoffice_drive(Some("M:"))
        .with_files(vec![
            (path("C:\\Migrate\\po1.txt"), control.to_string()),
            (path("C:\\Migrate\\Userlist.csv"), list.to_string()),
            (path("C:\\Migrate\\Accounts.txt"), accounts.to_string()),
        ])
}

/// One input: both halves run it; what they came to, or the bug.
fn judge(setup: &Setup, version: Version) -> Result<String, String> {
    let op = Operation::Mailmig {
        version,
        command: "/C:C:\\Migrate\\po1.txt /A:ADMIN /P:PASSWORD /S".to_string(),
    };
    let (mut model, mut server) = (Model::new(setup), Server::new(setup));
    let (expected, got) = (model.apply(&op), server.apply(&op));
    if expected != got {
        return Err(format!("the halves answer apart: {expected:?} / {got:?}"));
    }
    if model.observe() != server.observe() {
        return Err("the halves end in different states".to_string());
    }
    let shown = describe_step(&op, &got, &server);
    if shown
        .chars()
        .any(|c| c.is_control() || ('\u{202a}'..='\u{202e}').contains(&c))
    {
        return Err(format!(
            "the transcript shows a raw control character: {shown:?}"
        ));
    }
    let code = got.batch.as_ref().map_or(9, |b| b.result_code);
    Ok(format!("result code {code}"))
}

/// Runs `config.inputs` batch inputs; calls `progress` every 1,000.
pub fn fuzz_batch(config: &FuzzConfig, mut progress: impl FnMut(u64)) -> FuzzReport {
    let started = Instant::now();
    let mut seed = [0u8; 32];
    seed[..8].copy_from_slice(&config.seed.to_le_bytes());
    seed[8] = 4; // apart from the scenario fuzzer's stream
    let mut rng = TestRng::from_seed(RngAlgorithm::ChaCha, &seed);
    let mut report = FuzzReport::default();
    for i in 0..config.inputs {
        let (control, list) = match i % 500 == 499 {
            true => huge(&mut rng),
            false => (control(&mut rng), user_list(&mut rng)),
        };
        let accounts = *pick(&mut rng, &["JDOE\r\nANA\r\n", "jdoe\r\n\r\nNOBODY\r\n", ""]);
        let version = *pick(&mut rng, &Version::ALL);
        let setup = world(&control, &list, accounts);
        let verdict = catch_unwind(AssertUnwindSafe(|| judge(&setup, version)))
            .unwrap_or_else(|_| Err("panicked".to_string()));
        let input = || (control + "\n---\n" + &list).into_bytes();
        report.count(verdict, input, &mut progress);
    }
    report.elapsed = started.elapsed();
    report
}
