//! Scenario files (`spec/SCENARIO-FORMAT.md`): TOML a person can write by hand, read into a
//! [`Setup`] and a list of [`Operation`]s, and written back for generated witnesses.
//!
//! Every problem is reported as one [`ScenarioError`] naming the file, line and column, what
//! is wrong and how to fix it.
//!
//! ```
//! use migwiz::scenario::Scenario;
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
//! # Ok::<(), migwiz::scenario::ScenarioError>(())
//! ```

use std::fmt::Write as _;
use std::ops::Range;

use serde::Deserialize;
use toml::Spanned;

use crate::address::{parse_custom_recipient_address, Alias, MsMailAddress, ProxyAddress, Site};
use crate::operation::{Operation, Phase, Setup};
use crate::postoffice::MsMailUser;
use crate::store::Language;

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
        let raw: RawScenario = toml::from_str(text).map_err(|e| {
            let span = e.span().unwrap_or(0..0);
            let message = e.message().trim().to_string();
            let help = if message.contains("unknown field") {
                "remove or rename the key; SCENARIO-FORMAT.md lists the keys of each table"
            } else if message.contains("missing field") {
                "add the key; a scenario needs `name`, each [[users]] an `address`, each [[steps]] an `op`"
            } else {
                "write valid TOML in the shape of SCENARIO-FORMAT.md"
            };
            src.error(span, format!("not a valid scenario: {message}"), help)
        })?;
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
            Some(l) => l.get_ref().parse().map_err(|e: crate::store::UnknownLanguage| {
                src.error(l.span(), e.to_string(), "write server_language = \"english\" (the default) or another listed language")
            })?,
        };
        let site = parse_site(&src, raw.site.as_ref())?;
        let mut users = Vec::new();
        for raw_user in &raw.users {
            let u = raw_user.get_ref();
            let address: MsMailAddress =
                u.address
                    .get_ref()
                    .parse()
                    .map_err(|e: crate::address::AddressError| {
                        src.error(
                            u.address.span(),
                            e.to_string(),
                            "write NETWORK/POSTOFFICE/MAILBOX, e.g. address = \"NET1/PO1/JDOE\"",
                        )
                    })?;
            if users.iter().any(|x: &MsMailUser| x.address == address) {
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
        let setup = Setup {
            site,
            server_language,
            users,
        };
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
        let q = |s: &str| toml::Value::String(s.to_string()).to_string();
        let _ = writeln!(out, "name = {}", q(&self.name));
        if let Some(d) = &self.description {
            let _ = writeln!(out, "description = {}", q(d));
        }
        let _ = writeln!(
            out,
            "server_language = {}",
            q(self.setup.server_language.as_str())
        );
        let site = &self.setup.site;
        let _ = writeln!(
            out,
            "\n[site]\norganization = {}\nsite = {}\nsmtp_domain = {}",
            q(site.organization()),
            q(site.site()),
            q(site.smtp_domain())
        );
        for u in &self.setup.users {
            let _ = writeln!(out, "\n[[users]]\naddress = {}", q(&u.address.to_string()));
            if let Some(n) = &u.name {
                let _ = writeln!(out, "name = {}", q(n));
            }
            let _ = writeln!(out, "messages = {}", u.messages);
        }
        for op in &self.steps {
            let _ = writeln!(out, "\n[[steps]]\nop = {}", q(op.name()));
            match op {
                Operation::CreateMailbox { alias, name } => {
                    let _ = writeln!(out, "alias = {}", q(alias.as_str()));
                    if let Some(n) = name {
                        let _ = writeln!(out, "name = {}", q(n));
                    }
                }
                Operation::Logon { alias, language } => {
                    let _ = writeln!(
                        out,
                        "alias = {}\nlanguage = {}",
                        q(alias.as_str()),
                        q(language.as_str())
                    );
                }
                Operation::AddProxy { alias, address }
                | Operation::RemoveProxy { alias, address } => {
                    let _ = writeln!(
                        out,
                        "alias = {}\naddress = {}",
                        q(alias.as_str()),
                        q(&address.to_string())
                    );
                }
                Operation::CustomRecipient { alias, address } => {
                    let _ = writeln!(
                        out,
                        "alias = {}\naddress = {}",
                        q(alias.as_str()),
                        q(&format!("MS:{address}"))
                    );
                }
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
                    if let Some(list) = users {
                        let names: Vec<String> = list.iter().map(|u| q(&u.to_string())).collect();
                        let _ = writeln!(out, "users = [{}]", names.join(", "));
                    }
                }
            }
        }
        out
    }
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
            crate::address::AddressError::Site { field, .. } => *field,
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
    let op = raw.op.get_ref().as_str();
    let Some(keys) = keys_of(op) else {
        return Err(src.error(
            raw.op.span(),
            format!("unknown op {op:?}"),
            format!("use one of: {OPS}"),
        ));
    };
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
            return Err(src.error(
                at.clone(),
                format!("key `{key}` does not belong to op {op:?}"),
                format!("{op} takes: {}", keys.join(", ")),
            ));
        }
    }
    let need = |v: &Option<Spanned<String>>,
                key: &str,
                example: &str|
     -> Result<(String, Range<usize>), ScenarioError> {
        v.as_ref()
            .map(|s| (s.get_ref().clone(), s.span()))
            .ok_or_else(|| {
                src.error(
                    span.clone(),
                    format!("this {op} step has no `{key}`"),
                    format!("add {key} = {example}"),
                )
            })
    };
    let alias = |v: &Option<Spanned<String>>| -> Result<Alias, ScenarioError> {
        let (text, at) = need(v, "alias", "\"JDOE\"")?;
        Alias::new(&text)
            .map_err(|e| src.error(at, e.to_string(), "write an alias like JDOE or maria.bl"))
    };
    let proxy = |v: &Option<Spanned<String>>| -> Result<ProxyAddress, ScenarioError> {
        let (text, at) = need(v, "address", "\"migrate:MS:NET1/PO1/JDOE\"")?;
        text.parse().map_err(|e: crate::address::AddressError| {
            src.error(
                at,
                e.to_string(),
                "write TYPE:value, e.g. migrate:MS:NET1/PO1/JDOE or SMTP:jdoe@contoso.com",
            )
        })
    };
    Ok(match op {
        "create-mailbox" => Operation::CreateMailbox {
            alias: alias(&raw.alias)?,
            name: raw.name.as_ref().map(|n| n.get_ref().clone()),
        },
        "logon" => {
            let (text, at) = need(&raw.language, "language", "\"spanish\"")?;
            let language = text.parse().map_err(|e: crate::store::UnknownLanguage| {
                src.error(
                    at,
                    e.to_string(),
                    "write the client's language, e.g. language = \"spanish\"",
                )
            })?;
            Operation::Logon {
                alias: alias(&raw.alias)?,
                language,
            }
        }
        "add-proxy" => Operation::AddProxy {
            alias: alias(&raw.alias)?,
            address: proxy(&raw.address)?,
        },
        "remove-proxy" => Operation::RemoveProxy {
            alias: alias(&raw.alias)?,
            address: proxy(&raw.address)?,
        },
        "custom-recipient" => {
            let (text, at) = need(&raw.address, "address", "\"MS:NET1/PO1/JDOE\"")?;
            let address = parse_custom_recipient_address(&text).map_err(|e| {
                src.error(
                    at,
                    e.to_string(),
                    "write MS:NETWORK/POSTOFFICE/MAILBOX of the MS Mail user",
                )
            })?;
            Operation::CustomRecipient {
                alias: alias(&raw.alias)?,
                address,
            }
        }
        _ => {
            let (text, at) = need(&raw.version, "version", "\"5.5\"")?;
            let version = text
                .parse()
                .map_err(|e: crate::operation::UnknownVersion| {
                    src.error(
                        at,
                        e.to_string(),
                        "write version = \"5.0\", \"5.5\" or \"5.5-sp1\"",
                    )
                })?;
            let (text, at) = need(&raw.phase, "phase", "\"full\"")?;
            let phase = Phase::ALL.into_iter().find(|p| p.as_str() == text).ok_or_else(|| {
                src.error(at, format!("unknown phase {text:?}"), "write phase = \"create\" (step one), \"migrate\" (step two) or \"full\" (both)")
            })?;
            let users = match &raw.users {
                None => None,
                Some(list) => {
                    let mut chosen = Vec::new();
                    for u in list.get_ref() {
                        let address: MsMailAddress =
                            u.get_ref()
                                .parse()
                                .map_err(|e: crate::address::AddressError| {
                                    src.error(
                                        u.span(),
                                        e.to_string(),
                                        "write NETWORK/POSTOFFICE/MAILBOX, e.g. \"NET1/PO1/JDOE\"",
                                    )
                                })?;
                        if !setup.users.iter().any(|x| x.address == address) {
                            return Err(src.error(
                                u.span(),
                                format!("the post office has no MS Mail user {address}"),
                                "add it under [[users]], or name one of the users listed there",
                            ));
                        }
                        chosen.push(address);
                    }
                    Some(chosen)
                }
            };
            Operation::Wizard {
                version,
                phase,
                users,
            }
        }
    })
}
