//! Scenario files (`spec/SCENARIO-FORMAT.md`): TOML a person can write by hand, read into a
//! [`Setup`] and a list of [`Operation`]s, and written back for generated witnesses.
//!
//! Every problem is reported as one [`ScenarioError`] naming the file, line and column, what
//! is wrong and how to fix it.
//!
//! ```
//! use migwiz::Scenario;
//! let text = r#"
//! name = "Pre-created mailbox"
//! [[users]]
//! address = "NET1/PO1/JDOE"
//! messages = 3
//! [[steps]]
//! op = "create-mailbox"
//! alias = "JDOE"
//! [[steps]]
//! op = "wizard"
//! version = "5.5"
//! phase = "migrate"
//! "#;
//! let scenario = Scenario::parse("example.toml", text)?;
//! assert_eq!(scenario.steps.len(), 2);
//! let again = Scenario::parse("again.toml", &scenario.to_toml())?;
//! assert_eq!(again.steps, scenario.steps);
//!
//! let bad = Scenario::parse("bad.toml", &text.replace("NET1/PO1/JDOE", "NET1/PO1"));
//! assert!(bad.unwrap_err().to_string().starts_with("bad.toml:4:"));
//! # Ok::<(), migwiz::ScenarioError>(())
//! ```

mod part4;
mod world;

use std::fmt::Write as _;
use std::io::Read as _;
use std::ops::Range;
use std::path::Path;

use serde::Deserialize;
use toml::Spanned;

use std::collections::HashSet;

use crate::harness::difference::ordinal;
use crate::vocabulary::address::{
    parse_custom_recipient_address, AddressError, Alias, MsMailAddress, ProxyAddress, Site,
};
use crate::vocabulary::container::{BadContainer, Container};
use crate::vocabulary::language::{Language, UnknownLanguage};
use crate::vocabulary::operation::{
    Chosen, ListField, Operation, Phase, UnknownListField, UnknownPhase, UnknownVersion, Version,
    WizardRun,
};
use crate::vocabulary::setup::{MsMailUser, Setup, SetupError, DEFAULT_SERVER};
use crate::vocabulary::{cut, printable, shown};

/// The largest scenario file read: 64 MiB, room for about a million users.
pub const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

/// The most MS Mail users plus steps a scenario may have (clients' steps count too). At
/// this size a `diff`, which keeps three worlds, takes under 2 GB (249,999 users: 1.7 GB;
/// 249,990 wizard steps: 1.9 GB, a third of it the TOML parser's); a file of the largest
/// size could name 1.9 million users and passed 4 GB (issue 25, item 2).
pub const MAX_WORLD: usize = 250_000;

/// The most MS Mail messages a scenario may hold in all, at the start and delivered by its
/// steps (one user holds at most 4,294,967,295). Messages are kept as runs of ids, so memory
/// does not grow with them; a file over this is refused at the value that crosses it.
pub const MAX_MESSAGES: u64 = 10_000_000_000;

/// A scenario file that cannot be replayed: where, what, and how to fix it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}:{column}: {message}\n  help: {help}")]
pub struct ScenarioError {
    /// The file as named by the caller.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub help: String,
}

/// A scenario: the world at the start, then the steps in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scenario {
    /// `name`.
    pub name: String,
    /// `description`, if any.
    pub description: Option<String>,
    /// The site, the server language and the post office.
    pub setup: Setup,
    /// The steps, in order: for a concurrent run, its sequential prefix.
    pub steps: Vec<Operation>,
    /// The clients that run at the same time after the steps (`SCENARIO-FORMAT-3.md`);
    /// none for a sequential scenario.
    pub clients: Vec<Client>,
    /// `[schedule] seed`: the deterministic scheduler's seed, 0 when not given.
    pub schedule: u64,
}

/// One client of a concurrent run (`SCENARIO-FORMAT-3.md`): its name and its steps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Client {
    /// `name`: `[A-Za-z0-9_-]{1,32}`, unique in the file.
    pub name: String,
    /// Its steps, in order.
    pub steps: Vec<Operation>,
}

