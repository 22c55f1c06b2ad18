//! `mailmig.exe`'s batch front end (RULES-PART4.md OP-MAILMIG, B-LINE … B-RESULT): the
//! command line's switches, the control file read into typed settings, the accounts file
//! and the user list file, then the wizard run the settings ask for.
//!
//! Everything that can stop the run is found before anything changes (B-STOP), in the
//! rules' order; the run's result code is read from what it logged (B-RESULT).

use std::collections::BTreeSet;
use std::sync::Arc;

use crate::server::files::Table;
use crate::server::userlist::{is_adminsch, HomeServer, Row, RowMode};
use crate::server::wizard::{self, Options, Progress, Reporting};
use crate::server::{Index, Server};
use crate::vocabulary::address::{Alias, ProxyAddress};
use crate::vocabulary::container::Container;
use crate::vocabulary::files::{csv_line, lines, MailDate, WinPath, USER_LIST_COLUMNS};
use crate::vocabulary::operation::{Chosen, Function, Mode, Phase, Version, WizardRun};
use crate::vocabulary::outcome::{BatchReport, Outcome, Refusal, StepResult};
use crate::vocabulary::planted::{planted, Mistake};
use crate::vocabulary::rules::RuleId;

/// What a keyword's value may be (B-VALUES).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Takes {
    Mode,
    Function,
    Path,
    Postoffice,
    Flag,
    Date,
    Text,
    NtAccounts,
    Destination,
    /// `Home-Server`: the site's server.
    Server,
    /// `Container`: a recipients container (A-CONT).
    Container,
    /// Documented, but not for MSMAILPC (B-UNNEEDED).
    Ignored,
}

/// A keyword Q198957 documents, spelt as it spells it.
#[derive(Debug)]
struct Keyword {
    name: &'static str,
    takes: Takes,
}

const fn kw(name: &'static str, takes: Takes) -> Keyword {
    Keyword { name, takes }
}

/// Every keyword of Q198957 that migwiz knows.
static KEYWORDS: [Keyword; 34] = [
    kw("Mode", Takes::Mode),
    kw("Home-Server", Takes::Server),
    kw("Container", Takes::Container),
    kw("Function", Takes::Function),
    kw("File", Takes::Path),
    kw("Accounts", Takes::Path),
    kw("Postoffice", Takes::Postoffice),
    kw("Mailbox", Takes::Flag),
    kw("Email", Takes::Flag),
    kw("EmailStart", Takes::Date),
    kw("EmailEnd", Takes::Date),
    kw("Schedule", Takes::Flag),
    kw("Public", Takes::Flag),
    kw("PAB", Takes::Flag),
    kw("Template", Takes::Text),
    kw("NTAccounts", Takes::NtAccounts),
    kw("NTDomain", Takes::Text),
    kw("ImportDestination", Takes::Destination),
    kw("GWDomain", Takes::Ignored),
    kw("POName", Takes::Ignored),
    kw("Secure", Takes::Ignored),
    kw("Encrypted", Takes::Ignored),
    kw("Port", Takes::Ignored),
    kw("DefFldPerms", Takes::Ignored),
    kw("FldOwner", Takes::Ignored),
    kw("PSTPath", Takes::Ignored),
    kw("GWUserGRPName", Takes::Ignored),
    kw("SchdStart", Takes::Ignored),
    kw("SchdEnd", Takes::Ignored),
    kw("Phone", Takes::Ignored),
    kw("Appointments", Takes::Ignored),
    kw("Notes", Takes::Ignored),
    kw("Tasks", Takes::Ignored),
    kw("GWRTF", Takes::Ignored),
];

fn keyword(written: &str) -> Option<&'static Keyword> {
    KEYWORDS
        .iter()
        .find(|k| k.name.eq_ignore_ascii_case(written))
}

