//! The fourth edition's keys (`spec/SCENARIO-FORMAT-4.md`): the site's server, the post
//! office's drive and administrator, dated mail and Schedule+ data, the administrator's
//! `[files]`, and the `mailmig`, `write-file` and `edit-file` steps; read, checked at their
//! line and column, and written back.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Read as _;
use std::ops::Range;
use std::path::{Component, Path};

use toml::Spanned;

use super::{
    quote, RawDated, RawScenario, ScenarioError, Source, StepReader, MAX_FILE_BYTES, MAX_MESSAGES,
};
use crate::vocabulary::files::{BadPath, MailDate, WinPath};
use crate::vocabulary::operation::{CsvField, Operation, UnknownCsvField};
use crate::vocabulary::setup::{MsMailUser, Setup, DEFAULT_ADMIN};
use crate::vocabulary::shown;

/// The part 4 keys of `[site]`, `[postoffice]` and `[files]`, onto the setup read so far.
pub(super) fn setup(
    src: &Source<'_>,
    raw: &RawScenario,
    folder: Option<&Path>,
    mut setup: Setup,
) -> Result<Setup, ScenarioError> {
    if let Some(server) = raw.site.as_ref().and_then(|s| s.server.as_ref()) {
        let name = server.get_ref();
        let shaped = !name.is_empty()
            && name.len() <= 15
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
        if !shaped {
            return Err(src.error(
                server.span(),
                format!("[site] server {} is not a server name", shown(name)),
                "write 1 to 15 letters, digits or '-', e.g. server = \"EXSRV1\" (the default)",
            ));
        }
        setup = setup.with_server_name(name);
    }
    if let Some(po) = &raw.postoffice {
        if let Some(drive) = &po.drive {
            let d = drive.get_ref().trim_end_matches('\\');
            let shaped = d.len() == 2 && d.as_bytes()[0].is_ascii_alphabetic() && d.ends_with(':');
            if !shaped {
                return Err(src.error(
                    drive.span(),
                    format!(
                        "[postoffice] drive {} is not a drive",
                        shown(drive.get_ref())
                    ),
                    "write a letter and a colon, e.g. drive = 'M:'",
                ));
            }
            setup = setup.with_postoffice_drive(Some(drive.get_ref()));
        }
        let text = |v: &Option<Spanned<String>>, key: &str, default: &str| {
            let Some(v) = v else {
                return Ok(default.to_string());
            };
            if v.get_ref().chars().any(char::is_control)
                || (key == "admin" && v.get_ref().trim().is_empty())
            {
                return Err(src.error(
                    v.span(),
                    format!(
                        "[postoffice] {key} {} is not an account or password",
                        shown(v.get_ref())
                    ),
                    format!(
                        "write text without control characters, e.g. {key} = {}",
                        quote(default)
                    ),
                ));
            }
            Ok(v.get_ref().clone())
        };
        let admin = text(&po.admin, "admin", DEFAULT_ADMIN.0)?;
        let password = text(&po.admin_password, "admin_password", DEFAULT_ADMIN.1)?;
        setup = setup.with_admin(&admin, &password);
    }
    if let Some(files) = &raw.files {
        setup = setup.with_files(read_files(src, files, folder)?);
    }
    Ok(setup)
}

/// `[files]`: each Windows path once (F-FILES), its text given or read `{ from = … }`.
fn read_files(
    src: &Source<'_>,
    files: &Spanned<toml::Table>,
    folder: Option<&Path>,
) -> Result<Vec<(WinPath, String)>, ScenarioError> {
    let at = files.span();
    let mut out: Vec<(WinPath, String)> = Vec::new();
    for (key, value) in files.get_ref() {
        let path: WinPath = key.parse().map_err(|e: BadPath| {
            src.error(
                at.clone(),
                format!("[files]: {e}"),
                "name each file by a Windows path, e.g. 'C:\\Migrate\\po1.txt' = \"…\"",
            )
        })?;
        if let Some((other, _)) = out.iter().find(|(p, _)| *p == path) {
            return Err(src.error(
                at.clone(),
                format!("[files] names one file twice: {} and {} (paths are compared without case, / read as \\)", shown(other.as_str()), shown(key)),
                "keep one of the two",
            ));
        }
        let text = match value {
            toml::Value::String(text) => text.clone(),
            toml::Value::Table(t) if t.len() == 1 && t.get("from").is_some_and(|f| f.is_str()) => {
                let from = t.get("from").and_then(toml::Value::as_str).unwrap_or_default();
                read_beside(src, at.clone(), folder, key, from)?
            }
            _ => {
                return Err(src.error(
                    at.clone(),
                    format!("[files] {}: expected the file's text in quotes, or {{ from = \"name\" }}", shown(key)),
                    "write 'C:\\Migrate\\po1.txt' = \"Mode,MSMAILPC\\r\\n…\" or 'C:\\Migrate\\Userlist.csv' = { from = \"userlist.csv\" }",
                ))
            }
        };
        out.push((path, text));
    }
    Ok(out)
}