const OPS: &str = "create-mailbox, logon, add-proxy, remove-proxy, custom-recipient, msmail-client, recover-password, deliver, extract-user-list, edit-user-list, wizard, mailmig, write-file, edit-file";

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScenario {
    name: Spanned<String>,
    description: Option<String>,
    server_language: Option<Spanned<String>>,
    site: Option<RawSite>,
    postoffice: Option<RawPostOffice>,
    #[serde(default)]
    users: Vec<Spanned<RawUser>>,
    #[serde(default)]
    steps: Vec<Spanned<RawStep>>,
    #[serde(default)]
    clients: Vec<Spanned<RawClient>>,
    schedule: Option<RawSchedule>,
    files: Option<Spanned<toml::Table>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawClient {
    name: Option<Spanned<String>>,
    #[serde(default)]
    steps: Vec<Spanned<RawStep>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSchedule {
    seed: Option<Spanned<i64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSite {
    organization: Option<Spanned<String>>,
    site: Option<Spanned<String>>,
    smtp_domain: Option<Spanned<String>>,
    server: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawUser {
    address: Spanned<String>,
    name: Option<String>,
    messages: Option<Spanned<i64>>,
    dated: Option<Vec<Spanned<RawDated>>>,
    schedule: Option<bool>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDated {
    date: Spanned<String>,
    messages: Spanned<i64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStep {
    op: Spanned<String>,
    alias: Option<Spanned<String>>,
    name: Option<Spanned<String>>,
    language: Option<Spanned<String>>,
    address: Option<Spanned<String>>,
    version: Option<Spanned<String>>,
    phase: Option<Spanned<String>>,
    users: Option<Spanned<Vec<Spanned<String>>>>,
    container: Option<Spanned<String>>,
    directory_name: Option<Spanned<String>>,
    user: Option<Spanned<String>>,
    state: Option<Spanned<String>>,
    messages: Option<Spanned<i64>>,
    field: Option<Spanned<String>>,
    value: Option<Spanned<String>>,
    user_list: Option<Spanned<bool>>,
    operator: Option<Spanned<String>>,
    mode: Option<Spanned<String>>,
    command: Option<Spanned<String>>,
    path: Option<Spanned<String>>,
    text: Option<Spanned<String>>,
    date: Option<Spanned<String>>,
    schedule: Option<Spanned<bool>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPostOffice {
    path: Option<Spanned<String>>,
    drive: Option<Spanned<String>>,
    admin: Option<Spanned<String>>,
    admin_password: Option<Spanned<String>>,
}

/// Turns byte offsets into line and column, and builds errors.
struct Source<'a> {
    file: &'a str,
    text: &'a str,
}

impl Source<'_> {
    fn error(
        &self,
        span: Range<usize>,
        message: impl Into<String>,
        help: impl Into<String>,
    ) -> ScenarioError {
        let at = span.start.min(self.text.len());
        let before = &self.text[..at];
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        ScenarioError {
            file: self.file.to_string(),
            line,
            column,
            message: message.into(),
            help: help.into(),
        }
    }
}

impl Scenario {
    /// Reads a scenario from its text; `file` names it in errors, and its folder holds
    /// the files `[files]` reads `{ from = … }` (SCENARIO-FORMAT-4.md).
    pub fn parse(file: &str, text: &str) -> Result<Scenario, ScenarioError> {
        Scenario::parse_at(file, text, Path::new(file).parent())
    }

    /// [`Scenario::parse`] with the folder `{ from = … }` files are read from given
    /// apart (`None`: the scenario has no folder, as on standard input).
    pub fn parse_at(
        file: &str,
        text: &str,
        folder: Option<&Path>,
    ) -> Result<Scenario, ScenarioError> {
        let src = Source { file, text };
        // Counted before the TOML parser builds anything, in every form: a world too
        // large is refused without the memory a parse of it would take.
        if let Some(at) = world::entry_past(text, MAX_WORLD) {
            return Err(too_big_a_world(&src, at..at + 1, None));
        }
        let raw: RawScenario = toml::from_str(text).map_err(|e| toml_error(&src, &e))?;
        let name = raw.name.get_ref().trim().to_string();
        if name.is_empty() {
            return Err(src.error(
                raw.name.span(),
                "`name` is empty",
                "give the scenario a name, e.g. name = \"Pre-created mailbox\"",
            ));
        }
        let server_language = match &raw.server_language {
            None => Language::English,
            Some(l) => l.get_ref().parse().map_err(|e: UnknownLanguage| {
                src.error(
                    l.span(),
                    e.to_string(),
                    "write server_language = \"english\" (the default) or another listed language",
                )
            })?,
        };
        let site = parse_site(&src, raw.site.as_ref())?;
        if let Some(past) = raw.users.get(MAX_WORLD) {
            let world = (raw.users.len(), raw.steps.len());
            return Err(too_big_a_world(&src, past.span(), Some(world)));
        }
        let users = parse_users(&src, &raw.users)?;
        let setup =
            Setup::new(site, server_language, users).map_err(|e| setup_error(&src, &raw, &e))?;
        let setup = postoffice_path(&src, &raw, setup)?;
        let setup = part4::setup(&src, &raw, folder, setup)?;
        let mut steps = Vec::new();
        let mut total: u64 = setup.users().iter().map(|u| u64::from(u.messages)).sum();
        let known = Known::of(&setup);
        let client_steps: usize = raw.clients.iter().map(|c| c.get_ref().steps.len()).sum();
        let world = raw.users.len() + raw.steps.len() + client_steps;
        if world > MAX_WORLD {
            let at = raw
                .steps
                .get(MAX_WORLD.saturating_sub(raw.users.len()))
                .map_or(0..0, Spanned::span);
            let world = (raw.users.len(), raw.steps.len() + client_steps);
            return Err(too_big_a_world(&src, at, Some(world)));
        }
        for step in &raw.steps {
            // A table's span is its `[[steps]]` header: errors about the step point there.
            let op = parse_step(&src, &known, step.span(), step.get_ref())?;
            if let (Operation::Deliver { messages, .. }, Some(m)) = (&op, &step.get_ref().messages)
            {
                total += u64::from(*messages);
                if total > MAX_MESSAGES {
                    return Err(too_many_messages(&src, m.span(), total));
                }
            }
            steps.push(op);
        }
        let clients = parse_clients(&src, &known, &raw.clients, &mut total)?;
        let schedule = schedule_seed(&src, &raw, clients.is_empty())?;
        Ok(Scenario {
            name,
            description: raw.description,
            setup,
            steps,
            clients,
            schedule,
        })
    }

    /// Reads a scenario file from disk, refusing what is not one before reading it: a
    /// folder, anything that is not a regular file (a pipe, a device: never opened), or a
    /// file over [`MAX_FILE_BYTES`]. Every error is one message naming the file, with help.
    pub fn read(path: &Path) -> Result<Scenario, String> {
        if path.as_os_str() == "-" {
            return Scenario::read_stdin();
        }
        let name = printable(&path.display().to_string());
        let refuse = |what: String, help: &str| Err(format!("{name}: {what}\n  help: {help}"));
        let meta = match std::fs::metadata(path) {
            Ok(meta) => meta,
            Err(e) => {
                return refuse(
                    format!("cannot read the file: {e}"),
                    "check the path; a scenario is a .toml file",
                )
            }
        };
        if meta.is_dir() {
            return refuse(
                "is a folder".to_string(),
                "`migwiz run` takes one scenario file; `migwiz diff` takes folders",
            );
        }
        if !meta.is_file() {
            return refuse(
                "is not a regular file (a pipe, a device or a socket), so it is not read"
                    .to_string(),
                "name a scenario file saved on disk",
            );
        }
        let too_big = |size: u64| {
            refuse(
                format!(
                    "is {size} bytes, more than the {} a scenario file may have",
                    MAX_FILE_BYTES
                ),
                "a scenario lists users and steps; split a larger world into several files",
            )
        };
        if meta.len() > MAX_FILE_BYTES {
            return too_big(meta.len());
        }
        let mut bytes = Vec::new();
        let read = std::fs::File::open(path)
            .and_then(|f| f.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes));
        if let Err(e) = read {
            return refuse(
                format!("cannot read the file: {e}"),
                "check that you may read it",
            );
        }
        // The file may have grown since its size was looked at.
        if bytes.len() as u64 > MAX_FILE_BYTES {
            return too_big(bytes.len() as u64);
        }
        let text = Scenario::text_from_bytes(&name, &bytes).map_err(|e| e.to_string())?;
        Scenario::parse_at(&name, text, path.parent()).map_err(|e| e.to_string())
    }

    /// Reads a scenario from standard input (`migwiz run -`), with a file's limits; errors
    /// name it `<stdin>`.
    fn read_stdin() -> Result<Scenario, String> {
        let name = "<stdin>";
        let mut bytes = Vec::new();
        if let Err(e) = std::io::stdin()
            .lock()
            .take(MAX_FILE_BYTES + 1)
            .read_to_end(&mut bytes)
        {
            return Err(format!(
                "{name}: cannot read standard input: {e}\n  help: pipe a scenario file in, e.g. migwiz run - < scenario.toml"
            ));
        }
        if bytes.len() as u64 > MAX_FILE_BYTES {
            return Err(format!(
                "{name}: is more than the {MAX_FILE_BYTES} bytes a scenario file may have\n  help: a scenario lists users and steps; split a larger world into several files"
            ));
        }
        let text = Scenario::text_from_bytes(name, &bytes).map_err(|e| e.to_string())?;
        Scenario::parse_at(name, text, None).map_err(|e| e.to_string())
    }

    /// Checks that a file's bytes are UTF-8 text, as TOML requires; the error points at the
    /// first byte that is not.
    pub fn text_from_bytes<'a>(file: &str, bytes: &'a [u8]) -> Result<&'a str, ScenarioError> {
        std::str::from_utf8(bytes).map_err(|e| {
            let good = &bytes[..e.valid_up_to()];
            let text = std::str::from_utf8(good).unwrap_or_default();
            let src = Source { file, text };
            src.error(
                text.len()..text.len(),
                "the file is not UTF-8 text",
                "save the scenario as UTF-8 (plain text) TOML",
            )
        })
    }

    /// Writes the scenario back as a file [`Scenario::parse`] reads to the same value.
    pub fn to_toml(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "name = {}", quote(&self.name));
        if let Some(d) = &self.description {
            let _ = writeln!(out, "description = {}", quote(d));
        }
        write_setup(&mut out, &self.setup);
        for op in &self.steps {
            let _ = writeln!(out, "\n[[steps]]\nop = {}", quote(op.name()));
            write_step(&mut out, op);
        }
        // A client's steps as `[[clients.steps]]` tables: the same array as the inline
        // `steps = [ … ]` of SCENARIO-FORMAT-3.md, with the keys of `[[steps]]`.
        for client in &self.clients {
            let _ = writeln!(out, "\n[[clients]]\nname = {}", quote(&client.name));
            for op in &client.steps {
                let _ = writeln!(out, "\n[[clients.steps]]\nop = {}", quote(op.name()));
                write_step(&mut out, op);
            }
        }
        if self.schedule != 0 {
            let _ = writeln!(out, "\n[schedule]\nseed = {}", self.schedule);
        }
        out
    }
}

/// `[postoffice] path`: the post office's share, never empty nor holding a control
/// character (which no Windows path holds, and which would forge lines in events).
fn postoffice_path(
    src: &Source<'_>,
    raw: &RawScenario,
    setup: Setup,
) -> Result<Setup, ScenarioError> {
    match raw.postoffice.as_ref().and_then(|p| p.path.as_ref()) {
        Some(path) if path.get_ref().trim().is_empty() => Err(src.error(
            path.span(),
            "[postoffice] path is empty",
            "write the post office's share, e.g. path = '\\\\MAILSRV\\MAILDATA', or leave the key out",
        )),
        Some(path) if path.get_ref().chars().any(char::is_control) => {
            // Windows refuses characters 0 to 31 in a path; a newline here would also
            // forge lines inside events 7007 and 10068 (issue 25, item 4).
            let c = path.get_ref().chars().find(|c| c.is_control()).unwrap_or_default();
            Err(src.error(
                path.span(),
                format!(
                    "[postoffice] path {} holds the control character {}, which no Windows path can",
                    shown(path.get_ref()),
                    c.escape_unicode()
                ),
                "write the post office's share without it, e.g. path = '\\\\MAILSRV\\MAILDATA'",
            ))
        }
        Some(path) => Ok(setup.with_postoffice_path(path.get_ref())),
        None => Ok(setup),
    }
}

/// `[schedule] seed`: a whole number from 0, and only in a file with clients.
fn schedule_seed(
    src: &Source<'_>,
    raw: &RawScenario,
    no_clients: bool,
) -> Result<u64, ScenarioError> {
    Ok(match raw.schedule.as_ref().and_then(|s| s.seed.as_ref()) {
        None => 0,
        // A seed schedules clients; a file without them has nothing to schedule, as
        // `migwiz run --schedule` on it says.
        Some(seed) if no_clients => {
            return Err(src.error(
                seed.span(),
                "[schedule] seed is for a file with [[clients]], and this one has none",
                "leave [schedule] out, or add [[clients]] (spec/SCENARIO-FORMAT-3.md)",
            ))
        }
        Some(seed) => u64::try_from(*seed.get_ref()).map_err(|_| {
            src.error(
                seed.span(),
                format!("[schedule] seed is {}, below 0", seed.get_ref()),
                "write a whole number from 0, e.g. seed = 7, or leave it out for 0",
            )
        })?,
    })
}

/// A TOML string, quoted and escaped.
fn quote(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

fn write_setup(out: &mut String, setup: &Setup) {
    let q = quote;
    let _ = writeln!(
        out,
        "server_language = {}",
        q(setup.server_language().as_str())
    );
    let site = setup.site();
    let _ = writeln!(
        out,
        "\n[site]\norganization = {}\nsite = {}\nsmtp_domain = {}",
        q(site.organization()),
        q(site.site()),
        q(site.smtp_domain())
    );
    if setup.server_name() != DEFAULT_SERVER {
        let _ = writeln!(out, "server = {}", q(setup.server_name()));
    }
    part4::write_postoffice(out, setup);
    for u in setup.users() {
        let _ = writeln!(out, "\n[[users]]\naddress = {}", q(&u.address.to_string()));
        if let Some(n) = &u.name {
            let _ = writeln!(out, "name = {}", q(n));
        }
        let _ = writeln!(out, "messages = {}", u.messages);
        part4::write_user(out, u);
    }
    part4::write_files(out, setup);
}

/// The keys of one step, after its `op`; defaults are left out.
fn write_step(out: &mut String, op: &Operation) {
    let q = quote;
    let mut key = |k: &str, v: &str| {
        let _ = writeln!(out, "{k} = {}", q(v));
    };
    match op {
        Operation::CreateMailbox {
            alias,
            name,
            container,
            directory_name,
        } => {
            key("alias", alias.as_str());
            if let Some(n) = name {
                key("name", n);
            }
            if let Some(container) = container {
                key("container", container.as_str());
            }
            if let Some(dn) = directory_name {
                key("directory_name", dn.as_str());
            }
        }
        Operation::Logon { alias, language } => {
            key("alias", alias.as_str());
            key("language", language.as_str());
        }
        Operation::AddProxy { alias, address } | Operation::RemoveProxy { alias, address } => {
            key("alias", alias.as_str());
            key("address", &address.to_string());
        }
        Operation::CustomRecipient {
            alias,
            address,
            container,
        } => {
            key("alias", alias.as_str());
            key("address", &format!("MS:{address}"));
            if let Some(container) = container {
                key("container", container.as_str());
            }
        }
        Operation::MsMailClient { user, open } => {
            key("user", &user.to_string());
            key("state", if *open { "open" } else { "closed" });
        }
        Operation::RecoverPassword { user } => key("user", &user.to_string()),
        Operation::Deliver {
            user,
            messages,
            date,
        } => {
            key("user", &user.to_string());
            let _ = writeln!(out, "messages = {messages}");
            if let Some(date) = date {
                let _ = writeln!(out, "date = {}", q(&date.to_string()));
            }
        }
        Operation::Mailmig { .. } | Operation::WriteFile { .. } | Operation::EditFile { .. } => {
            write_part4_step(out, op)
        }
        Operation::ExtractUserList { version, users } => {
            key("version", version.as_str());
            if let Some(list) = users {
                write_users(out, list);
            }
        }
        Operation::EditUserList { user, field, value } => {
            key("user", &user.to_string());
            key("field", field.as_str());
            key("value", value);
        }
        Operation::Wizard(run) => write_wizard(out, run),
    }
}

/// The keys of a step of part 4 (SCENARIO-FORMAT-4.md): a batch run, a file written or
/// edited.
fn write_part4_step(out: &mut String, op: &Operation) {
    let mut key = |k: &str, v: &str| {
        let _ = writeln!(out, "{k} = {}", quote(v));
    };
    match op {
        Operation::Mailmig { version, command } => {
            key("version", version.as_str());
            key("command", command);
        }
        Operation::WriteFile { path, text } => {
            key("path", path.as_str());
            key("text", text);
        }
        Operation::EditFile {
            path,
            user,
            field,
            value,
        } => {
            key("path", path.as_str());
            key("user", user);
            key("field", field.as_str());
            key("value", value);
        }
        _ => {}
    }
}

fn write_users(out: &mut String, users: &[MsMailAddress]) {
    let names: Vec<String> = users.iter().map(|u| quote(&u.to_string())).collect();
    let _ = writeln!(out, "users = [{}]", names.join(", "));
}

fn write_wizard(out: &mut String, run: &WizardRun) {
    let q = quote;
    let _ = writeln!(
        out,
        "version = {}\nphase = {}",
        q(run.version.as_str()),
        q(run.phase.as_str())
    );
    match &run.users {
        Chosen::All => {}
        Chosen::These(list) => write_users(out, list),
        Chosen::UserList => {
            let _ = writeln!(out, "user_list = true");
        }
    }
    if let Some(container) = &run.container {
        let _ = writeln!(out, "container = {}", q(container.as_str()));
    }
    if run.operator != Default::default() {
        let _ = writeln!(out, "operator = {}", q(run.operator.as_str()));
    }
    if run.mode != Default::default() {
        let _ = writeln!(out, "mode = {}", q(run.mode.as_str()));
    }
    if run.schedule {
        let _ = writeln!(out, "schedule = true");
    }
}

/// A TOML or shape error from the deserializer, located, in the user's words, with a hint.
fn toml_error(src: &Source<'_>, e: &toml::de::Error) -> ScenarioError {
    let span = match e.span() {
        Some(span) => span,
        // The reader's recursion limit has no place: it is the most deeply nested line.
        None if e.message().contains("recursion") => deepest_line(src.text),
        None => 0..0,
    };
    let raw = e.message().trim();
    let at = src.text.get(span.clone()).unwrap_or("");
    let line = src.text[..span.start.min(src.text.len())]
        .rsplit('\n')
        .next()
        .unwrap_or("")
        .to_string()
        + src.text[span.start.min(src.text.len())..]
            .split('\n')
            .next()
            .unwrap_or("");
    // `[users]` after `[[users]]` is also a duplicate key to TOML; the brackets are
    // what to fix.
    let one_bracket = ["steps", "users"]
        .into_iter()
        .find(|table| line.trim() == format!("[{table}]"));
    if let Some(table) = one_bracket {
        return src.error(
            span,
            format!("not a valid scenario: [{table}] with one bracket is a single table, but `{table}` is a list"),
            format!("write [[{table}]] with two brackets, once before each entry of the list"),
        );
    }
    if raw.starts_with("duplicate key") {
        let key = at.split(['=', ']']).next().unwrap_or(at).trim();
        let key = key.trim_start_matches('[').trim();
        return src.error(
            span,
            format!("not a valid scenario: the key `{key}` is written twice"),
            "keep one of the two: each key appears once in its table",
        );
    }
    let key = line.split('=').next().unwrap_or("").trim();
    let overflow = raw.starts_with("invalid value: integer") || raw.contains("number overflowed");
    if overflow {
        // A whole number, but outside what the key takes.
        let range = match key {
            "messages" => "0 to 4294967295",
            "seed" => "0 to 9223372036854775807",
            _ => "0 to 4294967295 for messages, 0 to 9223372036854775807 for a seed",
        };
        return src.error(
            span,
            format!("not a valid scenario: {key} = {} is out of range", cut(at)),
            format!("write a whole number from {range}"),
        );
    }
    let mut message = match raw.contains("recursion limit") {
        true => {
            "keys or values nested too deeply for the TOML reader (its recursion limit)".to_string()
        }
        false => cut_quoted(&in_users_words(raw)),
    };
    let date = at.len() >= 5
        && at.starts_with(|c: char| c.is_ascii_digit())
        && at
            .chars()
            .all(|c| c.is_ascii_digit() || "-:T.Zz+ ".contains(c))
        && (at.contains('-') || at.contains(':'));
    if date {
        // TOML reads 1979-05-27 as a date, which the deserializer calls a table.
        message = message.replace("found a table", &format!("found the date or time {at}"));
    }
    let help = toml_help(&message, key);
    src.error(span, format!("not a valid scenario: {message}"), help)
}

/// What to do about the TOML reader's `message`, read at `key`.
fn toml_help(message: &str, key: &str) -> &'static str {
    if message.contains("unknown field") {
        "remove or rename the key; SCENARIO-FORMAT.md lists the keys of each table"
    } else if message.contains("missing field") {
        "add the key; a scenario needs `name`, each [[users]] an `address`, each [[steps]] an `op`"
    } else if message.contains("expected a whole number") && key == "seed" {
        "write a whole number without quotes, e.g. seed = 7"
    } else if message.contains("expected a whole number") {
        "write a whole number without quotes, e.g. messages = 3"
    } else if message.contains("expected text in quotes") {
        "put the value in double quotes, e.g. name = \"Pre-created mailbox\""
    } else if message.contains("max recursion depth") || message.contains("recursion limit") {
        // Dotted keys nest as deeply as brackets do: the TOML reader's own limit, far
        // deeper than any scenario goes.
        "nest arrays and tables less deeply; SCENARIO-FORMAT.md shows how deep each value goes"
    } else {
        "write valid TOML in the shape of SCENARIO-FORMAT.md"
    }
}

/// The line that nests deepest (dotted keys, brackets, braces), as the span of its first
/// character: where the TOML reader's recursion limit, which has no place, was reached.
fn deepest_line(text: &str) -> Range<usize> {
    let mut best = (0, 0);
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let depth = line.bytes().filter(|c| b".[{".contains(c)).count();
        if depth > best.0 {
            let indent = line.len() - line.trim_start().len();
            best = (depth, offset + indent);
        }
        offset += line.len();
    }
    best.1..best.1 + 1
}

