//! Steps in words: what each step did, and why a wizard step failed, in the words of the
//! articles (Q242184's CAUSE for 7026; Q152330, Q168606, Q255888, Q169130 for part 2's
//! events). The transcript, the JSON report and the diff all say it the same way.

use crate::server::Server;
use crate::vocabulary::address::MsMailAddress;
use crate::vocabulary::observation::{MailboxView, Observation};
use crate::vocabulary::operation::{Chosen, Operation, Version, WizardRun};
use crate::vocabulary::outcome::{FoundBy, Outcome, StepResult, UserResult};
use crate::vocabulary::printable;
use crate::vocabulary::rules::RuleId;

fn found_by(f: FoundBy) -> &'static str {
    match f {
        FoundBy::Alias => "by alias",
        FoundBy::MigrateProxy => "by MIGRATE proxy",
        FoundBy::MsProxy => "by MS proxy",
    }
}

/// Why a version found no mailbox for a user, in the words of Q242184's CAUSE: what it
/// looked for, and by which rule.
///
/// ```
/// use migwiz::tools::describe::why_not_found;
/// let user = "NET1/PO1/JDOE".parse()?;
/// assert_eq!(
///     why_not_found(migwiz::Version::V55, &user),
///     "no mailbox holds migrate:MS:NET1/PO1/JDOE (5.5 looks up by MIGRATE proxy, W-2-55)"
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn why_not_found(version: Version, user: &MsMailAddress) -> String {
    match version {
        Version::V50 => format!(
            "no mailbox has alias {} (5.0 looks up by alias, W-2-50)",
            user.mailbox()
        ),
        Version::V55 => format!(
            "no mailbox holds migrate:MS:{user} (5.5 looks up by MIGRATE proxy, W-2-55)"
        ),
        Version::V55Sp1 => format!(
            "no mailbox holds migrate:MS:{user} or MS:{user} (5.5 SP1 looks up by MIGRATE proxy, then by MS proxy, W-2-55SP)"
        ),
    }
}

/// Why a wizard step logged one of part 2's errors for a user, in words: what happened,
/// and by which rule (W-CONT, W-7007, W-7044, W-7034). `None` for other results.
///
/// ```
/// use migwiz::{tools::describe::why_error, UserResult};
/// let r = UserResult::OtherContainer { user: "NET1/PO1/JDOE".parse()?, alias: "JDOE".into(), container: "Sales".into(), target: "Recipients".into() };
/// assert_eq!(why_error(&r).unwrap(), "147: JDOE is in container Sales, the wizard targets Recipients (W-CONT)");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn why_error(r: &UserResult) -> Option<String> {
    Some(match r {
        UserResult::OtherContainer {
            alias,
            container,
            target,
            ..
        } => format!(
            "147: {alias} is in container {container}, the wizard targets {target} (W-CONT)"
        ),
        UserResult::MmfUnavailable {
            user,
            locked,
            out_of_step,
        } => {
            let why = match (locked, out_of_step) {
                (true, true) => "locked by an open MS Mail client, and its password is out of step",
                (true, false) => "locked by an open MS Mail client",
                _ => "out of step: its password was recovered and the user has not logged on and off since",
            };
            format!("7007: the MMF of {} is {why} (W-7007)", user.mailbox())
        }
        UserResult::SpoolerFailure { alias, .. } => format!(
            "7044: a Service Account Admin migrating more than one user cannot hand {alias}'s mail to the MAPI spooler (W-7044)"
        ),
        UserResult::NotInPostOffice { user } => format!(
            "7034: 5.5 from the command line with a user list does not find {} in post office {} (W-7034)",
            user.mailbox(),
            user.postoffice()
        ),
        UserResult::OtherHomeServer { .. } => "7032: the user list row's Home-Server is neither ~SERVER nor this site's server, so the user is not migrated (B-HOME)".to_string(),
        _ => return None,
    })
}

