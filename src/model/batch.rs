//! The batch run in the reference model (RULES-PART4.md OP-MAILMIG, B-LINE … B-RESULT):
//! the command line, the control file line by line, then the run it asks for.
//!
//! Read in the table's order, each rule a plain loop over the lines, so that the first
//! rule that stops the run gives its message (B-STOP).

use super::files::{self, read_accounts, read_user_list};
use super::texts;
use super::wizard::Run;
use super::{same, Model, Row};
use crate::vocabulary::address::{Alias, ProxyAddress};
use crate::vocabulary::container::Container;
use crate::vocabulary::files::{csv_line, split_csv_at, USER_LIST_COLUMNS};
use crate::vocabulary::operation::{Chosen, Function, Mode, Phase, Version, WizardRun};
use crate::vocabulary::outcome::{BatchReport, Refusal, StepResult};
use crate::vocabulary::planted::{planted, Mistake};
use crate::vocabulary::rules::RuleId::{self, *};

/// The keywords Q198957 documents that MSMAILPC reads, spelt as Q198957 spells them.
const READ: [&str; 18] = [
    "Mode",
    "Home-Server",
    "Container",
    "Function",
    "File",
    "Accounts",
    "Postoffice",
    "Mailbox",
    "Email",
    "EmailStart",
    "EmailEnd",
    "Schedule",
    "Public",
    "PAB",
    "Template",
    "NTAccounts",
    "NTDomain",
    "ImportDestination",
];

/// The keywords Q198957 documents that MSMAILPC ignores (B-UNNEEDED).
const UNNEEDED: [&str; 16] = [
    "GWDomain",
    "POName",
    "Secure",
    "Encrypted",
    "Port",
    "DefFldPerms",
    "FldOwner",
    "PSTPath",
    "GWUserGRPName",
    "SchdStart",
    "SchdEnd",
    "Phone",
    "Appointments",
    "Notes",
    "Tasks",
    "GWRTF",
];

/// A stopped run (B-STOP): the rule that stopped it, and what it says.
struct Stop {
    rule: RuleId,
    message: String,
}

fn stop(rule: RuleId, message: String) -> Stop {
    Stop { rule, message }
}

/// One `Keyword,Value` line of the control file.
struct Line {
    number: usize,
    keyword: String,
    value: String,
}

/// What the control file asked for, once every rule let it run.
struct Plan {
    function: Function,
    /// The users, each with its row, in the order the run takes them.
    picked: Vec<(usize, Row)>,
    /// Names the post office does not hold, each to log 7034.
    unknown: Vec<String>,
    /// The rule that chose the users (B-ACCOUNTS or F-CSV), for the 7034s.
    chosen_by: RuleId,
    file: Option<String>,
    mailbox: bool,
    email: bool,
    schedule: bool,
    bounds: (Option<u64>, Option<u64>),
    /// `Container`: where new mailboxes go (A-CONT).
    container: Option<Container>,
    /// Whether the users came from an accounts file (F-ACCOUNTS).
    accounts_read: bool,
}

/// The value of `keyword` among the lines, if given.
fn value_of<'l>(lines: &'l [Line], keyword: &str) -> Option<&'l str> {
    for line in lines {
        if same(&line.keyword, keyword) {
            return Some(&line.value);
        }
    }
    None
}

/// The keyword as Q198957 spells it, if it is one.
fn spelt(keyword: &str) -> Option<&'static str> {
    READ.into_iter().chain(UNNEEDED).find(|k| same(k, keyword))
}

/// A boolean keyword's value: its default when absent.
fn flag(lines: &[Line], keyword: &str, default: bool) -> bool {
    match value_of(lines, keyword) {
        Some(v) => same(v, "TRUE"),
        None => default,
    }
}

/// B-VALUES: 14 digits naming a real date and time (F-DATE's form, read by the
/// vocabulary, as the server reads it).
fn is_date(text: &str) -> bool {
    text.parse::<crate::vocabulary::files::MailDate>().is_ok()
}