/// A message with every `quoted` name cut to about 60 characters (an unknown key of
/// 10^6 characters is not echoed whole).
fn cut_quoted(message: &str) -> String {
    let mut out = String::with_capacity(message.len().min(4096));
    for (i, part) in message.split('`').enumerate() {
        if i > 0 {
            out.push('`');
        }
        match i % 2 {
            1 => out.push_str(&printable(&cut(part))),
            _ => out.push_str(part),
        }
    }
    out
}

/// The deserializer's words for types, in a scenario writer's words.
fn in_users_words(message: &str) -> String {
    const WORDS: [(&str, &str); 15] = [
        (
            "expected struct RawStep",
            "expected a step table ([[steps]])",
        ),
        (
            "expected struct RawUser",
            "expected a user table ([[users]])",
        ),
        ("expected struct RawSite", "expected the [site] table"),
        (
            "expected struct RawPostOffice",
            "expected the [postoffice] table",
        ),
        ("expected struct RawScenario", "expected a scenario"),
        ("expected i64", "expected a whole number"),
        ("expected u32", "expected a whole number"),
        ("expected a sequence", "expected a list [ … ]"),
        ("expected a string", "expected text in quotes"),
        ("expected a boolean", "expected true or false"),
        ("invalid type: map", "found a table"),
        ("invalid type: sequence", "found a list"),
        ("invalid type: string", "found the text"),
        ("invalid type: integer", "found the number"),
        ("invalid type: floating point", "found the number"),
    ];
    let mut out = message.to_string();
    for (theirs, ours) in WORDS {
        out = out.replace(theirs, ours);
    }
    out.replace("invalid type: boolean", "found")
}