/// What one user's part of a wizard step did, in words.
pub fn describe_user(version: Version, r: &UserResult) -> String {
    if let Some(why) = why_error(r) {
        return format!("{}: {why}", r.user());
    }
    match r {
        UserResult::Updated { user, alias, added } => match added.is_empty() {
            true => format!("{user}: mailbox {alias} has the row's directory name; nothing to add (W-LIST-UPDATE)"),
            false => format!("{user}: mailbox {alias} updated with {} (W-LIST-UPDATE)", added.join(", ")),
        },
        UserResult::Created {
            user,
            alias,
            replaced,
        } => match replaced {
            Some(cr) => format!("{user}: created mailbox {alias}, replacing custom recipient {cr}"),
            None => format!("{user}: created mailbox {alias}"),
        },
        UserResult::Existing {
            user,
            alias,
            found_by: f,
        } => format!(
            "{user}: mailbox {alias} found {}, nothing created",
            found_by(*f)
        ),
        UserResult::Migrated {
            user,
            alias,
            found_by: f,
            messages,
        } => format!(
            "{user}: {messages} message(s) moved into {alias}'s Inbox (found {})",
            found_by(*f)
        ),
        UserResult::NotFound { user } => format!(
            "{user}: 7026: {}; the run stops here",
            why_not_found(version, user)
        ),
        UserResult::ScheduleMigrated {
            user,
            alias,
            message,
        } => match message {
            true => format!("{user}: Schedule+ data migrated into {alias}, with the message \"Migrated Calendar Information\" (B-SCHED)"),
            false => format!("{user}: Schedule+ data migrated into {alias}; 5.0 sends no message (B-SCHED-50)"),
        },
        _ => String::new(),
    }
}

fn short_found(f: FoundBy) -> &'static str {
    match f {
        FoundBy::Alias => "alias",
        FoundBy::MigrateProxy => "MIGRATE",
        FoundBy::MsProxy => "MS proxy",
    }
}

/// The most users a step's table cell names one by one; the rest are counted by what
/// became of them.
pub const MOST_IN_CELL: usize = 10;

/// A step in a few words, for a table cell (`migwiz diff`): the outcome, then one line per
/// user up to [`MOST_IN_CELL`], then the rest counted by what became of them.
///
/// ```
/// use migwiz::{tools::describe::cell, Operation, Outcome, StepResult};
/// let op = Operation::create_mailbox("JDOE".parse()?);
/// assert_eq!(cell(&op, &StepResult::ok([])), "ok");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn cell(op: &Operation, result: &StepResult) -> String {
    let users: Vec<String> = result
        .users
        .iter()
        .take(MOST_IN_CELL)
        .filter_map(|u| match u {
            UserResult::Created {
                alias, replaced, ..
            } => Some(match replaced {
                Some(cr) => format!("created {alias} (CR {cr} deleted)"),
                None => format!("created {alias}"),
            }),
            UserResult::Existing { alias, .. } => Some(format!("kept {alias}")),
            UserResult::Migrated {
                user,
                alias,
                found_by,
                messages,
            } => Some(format!(
                "{user} {messages} -> {alias} ({})",
                short_found(*found_by)
            )),
            UserResult::Updated { alias, added, .. } => Some(match added.is_empty() {
                true => format!("kept {alias} (row's directory name)"),
                false => format!("updated {alias}:\n+ {}", added.join("\n+ ")),
            }),
            UserResult::ScheduleMigrated { alias, message, .. } => Some(match message {
                true => format!("schedule -> {alias} (+ calendar message)"),
                false => format!("schedule -> {alias}"),
            }),
            UserResult::OtherContainer { .. }
            | UserResult::MmfUnavailable { .. }
            | UserResult::SpoolerFailure { .. }
            | UserResult::NotInPostOffice { .. }
            | UserResult::OtherHomeServer { .. } => {
                // The event and whom it is for, then why in words, wrapped to stay narrow.
                let why = why_error(u).unwrap_or_default();
                let (event, reason) = why.split_once(": ").unwrap_or(("", &why));
                Some(format!("{event} for {}\n{}", u.user(), wrap(reason)))
            }
            UserResult::NotFound { user } => {
                let Operation::Wizard(run) = op else {
                    return None;
                };
                let version = &run.version;
                // Why, in Q242184's words: what it looked for, then how; wrapped so that
                // the table stays readable.
                let why = why_not_found(*version, user);
                let (looked, how) = why.split_once(" (").unwrap_or((&why, ""));
                let looked = looked.replace(" or ", "\nor ");
                let how = how.replace(", then", ",\nthen");
                Some(format!("{looked}\n({how}"))
            }
        })
        .collect();
    let rest = result.users.get(MOST_IN_CELL..).unwrap_or_default();
    let more = (!rest.is_empty()).then(|| format!("… and {} more: {}", rest.len(), tally(rest)));
    let mut head = match &result.outcome {
        Outcome::Ok => "ok".to_string(),
        Outcome::Refused(r) => format!("refused: {r}"),
        Outcome::Aborted { user, event } => format!("aborted: {} for {user}", event.id),
    };
    if let Some(batch) = result.batch.as_deref() {
        head.push_str(&format!("\nresult code {}", batch.result_code));
    }
    std::iter::once(head)
        .chain(users)
        .chain(more)
        .collect::<Vec<_>>()
        .join("\n")
}