/// B-VALUES: a path Windows could name.
fn is_path(text: &str) -> bool {
    let bad = |c: char| c.is_control() || "<>\"|?*".contains(c);
    !text.is_empty() && text.chars().count() <= 260 && !text.chars().any(bad)
}

fn one_of(value: &str, words: &[&str]) -> bool {
    words.iter().any(|w| same(w, value))
}

/// The command line's switches: control file, account, password (OP-MAILMIG).
fn switches(command: &str) -> Result<(String, Option<String>, String), Stop> {
    // Split at spaces outside double quotes; the quotes themselves go.
    let mut tokens: Vec<String> = Vec::new();
    let mut token = String::new();
    let mut quoted = false;
    for c in command.chars() {
        if c == '"' {
            quoted = !quoted;
        } else if c.is_whitespace() && !quoted {
            if !token.is_empty() {
                tokens.push(std::mem::take(&mut token));
            }
        } else {
            token.push(c);
        }
    }
    if !token.is_empty() {
        tokens.push(token);
    }
    let mut control = None;
    let mut account = None;
    let mut password = None;
    let mut silent = false;
    for token in tokens {
        let upper = token.to_ascii_uppercase();
        let (slot, name) = if upper.starts_with("/C:") {
            (&mut control, "/C:")
        } else if upper.starts_with("/A:") {
            (&mut account, "/A:")
        } else if upper.starts_with("/P:") {
            (&mut password, "/P:")
        } else if upper == "/S" && !silent {
            silent = true; // B: /S changes nothing here (OP-MAILMIG)
            continue;
        } else if upper == "/S" {
            let message = "Switch '/S' is given twice on the command line.".to_string();
            return Err(stop(OpMailmig, message));
        } else {
            let message = format!("Unknown switch '{token}' on the command line.");
            return Err(stop(OpMailmig, message));
        };
        if slot.is_some() {
            let message = format!("Switch '{name}' is given twice on the command line.");
            return Err(stop(OpMailmig, message));
        }
        *slot = Some(token[3..].to_string());
    }
    let Some(control) = control else {
        let message = "Required switch '/C:' is missing on the command line.".to_string();
        return Err(stop(OpMailmig, message));
    };
    Ok((control, account, password.unwrap_or_default()))
}

/// B-LINE: the lines that are not comments or blank, split at their first comma.
fn control_lines(text: &str) -> Result<Vec<Line>, Stop> {
    let mut lines: Vec<Line> = Vec::new();
    for (i, line) in crate::vocabulary::files::lines(text)
        .into_iter()
        .enumerate()
    {
        let number = i + 1;
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('!') {
            continue;
        }
        let Some(comma) = line.find(',') else {
            let message =
                format!("Line {number} of the control file is not a keyword and a value.");
            return Err(stop(BLine, message));
        };
        let keyword = line[..comma].trim().to_string();
        let value = line[comma + 1..].trim().to_string();
        for earlier in &lines {
            if same(&earlier.keyword, &keyword) {
                let name = spelt(&keyword).unwrap_or(&earlier.keyword);
                let message = format!(
                    "Keyword '{name}' is given twice, on lines {} and {number}.",
                    earlier.number
                );
                return Err(stop(BLine, message));
            }
        }
        lines.push(Line {
            number,
            keyword,
            value,
        });
    }
    Ok(lines)
}

/// A batch run in progress (FULL, IMPORT), between its units: what its `end` reports.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Batching {
    /// The report so far: the function and the warnings, read by `start`.
    report: BatchReport,
    /// Whether a unit of the run logged an event of type Error (B-RESULT).
    error: bool,
}

impl Batching {
    /// Notes the events a unit of the run logged.
    pub(super) fn saw(&mut self, events: &[crate::vocabulary::event::Event]) {
        for event in events {
            if event.kind == "Error" {
                self.error = true;
            }
        }
    }