/// A world `Setup::new` refused, at its place in the file: parse_users refused duplicates
/// with their line; a user inside the site's own ORG/SITE is refused at the [site] key
/// (A-SITE), or at the user without one.
fn setup_error(src: &Source<'_>, raw: &RawScenario, e: &SetupError) -> ScenarioError {
    match e {
        SetupError::UserInsideSite { user, .. } => {
            let at_user = raw
                .users
                .iter()
                .find(|u| u.get_ref().address.get_ref().parse().ok().as_ref() == Some(user))
                .map_or(0..0, Spanned::span);
            let at_site = raw.site.as_ref().and_then(|s| {
                s.site
                    .as_ref()
                    .or(s.organization.as_ref())
                    .map(Spanned::span)
            });
            src.error(
                at_site.unwrap_or(at_user),
                e.to_string(),
                "give the [site] another organization or site (e.g. organization = \"FABRIKAM\"), or the user another network or post office",
            )
        }
        SetupError::DuplicateUser(_) => {
            src.error(0..0, e.to_string(), "list each MS Mail user once")
        }
    }
}

/// A world past [`MAX_WORLD`], refused at the table that passes it, with its size when
/// the file was read whole (`None`: counted before parsing).
fn too_big_a_world(
    src: &Source<'_>,
    at: Range<usize>,
    world: Option<(usize, usize)>,
) -> ScenarioError {
    let has = match world {
        Some((users, steps)) => format!("the scenario has {users} MS Mail users and {steps} steps"),
        None => format!(
            "this is the scenario's {} user or step (a [[users]], [[steps]] or [[clients.steps]] table, or a table in a users or steps list)",
            ordinal(MAX_WORLD + 1)
        ),
    };
    src.error(
        at,
        format!("{has}, more than the {MAX_WORLD} users plus steps migwiz runs (a diff keeps three worlds of that size, under 2 GB)"),
        "split the world into several files: the wizard's behaviour for one user does not depend on how many others there are",
    )
}