/// Users' results counted by what became of them: `9990 migrated (MIGRATE), 2 7007`.
fn tally(results: &[UserResult]) -> String {
    // Static words, no text built per user: a step may have 10^4 results (issue 25).
    let mut counts: std::collections::BTreeMap<&'static str, usize> = Default::default();
    for r in results {
        let what = match r {
            UserResult::Created { .. } => "created",
            UserResult::Existing { .. } => "kept",
            UserResult::Migrated { found_by, .. } => match found_by {
                FoundBy::Alias => "migrated (alias)",
                FoundBy::MigrateProxy => "migrated (MIGRATE)",
                FoundBy::MsProxy => "migrated (MS proxy)",
            },
            UserResult::Updated { .. } => "updated",
            UserResult::NotFound { .. } => "7026",
            UserResult::OtherContainer { .. } => "147",
            UserResult::MmfUnavailable { .. } => "7007",
            UserResult::SpoolerFailure { .. } => "7044",
            UserResult::NotInPostOffice { .. } => "7034",
            UserResult::OtherHomeServer { .. } => "7032",
            UserResult::ScheduleMigrated { .. } => "schedule",
        };
        *counts.entry(what).or_default() += 1;
    }
    let parts: Vec<String> = counts.iter().map(|(w, n)| format!("{n} {w}")).collect();
    parts.join(", ")
}

/// A reason cut into lines of about 40 characters, so that a table cell stays narrow.
fn wrap(text: &str) -> String {
    let mut lines: Vec<String> = vec![String::new()];
    for word in text.split(' ') {
        let line = lines.last_mut().expect("one line at least");
        if !line.is_empty() && line.len() + word.len() > 40 {
            lines.push(word.to_string());
        } else {
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
        }
    }
    lines.join("\n")
}

/// The most users a wizard step's description names one by one.
pub const MOST_DESCRIBED: usize = 40;

/// What a step's description needs to see of the state right after it.
pub trait StateAfter {
    /// One mailbox, by alias.
    fn mailbox(&self, alias: &str) -> Option<MailboxView>;
    /// How many rows the user list has, if one was extracted.
    fn user_list_rows(&self) -> Option<usize>;
}

impl StateAfter for Observation {
    fn mailbox(&self, alias: &str) -> Option<MailboxView> {
        self.mailboxes
            .iter()
            .find(|m| m.alias.eq_ignore_ascii_case(alias))
            .cloned()
    }
    fn user_list_rows(&self) -> Option<usize> {
        self.user_list.as_ref().map(Vec::len)
    }
}

impl StateAfter for Server {
    fn mailbox(&self, alias: &str) -> Option<MailboxView> {
        Server::mailbox(self, alias)
    }
    fn user_list_rows(&self) -> Option<usize> {
        Server::user_list_rows(self)
    }
}