    /// The run's report, with its result code (B-RESULT).
    pub(super) fn report(mut self) -> BatchReport {
        self.report.result_code = result_code(self.error, &self.report.warnings);
        self.report
    }
}

/// B-RESULT: 2 for an event of type Error, else 1 for a warning, else 0.
fn result_code(error: bool, warnings: &[String]) -> u8 {
    if error {
        2
    } else if !warnings.is_empty() && !planted(Mistake::WarningsUncounted) {
        1
    } else {
        0
    }
}

impl Model {
    /// OP-MAILMIG run alone: its `start`, then its units back to back (C-SEQ).
    pub(super) fn mailmig(&mut self, version: Version, command: &str) -> StepResult {
        let result = self.batch_start(version, command);
        self.drive(result)
    }

    /// A batch run's `start` (C-UNITS): reads the command line and the control file. A run
    /// that stops, or only extracts, ends here with its result code (B-RESULT); FULL and
    /// IMPORT go on as a wizard step whose `end` gives it.
    pub(super) fn batch_start(&mut self, version: Version, command: &str) -> StepResult {
        if self.in_progress.is_some() {
            // One wizard at a time (C-CLIENTS), as `start` refuses a second step.
            let user = "a second wizard step".to_string();
            return StepResult::refused(Refusal::UnknownUser { user }, []);
        }
        let mut report = BatchReport::default();
        let plan = match self.read_batch(version, command, &mut report) {
            Ok(plan) => plan,
            Err(Stop { rule, message }) => {
                if planted(Mistake::StoppedRunLogs) {
                    let counts = texts::Counts::default();
                    self.events
                        .push(texts::event_10068(&self.postoffice_path, &counts));
                }
                // B-STOP: nothing changes, nothing is logged; result code 2.
                report.result_code = 2;
                report.message = Some(message.clone());
                let refusal = Refusal::BatchStopped { message };
                let mut result = StepResult::refused(refusal, [OpMailmig, BStop, rule, BResult]);
                result.batch = Some(Box::new(report));
                return result;
            }
        };
        let mut rules = vec![OpMailmig, BFunc, FFiles, FAdmin];
        if !report.warnings.is_empty() {
            rules.push(BUnneeded);
        }
        if plan.accounts_read {
            rules.extend([FAccounts, BAccounts]);
        }
        let logged = self.events.len();
        let mut batch = Batching {
            report,
            error: false,
        };
        let mut result = match plan.function {
            Function::Extract => {
                let mut result = self.batch_extract(version, plan);
                batch.saw(&self.events[logged..]);
                result.batch = Some(Box::new(batch.report()));
                result.rules.insert(BResult);
                result
            }
            _ => self.batch_wizard(version, plan, batch, logged),
        };
        result.rules.extend(rules);
        result
    }