fn too_many_messages(src: &Source<'_>, at: Range<usize>, total: u64) -> ScenarioError {
    src.error(
        at,
        format!("this brings the scenario to {total} messages, more than the {MAX_MESSAGES} a scenario may hold"),
        "use smaller counts: the wizard's behaviour does not depend on how many messages a user has",
    )
}

/// The `[[users]]` tables: each address valid (A-MS) and listed once, counts whole numbers.
fn parse_users(
    src: &Source<'_>,
    raw: &[Spanned<RawUser>],
) -> Result<Vec<MsMailUser>, ScenarioError> {
    let mut users = Vec::new();
    let mut seen = HashSet::new();
    let mut total = 0u64;
    for raw_user in raw {
        let u = raw_user.get_ref();
        let address: MsMailAddress = u.address.get_ref().parse().map_err(|e: AddressError| {
            src.error(
                u.address.span(),
                e.to_string(),
                "write NETWORK/POSTOFFICE/MAILBOX, e.g. address = \"NET1/PO1/JDOE\"",
            )
        })?;
        if !seen.insert(address.clone()) {
            return Err(src.error(
                u.address.span(),
                format!("MS Mail user {address} is listed twice"),
                "list each MS Mail user once (case is not significant)",
            ));
        }
        let messages = match &u.messages {
            None => 0,
            Some(m) => {
                let count = u32::try_from(*m.get_ref()).map_err(|_| {
                    src.error(
                        m.span(),
                        format!("messages = {} is not a count of messages", m.get_ref()),
                        "write a whole number from 0 up, e.g. messages = 3",
                    )
                })?;
                total += u64::from(count);
                if total > MAX_MESSAGES {
                    return Err(too_many_messages(src, m.span(), total));
                }
                count
            }
        };
        let dated = part4::dated(src, u.dated.as_deref().unwrap_or_default(), &mut total)?;
        let held: u64 = u64::from(messages) + dated.iter().map(|(_, n)| u64::from(*n)).sum::<u64>();
        if held > u64::from(u32::MAX) {
            return Err(src.error(
                raw_user.span(),
                format!("MS Mail user {address} holds {held} messages, more than the 4294967295 a user can"),
                "use smaller counts: the wizard's behaviour does not depend on how many messages a user has",
            ));
        }
        users.push(MsMailUser {
            address,
            name: u.name.clone(),
            messages,
            dated,
            schedule: u.schedule.unwrap_or(false),
        });
    }
    Ok(users)
}

fn parse_site(src: &Source<'_>, raw: Option<&RawSite>) -> Result<Site, ScenarioError> {
    let default = Site::default();
    let Some(raw) = raw else { return Ok(default) };
    let pick = |v: &Option<Spanned<String>>, d: &str| {
        v.as_ref().map_or(d.to_string(), |s| s.get_ref().clone())
    };
    let organization = pick(&raw.organization, default.organization());
    let site = pick(&raw.site, default.site());
    let domain = pick(&raw.smtp_domain, default.smtp_domain());
    Site::new(&organization, &site, &domain).map_err(|e| {
        let field = match &e {
            AddressError::Site { field, .. } => *field,
            _ => "organization",
        };
        let spanned = match field {
            "organization" => &raw.organization,
            "site" => &raw.site,
            _ => &raw.smtp_domain,
        };
        let span = spanned.as_ref().map_or(0..0, Spanned::span);
        src.error(span, e.to_string(), "fix the [site] value, or leave the key out for the default (CONTOSO / HQ / contoso.com)")
    })
}