/// One line for people: what a step did, seen in the state right after it.
pub fn describe_step(op: &Operation, result: &StepResult, after: &impl StateAfter) -> String {
    if let Outcome::Refused(r) = &result.outcome {
        return describe_refusal(r);
    }
    let mailbox = |alias: &str| after.mailbox(alias);
    match op {
        Operation::CreateMailbox {
            alias, container, ..
        } => {
            let proxies = mailbox(alias.as_str()).map_or(String::new(), |m| m.proxies.join(", "));
            match container {
                None => format!("mailbox {alias} created with {proxies} (no MIGRATE proxy)"),
                Some(container) => format!(
                    "mailbox {alias} created in {container} with {proxies} (no MIGRATE proxy)"
                ),
            }
        }
        Operation::Logon { alias, language } => {
            let folders = mailbox(alias.as_str()).map_or(String::new(), |m| m.folders.join(", "));
            if result.rules.contains(&RuleId::ALang) {
                format!("first logon to {alias}, in {language}: folders created: {folders}")
            } else {
                format!("{language} logon to {alias}: folders already exist ({folders}), nothing renamed")
            }
        }
        Operation::AddProxy { alias, address } => format!("{alias} now holds {address}"),
        Operation::RemoveProxy { alias, address } => format!("{alias} no longer holds {address}"),
        Operation::CustomRecipient {
            alias,
            address,
            container,
        } => match container {
            None => format!("custom recipient {alias} created for MS:{address}"),
            Some(container) => {
                format!("custom recipient {alias} created in {container} for MS:{address}")
            }
        },
        Operation::MsMailClient { user, open } => describe_client(user, *open, result),
        Operation::RecoverPassword { user } => format!(
            "the MS Mail administrator recovers {user}'s password: its MMF is out of step until the user logs on and off"
        ),
        Operation::Deliver {
            user,
            messages,
            date: None,
        } => format!("{messages} new message(s) wait in MS Mail for {user}"),
        Operation::Deliver {
            user,
            messages,
            date: Some(date),
        } => format!("{messages} new message(s) dated {date} wait in MS Mail for {user}"),
        Operation::ExtractUserList { version, .. } => {
            let rows = after.user_list_rows().unwrap_or(0);
            format!("user list extracted with the {version} columns: {rows} row(s)")
        }
        Operation::EditUserList { user, field, value } => {
            format!("{user}'s row: {field} set to {value:?}")
        }
        Operation::WriteFile { .. } | Operation::EditFile { .. } | Operation::Mailmig { .. } => {
            describe_part4(op, result)
        }
        Operation::Wizard(run) => describe_wizard(run, result, after),
    }
}

/// A refused step: the refusal in words. A batch run's message repeats the
/// administrator's text, which may hold control characters or run to a megabyte: escaped,
/// and cut past 300 characters.
fn describe_refusal(refusal: &crate::vocabulary::outcome::Refusal) -> String {
    let said = refusal.to_string();
    let count = said.chars().count();
    let said = match count > 300 {
        true => format!(
            "{}… ({count} characters)",
            said.chars().take(300).collect::<String>()
        ),
        false => said,
    };
    format!("refused: {}", printable(&said))
}

/// What a wizard step did for each user; at scale, the first users and a count (`--json`'s
/// detail is this same line).
fn describe_wizard(run: &WizardRun, result: &StepResult, after: &impl StateAfter) -> String {
    if result.users.is_empty() {
        return "no users chosen".to_string();
    }
    let mailbox = |alias: &str| after.mailbox(alias);
    let mut parts: Vec<String> = result
        .users
        .iter()
        .take(MOST_DESCRIBED)
        .map(|u| describe_user(run.version, u) + &row_proxies(run, u, &mailbox))
        .collect();
    if result.users.len() > MOST_DESCRIBED {
        parts.push(format!(
            "and {} more results of users",
            result.users.len() - MOST_DESCRIBED
        ));
    }
    parts.join("; ")
}

/// What a step of part 4 did: a file written or edited, or a batch run and its users.
fn describe_part4(op: &Operation, result: &StepResult) -> String {
    match op {
        Operation::WriteFile { path, text } => format!(
            "the administrator writes {} ({} line(s))",
            printable(path.as_str()),
            crate::vocabulary::files::lines(text).len()
        ),
        Operation::EditFile {
            path,
            user,
            field,
            value,
        } => format!(
            "{}: {}'s {field} set to {:?}",
            printable(path.as_str()),
            printable(user),
            printable(value)
        ),
        Operation::Mailmig { version, .. } => {
            let report = result.batch.as_deref().cloned().unwrap_or_default();
            let function = report.function.map_or("?", |f| f.as_str());
            let mut parts = vec![format!(
                "mailmig {function} ended with result code {}",
                report.result_code
            )];
            parts.extend(
                result
                    .users
                    .iter()
                    .take(MOST_DESCRIBED)
                    .map(|u| describe_user(*version, u)),
            );
            if result.users.len() > MOST_DESCRIBED {
                parts.push(format!(
                    "and {} more results of users",
                    result.users.len() - MOST_DESCRIBED
                ));
            }
            parts.join("; ")
        }
        _ => String::new(),
    }
}