/// A `{ from = … }` file: relative to the scenario's folder, never outside it, read whole
/// when the scenario is read.
fn read_beside(
    src: &Source<'_>,
    at: Range<usize>,
    folder: Option<&Path>,
    key: &str,
    from: &str,
) -> Result<String, ScenarioError> {
    let refuse = |what: String, help: &str| {
        Err(src.error(at.clone(), format!("[files] {}: {what}", shown(key)), help))
    };
    let Some(folder) = folder else {
        return refuse(
            format!("{} is read beside the scenario file, and this scenario has no folder (standard input)", shown(from)),
            "give the text in quotes, or run a scenario saved on disk",
        );
    };
    let relative = Path::new(from);
    let leaves = from.is_empty()
        || relative
            .components()
            .any(|c| !matches!(c, Component::Normal(_)));
    if leaves {
        return refuse(
            format!("from = {} may not leave the scenario's folder", shown(from)),
            "name a file in the scenario's folder or below it, e.g. from = \"userlist.csv\"",
        );
    }
    let folder = if folder.as_os_str().is_empty() {
        Path::new(".")
    } else {
        folder
    };
    let path = folder.join(relative);
    let inside = match (path.canonicalize(), folder.canonicalize()) {
        (Ok(file), Ok(folder)) => file.starts_with(folder),
        _ => true, // a missing file is reported just below
    };
    if !inside {
        return refuse(
            format!("from = {} leads outside the scenario's folder", shown(from)),
            "copy the file into the scenario's folder",
        );
    }
    let mut bytes = Vec::new();
    let read =
        std::fs::File::open(&path).and_then(|f| f.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes));
    if let Err(e) = read {
        return refuse(
            format!("cannot read {}: {e}", shown(from)),
            "check the name: it is relative to the scenario file's folder",
        );
    }
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return refuse(
            format!("{} is more than {MAX_FILE_BYTES} bytes", shown(from)),
            "a control file or user list is small; split a larger one",
        );
    }
    match String::from_utf8(bytes) {
        Ok(text) => Ok(text),
        Err(e) => refuse(
            format!(
                "{} is not UTF-8 text (byte {} is not)",
                shown(from),
                e.utf8_error().valid_up_to()
            ),
            "save it as UTF-8 text",
        ),
    }
}

/// A user's `dated = [{ date, messages }, …]` (F-DATE), counted toward the file's ceiling.
pub(super) fn dated(
    src: &Source<'_>,
    raw: &[Spanned<RawDated>],
    total: &mut u64,
) -> Result<Vec<(MailDate, u32)>, ScenarioError> {
    let mut out = Vec::with_capacity(raw.len());
    for d in raw {
        let d = d.get_ref();
        let date = parse_date(src, &d.date)?;
        let count = u32::try_from(*d.messages.get_ref()).map_err(|_| {
            src.error(
                d.messages.span(),
                format!(
                    "messages = {} is not a count of messages",
                    d.messages.get_ref()
                ),
                "write a whole number from 0 up, e.g. messages = 2",
            )
        })?;
        *total += u64::from(count);
        if *total > MAX_MESSAGES {
            return Err(super::too_many_messages(src, d.messages.span(), *total));
        }
        out.push((date, count));
    }
    Ok(out)
}

fn parse_date(src: &Source<'_>, date: &Spanned<String>) -> Result<MailDate, ScenarioError> {
    date.get_ref()
        .parse()
        .map_err(|e: crate::vocabulary::files::BadDate| {
            src.error(
                date.span(),
                e.to_string(),
                "write date = \"19990105120000\" (YYYYMMDDHHMMSS)",
            )
        })
}