/// `[[clients]]` (`SCENARIO-FORMAT-3.md`): none, or 2 to 4, each named once
/// (`[A-Za-z0-9_-]{1,32}`) with at least one step, at most one with wizard steps
/// (C-CLIENTS). Deliveries count toward the file's ceiling of messages.
fn parse_clients(
    src: &Source<'_>,
    known: &Known,
    raw: &[Spanned<RawClient>],
    total: &mut u64,
) -> Result<Vec<Client>, ScenarioError> {
    let help = "a concurrent run has 2 to 4 [[clients]], each with a name and steps, e.g.\n  [[clients]]\n  name = \"wizard\"\n  steps = [ { op = \"wizard\", version = \"5.5\", phase = \"full\" } ]";
    match raw.len() {
        0 => return Ok(Vec::new()),
        1 => {
            return Err(src.error(
                raw[0].span(),
                "only one [[clients]]: clients run at the same time, so a run needs 2 to 4",
                help,
            ))
        }
        2..=4 => {}
        n => return Err(src.error(raw[4].span(), format!("{n} [[clients]], more than 4"), help)),
    }
    let mut clients: Vec<Client> = Vec::new();
    let mut wizard: Option<String> = None;
    for client in raw {
        let at = client.span();
        let client = client.get_ref();
        let Some(name) = &client.name else {
            return Err(src.error(
                at,
                "a [[clients]] has no name",
                "give it one: name = \"wizard\" (letters, digits, '-' or '_', up to 32)",
            ));
        };
        let text = client_name(src, name, &clients)?;
        if client.steps.is_empty() {
            return Err(src.error(
                at,
                format!("client {} has no steps", shown(text)),
                "give it steps = [ { op = … }, … ], or leave the client out",
            ));
        }
        let mut steps = Vec::new();
        for step in &client.steps {
            let op = parse_step(src, known, step.span(), step.get_ref())?;
            if let (Operation::Deliver { messages, .. }, Some(m)) = (&op, &step.get_ref().messages)
            {
                *total += u64::from(*messages);
                if *total > MAX_MESSAGES {
                    return Err(too_many_messages(src, m.span(), *total));
                }
            }
            if matches!(op, Operation::Wizard(_) | Operation::Mailmig { .. }) {
                match &wizard {
                    Some(other) if other != text => {
                        return Err(src.error(
                            step.span(),
                            format!("clients {} and {} both run the wizard", shown(other), shown(text)),
                            "the wizard is one program on one server (C-CLIENTS): give every wizard step to one client",
                        ))
                    }
                    _ => wizard = Some(text.clone()),
                }
            }
            steps.push(op);
        }
        clients.push(Client {
            name: text.clone(),
            steps,
        });
    }
    Ok(clients)
}

/// A client's name, if it is 1 to 32 letters, digits, '-' or '_' and not one of
/// `clients`' names.
fn client_name<'r>(
    src: &Source<'_>,
    name: &'r Spanned<String>,
    clients: &[Client],
) -> Result<&'r String, ScenarioError> {
    let text = name.get_ref();
    let shaped = !text.is_empty()
        && text.chars().count() <= 32
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if !shaped {
        return Err(src.error(
            name.span(),
            format!(
                "client name {} is not 1 to 32 letters, digits, '-' or '_'",
                shown(text)
            ),
            "write e.g. name = \"admin-1\"",
        ));
    }
    if clients.iter().any(|c| c.name == *text) {
        return Err(src.error(
            name.span(),
            format!("client name {} is used twice", shown(text)),
            "give each [[clients]] a name of its own",
        ));
    }
    Ok(text)
}

/// Which keys each op takes, besides `op`.
fn keys_of(op: &str) -> Option<&'static [&'static str]> {
    Some(match op {
        "create-mailbox" => &["alias", "name", "container", "directory_name"],
        "logon" => &["alias", "language"],
        "add-proxy" | "remove-proxy" => &["alias", "address"],
        "custom-recipient" => &["alias", "address", "container"],
        "msmail-client" => &["user", "state"],
        "recover-password" => &["user"],
        "deliver" => &["user", "messages", "date"],
        "extract-user-list" => &["version", "users"],
        "edit-user-list" => &["user", "field", "value"],
        "wizard" => &[
            "version",
            "phase",
            "users",
            "user_list",
            "container",
            "operator",
            "mode",
            "schedule",
        ],
        "mailmig" => &["version", "command"],
        "write-file" => &["path", "text"],
        "edit-file" => &["path", "user", "field", "value"],
        _ => return None,
    })
}

fn parse_step(
    src: &Source<'_>,
    known: &Known,
    span: Range<usize>,
    raw: &RawStep,
) -> Result<Operation, ScenarioError> {
    // Keywords are read in any case: `Wizard` is `wizard`.
    let op_word = raw.op.get_ref().to_ascii_lowercase();
    let Some(keys) = keys_of(&op_word) else {
        return Err(src.error(
            raw.op.span(),
            format!("unknown op {}", shown(raw.op.get_ref())),
            format!("use one of: {OPS}"),
        ));
    };
    let op = op_word.as_str();
    let step = StepReader { src, op, span, raw };
    step.only_keys(keys)?;
    Ok(match op {
        "create-mailbox" => Operation::CreateMailbox {
            alias: step.alias()?,
            name: raw.name.as_ref().map(|n| n.get_ref().clone()),
            container: step.container()?,
            directory_name: step.directory_name()?,
        },
        "logon" => {
            let language = step.language()?;
            Operation::Logon {
                alias: step.alias()?,
                language,
            }
        }
        "add-proxy" => Operation::AddProxy {
            alias: step.alias()?,
            address: step.proxy()?,
        },
        "remove-proxy" => Operation::RemoveProxy {
            alias: step.alias()?,
            address: step.proxy()?,
        },
        "custom-recipient" => {
            let address = step.custom_recipient_address()?;
            Operation::CustomRecipient {
                alias: step.alias()?,
                address,
                container: step.container()?,
            }
        }
        "msmail-client" => Operation::MsMailClient {
            user: step.user(known)?,
            open: step.client_state()?,
        },
        "recover-password" => Operation::RecoverPassword {
            user: step.user(known)?,
        },
        "deliver" => Operation::Deliver {
            user: step.user(known)?,
            messages: step.messages()?,
            date: step.date()?,
        },
        "mailmig" => step.mailmig()?,
        "write-file" => step.write_file()?,
        "edit-file" => step.edit_file()?,
        "extract-user-list" => Operation::ExtractUserList {
            version: step.version()?,
            users: match &raw.users {
                None => None,
                Some(list) => Some(step.chosen_users(known, list.get_ref())?),
            },
        },
        "edit-user-list" => step.edit(known)?,
        _ => step.wizard(known)?,
    })
}

/// The post office's users, as a set: steps that name users are checked against it once
/// per name, not by a walk of the whole post office.
struct Known(HashSet<MsMailAddress>);