/// W-LIST as settled: from a user list, the row decides a new mailbox's proxies whatever
/// the step's version. Where that differs from what the version writes on its own (a 5.0
/// list run by 5.5, a 5.5 list run by 5.0), say so and cite W-LIST; elsewhere nothing.
fn row_proxies(
    run: &WizardRun,
    r: &UserResult,
    mailbox: &impl Fn(&str) -> Option<MailboxView>,
) -> String {
    let UserResult::Created {
        user,
        alias,
        replaced,
    } = r
    else {
        return String::new();
    };
    if run.users != Chosen::UserList {
        return String::new();
    }
    let migrate = format!("migrate:MS:{user}");
    let has =
        mailbox(alias).is_some_and(|m| m.proxies.iter().any(|p| p.eq_ignore_ascii_case(&migrate)));
    let rtm = run.version == Version::V55 && replaced.is_some(); // W-1-CR-RTM decides there
    match (run.version, has) {
        (Version::V50, true) => format!(", with the row's {migrate} (W-LIST)"),
        (Version::V55 | Version::V55Sp1, false) if !rtm => {
            ", with no MIGRATE proxy: the row gave none to write (W-LIST)".to_string()
        }
        _ => String::new(),
    }
}

fn describe_client(user: &MsMailAddress, open: bool, result: &StepResult) -> String {
    let changed = result.rules.contains(&RuleId::AMmf);
    match (open, changed) {
        (true, true) => format!("{user} opens the MS Mail client: its MMF is locked"),
        (false, true) => format!(
            "{user} closes the MS Mail client: its MMF is unlocked and its password in step"
        ),
        (true, false) => format!("{user}'s MS Mail client is already open: nothing changes"),
        (false, false) => format!("{user}'s MS Mail client is already closed: nothing changes"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vocabulary::operation::Phase;
    use crate::vocabulary::setup::{MsMailUser, Setup};

    /// A report describes steps from the server, a caller of the library may do it from an
    /// observation: both must say the same, whatever the step looked up in the state.
    #[test]
    fn an_observation_describes_a_step_as_the_server_does() {
        let users = ["NET1/PO1/JDOE", "NET1/PO1/MARIABL"]
            .map(|a| MsMailUser::new(a.parse().expect("an address"), 2));
        let setup =
            Setup::new(Default::default(), Default::default(), users.to_vec()).expect("a setup");
        let mut server = Server::new(&setup);
        let jdoe = "JDOE".parse().expect("an alias");
        let steps = [
            Operation::create_mailbox(jdoe),
            Operation::ExtractUserList {
                version: Version::V55,
                users: None,
            },
            Operation::wizard(Version::V55, Phase::Full),
        ];
        let mut lines = Vec::new();
        for op in steps {
            let result = server.apply(&op);
            let line = describe_step(&op, &result, &server);
            assert_eq!(describe_step(&op, &result, &server.observe()), line);
            lines.push(line);
        }
        // What the lines read from the state is in them, so a wrong answer would show.
        assert!(lines[0].contains("SMTP:JDOE@"), "{}", lines[0]);
        assert!(lines[1].ends_with(": 2 row(s)"), "{}", lines[1]);
    }

    /// W-7007: an MMF both locked and out of step is described with both reasons.
    #[test]
    fn an_mmf_locked_and_out_of_step_is_described_with_both_reasons() {
        let r = UserResult::MmfUnavailable {
            user: "NET1/PO1/JDOE".parse().expect("an address"),
            locked: true,
            out_of_step: true,
        };
        assert_eq!(
            why_error(&r).as_deref(),
            Some("7007: the MMF of JDOE is locked by an open MS Mail client, and its password is out of step (W-7007)")
        );
    }

    /// A wizard step's line names up to [`MOST_DESCRIBED`] users one by one, and counts
    /// the rest only when there is a rest.
    #[test]
    fn a_wizard_step_names_its_first_users_and_counts_the_rest() {
        let op = Operation::wizard(Version::V55, Phase::Migrate);
        let server = Server::new(
            &Setup::new(Default::default(), Default::default(), Vec::new()).expect("a setup"),
        );
        let line = |users: usize| {
            let mut result = StepResult::ok([]);
            result.users = (0..users)
                .map(|i| UserResult::NotFound {
                    user: format!("NET1/PO1/U{i}").parse().expect("an address"),
                })
                .collect();
            describe_step(&op, &result, &server)
        };
        let all = line(MOST_DESCRIBED);
        assert_eq!(all.matches("7026").count(), MOST_DESCRIBED);
        assert!(
            !all.contains("more results"),
            "the line ends: {}",
            &all[all.len() - 60..]
        );
        let more = line(MOST_DESCRIBED + 2);
        assert_eq!(more.matches("7026").count(), MOST_DESCRIBED);
        assert!(more.ends_with("; and 2 more results of users"));
    }
}
