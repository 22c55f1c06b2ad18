//! Part 4's steps for the generator (RULES-PART4.md): batch runs with their command lines,
//! control files built from Q198957's keywords (valid and not), accounts files and user
//! list files (well-formed and malformed), edits of a user list file, and dated mail.
//!
//! The files live at a few fixed paths, so that a file one step writes is the one the
//! next batch run reads; the world starts with one control file for each function.

use super::Choices;
use crate::vocabulary::address::MsMailAddress;
use crate::vocabulary::files::{csv_line, MailDate, WinPath, USER_LIST_COLUMNS};
use crate::vocabulary::operation::{CsvField, Operation, Version};

/// The control files the world starts with: FULL, EXTRACT, IMPORT, and FULL for the
/// accounts file's users with dated mail bounded and a keyword that warns.
pub const CONTROL_FILES: [&str; 4] = [
    r"C:\Migrate\full.txt",
    r"C:\Migrate\extract.txt",
    r"C:\Migrate\import.txt",
    r"C:\Migrate\po1.txt",
];

/// The user list file the control files name.
pub const USER_LIST_FILE: &str = r"C:\Migrate\Userlist.csv";

/// The accounts file some control files name.
pub const ACCOUNTS_FILE: &str = r"C:\Migrate\Accounts.txt";

/// The mapped drive the generated worlds give their post office.
pub const DRIVE: &str = "M:";

/// Dates worth giving mail: inside Q198957's sample bounds, and after them.
pub const DATES: [&str; 2] = ["19950101120000", "19990105120000"];