/// The modes Q198957 and the SP1 documentation list, and the mail system each migrates.
const OTHER_MODES: [(&str, &str); 8] = [
    ("FILE", "migration files from another source extractor"),
    ("CCMAIL", "Lotus cc:Mail"),
    ("COLLABRA", "Collabra Share"),
    ("GRPWISE", "Novell GroupWise"),
    ("NOTES", "Lotus Notes"),
    ("GRPWISE5", "Novell GroupWise 5.x"),
    ("ADSI", "an LDAP directory"),
    ("IMAP", "an IMAP4 server"),
];

/// Why the run stopped before it did anything (B-STOP).
#[derive(Debug)]
struct Halt {
    rule: RuleId,
    message: String,
}

fn halt(rule: RuleId, message: impl Into<String>) -> Halt {
    Halt {
        rule,
        message: message.into(),
    }
}

fn invalid(value: &str, keyword: &str) -> Halt {
    halt(
        RuleId::BValues,
        format!("Invalid value '{value}' for keyword '{keyword}'."),
    )
}

fn required(keyword: &str) -> Halt {
    halt(
        RuleId::BRequired,
        format!("Required keyword '{keyword}', is missing in the control file."),
    )
}

fn cannot_open(path: &str) -> Halt {
    halt(RuleId::FFiles, format!("Cannot open the file '{path}'."))
}

/// `mailmig`'s switches (OP-MAILMIG).
#[derive(Debug, Default)]
struct CommandLine {
    control: Option<String>,
    account: Option<String>,
    password: Option<String>,
    silent: bool,
}

impl CommandLine {
    fn read(command: &str) -> Result<CommandLine, Halt> {
        let mut line = CommandLine::default();
        for token in tokens(command) {
            let twice = |name: &str| {
                halt(
                    RuleId::OpMailmig,
                    format!("Switch '{name}' is given twice on the command line."),
                )
            };
            let (switch, value) = match token.get(..3) {
                Some(head) if head.as_bytes()[2] == b':' => {
                    (head.to_ascii_uppercase(), &token[3..])
                }
                _ => (token.to_ascii_uppercase(), ""),
            };
            let slot = match switch.as_str() {
                "/C:" => &mut line.control,
                "/A:" => &mut line.account,
                "/P:" => &mut line.password,
                "/S" if line.silent => return Err(twice("/S")),
                "/S" => {
                    line.silent = true; // errors are logged with or without it
                    continue;
                }
                _ => {
                    return Err(halt(
                        RuleId::OpMailmig,
                        format!("Unknown switch '{token}' on the command line."),
                    ))
                }
            };
            if slot.replace(value.to_string()).is_some() {
                return Err(twice(&switch));
            }
        }
        if line.control.is_none() {
            return Err(halt(
                RuleId::OpMailmig,
                "Required switch '/C:' is missing on the command line.",
            ));
        }
        Ok(line)
    }
}