    /// Everything that may stop the run, in B-STOP's order; what the run will do.
    fn read_batch(
        &self,
        version: Version,
        command: &str,
        report: &mut BatchReport,
    ) -> Result<Plan, Stop> {
        let (control, account, password) = switches(command)?;
        let Some(file) = files::find(&self.files, &control) else {
            return Err(stop(FFiles, texts::cannot_open(&control)));
        };
        let lines = control_lines(&file.text)?;
        // B-MODE: the first line is Mode, and its value MSMAILPC.
        let first_is_mode = lines.first().is_some_and(|l| same(&l.keyword, "Mode"));
        if !first_is_mode {
            return Err(stop(BMode, texts::required("mode")));
        }
        let mode = &lines[0].value;
        if !same(mode, "MSMAILPC") {
            let message = match texts::mode_system(mode) {
                Some(system) => texts::mode_not_modelled(mode, system),
                None => texts::invalid(mode, "Mode"),
            };
            return Err(stop(BMode, message));
        }
        let function = match value_of(&lines, "Function") {
            None => Some(Function::Full),
            Some(v) if same(v, "FULL") => Some(Function::Full),
            Some(v) if same(v, "EXTRACT") => Some(Function::Extract),
            Some(v) if same(v, "IMPORT") => Some(Function::Import),
            Some(_) => None,
        };
        report.function = function;
        self.required(&lines, function, account.as_deref(), &password)?;
        self.check_values(&lines)?;
        // B-UNNEEDED: unknown keywords stop the run; ignored ones warn.
        for line in &lines {
            let Some(name) = spelt(&line.keyword) else {
                let message = format!("Unknown keyword '{}' in the control file.", line.keyword);
                return Err(stop(BUnneeded, message));
            };
            let ignored = UNNEEDED.contains(&name)
                || (name == "Accounts" && function == Some(Function::Import));
            if ignored {
                report.warnings.push(texts::unnecessary(name));
            }
        }
        let function = function.unwrap_or(Function::Full);
        let mut plan = Plan {
            function,
            picked: Vec::new(),
            unknown: Vec::new(),
            chosen_by: BAccounts,
            file: value_of(&lines, "File").map(str::to_string),
            mailbox: flag(&lines, "Mailbox", true),
            email: flag(&lines, "Email", true),
            schedule: flag(&lines, "Schedule", true),
            bounds: (
                value_of(&lines, "EmailStart").map(|d| d.parse().unwrap_or(0)),
                value_of(&lines, "EmailEnd").map(|d| d.parse().unwrap_or(0)),
            ),
            container: value_of(&lines, "Container").and_then(|c| c.parse().ok()),
            accounts_read: false,
        };
        if function == Function::Import {
            self.rows_from_file(&mut plan)?;
        } else {
            self.users_from_accounts(version, value_of(&lines, "Accounts"), &mut plan)?;
        }
        Ok(plan)
    }

    /// B-REQUIRED: Postoffice; File for EXTRACT and IMPORT; the administrator's logon.
    fn required(
        &self,
        lines: &[Line],
        function: Option<Function>,
        account: Option<&str>,
        password: &str,
    ) -> Result<(), Stop> {
        if value_of(lines, "Postoffice").is_none() {
            return Err(stop(BRequired, texts::required("Postoffice")));
        }
        let needs_file = matches!(function, Some(Function::Extract | Function::Import));
        if needs_file && value_of(lines, "File").is_none() {
            return Err(stop(BRequired, texts::required("File")));
        }
        let logged_on = match account {
            Some(a) => same(a, &self.admin.0) && same(password, &self.admin.1),
            None => false,
        };
        if !logged_on {
            let message = format!(
                "Could not log on to the postoffice as '{}'.",
                account.unwrap_or("")
            );
            return Err(stop(FAdmin, message));
        }
        Ok(())
    }

    /// B-VALUES: each line's value, in file order.
    fn check_values(&self, lines: &[Line]) -> Result<(), Stop> {
        for line in lines {
            let value = line.value.as_str();
            let Some(name) = spelt(&line.keyword) else {
                continue; // B-UNNEEDED judges it
            };
            let fine = match name {
                "Function" => one_of(value, &["FULL", "EXTRACT", "IMPORT"]),
                "File" | "Accounts" => is_path(value),
                "Postoffice" => self.names_postoffice(value),
                "Mailbox" | "Email" | "Schedule" | "Public" | "PAB" => {
                    one_of(value, &["TRUE", "FALSE"])
                }
                "EmailStart" | "EmailEnd" => is_date(value),
                "Template" | "NTDomain" => !value.is_empty(),
                "Home-Server" => same(value, &self.server_name),
                "Container" => value.parse::<Container>().is_ok(),
                "NTAccounts" => one_of(value, &["RANDOM", "ALIAS", "NO"]),
                "ImportDestination" if same(value, "PST") => {
                    let message = format!("ImportDestination '{value}' is not modelled: migwiz holds no personal folder files; use ImportDestination,SERVER.");
                    return Err(stop(BValues, message));
                }
                "ImportDestination" => same(value, "SERVER"),
                _ => true, // Mode was read by B-MODE; ignored keywords are not read
            };
            if !fine {
                return Err(stop(BValues, texts::invalid(value, name)));
            }
        }
        Ok(())
    }