impl StepReader<'_> {
    /// A delivery's optional `date`.
    pub(super) fn date(&self) -> Result<Option<MailDate>, ScenarioError> {
        self.raw
            .date
            .as_ref()
            .map(|d| parse_date(self.src, d))
            .transpose()
    }

    /// A step's `path`: a Windows path.
    fn path(&self) -> Result<WinPath, ScenarioError> {
        let (text, at) = self.need(&self.raw.path, "path", "'C:\\Migrate\\po1.txt'")?;
        text.parse().map_err(|e: BadPath| {
            self.src.error(
                at,
                e.to_string(),
                "write a Windows path, e.g. path = 'C:\\Migrate\\Userlist.csv'",
            )
        })
    }

    /// OP-MAILMIG: `version` and `command`; the command line is the run's to judge.
    pub(super) fn mailmig(&self) -> Result<Operation, ScenarioError> {
        let version = self.version()?;
        let (command, _) = self.need(
            &self.raw.command,
            "command",
            "'/C:C:\\Migrate\\po1.txt /A:ADMIN /P:PASSWORD /S'",
        )?;
        Ok(Operation::Mailmig { version, command })
    }

    /// OP-FILE, the whole text.
    pub(super) fn write_file(&self) -> Result<Operation, ScenarioError> {
        let path = self.path()?;
        let (text, _) = self.need(&self.raw.text, "text", "\"JDOE\\r\\nMARIABL\\r\\n\"")?;
        Ok(Operation::WriteFile { path, text })
    }

    /// OP-FILE, one field of one row.
    pub(super) fn edit_file(&self) -> Result<Operation, ScenarioError> {
        let path = self.path()?;
        let (user, _) = self.need(&self.raw.user, "user", "\"JDOE\"")?;
        let (text, at) = self.need(&self.raw.field, "field", "\"Home-Server\"")?;
        let field: CsvField = text.parse().map_err(|e: UnknownCsvField| {
            self.src.error(
                at,
                e.to_string(),
                "write field = \"MigrateUser\", \"Mode\", \"Common-Name\" or \"Home-Server\"",
            )
        })?;
        let (value, _) = self.need(&self.raw.value, "value", "\"EXSRV2\"")?;
        Ok(Operation::EditFile {
            path,
            user,
            field,
            value,
        })
    }
}

/// `[postoffice]` back, with the part 4 keys that differ from their defaults.
pub(super) fn write_postoffice(out: &mut String, setup: &Setup) {
    let mut keys = String::new();
    if setup.postoffice_path() != crate::vocabulary::setup::DEFAULT_POSTOFFICE_PATH {
        let _ = writeln!(keys, "path = {}", quote(setup.postoffice_path()));
    }
    if let Some(drive) = setup.postoffice_drive() {
        let _ = writeln!(keys, "drive = {}", quote(drive));
    }
    if setup.admin() != DEFAULT_ADMIN {
        let (admin, password) = setup.admin();
        let _ = writeln!(
            keys,
            "admin = {}\nadmin_password = {}",
            quote(admin),
            quote(password)
        );
    }
    if !keys.is_empty() {
        let _ = write!(out, "\n[postoffice]\n{keys}");
    }
}

/// A user's dated mail and Schedule+ data, when it has them.
pub(super) fn write_user(out: &mut String, user: &MsMailUser) {
    if !user.dated.is_empty() {
        let entries: Vec<String> = user
            .dated
            .iter()
            .map(|(date, n)| format!("{{ date = \"{date}\", messages = {n} }}"))
            .collect();
        let _ = writeln!(out, "dated = [{}]", entries.join(", "));
    }
    if user.schedule {
        let _ = writeln!(out, "schedule = true");
    }
}

/// `[files]`, each text written out (a `{ from = … }` file was read whole).
pub(super) fn write_files(out: &mut String, setup: &Setup) {
    if setup.files().is_empty() {
        return;
    }
    let _ = writeln!(out, "\n[files]");
    let sorted: BTreeMap<&WinPath, &String> = setup.files().iter().map(|(p, t)| (p, t)).collect();
    for (path, text) in sorted {
        let _ = writeln!(out, "{} = {}", quote(path.as_str()), quote(text));
    }
}