/// The files a generated world starts with: a control file for FULL, EXTRACT and IMPORT
/// (without e-mail), an accounts file naming `users`' mailbox names (a step may write one
/// with names the post office lacks), and a user list file.
pub fn starting_files(users: &[MsMailAddress]) -> Vec<(WinPath, String)> {
    let control = |lines: &[&str]| lines.join("\r\n") + "\r\n";
    let accounts: Vec<&str> = users.iter().map(|u| u.mailbox()).collect();
    let texts = [
        (
            CONTROL_FILES[0],
            control(&["Mode,MSMAILPC", r"Postoffice,\\MAILSRV\MAILDATA\"]),
        ),
        (
            CONTROL_FILES[1],
            control(&[
                "! This is a control file for 'MS Mail' Migrations",
                "Mode,MSMAILPC",
                r"File,C:\Migrate\Userlist.csv",
                "Function,Extract",
                r"Postoffice,M:\",
            ]),
        ),
        (
            CONTROL_FILES[2],
            control(&[
                "Mode,MSMAILPC",
                r"File,C:\Migrate\Userlist.csv",
                "Function,IMPORT",
                "Email,FALSE",
                r"Postoffice,\\MAILSRV\MAILDATA",
            ]),
        ),
        (USER_LIST_FILE, starting_list(users)),
        (
            CONTROL_FILES[3],
            control(&[
                "Mode,MSMAILPC",
                r"Accounts,C:\Migrate\Accounts.txt",
                "EmailStart,19950101000000",
                "EmailEnd,19950102000000",
                "POName,Region1PO",
                r"Postoffice,M:\",
            ]),
        ),
        (ACCOUNTS_FILE, control(&accounts)),
    ];
    texts
        .into_iter()
        .filter_map(|(path, text)| Some((path.parse().ok()?, text)))
        .collect()
}

/// The user list file the world starts with, as 5.5 extracts it, but for the first user's
/// row, whose Mode an administrator left blank (W-LIST-UPDATE), and the last user's, whose
/// Home-Server names another server (B-HOME).
fn starting_list(users: &[MsMailAddress]) -> String {
    let mut lines = vec![csv_line(&USER_LIST_COLUMNS)];
    for (i, user) in users.iter().enumerate() {
        let name = user.mailbox();
        let mode = if i == 0 { "" } else { "Create" };
        let home = if i > 0 && i + 1 == users.len() {
            "EXSRV2"
        } else {
            "~SERVER"
        };
        let migrate = format!("migrate:MS:{user}");
        let row = [
            name,
            "",
            "Y",
            "Mailbox",
            mode,
            name,
            "",
            home,
            migrate.as_str(),
        ];
        lines.push(csv_line(&row));
    }
    lines.join("\r\n") + "\r\n"
}

/// A delivery's date: none mostly, else one of [`DATES`].
pub fn date(c: &mut impl Choices) -> Option<MailDate> {
    match c.weighted(&[3, 1]) {
        0 => None,
        _ => c.one_of(&DATES).parse().ok(),
    }
}

/// OP-MAILMIG: a version and a command line, mostly right, now and then not.
pub fn mailmig(c: &mut impl Choices) -> Operation {
    let version = c.one_of(&Version::ALL);
    let control = CONTROL_FILES[c.weighted(&[3, 3, 3, 3])];
    let command = match c.weighted(&[10, 2, 1, 1, 1, 1, 1]) {
        0 => format!("/C:{control} /A:ADMIN /P:PASSWORD"),
        1 => format!("/c:{control} /a:admin /p:password /s"),
        2 => format!("/C:{control} /A:ADMIN /P:WRONG"),
        3 => format!("/C:{control} /S"),
        4 => "/A:ADMIN /P:PASSWORD".to_string(),
        5 => format!("/C:{control} /A:ADMIN /P:PASSWORD /X"),
        _ => r"/C:C:\Migrate\none.txt /A:ADMIN /P:PASSWORD".to_string(),
    };
    Operation::Mailmig { version, command }
}

/// The fixed paths, read once: [`CONTROL_FILES`], then the accounts file and the user list
/// file (a step is drawn millions of times).
fn paths() -> &'static [WinPath; 6] {
    static PATHS: std::sync::OnceLock<[WinPath; 6]> = std::sync::OnceLock::new();
    PATHS.get_or_init(|| {
        let [a, b, c, d] = CONTROL_FILES;
        [a, b, c, d, ACCOUNTS_FILE, USER_LIST_FILE].map(|p| p.parse().expect("a fixed path"))
    })
}

/// OP-FILE, the whole text: a control file, the accounts file or the user list file.
pub fn write_file(c: &mut impl Choices, users: &[MsMailAddress]) -> Operation {
    let (path, text) = match c.weighted(&[4, 1, 2]) {
        0 => (
            paths()[c.below(CONTROL_FILES.len())].clone(),
            control_text(c),
        ),
        1 => (paths()[4].clone(), accounts_text(c, users)),
        _ => (paths()[5].clone(), user_list_text(c, users)),
    };
    Operation::WriteFile { path, text }
}

/// OP-FILE, one field of one row of the user list file.
pub fn edit_file(c: &mut impl Choices, users: &[MsMailAddress]) -> Operation {
    let mut names: Vec<&str> = users.iter().map(|u| u.mailbox()).collect();
    names.push("NOBODY");
    let user = c.one_of(&names).to_string();
    let field = c.one_of(CsvField::ALL);
    let value = match field {
        CsvField::MigrateUser => c.one_of(&["Y", "N", "n", "maybe"]),
        CsvField::Mode => c.one_of(&["Create", "", "Update"]),
        CsvField::CommonName => c.one_of(&["JDOE2", "ana", "J DOE"]),
        CsvField::HomeServer => c.one_of(&["~SERVER", "EXSRV1", "exsrv1", "EXSRV2", ""]),
    };
    Operation::EditFile {
        path: paths()[5].clone(),
        user,
        field,
        value: value.to_string(),
    }
}

/// A control file from Q198957's keywords: Mode first, mostly; a function, the files it
/// needs, the post office, and now and then the keywords that warn, stop or bound the run,
/// comments, blank lines, odd case and spaces.
fn control_text(c: &mut impl Choices) -> String {
    let mut lines: Vec<String> = Vec::new();
    if c.below(4) == 0 {
        lines.push("! This is a control file for 'MS Mail' Migrations".to_string());
    }
    let mode = match c.weighted(&[12, 2, 1, 1, 1]) {
        0 => Some("Mode,MSMAILPC"),
        1 => Some("mode , msmailpc"),
        2 => Some("Mode,CCMAIL"),
        3 => Some("Mode,BOGUS"),
        _ => None,
    };
    let function = [
        None,
        Some("FULL"),
        Some("Extract"),
        Some("IMPORT"),
        Some("Both"),
    ][c.weighted(&[3, 3, 3, 3, 1])];
    if let Some(f) = function {
        lines.push(format!("Function,{f}"));
    }
    let needs_file = matches!(function, Some("Extract" | "IMPORT"));
    if needs_file && c.below(6) != 0 {
        lines.push(format!("File,{USER_LIST_FILE}"));
    }
    let postoffice = [
        Some(r"Postoffice,\\MAILSRV\MAILDATA\"),
        Some(r"Postoffice,M:\ "),
        Some(r"PostOffice, \\mailsrv\maildata"),
        Some(r"Postoffice,\\OTHER\MAILDATA"),
        None,
    ][c.weighted(&[4, 4, 2, 1, 1])];
    lines.extend(postoffice.map(str::to_string));
    for _ in 0..c.below(4) {
        lines.push(c.one_of(&EXTRAS).to_string());
    }
    if c.below(4) == 0 {
        lines.push(c.one_of(&STOPPERS).to_string());
    }
    if let Some(mode) = mode {
        // Mode is the first line but for a comment, or now and then misplaced.
        let at = match c.weighted(&[8, 1]) {
            0 => usize::from(lines.first().is_some_and(|l| l.starts_with('!'))),
            _ => lines.len(),
        };
        lines.insert(at, mode.to_string());
    }
    let end = if c.below(3) == 0 { "\n" } else { "\r\n" };
    lines.join(end) + end
}

/// Lines a control file may also hold that let the run go on.
const EXTRAS: [&str; 18] = [
    "Email,FALSE",
    "Email,TRUE",
    "Schedule,FALSE",
    "Schedule,TRUE",
    "Mailbox,FALSE",
    "EmailStart,19950101000000",
    "EmailEnd,19950102000000",
    "PUBLIC,FALSE",
    "POName,Region1PO",
    "GWRTF,TRUE",
    "",
    "! a comment",
    "ImportDestination,SERVER",
    "Home-Server,EXSRV1",
    "Container,Sales",
    "NTAccounts,RANDOM",
    r"Accounts,C:\Migrate\Accounts.txt",
    r"Accounts,C:\Migrate\Accounts.txt",
];

/// Lines that stop a run (B-LINE, B-VALUES, B-UNNEEDED, B-STOP).
const STOPPERS: [&str; 8] = [
    "EmailEnd,19951301000000",
    "PAB,maybe",
    "Bogus,1",
    "no comma here",
    "ImportDestination,PST",
    "Home-Server,HONGKONG01",
    r"Accounts,C:\Migrate\none.txt",
    "Function,FULL",
];

/// The accounts file: some of the users' mailbox names, in any case, perhaps one twice,
/// one the post office lacks, and blank lines.
fn accounts_text(c: &mut impl Choices, users: &[MsMailAddress]) -> String {
    let mut lines = Vec::new();
    for _ in 0..1 + c.below(3) {
        let name = c.one_of(users).mailbox().to_string();
        lines.push(match c.below(3) {
            0 => name.to_ascii_lowercase(),
            _ => name,
        });
    }
    if c.below(3) == 0 {
        lines.push(c.one_of(&["NOBODY", "", "  "]).to_string());
    }
    lines.join("\r\n") + "\r\n"
}

/// A user list file: a version's header and a row for some users (with the post office's
/// users' names, one it lacks now and then, and Home-Server, Mode and MigrateUser set any
/// way), or one that is not a user list.
fn user_list_text(c: &mut impl Choices, users: &[MsMailAddress]) -> String {
    let columns = if c.below(3) != 0 { 9 } else { 8 };
    let header = &USER_LIST_COLUMNS[..columns];
    let mut lines = vec![csv_line(header)];
    for _ in 0..1 + c.below(3) {
        let user = c.one_of(users);
        let name = match c.weighted(&[6, 1]) {
            0 => user.mailbox().to_string(),
            _ => "NOBODY".to_string(),
        };
        let mut row = vec![
            name.clone(),
            "Doe, Jane".to_string(),
            c.one_of(&["Y", "Y", "N"]).to_string(),
            "Mailbox".to_string(),
            c.one_of(&["Create", "Create", ""]).to_string(),
            name,
            "Doe, Jane".to_string(),
            c.one_of(&["~SERVER", "~SERVER", "EXSRV1", "EXSRV2"])
                .to_string(),
        ];
        if header.len() == 9 {
            row.push(format!("migrate:MS:{user}"));
        }
        lines.push(csv_line(&row));
    }
    match c.weighted(&[8, 1, 1, 1]) {
        0 => {}
        1 => lines.push("JDOE,\"open".to_string()),
        2 => lines.push("JDOE,Y".to_string()),
        _ => lines[0] = lines[0].replace("SFS_UserName", "UserName"),
    }
    lines.join("\r\n") + "\r\n"
}