    /// B-VALUES: `Postoffice` names this post office, by its path or its drive, a
    /// trailing `\` ignored.
    fn names_postoffice(&self, value: &str) -> bool {
        let bare = |p: &str| p.trim_end_matches(['\\', '/']).to_string();
        let value = bare(value);
        if !value.is_empty() && files::same_path(&value, &bare(&self.postoffice_path)) {
            return true;
        }
        match &self.postoffice_drive {
            Some(drive) => !value.is_empty() && files::same_path(&value, &bare(drive)),
            None => false,
        }
    }

    /// The first user whose mailbox name is `name`, without case.
    fn user_named(&self, name: &str) -> Option<usize> {
        self.users.iter().position(|u| same(&u.mailbox_name, name))
    }

    /// B-ACCOUNTS: the accounts file's users, or every user; ADMINSCH never (A-ADMIN).
    fn users_from_accounts(
        &self,
        version: Version,
        accounts: Option<&str>,
        plan: &mut Plan,
    ) -> Result<(), Stop> {
        let Some(path) = accounts else {
            for u in 0..self.users.len() {
                if self.users[u].mailbox_name != "ADMINSCH" {
                    plan.picked.push((u, self.default_row(version, u)));
                }
            }
            return Ok(());
        };
        let Some(file) = files::find(&self.files, path) else {
            return Err(stop(FFiles, texts::cannot_open(path)));
        };
        plan.accounts_read = true;
        for name in read_accounts(&file.text) {
            match self.user_named(&name) {
                Some(u) if self.users[u].mailbox_name == "ADMINSCH" => {}
                Some(u) => plan.picked.push((u, self.default_row(version, u))),
                None => plan.unknown.push(name),
            }
        }
        Ok(())
    }

    /// OP-IMPORT from `File` (F-CSV): every row read and judged before anything runs; the
    /// rows marked `Y`, in file order.
    fn rows_from_file(&self, plan: &mut Plan) -> Result<(), Stop> {
        let path = plan.file.clone().unwrap_or_default();
        let Some(file) = files::find(&self.files, &path) else {
            return Err(stop(FFiles, texts::cannot_open(&path)));
        };
        let list = read_user_list(&file.text).map_err(|(line, column, what)| {
            stop(FCsv, texts::not_a_user_list(&path, line, column, &what))
        })?;
        plan.chosen_by = FCsv;
        let text_lines = crate::vocabulary::files::lines(&file.text);
        for (number, fields) in &list.rows {
            let columns = split_csv_at(text_lines[number - 1]).unwrap_or_default();
            let mut row = Row {
                user: String::new(),
                migrate_user: "Y".to_string(),
                mode: "Create".to_string(),
                common_name: String::new(),
                secondary: None,
                home_server: "~SERVER".to_string(),
            };
            let mut name = String::new();
            for (c, header) in list.header.iter().enumerate() {
                let value = fields[c].trim();
                let bad = |column: &str| {
                    let at = columns.get(c).map_or(1, |f| f.0);
                    let what = format!("{column} cannot be '{value}'");
                    stop(FCsv, texts::not_a_user_list(&path, *number, at, &what))
                };
                let header = header.trim();
                if same(header, "SFS_UserName") {
                    name = value.to_string();
                } else if same(header, "MigrateUser") {
                    if !one_of(value, &["Y", "N"]) {
                        return Err(bad("MigrateUser"));
                    }
                    row.migrate_user = value.to_uppercase();
                } else if same(header, "Mode") {
                    if same(value, "Create") {
                        row.mode = "Create".to_string();
                    } else if value.is_empty() {
                        row.mode = String::new();
                    } else {
                        return Err(bad("Mode"));
                    }
                } else if same(header, "Common-Name") {
                    if Alias::new(value).is_err() {
                        return Err(bad("Common-Name"));
                    }
                    row.common_name = value.to_string();
                } else if same(header, "Home-Server") {
                    row.home_server = value.to_string();
                } else if same(header, "Secondary-Proxy-Addresses") && !value.is_empty() {
                    if value.parse::<ProxyAddress>().is_err() {
                        return Err(bad("Secondary-Proxy-Addresses"));
                    }
                    row.secondary = Some(value.to_string());
                }
            }
            if row.migrate_user != "Y" {
                continue;
            }
            match self.user_named(&name) {
                Some(u) if self.users[u].mailbox_name == "ADMINSCH" => {}
                Some(u) => {
                    row.user = self.users[u].address.clone();
                    if row.common_name.is_empty() {
                        row.common_name = self.users[u].mailbox_name.clone();
                    }
                    plan.picked.push((u, row));
                }
                None => plan.unknown.push(name),
            }
        }
        Ok(())
    }