/// The command line split at spaces outside double quotes, the quotes dropped.
fn tokens(command: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    for c in command.chars() {
        match c {
            '"' => quoted = !quoted,
            c if c.is_whitespace() && !quoted => {
                if !current.is_empty() {
                    out.push(std::mem::take(&mut current));
                }
            }
            c => current.push(c),
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// One `Keyword,Value` line.
#[derive(Debug)]
struct Entry {
    line: usize,
    written: String,
    keyword: Option<&'static Keyword>,
    value: String,
}

/// The control file's lines, each keyword once (B-LINE), Mode first (B-MODE).
#[derive(Debug)]
struct ControlFile {
    entries: Vec<Entry>,
    by_name: Index<&'static str, usize>,
}

impl ControlFile {
    fn read(text: &str) -> Result<ControlFile, Halt> {
        let mut file = ControlFile {
            entries: Vec::new(),
            by_name: Index::default(),
        };
        let mut unknown: Index<String, usize> = Index::default();
        for (at, line) in lines(text).into_iter().enumerate() {
            let number = at + 1;
            let content = line.trim();
            if content.is_empty() || content.starts_with('!') {
                continue; // B-LINE: blank lines and comments
            }
            let Some((written, value)) = line.split_once(',') else {
                return Err(halt(
                    RuleId::BLine,
                    format!("Line {number} of the control file is not a keyword and a value."),
                ));
            };
            let written = written.trim();
            let keyword = keyword(written);
            let earlier = match keyword {
                Some(k) => file.by_name.insert(k.name, file.entries.len()),
                None => unknown.insert(written.to_ascii_lowercase(), file.entries.len()),
            };
            if let Some(earlier) = earlier {
                let first = &file.entries[earlier];
                let name = keyword.map_or(first.written.as_str(), |k| k.name);
                return Err(halt(
                    RuleId::BLine,
                    format!(
                        "Keyword '{name}' is given twice, on lines {} and {number}.",
                        first.line
                    ),
                ));
            }
            file.entries.push(Entry {
                line: number,
                written: written.to_string(),
                keyword,
                value: value.trim().to_string(),
            });
        }
        Ok(file)
    }

    fn get(&self, name: &str) -> Option<&str> {
        self.by_name
            .get(name)
            .map(|&i| self.entries[i].value.as_str())
    }

    fn flag(&self, name: &str, default: bool) -> bool {
        self.get(name)
            .map_or(default, |v| v.eq_ignore_ascii_case("TRUE"))
    }

    fn date(&self, name: &str) -> Option<MailDate> {
        self.get(name).and_then(|v| v.parse().ok())
    }
}

/// B-UNNEEDED: a keyword Q198957 does not document stops the run; one MSMAILPC ignores
/// (and `Accounts` for IMPORT) is a warning, in file order.
fn unneeded(
    file: &ControlFile,
    function: Option<Function>,
    report: &mut BatchReport,
) -> Result<(), Halt> {
    // B-UNNEEDED
    for entry in &file.entries {
        let Some(k) = entry.keyword else {
            return Err(halt(
                RuleId::BUnneeded,
                format!("Unknown keyword '{}' in the control file.", entry.written),
            ));
        };
        let ignored = k.takes == Takes::Ignored
            || (k.name == "Accounts" && function == Some(Function::Import));
        if ignored {
            report.warnings.push(format!(
                "Unnecessary keyword '{},' found in control file. The keyword will be ignored.",
                k.name
            ));
        }
    }
    Ok(())
}

/// A user list row's fields that OP-EDIT would judge (F-CSV).
struct RowFields {
    migrates: bool,
    row_mode: RowMode,
    common_name: Option<Alias>,
    proxy: Option<ProxyAddress>,
}

/// The fields at `judged` (column, name), in that order: the first value OP-EDIT would
/// refuse stops the run, through `bad`.
fn row_fields<'t>(
    judged: &[(usize, &str)],
    field: &impl Fn(usize) -> &'t str,
    bad: &impl Fn(usize, &str) -> Halt,
) -> Result<RowFields, Halt> {
    let mut fields = RowFields {
        migrates: true,
        row_mode: RowMode::Create,
        common_name: None,
        proxy: None,
    };
    for &(c, name) in judged {
        let v = field(c);
        match name {
            "MigrateUser" if v.eq_ignore_ascii_case("Y") => fields.migrates = true,
            "MigrateUser" if v.eq_ignore_ascii_case("N") => fields.migrates = false,
            "Mode" if v.eq_ignore_ascii_case("Create") => fields.row_mode = RowMode::Create,
            "Mode" if v.is_empty() => fields.row_mode = RowMode::Update,
            "Common-Name" => fields.common_name = Some(Alias::new(v).map_err(|_| bad(c, name))?),
            "Secondary-Proxy-Addresses" if v.is_empty() => {}
            "Secondary-Proxy-Addresses" => {
                fields.proxy = Some(v.parse::<ProxyAddress>().map_err(|_| bad(c, name))?)
            }
            _ => return Err(bad(c, name)),
        }
    }
    Ok(fields)
}

/// What the run will do, once nothing stops it.
struct Settings {
    function: Function,
    rows: Vec<Row>,
    /// Names the post office lacks, each logging 7034 (B-ACCOUNTS).
    missing: Vec<String>,
    missing_rule: RuleId,
    file: Option<WinPath>,
    options: Options,
    container: Option<Container>,
    /// Whether the users came from an accounts file (F-ACCOUNTS).
    accounts_read: bool,
}

impl Server {
    /// OP-MAILMIG run alone: its `start`, then its units back to back (C-SEQ).
    pub(super) fn mailmig(&mut self, version: Version, command: &str) -> StepResult {
        match self.mailmig_start(version, command) {
            (result, Some(progress)) => wizard::run_units(result, progress, &mut self.exchange()),
            (result, None) => result,
        }
    }

    /// A batch run's `start` (C-UNITS): the command line and the files read, and what the
    /// run does decided. A run that stops, or only extracts, ends here with its result
    /// code; FULL and IMPORT go on as a wizard step in progress, whose `end` gives it.
    pub(super) fn mailmig_start(
        &mut self,
        version: Version,
        command: &str,
    ) -> (StepResult, Option<Progress>) {
        let mut report = BatchReport::default();
        let settings = match self.settings(version, command, &mut report) {
            Ok(settings) => settings,
            Err(Halt { rule, message }) => {
                if planted(Mistake::StoppedRunLogs) {
                    let summary = crate::server::eventlog::Summary::default();
                    let event = crate::server::eventlog::summary(&self.postoffice_path, &summary);
                    Arc::make_mut(&mut self.log).write(event);
                }
                report.result_code = 2;
                report.message = Some(message.clone());
                let rules = [RuleId::OpMailmig, RuleId::BStop, rule, RuleId::BResult];
                let mut result = StepResult::refused(Refusal::BatchStopped { message }, rules);
                result.batch = Some(Box::new(report));
                return (result, None);
            }
        };
        let mut rules = vec![
            RuleId::OpMailmig,
            RuleId::BFunc,
            RuleId::FFiles,
            RuleId::FAdmin,
        ];
        if !report.warnings.is_empty() {
            rules.push(RuleId::BUnneeded);
        }
        if settings.accounts_read {
            rules.extend([RuleId::FAccounts, RuleId::BAccounts]);
        }
        let logged = self.log.entries().len();
        let reporting = Reporting {
            report,
            error: false,
        };
        let (mut result, progress) = match settings.function {
            Function::Extract => {
                let mut result = self.extract(version, settings);
                let mut reporting = reporting;
                reporting.saw(&self.log.entries()[logged..]);
                result.batch = Some(Box::new(reporting.finish()));
                result.rules.insert(RuleId::BResult);
                (result, None)
            }
            Function::Full | Function::Import => {
                let (result, mut progress) = self.import(version, settings);
                let mut reporting = reporting;
                reporting.saw(&self.log.entries()[logged..]);
                progress.report_as_batch(reporting);
                (result, Some(progress))
            }
        };
        result.rules.extend(rules);
        (result, progress)
    }

    /// Reads everything the run needs, stopping at the first thing B-STOP names.
    fn settings(
        &self,
        version: Version,
        command: &str,
        report: &mut BatchReport,
    ) -> Result<Settings, Halt> {
        let line = CommandLine::read(command)?;
        let control = line.control.as_deref().unwrap_or_default();
        let text = self.file_text(control)?;
        let file = ControlFile::read(text)?;
        let mode = match file.entries.first() {
            Some(e) if e.keyword.is_some_and(|k| k.takes == Takes::Mode) => e.value.as_str(),
            _ => {
                return Err(halt(
                    RuleId::BMode,
                    "Required keyword 'mode', is missing in the control file.",
                ))
            }
        };
        if !mode.eq_ignore_ascii_case("MSMAILPC") {
            let other = OTHER_MODES
                .iter()
                .find(|(m, _)| m.eq_ignore_ascii_case(mode));
            return Err(match other {
                Some((_, system)) => halt(
                    RuleId::BMode,
                    format!("Mode '{mode}' migrates {system}, which migwiz does not model; use Mode,MSMAILPC."),
                ),
                None => Halt {
                    rule: RuleId::BMode,
                    ..invalid(mode, "Mode")
                },
            });
        }
        let function = match file.get("Function") {
            None => Some(Function::Full),
            Some(v) => v.parse::<Function>().ok(),
        };
        report.function = function;
        self.required(&file, function, &line)?;
        for entry in &file.entries {
            self.judge_value(entry)?;
        }
        unneeded(&file, function, report)?;
        let function = function.unwrap_or(Function::Full);
        let mut settings = Settings {
            function,
            rows: Vec::new(),
            missing: Vec::new(),
            missing_rule: RuleId::BAccounts,
            file: file.get("File").and_then(|f| f.parse().ok()),
            container: file.get("Container").and_then(|c| c.parse().ok()),
            accounts_read: false,
            options: Options {
                from_list: function == Function::Import,
                mailbox: file.flag("Mailbox", true),
                email: file.flag("Email", true),
                start: file.date("EmailStart"),
                end: file.date("EmailEnd"),
                schedule: file.flag("Schedule", true),
                server_name: self.server_name.clone(),
            },
        };
        match function {
            Function::Import => self.read_rows(&mut settings)?,
            _ => self.read_accounts(version, file.get("Accounts"), &mut settings)?,
        }
        Ok(settings)
    }

    /// B-REQUIRED: Postoffice; File for EXTRACT and IMPORT; the administrator's logon
    /// (F-ADMIN).
    fn required(
        &self,
        file: &ControlFile,
        function: Option<Function>,
        line: &CommandLine,
    ) -> Result<(), Halt> {
        // B-REQUIRED
        if file.get("Postoffice").is_none() {
            return Err(required("postoffice"));
        }
        if matches!(function, Some(Function::Extract | Function::Import))
            && file.get("File").is_none()
        {
            return Err(required("file"));
        }
        let (admin, password) = &self.admin;
        let account = line.account.as_deref();
        let logged_on = account.is_some_and(|a| a.eq_ignore_ascii_case(admin))
            && line
                .password
                .as_deref()
                .unwrap_or_default()
                .eq_ignore_ascii_case(password);
        if !logged_on {
            return Err(halt(
                RuleId::FAdmin,
                format!(
                    "Could not log on to the postoffice as '{}'.",
                    account.unwrap_or_default()
                ),
            ));
        }
        Ok(())
    }

    /// The text of a file of the world, or B-STOP's "Cannot open".
    fn file_text(&self, path: &str) -> Result<&str, Halt> {
        let text = path
            .parse::<WinPath>()
            .ok()
            .and_then(|p| self.files.read(&p));
        text.ok_or_else(|| cannot_open(path))
    }

    /// B-VALUES for one line.
    fn judge_value(&self, entry: &Entry) -> Result<(), Halt> {
        let Some(k) = entry.keyword else {
            return Ok(());
        };
        let v = entry.value.as_str();
        let any = |words: &[&str]| words.iter().any(|w| w.eq_ignore_ascii_case(v));
        let fine = match k.takes {
            Takes::Mode | Takes::Ignored => true,
            Takes::Function => v.parse::<Function>().is_ok(),
            Takes::Path => v.parse::<WinPath>().is_ok(),
            Takes::Postoffice => self.is_postoffice(v),
            Takes::Flag => any(&["TRUE", "FALSE"]),
            Takes::Date => v.parse::<MailDate>().is_ok(),
            Takes::Text => !v.is_empty(),
            Takes::NtAccounts => any(&["RANDOM", "ALIAS", "NO"]),
            Takes::Server => v.eq_ignore_ascii_case(&self.server_name),
            Takes::Container => v.parse::<Container>().is_ok(),
            Takes::Destination if v.eq_ignore_ascii_case("PST") => {
                return Err(halt(
                    RuleId::BValues,
                    format!("ImportDestination '{v}' is not modelled: migwiz holds no personal folder files; use ImportDestination,SERVER."),
                ))
            }
            Takes::Destination => any(&["SERVER"]),
        };
        match fine {
            true => Ok(()),
            false => Err(invalid(v, k.name)),
        }
    }

    /// Whether `value` names the post office: its path or its drive, a trailing `\`
    /// ignored, compared as paths are (F-FILES).
    fn is_postoffice(&self, value: &str) -> bool {
        let bare = |p: &str| p.trim_end_matches(['\\', '/']).parse::<WinPath>().ok();
        let Some(named) = bare(value) else {
            return false;
        };
        bare(&self.postoffice_path) == Some(named.clone())
            || self.postoffice_drive.as_deref().and_then(bare) == Some(named)
    }

    /// B-ACCOUNTS: the accounts file's users (F-ACCOUNTS), or all; never ADMINSCH.
    fn read_accounts(
        &self,
        version: Version,
        accounts: Option<&str>,
        settings: &mut Settings,
    ) -> Result<(), Halt> {
        let po = &self.postoffice;
        let Some(path) = accounts else {
            settings.rows = po.extracted(version).rows.to_vec();
            return Ok(());
        };
        let text = self.file_text(path)?;
        settings.accounts_read = true;
        let mut seen = BTreeSet::new();
        for name in lines(text).into_iter().map(str::trim) {
            if name.is_empty() || !seen.insert(name.to_ascii_uppercase()) {
                continue;
            }
            match po.slot_named(name).map(|s| &po.user_at(s).address) {
                Some(user) if is_adminsch(user) => {}
                Some(user) => settings.rows.push(Row::extracted(version, user)),
                None => settings.missing.push(name.to_string()),
            }
        }
        Ok(())
    }

    /// OP-IMPORT's rows, read from `File` and judged whole before the run (F-CSV).
    fn read_rows(&self, settings: &mut Settings) -> Result<(), Halt> {
        let path = settings
            .file
            .as_ref()
            .map(WinPath::as_str)
            .unwrap_or_default();
        let text = self.file_text(path)?;
        let not_a_list = |line: usize, column: usize, what: &str| {
            halt(
                RuleId::FCsv,
                format!(
                    "The file '{path}' is not a user list: line {line}, column {column}: {what}."
                ),
            )
        };
        let table = Table::read(text).map_err(|bad| not_a_list(bad.line, bad.column, &bad.what))?;
        settings.missing_rule = RuleId::FCsv;
        let column = |name: &str| table.column(name);
        let (names, migrate, mode) = (
            column("SFS_UserName").unwrap_or(0),
            column("MigrateUser"),
            column("Mode"),
        );
        let (common, home, secondary) = (
            column("Common-Name"),
            column("Home-Server"),
            column("Secondary-Proxy-Addresses"),
        );
        let po = &self.postoffice;
        for row in &table.rows {
            let field = |c: usize| row.fields[c].1.trim();
            let bad = |c: usize, name: &str| {
                let what = format!("{name} cannot be '{}'", field(c));
                not_a_list(row.line, row.fields[c].0, &what)
            };
            // Judged in the header's order, as the file reads.
            let mut judged: Vec<(usize, &str)> = [
                (migrate, "MigrateUser"),
                (mode, "Mode"),
                (common, "Common-Name"),
                (secondary, "Secondary-Proxy-Addresses"),
            ]
            .into_iter()
            .filter_map(|(c, name)| c.map(|c| (c, name)))
            .collect();
            judged.sort();
            let RowFields {
                migrates,
                row_mode,
                common_name,
                proxy,
            } = row_fields(&judged, &field, &bad)?;
            if !migrates {
                continue;
            }
            let name = field(names);
            let Some(slot) = po.slot_named(name) else {
                settings.missing.push(name.to_string());
                continue;
            };
            let user = &po.user_at(slot).address;
            if is_adminsch(user) {
                continue;
            }
            let mut parsed = Row::extracted(Version::V50, user);
            parsed.mode = row_mode;
            parsed.secondary = proxy;
            parsed.home_server =
                home.map_or(HomeServer::ThisServer, |c| HomeServer::read(field(c)));
            if let Some(alias) = common_name {
                parsed.common_name = alias;
            }
            settings.rows.push(parsed);
        }
        Ok(())
    }

    /// B-FUNC's FULL and IMPORT: a one-step run in command-line mode, started.
    fn import(&mut self, version: Version, settings: Settings) -> (StepResult, Progress) {
        let import = settings.function == Function::Import;
        let run = WizardRun {
            version,
            phase: Phase::Full,
            users: if import {
                Chosen::UserList
            } else {
                Chosen::All
            },
            container: settings.container.clone(),
            operator: Default::default(),
            mode: Mode::CommandLine,
            schedule: settings.options.schedule,
        };
        let mut rules = BTreeSet::from([RuleId::OpFull]);
        if import {
            rules.extend([RuleId::OpImport, RuleId::WList, RuleId::AList, RuleId::FCsv]);
        }
        let postoffice_path = self.postoffice_path.clone();
        let mut ex = self.exchange();
        let picked: Arc<[Row]> = settings.rows.into();
        let mut progress = wizard::begin(&run, picked, settings.options, &mut ex, &mut rules);
        for name in &settings.missing {
            let event =
                crate::server::eventlog::user_not_found(&name.to_uppercase(), &postoffice_path);
            ex.log.write(event);
            progress.count_missing_account();
            rules.extend([settings.missing_rule, RuleId::ALog]);
        }
        (StepResult::new(Outcome::Ok, rules), progress)
    }

    /// B-FUNC's EXTRACT: the user list written to `File`, and nothing else.
    fn extract(&mut self, version: Version, settings: Settings) -> StepResult {
        let mut rules = vec![RuleId::OpExtract, RuleId::AList, RuleId::FCsv];
        let log = Arc::make_mut(&mut self.log);
        for name in &settings.missing {
            log.write(crate::server::eventlog::user_not_found(
                &name.to_uppercase(),
                &self.postoffice_path,
            ));
            rules.extend([RuleId::BAccounts, RuleId::ALog]);
        }
        // A-LIST: 5.0's list has no Secondary-Proxy-Addresses column (Q182665).
        let columns = if version == Version::V50 { 8 } else { 9 };
        let header = &USER_LIST_COLUMNS[..columns];
        let mut text = csv_line(header);
        text.push_str("\r\n");
        for row in &settings.rows {
            let name = self
                .postoffice
                .user(&row.user)
                .and_then(|u| u.name.as_deref())
                .unwrap_or_default();
            let mut fields = vec![
                row.user.mailbox(),
                name,
                if row.migrate { "Y" } else { "N" },
                "Mailbox",
                match row.mode {
                    RowMode::Create => "Create",
                    RowMode::Update => "",
                },
                row.common_name.as_str(),
                name,
                row.home_server.as_str(),
            ];
            let secondary = row.secondary.as_ref().map(|p| p.to_string());
            fields.extend(secondary.as_deref());
            text.push_str(&csv_line(&fields));
            text.push_str("\r\n");
        }
        if let Some(path) = &settings.file {
            Arc::make_mut(&mut self.files).write(path, &text);
        }
        StepResult::ok(rules)
    }
}