impl Known {
    fn of(setup: &Setup) -> Known {
        Known(setup.users().iter().map(|u| u.address.clone()).collect())
    }
}

/// One `[[steps]]` table being read: each value parsed and located in the file.
struct StepReader<'a> {
    src: &'a Source<'a>,
    op: &'a str,
    /// The step's `[[steps]]` header: where a missing key is reported.
    span: Range<usize>,
    raw: &'a RawStep,
}

impl StepReader<'_> {
    /// A key that does not belong to the op is an error, not ignored.
    fn only_keys(&self, keys: &[&str]) -> Result<(), ScenarioError> {
        let raw = self.raw;
        let span = |v: &Option<Spanned<String>>| v.as_ref().map(Spanned::span);
        let present: [(&str, Option<Range<usize>>); 22] = [
            ("command", span(&raw.command)),
            ("path", span(&raw.path)),
            ("text", span(&raw.text)),
            ("date", span(&raw.date)),
            ("schedule", raw.schedule.as_ref().map(Spanned::span)),
            ("alias", span(&raw.alias)),
            ("name", span(&raw.name)),
            ("language", span(&raw.language)),
            ("address", span(&raw.address)),
            ("version", span(&raw.version)),
            ("phase", span(&raw.phase)),
            ("users", raw.users.as_ref().map(Spanned::span)),
            ("container", span(&raw.container)),
            ("directory_name", span(&raw.directory_name)),
            ("user", span(&raw.user)),
            ("state", span(&raw.state)),
            ("messages", raw.messages.as_ref().map(Spanned::span)),
            ("field", span(&raw.field)),
            ("value", span(&raw.value)),
            ("user_list", raw.user_list.as_ref().map(Spanned::span)),
            ("operator", span(&raw.operator)),
            ("mode", span(&raw.mode)),
        ];
        for (key, at) in &present {
            if let (Some(at), false) = (at, keys.contains(key)) {
                return Err(self.src.error(
                    at.clone(),
                    format!("key `{key}` does not belong to op {:?}", self.op),
                    format!("{} takes: {}", self.op, keys.join(", ")),
                ));
            }
        }
        Ok(())
    }

    /// A required string value and where it is.
    fn need(
        &self,
        value: &Option<Spanned<String>>,
        key: &str,
        example: &str,
    ) -> Result<(String, Range<usize>), ScenarioError> {
        value
            .as_ref()
            .map(|s| (s.get_ref().clone(), s.span()))
            .ok_or_else(|| {
                self.src.error(
                    self.span.clone(),
                    format!("this {} step has no `{key}`", self.op),
                    format!("add {key} = {example}"),
                )
            })
    }

    fn alias(&self) -> Result<Alias, ScenarioError> {
        let (text, at) = self.need(&self.raw.alias, "alias", "\"JDOE\"")?;
        Alias::new(&text).map_err(|e| {
            self.src
                .error(at, e.to_string(), "write an alias like JDOE or maria.bl")
        })
    }

    fn proxy(&self) -> Result<ProxyAddress, ScenarioError> {
        let (text, at) = self.need(&self.raw.address, "address", "\"migrate:MS:NET1/PO1/JDOE\"")?;
        text.parse().map_err(|e: AddressError| {
            self.src.error(
                at,
                e.to_string(),
                "write TYPE:value, e.g. migrate:MS:NET1/PO1/JDOE or SMTP:jdoe@contoso.com",
            )
        })
    }

    fn language(&self) -> Result<Language, ScenarioError> {
        let (text, at) = self.need(&self.raw.language, "language", "\"spanish\"")?;
        text.parse().map_err(|e: UnknownLanguage| {
            self.src.error(
                at,
                e.to_string(),
                "write the client's language, e.g. language = \"spanish\"",
            )
        })
    }

    fn custom_recipient_address(&self) -> Result<MsMailAddress, ScenarioError> {
        let (text, at) = self.need(&self.raw.address, "address", "\"MS:NET1/PO1/JDOE\"")?;
        parse_custom_recipient_address(&text).map_err(|e| {
            self.src.error(
                at,
                e.to_string(),
                "write MS:NETWORK/POSTOFFICE/MAILBOX of the MS Mail user",
            )
        })
    }

    fn version(&self) -> Result<Version, ScenarioError> {
        let (text, at) = self.need(&self.raw.version, "version", "\"5.5\"")?;
        text.parse().map_err(|e: UnknownVersion| {
            self.src.error(
                at,
                e.to_string(),
                "write version = \"5.0\", \"5.5\" or \"5.5-sp1\"",
            )
        })
    }

    /// An optional keyword value: its default when absent.
    fn keyword<T: std::str::FromStr + Default>(
        &self,
        value: &Option<Spanned<String>>,
        help: &str,
    ) -> Result<T, ScenarioError>
    where
        T::Err: std::fmt::Display,
    {
        match value {
            None => Ok(T::default()),
            Some(v) => v
                .get_ref()
                .parse()
                .map_err(|e: T::Err| self.src.error(v.span(), e.to_string(), help)),
        }
    }

    /// The container a step names; `None` when it names none (each half knows the
    /// default).
    fn container(&self) -> Result<Option<Container>, ScenarioError> {
        let Some(v) = &self.raw.container else {
            return Ok(None);
        };
        v.get_ref().parse().map(Some).map_err(|e: BadContainer| {
            self.src.error(
                v.span(),
                e.to_string(),
                "write container = \"Sales\", or leave the key out for \"Recipients\"",
            )
        })
    }

    fn directory_name(&self) -> Result<Option<Alias>, ScenarioError> {
        let Some(v) = &self.raw.directory_name else {
            return Ok(None);
        };
        Alias::new(v.get_ref()).map(Some).map_err(|e| {
            self.src.error(
                v.span(),
                format!("directory_name: {e}"),
                "write an alias-shaped name, e.g. directory_name = \"JSMITH\" (A-DN)",
            )
        })
    }

    /// The MS Mail user a step names (`user`), which the post office must have.
    fn user(&self, known: &Known) -> Result<MsMailAddress, ScenarioError> {
        let (text, at) = self.need(&self.raw.user, "user", "\"NET1/PO1/JDOE\"")?;
        let user = Spanned::new(at, text);
        Ok(self
            .chosen_users(known, std::slice::from_ref(&user))?
            .remove(0))
    }

    fn client_state(&self) -> Result<bool, ScenarioError> {
        let (text, at) = self.need(&self.raw.state, "state", "\"open\"")?;
        match text.to_ascii_lowercase().as_str() {
            "open" => Ok(true),
            "closed" => Ok(false),
            _ => Err(self.src.error(
                at,
                format!("unknown client state {}", shown(&text)),
                "write state = \"open\" or state = \"closed\"",
            )),
        }
    }

    fn messages(&self) -> Result<u32, ScenarioError> {
        let Some(m) = &self.raw.messages else {
            return Err(self.src.error(
                self.span.clone(),
                format!("this {} step has no `messages`", self.op),
                "add messages = 2",
            ));
        };
        u32::try_from(*m.get_ref()).map_err(|_| {
            self.src.error(
                m.span(),
                format!("messages = {} is not a count of messages", m.get_ref()),
                "write a whole number from 0 up, e.g. messages = 2",
            )
        })
    }

    fn edit(&self, known: &Known) -> Result<Operation, ScenarioError> {
        let user = self.user(known)?;
        let (text, at) = self.need(&self.raw.field, "field", "\"Mode\"")?;
        let field: ListField = text.parse().map_err(|e: UnknownListField| {
            self.src.error(
                at,
                e.to_string(),
                "write field = \"MigrateUser\", \"Mode\" or \"Common-Name\"",
            )
        })?;
        let (value, _) = self.need(&self.raw.value, "value", "\"\"")?;
        Ok(Operation::EditUserList { user, field, value })
    }

    fn wizard(&self, known: &Known) -> Result<Operation, ScenarioError> {
        let version = self.version()?;
        let (text, at) = self.need(&self.raw.phase, "phase", "\"full\"")?;
        let phase: Phase = text.parse().map_err(|e: UnknownPhase| {
            self.src.error(
                at,
                e.to_string(),
                "write phase = \"create\" (step one), \"migrate\" (step two) or \"full\" (both)",
            )
        })?;
        let from_list = self.raw.user_list.as_ref().is_some_and(|b| *b.get_ref());
        let users = match (&self.raw.users, from_list) {
            (Some(list), true) => {
                return Err(self.src.error(
                    list.span(),
                    "`users` and `user_list = true` do not go together: the user list chooses the users",
                    "remove `users`, or remove `user_list`",
                ))
            }
            (None, true) => Chosen::UserList,
            (None, false) => Chosen::All,
            (Some(list), false) => Chosen::These(self.chosen_users(known, list.get_ref())?),
        };
        Ok(Operation::Wizard(WizardRun {
            version,
            phase,
            users,
            container: self.container()?,
            operator: self.keyword(
                &self.raw.operator,
                "write operator = \"permissions-admin\" (the default) or \"service-account-admin\"",
            )?,
            mode: self.keyword(
                &self.raw.mode,
                "write mode = \"wizard\" (the default) or \"command-line\"",
            )?,
            schedule: self.raw.schedule.as_ref().is_some_and(|b| *b.get_ref()),
        }))
    }

    /// A step's `users` (or `user`): each an MS Mail user the post office has, once.
    fn chosen_users(
        &self,
        known: &Known,
        list: &[Spanned<String>],
    ) -> Result<Vec<MsMailAddress>, ScenarioError> {
        let mut chosen = Vec::with_capacity(list.len());
        // A set beside the list: a step may name 10^5 users (issue 25, item 3).
        let mut seen = HashSet::with_capacity(list.len());
        for u in list {
            let address: MsMailAddress = u.get_ref().parse().map_err(|e: AddressError| {
                self.src.error(
                    u.span(),
                    e.to_string(),
                    "write NETWORK/POSTOFFICE/MAILBOX, e.g. \"NET1/PO1/JDOE\"",
                )
            })?;
            if !known.0.contains(&address) {
                return Err(self.src.error(
                    u.span(),
                    format!("the post office has no MS Mail user {address}"),
                    "add it under [[users]], or name one of the users listed there",
                ));
            }
            if !seen.insert(address.clone()) {
                return Err(self.src.error(
                    u.span(),
                    format!("MS Mail user {address} is listed twice in this step's users"),
                    "name each user once (case is not significant); the wizard takes each user once",
                ));
            }
            chosen.push(address);
        }
        Ok(chosen)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Three users holding `held` messages between them, then one delivery of `delivered`.
    fn held_then_delivered(held: u64, delivered: u64) -> String {
        let mut text = "name = \"ceiling\"\n".to_string();
        let first = 4_000_000_000u64;
        for (who, count) in [("A", first), ("B", first), ("C", held - 2 * first)] {
            text.push_str(&format!(
                "[[users]]\naddress = \"N/P/{who}\"\nmessages = {count}\n"
            ));
        }
        text.push_str(&format!(
            "[[steps]]\nop = \"deliver\"\nuser = \"N/P/C\"\nmessages = {delivered}\n"
        ));
        text
    }

    #[test]
    fn a_file_of_the_largest_size_is_read_whole() {
        // Exactly MAX_FILE_BYTES, with the file's last byte (a closing quote) needed: a
        // file one byte shorter, or one cut a byte short on reading, is not a scenario.
        let head = "name = \"largest\"\n#";
        let tail = "\n[[users]]\naddress = \"N/P/A\"";
        let padding = MAX_FILE_BYTES as usize - head.len() - tail.len();
        let text = format!("{head}{}{tail}", "x".repeat(padding));
        assert_eq!(text.len() as u64, MAX_FILE_BYTES);
        let path = std::env::temp_dir().join(format!("migwiz-largest-{}.toml", std::process::id()));
        std::fs::write(&path, &text).unwrap();
        let read = Scenario::read(&path);
        std::fs::remove_file(&path).unwrap();
        let scenario = read.unwrap();
        assert_eq!(scenario.setup.users().len(), 1);
    }

    #[test]
    fn a_bad_site_value_is_shown_at_its_own_key() {
        for (key, line) in [("organization", 3), ("site", 4), ("smtp_domain", 5)] {
            let mut values = [
                ("organization", "ORG"),
                ("site", "HQ"),
                ("smtp_domain", "org.example"),
            ];
            for (k, v) in &mut values {
                if *k == key {
                    *v = "not/valid";
                }
            }
            let mut text = "name = \"site\"\n[site]\n".to_string();
            for (k, v) in values {
                text.push_str(&format!("{k} = \"{v}\"\n"));
            }
            let e = Scenario::parse("site.toml", &text).unwrap_err();
            assert_eq!((e.line, e.column), (line, key.len() + 4), "{key}: {e}");
        }
    }

    #[test]
    fn deliveries_may_bring_a_scenario_to_its_ceiling_exactly() {
        let text = held_then_delivered(MAX_MESSAGES - 1, 1);
        let scenario = Scenario::parse("ceiling.toml", &text).unwrap();
        assert_eq!(scenario.steps.len(), 1);
    }

    #[test]
    fn a_delivery_past_the_ceiling_is_refused_at_its_count() {
        // The users hold the ceiling exactly: one more message is one too many.
        let text = held_then_delivered(MAX_MESSAGES, 1);
        let e = Scenario::parse("ceiling.toml", &text).unwrap_err();
        assert_eq!((e.line, e.column), (14, 12), "{e}");
        assert_eq!(
            e.message,
            "this brings the scenario to 10000000001 messages, more than the 10000000000 a scenario may hold"
        );
    }
}