    /// B-FUNC's FULL and IMPORT: a one-step wizard run in command-line mode over the
    /// plan's users, each unknown name first logging 7034 (B-ACCOUNTS).
    fn batch_wizard(
        &mut self,
        version: Version,
        plan: Plan,
        mut batch: Batching,
        logged: usize,
    ) -> StepResult {
        let import = plan.function == Function::Import;
        let run = WizardRun {
            version,
            phase: Phase::Full,
            users: if import {
                Chosen::UserList
            } else {
                Chosen::All
            },
            container: plan.container.clone(),
            operator: Default::default(),
            mode: Mode::CommandLine,
            schedule: plan.schedule,
        };
        let mut rules = vec![OpFull];
        if import {
            rules.extend([OpImport, WList, AList, FCsv]);
        }
        let mut state = Run::new(&run, plan.picked);
        state.from_list = import;
        state.mailbox = plan.mailbox;
        state.email = plan.email;
        state.bounds = plan.bounds;
        state.schedule = plan.schedule;
        self.begin(state, &mut rules);
        for name in &plan.unknown {
            let event = texts::event_7034(&name.to_uppercase(), &self.postoffice_path);
            self.events.push(event);
            if let Some(state) = self.in_progress.as_mut() {
                state.counts.accounts_extracted += 1;
                state.counts.extraction_errors += 1;
            }
            rules.extend([plan.chosen_by, ALog]);
        }
        batch.saw(&self.events[logged..]);
        if let Some(state) = self.in_progress.as_mut() {
            state.batch = Some(batch);
        }
        StepResult::ok(rules)
    }

    /// B-FUNC's EXTRACT: the user list written to `File` (F-CSV) and nothing else; each
    /// unknown name logs 7034 (B-ACCOUNTS).
    fn batch_extract(&mut self, version: Version, plan: Plan) -> StepResult {
        let mut rules = vec![OpExtract, AList, FCsv];
        for name in &plan.unknown {
            let event = texts::event_7034(&name.to_uppercase(), &self.postoffice_path);
            self.events.push(event);
            rules.extend([BAccounts, ALog]);
        }
        // A-LIST: 5.0's list has no Secondary-Proxy-Addresses column (Q182665).
        let columns = if version == Version::V50 { 8 } else { 9 };
        let header = &USER_LIST_COLUMNS[..columns];
        let mut text = csv_line(header) + "\r\n";
        for (u, row) in &plan.picked {
            let user = &self.users[*u];
            let mut fields = vec![
                user.mailbox_name.clone(),
                user.full_name.clone(),
                row.migrate_user.clone(),
                "Mailbox".to_string(),
                row.mode.clone(),
                row.common_name.clone(),
                user.full_name.clone(),
                row.home_server.clone(),
            ];
            if let Some(secondary) = &row.secondary {
                fields.push(secondary.clone());
            }
            text.push_str(&csv_line(&fields));
            text.push_str("\r\n");
        }
        let path = plan.file.unwrap_or_default();
        files::write(&mut self.files, &path, &text);
        StepResult::ok(rules)
    }
}
