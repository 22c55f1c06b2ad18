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

use std::fmt::Write as _;
use std::ops::Range;

use serde::Deserialize;
use toml::Spanned;

use std::collections::HashSet;

use crate::vocabulary::address::{
    parse_custom_recipient_address, AddressError, Alias, MsMailAddress, ProxyAddress, Site,
};
use crate::vocabulary::language::{Language, UnknownLanguage};
use crate::vocabulary::operation::{Operation, Phase, UnknownPhase, UnknownVersion, Version};
use crate::vocabulary::setup::{MsMailUser, Setup};
use crate::vocabulary::shown;

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
    /// The steps, in order.
    pub steps: Vec<Operation>,
}

const OPS: &str = "create-mailbox, logon, add-proxy, remove-proxy, custom-recipient, wizard";

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScenario {
    name: Spanned<String>,
    description: Option<String>,
    server_language: Option<Spanned<String>>,
    site: Option<RawSite>,
    #[serde(default)]
    users: Vec<Spanned<RawUser>>,
    #[serde(default)]
    steps: Vec<Spanned<RawStep>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSite {
    organization: Option<Spanned<String>>,
    site: Option<Spanned<String>>,
    smtp_domain: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawUser {
    address: Spanned<String>,
    name: Option<String>,
    messages: Option<Spanned<i64>>,
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
    /// Reads a scenario from its text; `file` names it in errors.
    pub fn parse(file: &str, text: &str) -> Result<Scenario, ScenarioError> {
        let src = Source { file, text };
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
        let users = parse_users(&src, &raw.users)?;
        // parse_users refused duplicates with their line, so the setup is valid.
        let setup = Setup::new(site, server_language, users)
            .map_err(|e| src.error(0..0, e.to_string(), "list each MS Mail user once"))?;
        let mut steps = Vec::new();
        for step in &raw.steps {
            // A table's span is its `[[steps]]` header: errors about the step point there.
            steps.push(parse_step(&src, &setup, step.span(), step.get_ref())?);
        }
        Ok(Scenario {
            name,
            description: raw.description,
            setup,
            steps,
        })
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
        out
    }
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
    for u in setup.users() {
        let _ = writeln!(out, "\n[[users]]\naddress = {}", q(&u.address.to_string()));
        if let Some(n) = &u.name {
            let _ = writeln!(out, "name = {}", q(n));
        }
        let _ = writeln!(out, "messages = {}", u.messages);
    }
}

/// The keys of one step, after its `op`.
fn write_step(out: &mut String, op: &Operation) {
    let q = quote;
    let _ = match op {
        Operation::CreateMailbox { alias, name } => {
            let _ = writeln!(out, "alias = {}", q(alias.as_str()));
            match name {
                Some(n) => writeln!(out, "name = {}", q(n)),
                None => Ok(()),
            }
        }
        Operation::Logon { alias, language } => writeln!(
            out,
            "alias = {}\nlanguage = {}",
            q(alias.as_str()),
            q(language.as_str())
        ),
        Operation::AddProxy { alias, address } | Operation::RemoveProxy { alias, address } => {
            writeln!(
                out,
                "alias = {}\naddress = {}",
                q(alias.as_str()),
                q(&address.to_string())
            )
        }
        Operation::CustomRecipient { alias, address } => writeln!(
            out,
            "alias = {}\naddress = {}",
            q(alias.as_str()),
            q(&format!("MS:{address}"))
        ),
        Operation::Wizard {
            version,
            phase,
            users,
        } => {
            let _ = writeln!(
                out,
                "version = {}\nphase = {}",
                q(version.as_str()),
                q(phase.as_str())
            );
            match users {
                Some(list) => {
                    let names: Vec<String> = list.iter().map(|u| q(&u.to_string())).collect();
                    writeln!(out, "users = [{}]", names.join(", "))
                }
                None => Ok(()),
            }
        }
    };
}

/// A TOML or shape error from the deserializer, located, in the user's words, with a hint.
fn toml_error(src: &Source<'_>, e: &toml::de::Error) -> ScenarioError {
    let span = e.span().unwrap_or(0..0);
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
    if raw.starts_with("duplicate key") {
        let key = at.split(['=', ']']).next().unwrap_or(at).trim();
        let key = key.trim_start_matches('[').trim();
        return src.error(
            span,
            format!("not a valid scenario: the key `{key}` is written twice"),
            "keep one of the two: each key appears once in its table",
        );
    }
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
    let message = in_users_words(raw);
    let help = if message.contains("unknown field") {
        "remove or rename the key; SCENARIO-FORMAT.md lists the keys of each table"
    } else if message.contains("missing field") {
        "add the key; a scenario needs `name`, each [[users]] an `address`, each [[steps]] an `op`"
    } else if message.contains("expected a whole number") {
        "write a whole number without quotes, e.g. messages = 3"
    } else if message.contains("expected text in quotes") {
        "put the value in double quotes, e.g. name = \"Pre-created mailbox\""
    } else {
        "write valid TOML in the shape of SCENARIO-FORMAT.md"
    };
    src.error(span, format!("not a valid scenario: {message}"), help)
}

/// The deserializer's words for types, in a scenario writer's words.
fn in_users_words(message: &str) -> String {
    const WORDS: [(&str, &str); 14] = [
        (
            "expected struct RawStep",
            "expected a step table ([[steps]])",
        ),
        (
            "expected struct RawUser",
            "expected a user table ([[users]])",
        ),
        ("expected struct RawSite", "expected the [site] table"),
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

/// The `[[users]]` tables: each address valid (A-MS) and listed once, counts whole numbers.
fn parse_users(
    src: &Source<'_>,
    raw: &[Spanned<RawUser>],
) -> Result<Vec<MsMailUser>, ScenarioError> {
    let mut users = Vec::new();
    let mut seen = HashSet::new();
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
            Some(m) => u32::try_from(*m.get_ref()).map_err(|_| {
                src.error(
                    m.span(),
                    format!("messages = {} is not a count of messages", m.get_ref()),
                    "write a whole number from 0 up, e.g. messages = 3",
                )
            })?,
        };
        users.push(MsMailUser {
            address,
            name: u.name.clone(),
            messages,
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

/// Which keys each op takes, besides `op`.
fn keys_of(op: &str) -> Option<&'static [&'static str]> {
    Some(match op {
        "create-mailbox" => &["alias", "name"],
        "logon" => &["alias", "language"],
        "add-proxy" | "remove-proxy" | "custom-recipient" => &["alias", "address"],
        "wizard" => &["version", "phase", "users"],
        _ => return None,
    })
}

fn parse_step(
    src: &Source<'_>,
    setup: &Setup,
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
            }
        }
        _ => step.wizard(setup)?,
    })
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
        let present: [(&str, Option<Range<usize>>); 7] = [
            ("alias", raw.alias.as_ref().map(Spanned::span)),
            ("name", raw.name.as_ref().map(Spanned::span)),
            ("language", raw.language.as_ref().map(Spanned::span)),
            ("address", raw.address.as_ref().map(Spanned::span)),
            ("version", raw.version.as_ref().map(Spanned::span)),
            ("phase", raw.phase.as_ref().map(Spanned::span)),
            ("users", raw.users.as_ref().map(Spanned::span)),
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

    fn wizard(&self, setup: &Setup) -> Result<Operation, ScenarioError> {
        let (text, at) = self.need(&self.raw.version, "version", "\"5.5\"")?;
        let version: Version = text.parse().map_err(|e: UnknownVersion| {
            self.src.error(
                at,
                e.to_string(),
                "write version = \"5.0\", \"5.5\" or \"5.5-sp1\"",
            )
        })?;
        let (text, at) = self.need(&self.raw.phase, "phase", "\"full\"")?;
        let phase: Phase = text.parse().map_err(|e: UnknownPhase| {
            self.src.error(
                at,
                e.to_string(),
                "write phase = \"create\" (step one), \"migrate\" (step two) or \"full\" (both)",
            )
        })?;
        let users = match &self.raw.users {
            None => None,
            Some(list) => Some(self.chosen_users(setup, list.get_ref())?),
        };
        Ok(Operation::Wizard {
            version,
            phase,
            users,
        })
    }

    /// A wizard step's `users`: each an MS Mail user the post office has.
    fn chosen_users(
        &self,
        setup: &Setup,
        list: &[Spanned<String>],
    ) -> Result<Vec<MsMailAddress>, ScenarioError> {
        let mut chosen = Vec::new();
        for u in list {
            let address: MsMailAddress = u.get_ref().parse().map_err(|e: AddressError| {
                self.src.error(
                    u.span(),
                    e.to_string(),
                    "write NETWORK/POSTOFFICE/MAILBOX, e.g. \"NET1/PO1/JDOE\"",
                )
            })?;
            if !setup.users().iter().any(|x| x.address == address) {
                return Err(self.src.error(
                    u.span(),
                    format!("the post office has no MS Mail user {address}"),
                    "add it under [[users]], or name one of the users listed there",
                ));
            }
            if chosen.contains(&address) {
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
