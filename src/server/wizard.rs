//! The Exchange Migration Wizard, versions 5.0, 5.5 and 5.5 SP1 (rules W-*).
//!
//! Step one creates mailboxes for MS Mail users; step two finds each user's mailbox and
//! moves the waiting mail into its Inbox. How a version finds the mailbox is the whole
//! story of Q242184: 5.0 by alias (W-2-50), 5.5 by MIGRATE proxy (W-2-55), 5.5 SP1 by
//! MIGRATE proxy and then by MS proxy (W-2-55SP). Part 2 adds containers (W-CONT,
//! W-CONT-55), the user list (W-LIST, W-LIST-UPDATE), the MS Mail side (W-7007), the
//! operator and mode (W-7044, W-7034), and the summary every step ends with (W-10068).

use std::collections::BTreeSet;
use std::sync::Arc;

use crate::server::addressing::{
    container_or_default, is_default_container, ms_for, same_container, Proxy,
};
use crate::server::directory::{Directory, MailboxId, NewMailbox};
use crate::server::eventlog::{self, EventLog, Summary};
use crate::server::postoffice::{Messages, Mmf, PostOffice, UserSlot};
use crate::server::store::InformationStore;
use crate::server::store::Schedule;
use crate::server::userlist::HomeServer;
use crate::server::userlist::{is_adminsch, Row, RowMode, UserList};
use crate::vocabulary::address::{Alias, MsMailAddress};
use crate::vocabulary::container::Container;
use crate::vocabulary::event::Event;
use crate::vocabulary::files::MailDate;
use crate::vocabulary::language::Language;
use crate::vocabulary::operation::{Chosen, Mode, Operator, Phase, Version, WizardRun};
use crate::vocabulary::outcome::{BatchReport, FoundBy, Outcome, Refusal, StepResult, UserResult};
use crate::vocabulary::planted::{planted, Mistake};
use crate::vocabulary::rules::RuleId;
use crate::vocabulary::unit::Unit;

/// The parts of the server the wizard works on, borrowed for one run.
///
/// The directory, the store and the post office stay shared (copy on write) until the run
/// writes to one (`Arc::make_mut` at each write): many runs change only some of them, an
/// aborted step two only the log, and the checker tries every run from every state.
#[derive(Debug)]
pub struct Exchange<'a> {
    /// The directory.
    pub directory: &'a mut Arc<Directory>,
    /// The information store.
    pub store: &'a mut Arc<InformationStore>,
    /// The MS Mail post office being migrated.
    pub postoffice: &'a mut Arc<PostOffice>,
    /// The application event log.
    pub log: &'a mut EventLog,
    /// The user list, if one was extracted.
    pub user_list: Option<&'a UserList>,
    /// The language the wizard's own logon speaks (W-OPEN).
    pub server_language: Language,
    /// The post office's path, as events 7007 and 10068 name it.
    pub postoffice_path: &'a str,
    /// What the unit read in an earlier critical section: empty, but for the named faults
    /// of the shared server (`server::shared::Fault`).
    pub seen: Seen,
    /// The site's server (B-HOME).
    pub server_name: &'a Arc<str>,
}

/// What a `user` unit read in an earlier critical section instead of now. A correct server
/// leaves every field `None`: each is a named fault's window (`server::shared::Fault`).
#[derive(Debug, Clone, Default)]
pub struct Seen {
    /// The MMF as it was when checked (`Fault::MmfCheckedApart`, C-MMF).
    pub mmf: Option<Mmf>,
    /// The waiting mail as it was when read (`Fault::WaitingReadApart`, C-DELIVER).
    pub waiting: Option<Vec<Messages>>,
    /// The directory as it was at `start` (`Fault::StaleDirectory`, C-MIDRUN).
    pub directory: Option<Arc<Directory>>,
    /// The directory as it was when W-LIST-UPDATE looked its mailbox up, before the unit's
    /// own critical section (`Fault::ListUpdateApart`, C-UNITS).
    pub update_lookup: Option<Arc<Directory>>,
}

/// The rule a phase is carried by: OP-STEP1, OP-STEP2 or OP-FULL.
fn phase_rule(phase: Phase) -> RuleId {
    match phase {
        Phase::Create => RuleId::OpStep1,
        Phase::Migrate => RuleId::OpStep2,
        Phase::Full => RuleId::OpFull,
    }
}

/// A wizard step in progress between its units (C-UNITS): what `start` decided, how far
/// it got, and the summary's counts so far.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Progress {
    run: WizardRun,
    /// The container the run targets: the one it names, or the default (A-CONT).
    target: Container,
    /// The rows of the users the step takes, fixed by `start`; shared with the post
    /// office's [`Extracted`](crate::server::userlist::Extracted) rows when it takes all.
    picked: Arc<[Row]>,
    /// How many of them the step has reached.
    next: usize,
    /// Why the step stopped early, if it did.
    stop: Option<Stop>,
    summary: Summary,
    /// What a batch run's control file set; the wizard's defaults otherwise.
    options: Options,
    /// For a batch run: what its `end` reports (B-RESULT).
    batch: Option<Reporting>,
}

/// What a run does besides its users, set by a batch run's control file (RULES-PART4.md).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// The users come from a user list (W-7034, B-7032).
    pub from_list: bool,
    /// Step one makes mailboxes (`Mailbox`, B-FUNC).
    pub mailbox: bool,
    /// Step two moves mail (`Email`, B-EMAIL).
    pub email: bool,
    /// Dated mail moves only between these, both included (B-DATES).
    pub start: Option<MailDate>,
    /// See `start`.
    pub end: Option<MailDate>,
    /// Step two migrates schedules (B-SCHED).
    pub schedule: bool,
    /// The site's server (B-HOME).
    pub server_name: Arc<str>,
}

impl Options {
    /// The wizard's own run: mailboxes, all mail, schedules as the run says.
    pub fn of(run: &WizardRun, server_name: &Arc<str>) -> Options {
        Options {
            from_list: run.users == Chosen::UserList,
            mailbox: true,
            email: true,
            start: None,
            end: None,
            schedule: run.schedule,
            server_name: server_name.clone(),
        }
    }

    /// Whether step two takes a waiting message (B-EMAIL, B-DATES).
    fn takes(&self, m: &Messages) -> bool {
        self.email
            && m.date.is_none_or(|d| {
                self.start.is_none_or(|s| d >= s) && self.end.is_none_or(|e| d <= e)
            })
    }
}

/// A batch run in progress (FULL, IMPORT), between its units: what its `end` reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reporting {
    /// The report so far: the function and the warnings, read by `start`.
    pub report: BatchReport,
    /// Whether a unit of the run logged an event of type Error (B-RESULT).
    pub error: bool,
}

impl Reporting {
    /// Notes the events a unit of the run logged.
    pub fn saw(&mut self, events: &[Event]) {
        self.error |= events.iter().any(|e| e.kind == "Error");
    }

    /// The run's report, with its result code (B-RESULT: 2 for an event of type Error,
    /// else 1 for a warning, else 0; 10068, Information, never raises it).
    pub fn finish(mut self) -> BatchReport {
        let warned = !self.report.warnings.is_empty() && !planted(Mistake::WarningsUncounted);
        self.report.result_code = match (self.error, warned) {
            (true, _) => 2,
            (false, true) => 1,
            (false, false) => 0,
        };
        self.report
    }
}

impl Progress {
    /// The step's next unit: a `user` unit for the next user it takes, or its `end` once
    /// every user was reached or one stopped it.
    pub fn next_unit(&self) -> Unit {
        match (&self.stop, self.picked.get(self.next)) {
            (None, Some(row)) => Unit::User(row.user.clone()),
            _ => Unit::End,
        }
    }

    /// The step.
    pub fn run(&self) -> &WizardRun {
        &self.run
    }
}

/// One unit in progress: the step's settings, the rules that decided the unit, and what it
/// did for each user.
struct Step<'r> {
    run: &'r WizardRun,
    /// The container the run targets (A-CONT).
    target: &'r Container,
    rules: &'r mut Cited,
    done: &'r mut Vec<UserResult>,
    summary: &'r mut Summary,
    /// How many users the step takes (W-7044 counts them).
    chosen: usize,
    /// What a batch run set.
    options: &'r Options,
}

/// The rules a unit cites, as bits while it runs: a user unit cites about six, for each
/// of 10^4 users of a step, and a `BTreeSet` insert for each cost a fifth of the unit; the
/// bits become the step's `BTreeSet` once, at its end (issue 25).
#[derive(Debug, Default, Clone, Copy)]
struct Cited(u128);

// One bit per rule.
const _: () = assert!(RuleId::ALL.len() <= 128);

impl Cited {
    fn insert(&mut self, rule: RuleId) {
        self.0 |= 1u128 << (rule as u32);
    }

    fn extend(&mut self, rules: impl IntoIterator<Item = RuleId>) {
        rules.into_iter().for_each(|r| self.insert(r));
    }

    fn union(&mut self, other: Cited) {
        self.0 |= other.0;
    }

    /// Adds the rules cited to `set`.
    fn add_to(self, set: &mut BTreeSet<RuleId>) {
        let cited = RuleId::ALL.iter().copied();
        set.extend(cited.filter(|&r| self.0 & (1u128 << (r as u32)) != 0));
    }
}

/// Why the wizard stopped the run.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Stop {
    /// W-7026: no mailbox for this user.
    NotFound(MsMailAddress),
    /// The directory refused a write the wizard needed (cannot happen under the rules;
    /// reported rather than panicking).
    Refused(Refusal),
}

/// Runs the wizard alone: `start`, a `user` unit for each user it takes, and `end`, back
/// to back (C-SEQ).
///
/// ```
/// use migwiz::{MsMailUser, Operation, Outcome, Phase, Server, Setup, Version};
///
/// let user = MsMailUser::new("NET1/PO1/JDOE".parse()?, 3);
/// let setup = Setup::new(Default::default(), Default::default(), vec![user])?;
/// let mut server = Server::new(&setup);
/// let run = Operation::wizard(Version::V55, Phase::Full);
/// assert_eq!(server.apply(&run).outcome, Outcome::Ok);
/// let seen = server.observe();
/// assert_eq!(seen.mailboxes[0].mail[0].count, 3);
/// assert_eq!(seen.events.last().map(|e| e.id), Some(10068));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn run(run: &WizardRun, ex: &mut Exchange<'_>) -> StepResult {
    let (result, progress) = start(run, ex);
    match progress {
        Some(progress) => run_units(result, progress, ex),
        None => result,
    }
}

/// Every unit of a started step, back to back, added to `start`'s result.
pub fn run_units(
    mut result: StepResult,
    mut progress: Progress,
    ex: &mut Exchange<'_>,
) -> StepResult {
    // Each user unit adds to the one result: no result per unit to merge, and its rules
    // to one set of bits, made a `BTreeSet` once (issue 25).
    let mut cited = Cited::default();
    // One result per user and phase, sized once: growing a list of 2x10^4 results by
    // doubling copied it 15 times a step (issue 25).
    let phases = if progress.run.phase == Phase::Full {
        2
    } else {
        1
    };
    result.users.reserve(progress.picked.len() * phases);
    let logged = ex.log.entries().len();
    while let Unit::User(_) = progress.next_unit() {
        result.outcome = user_into(&mut progress, ex, &mut cited, &mut result.users);
    }
    progress.saw(&ex.log.entries()[logged..]);
    cited.add_to(&mut result.rules);
    let last = end(progress, ex);
    result.rules.extend(last.rules);
    result.outcome = last.outcome;
    if last.batch.is_some() {
        result.batch = last.batch;
    }
    result
}

/// `start`: the users the step takes (W-LIST's choice, OP-IMPORT, ADMINSCH left out), and
/// the step in progress; none when the step is refused, which is then this unit alone.
pub fn start(run: &WizardRun, ex: &mut Exchange<'_>) -> (StepResult, Option<Progress>) {
    let mut rules = BTreeSet::from([phase_rule(run.phase)]);
    match pick(run, ex, &mut rules) {
        Ok(picked) => {
            let options = Options::of(run, ex.server_name);
            let progress = begin(run, picked, options, ex, &mut rules);
            (StepResult::new(Outcome::Ok, rules), Some(progress))
        }
        Err(refusal) => (StepResult::new(Outcome::Refused(refusal), rules), None),
    }
}

/// A step in progress over `picked`; 5.5 before SP1 first reads a user list's header as a
/// user (B-7032).
pub fn begin(
    run: &WizardRun,
    picked: Arc<[Row]>,
    options: Options,
    ex: &mut Exchange<'_>,
    rules: &mut BTreeSet<RuleId>,
) -> Progress {
    let mut summary = Summary::default();
    let header_as_user =
        run.version == Version::V55 && run.mode == Mode::CommandLine && options.from_list;
    if header_as_user {
        // B-7032 (Q180876): the header line read as user "Home-Server", once.
        ex.log.write(eventlog::invalid_home_server("Home-Server"));
        summary.reached += 1;
        summary.extraction_errors += 1;
        rules.extend([RuleId::B7032, RuleId::ALog]);
    }
    Progress {
        run: run.clone(),
        target: container_or_default(run.container.as_ref()),
        picked,
        next: 0,
        stop: None,
        summary,
        options,
        batch: None,
    }
}

impl Progress {
    /// Counts an account the run could not find before it reached its users (B-ACCOUNTS).
    pub fn count_missing_account(&mut self) {
        self.summary.reached += 1;
        self.summary.extraction_errors += 1;
    }

    /// Makes the step a batch run's, which `end` reports with its result code.
    pub fn report_as_batch(&mut self, reporting: Reporting) {
        self.batch = Some(reporting);
    }

    /// Notes the events a unit of a batch run logged (B-RESULT).
    fn saw(&mut self, events: &[Event]) {
        if let Some(batch) = self.batch.as_mut() {
            batch.saw(events);
        }
    }
}

/// A `user` unit: everything the rules do for the step's next user, on the state now.
pub fn user(progress: &mut Progress, ex: &mut Exchange<'_>) -> StepResult {
    let mut result = StepResult::new(Outcome::Ok, []);
    let mut cited = Cited::default();
    let logged = ex.log.entries().len();
    result.outcome = user_into(progress, ex, &mut cited, &mut result.users);
    progress.saw(&ex.log.entries()[logged..]);
    cited.add_to(&mut result.rules);
    result
}

/// A `user` unit, adding its rules and user results to `rules` and `done`; returns how the
/// unit ended.
fn user_into(
    progress: &mut Progress,
    ex: &mut Exchange<'_>,
    rules: &mut Cited,
    done: &mut Vec<UserResult>,
) -> Outcome {
    let Progress {
        run,
        target,
        picked,
        summary,
        stop,
        next,
        options,
        batch: _,
    } = progress;
    let Some(row) = picked.get(*next) else {
        return Outcome::Ok;
    };
    *next += 1;
    let mut step = Step {
        run,
        target,
        rules,
        done,
        summary,
        chosen: picked.len(),
        options,
    };
    step.summary.reached += 1;
    let command_line_bug =
        run.version == Version::V55 && run.mode == Mode::CommandLine && options.from_list;
    let elsewhere = match &row.home_server {
        HomeServer::ThisServer => false,
        HomeServer::Named(name) => !name.eq_ignore_ascii_case(&options.server_name),
    };
    let mut outcome = Outcome::Ok;
    if command_line_bug {
        // W-7034 (Q169130): every row logs 7034, and nothing else happens.
        let user = &row.user;
        ex.log
            .write(eventlog::user_not_found(user.mailbox(), user.postoffice()));
        step.summary.extraction_errors += 1;
        step.rules.extend([RuleId::W7034, RuleId::ALog]);
        step.done
            .push(UserResult::NotInPostOffice { user: user.clone() });
    } else if elsewhere {
        // B-HOME: the row puts the user on another server: 7032, and nothing else.
        ex.log.write(eventlog::invalid_home_server("Home-Server"));
        step.summary.extraction_errors += 1;
        step.rules.extend([RuleId::BHome, RuleId::ALog]);
        step.done.push(UserResult::OtherHomeServer {
            user: row.user.clone(),
        });
    } else {
        let mut stopped = None;
        let mut found = None;
        if run.phase != Phase::Migrate {
            match step_one(row, ex, &mut step) {
                Ok(existing) => found = existing,
                Err(refusal) => stopped = Some(Stop::Refused(refusal)),
            }
        }
        if run.phase != Phase::Create && stopped.is_none() {
            if let Err(s) = step_two(row, ex, &mut step, found) {
                stopped = Some(s);
            }
        }
        if let Some(Stop::NotFound(user)) = &stopped {
            outcome = Outcome::Aborted {
                user: user.clone(),
                event: eventlog::mapi_logon_failure(),
            };
        }
        *stop = stopped;
    }
    outcome
}

/// `end`: the summary, 10068, counting this step's units (W-10068), and how the step
/// ended.
pub fn end(progress: Progress, ex: &mut Exchange<'_>) -> StepResult {
    // W-10068: the summary closes every run, aborted or not.
    ex.log
        .write(eventlog::summary(ex.postoffice_path, &progress.summary));
    let outcome = match progress.stop {
        None => Outcome::Ok,
        Some(Stop::NotFound(user)) => Outcome::Aborted {
            user,
            event: eventlog::mapi_logon_failure(),
        },
        Some(Stop::Refused(refusal)) => Outcome::Refused(refusal),
    };
    let mut result = StepResult::new(outcome, [RuleId::W10068, RuleId::ALog]);
    if let Some(batch) = progress.batch {
        // B-RESULT: a batch run's result code comes with its last unit.
        result.batch = Some(Box::new(batch.finish()));
        result.rules.insert(RuleId::BResult);
    }
    result
}

/// The rows a run takes: each chosen user's row as the version would extract it (W-LIST's
/// default case), or the user list's `Y` rows (OP-IMPORT); never ADMINSCH (A-ADMIN).
fn pick(
    run: &WizardRun,
    ex: &Exchange<'_>,
    rules: &mut BTreeSet<RuleId>,
) -> Result<Arc<[Row]>, Refusal> {
    let extracted = |user: &MsMailAddress| Row::extracted(run.version, user);
    let rows: Vec<Row> = match &run.users {
        Chosen::All => {
            // Made once per post office and version, not once per step (issue 25).
            let all = ex.postoffice.extracted(run.version);
            if all.admin_left_out {
                rules.insert(RuleId::AAdmin);
            }
            return Ok(all.rows.clone());
        }
        Chosen::These(users) => {
            if let Some(unknown) = users.iter().find(|u| !ex.postoffice.has_user(u)) {
                let user = unknown.to_string();
                return Err(Refusal::UnknownUser { user });
            }
            users.iter().map(extracted).collect()
        }
        Chosen::UserList => {
            rules.insert(RuleId::OpImport);
            let list = ex.user_list.ok_or(Refusal::NoUserList)?;
            rules.extend([RuleId::WList, RuleId::AList]);
            list.rows().iter().filter(|r| r.migrate).cloned().collect()
        }
    };
    let before = rows.len();
    let rows: Arc<[Row]> = rows.into_iter().filter(|r| !is_adminsch(&r.user)).collect();
    if rows.len() < before {
        rules.insert(RuleId::AAdmin);
    }
    Ok(rows)
}

/// Finds the user's mailbox the way `version` does (W-2-50 by the row's Common-Name,
/// W-2-55, W-2-55SP), in every container, noting the rules consulted.
fn find_mailbox(
    version: Version,
    row: &Row,
    directory: &Directory,
    consulted: &mut Cited,
) -> Option<(MailboxId, FoundBy)> {
    match version {
        Version::V50 => {
            consulted.insert(RuleId::W250);
            directory
                .mailbox_by_alias(&row.common_name)
                .map(|id| (id, FoundBy::Alias))
        }
        Version::V55 | Version::V55Sp1 => {
            consulted.insert(RuleId::W255);
            // The MIGRATE and MS addresses of `migrate_for` and `ms_for`, looked up as text.
            if let Some(id) = directory.mailbox_with_text(&["migrate:MS:", row.user.as_str()]) {
                return Some((id, FoundBy::MigrateProxy));
            }
            if version == Version::V55 {
                return None;
            }
            consulted.extend([RuleId::W255Sp, RuleId::AMs]);
            directory
                .mailbox_with_text(&["MS:", row.user.as_str()])
                .map(|id| (id, FoundBy::MsProxy))
        }
    }
}

/// A mailbox `find_mailbox` found, and how.
type Found = (MailboxId, FoundBy);

fn alias_of(directory: &Directory, id: MailboxId) -> String {
    directory
        .mailbox(id)
        // `as_str` rather than `to_string`: this runs twice per user of every step.
        .map(|m| m.alias().as_str().to_owned())
        .unwrap_or_default()
}

/// Step one for one user (W-1-EXIST, W-LIST-UPDATE, or a new mailbox); the mailbox it
/// found, when it found one and wrote nothing.
fn step_one(
    row: &Row,
    ex: &mut Exchange<'_>,
    step: &mut Step<'_>,
) -> Result<Option<Found>, Refusal> {
    let mut consulted = Cited::default();
    let lookup = ex.seen.directory.as_deref().unwrap_or(ex.directory);
    if let Some((id, found_by)) = find_mailbox(step.run.version, row, lookup, &mut consulted) {
        step.rules.insert(RuleId::W1Exist);
        step.rules.union(consulted);
        step.done.push(UserResult::Existing {
            user: row.user.clone(),
            alias: alias_of(ex.directory, id),
            found_by,
        });
        return Ok(Some((id, found_by)));
    }
    if !step.options.mailbox && !converts_custom_recipient(row, ex, step) {
        // B-FUNC, Mailbox FALSE: only a custom recipient is made a mailbox.
        step.rules.insert(RuleId::BFunc);
        return Ok(None);
    }
    if row.mode == RowMode::Update {
        // W-LIST-UPDATE (Q186742): update the target container's mailbox of that name.
        step.rules.insert(RuleId::WListUpdate);
        let container = &step.target;
        let lookup = ex.seen.update_lookup.as_deref().unwrap_or(ex.directory);
        if let Some(id) = lookup.mailbox_by_directory_name(container, &row.common_name) {
            update(row, id, ex, step);
            return Ok(None);
        }
    }
    create(row, ex, step).map(|()| None)
}

/// Whether step one would make the user's custom recipient a mailbox (W-1-CR): 5.5 and
/// SP1, for one in the target container.
fn converts_custom_recipient(row: &Row, ex: &Exchange<'_>, step: &Step<'_>) -> bool {
    if step.run.version == Version::V50 {
        return false;
    }
    let directory = &**ex.directory;
    directory
        .custom_recipient_for(&row.user)
        .and_then(|cr| directory.custom_recipient(cr))
        .is_some_and(|c| same_container(c.container(), step.target))
}

/// W-LIST-UPDATE: the row's secondary addresses onto the mailbox, each unless held.
fn update(row: &Row, id: MailboxId, ex: &mut Exchange<'_>, step: &mut Step<'_>) {
    let mut added = Vec::new();
    for address in row.secondary.iter() {
        if Arc::make_mut(ex.directory).add_if_free(id, address.clone()) {
            added.push(address.to_string());
        } else {
            step.rules.insert(RuleId::AUnique);
        }
    }
    step.rules.extend([RuleId::ADn, RuleId::AList]);
    step.done.push(UserResult::Updated {
        user: row.user.clone(),
        alias: alias_of(ex.directory, id),
        added,
    });
}

/// A new mailbox in the target container (W-1, W-1-CR, W-1-CR-RTM, W-1-50, W-LIST,
/// W-CONT-55, A-ADMIN).
fn create(row: &Row, ex: &mut Exchange<'_>, step: &mut Step<'_>) -> Result<(), Refusal> {
    let run = step.run;
    let user = &row.user;
    let mut extra = Vec::new();
    let mut replaced = None;
    let mut writes_migrate = true;
    match run.version {
        Version::V50 => {
            // W-1-50: no MIGRATE proxy of its own, and a custom recipient is left alone.
            step.rules.insert(RuleId::W150);
        }
        Version::V55 | Version::V55Sp1 => {
            if let Some(cr) = ex.directory.custom_recipient_for(user) {
                let in_target = ex
                    .directory
                    .custom_recipient(cr)
                    .is_some_and(|c| same_container(c.container(), step.target));
                if in_target {
                    step.rules.insert(RuleId::W1Cr);
                    let cr = Arc::make_mut(ex.directory).delete_custom_recipient(cr);
                    replaced = cr.map(|c| c.alias().to_string());
                    extra.push(ms_for(user, false));
                } else {
                    // W-CONT-55: a custom recipient elsewhere stays as it is.
                    step.rules.extend([RuleId::WCont55, RuleId::ACont]);
                }
            }
            if replaced.is_some() && run.version == Version::V55 {
                // W-1-CR-RTM: 5.5 before SP1 forgets the MIGRATE proxy here (Q183312).
                step.rules.insert(RuleId::W1CrRtm);
                writes_migrate = false;
            } else {
                step.rules.insert(RuleId::W1);
            }
        }
    }
    for address in row.secondary.iter() {
        if address.same_kind("migrate") && !writes_migrate {
            continue;
        }
        // W-LIST: each secondary address unless another recipient holds it (A-UNIQUE).
        match ex.directory.holder_of(address) {
            None => extra.push(address.clone()),
            Some(_) => {
                step.rules.insert(RuleId::AUnique);
            }
        }
    }
    let directory_name = directory_name_for(row, Arc::make_mut(ex.directory), step);
    let alias = Arc::make_mut(ex.directory).first_free_alias(&row.common_name);
    if alias != row.common_name {
        step.rules.insert(RuleId::AAlias);
    }
    if !is_default_container(step.target) {
        step.rules.insert(RuleId::ACont);
    }
    let new = NewMailbox {
        container: step.target.clone(),
        directory_name,
        extra_proxies: extra,
        created_for: Some(user.clone()),
    };
    let created = Arc::make_mut(ex.directory).create_mailbox(alias.clone(), new)?;
    step.rules.insert(RuleId::ASite);
    if created.renumbered {
        step.rules.insert(RuleId::AUnique);
    }
    if planted(Mistake::UnreportedMailbox) {
        return Ok(());
    }
    step.summary.mailboxes_created += 1;
    step.done.push(UserResult::Created {
        user: user.clone(),
        alias: alias.to_string(),
        replaced,
    });
    Ok(())
}

/// The new mailbox's directory name: the row's Common-Name, or for ADMIN the post office's
/// name (A-ADMIN), made unique in the target container (W-LIST, A-DN).
fn directory_name_for(row: &Row, directory: &mut Directory, step: &mut Step<'_>) -> Alias {
    let base = if row.user.mailbox() == "ADMIN" {
        step.rules.insert(RuleId::AAdmin);
        // A post office name is 1 to 10 letters or digits (A-MS): always alias-shaped.
        Alias::new(row.user.postoffice()).unwrap_or_else(|_| row.common_name.clone())
    } else {
        row.common_name.clone()
    };
    let name = directory.first_free_directory_name(step.target, &base);
    if name != base {
        step.rules.insert(RuleId::ADn);
    }
    name
}

/// Step two for one user (W-7007, W-2-*, W-7026, W-CONT, W-CONT-55, W-OPEN, W-7044,
/// W-ONCE). `found` is what step one of the same unit found, when it found a mailbox and
/// wrote nothing: the same lookup on the same directory, not repeated (issue 25).
fn step_two(
    row: &Row,
    ex: &mut Exchange<'_>,
    step: &mut Step<'_>,
    found: Option<Found>,
) -> Result<(), Stop> {
    let user = &row.user;
    // One lookup of the user in the post office for the whole unit (issue 25).
    let slot = ex.postoffice.slot(user);
    let mmf = ex
        .seen
        .mmf
        .unwrap_or_else(|| slot.map_or(Mmf::default(), |s| ex.postoffice.mmf_at(s)));
    let misread = planted(Mistake::OutOfStepRead) && !mmf.locked;
    if !mmf.readable() && !misread {
        // W-7007: extraction comes first; the MMF cannot be read (Q168606).
        let path = ex.postoffice_path;
        ex.log.write(eventlog::mmf_failure(user.mailbox(), path));
        step.summary.extraction_errors += 1;
        step.rules
            .extend([RuleId::W7007, RuleId::AMmf, RuleId::ALog]);
        step.done.push(UserResult::MmfUnavailable {
            user: user.clone(),
            locked: mmf.locked,
            out_of_step: mmf.out_of_step,
        });
        return Ok(());
    }
    let options = step.options;
    if !options.email {
        step.rules.insert(RuleId::BEmail);
    } else if options.start.is_some() || options.end.is_some() {
        step.rules.extend([RuleId::BDates, RuleId::FDate]);
    }
    let taken = slot.map_or(0, |s| ex.postoffice.waiting_where(s, |m| options.takes(m)));
    step.summary.messages_extracted += taken;
    // Step one cited the rules it consulted to find `found`.
    let mut consulted = Cited::default();
    let found = found.or_else(|| {
        let lookup = ex.seen.directory.as_deref().unwrap_or(ex.directory);
        find_mailbox(step.run.version, row, lookup, &mut consulted)
    });
    step.rules.union(consulted);
    let Some((id, found_by)) = found else {
        // W-7026: log, leave the user's mail where it is, and stop the run.
        step.rules.extend([RuleId::W7026, RuleId::ALog]);
        ex.log.write(eventlog::mapi_logon_failure());
        step.summary.import_errors += 1;
        step.done.push(UserResult::NotFound { user: user.clone() });
        if planted(Mistake::QuietAbort) {
            return Ok(());
        }
        return Err(Stop::NotFound(user.clone()));
    };
    // The mailbox's container, copied only when it is not the target (the usual case
    // compares in place: this runs for every user of every step).
    let elsewhere = ex
        .directory
        .mailbox(id)
        .map(|m| m.container())
        .filter(|c| !same_container(c, step.target))
        .cloned();
    if let Some(container) = elsewhere {
        if step.run.version == Version::V50 {
            // W-CONT (Q152330): 147, no logon, the mail stays, the run goes on.
            ex.log
                .write(eventlog::message_store_logon_failure(user.mailbox()));
            step.summary.import_errors += 1;
            step.rules
                .extend([RuleId::WCont, RuleId::ACont, RuleId::ALog]);
            step.done.push(UserResult::OtherContainer {
                user: user.clone(),
                alias: alias_of(ex.directory, id),
                container: container.to_string(),
                target: step.target.to_string(),
            });
            return Ok(());
        }
        // W-CONT-55: 5.5 finds mailboxes anywhere; the mail goes where the mailbox is.
        step.rules.extend([RuleId::WCont55, RuleId::ACont]);
    }
    deliver(row, (id, found_by), slot, ex, step);
    Ok(())
}

/// The wizard's logon (W-OPEN), then the mail moves, unless W-7044 stops it.
fn deliver(
    row: &Row,
    (id, found_by): Found,
    slot: Option<UserSlot>,
    ex: &mut Exchange<'_>,
    step: &mut Step<'_>,
) {
    let user = &row.user;
    // The planted mistake FirstMailbox: another mailbox with folders, first in the directory.
    let misplaced = ex
        .directory
        .mailboxes()
        .next()
        .map(|(first, _)| first)
        .filter(|&first| {
            planted(Mistake::FirstMailbox)
                && step.run.version != Version::V50
                && first != id
                && ex.store.folder_language(first).is_some()
        });
    let mut mailbox = Arc::make_mut(ex.store).open(id, ex.server_language);
    if mailbox.created_folders() {
        step.rules
            .extend([RuleId::WOpen, RuleId::AStore, RuleId::ALang]);
    }
    let alias = alias_of(ex.directory, id);
    if step.run.operator == Operator::ServiceAccountAdmin && step.chosen > 1 {
        // W-7044 (Q255888): after the logon, nothing moves; the run goes on.
        ex.log.write(eventlog::spooler_failure(user.mailbox()));
        if !planted(Mistake::UncountedSpoolerFailure) {
            step.summary.import_errors += 1;
        }
        step.rules.extend([RuleId::W7044, RuleId::ALog]);
        step.done.push(UserResult::SpoolerFailure {
            user: user.clone(),
            alias,
        });
        return;
    }
    let had = slot.map_or(0, |s| ex.postoffice.total_at(s));
    let options = step.options;
    // What B-EMAIL and B-DATES leave waiting: with what moves, all that still waited.
    let left = slot.map_or(0, |s| {
        ex.postoffice.waiting_at(s) - ex.postoffice.waiting_where(s, |m| options.takes(m))
    });
    let mut mail = slot.map_or_else(Vec::new, |s| {
        Arc::make_mut(ex.postoffice).take_waiting_where(s, |m| options.takes(m))
    });
    if let Some(seen) = ex.seen.waiting.take() {
        // What was read before, as the run takes it: anything delivered since is cleared
        // unmoved.
        mail = seen.into_iter().filter(|m| options.takes(m)).collect();
    }
    let messages = mail.iter().map(|m| m.count).sum::<u64>() as u32;
    // W-ONCE: only waiting mail moves; what an earlier run moved is not moved again.
    if u64::from(messages) + left < u64::from(had) {
        step.rules.insert(RuleId::WOnce);
    }
    if messages > 0 {
        step.rules.insert(RuleId::AStore);
        match misplaced {
            Some(first) => {
                let language = ex.server_language;
                Arc::make_mut(ex.store)
                    .open(first, language)
                    .deliver_to_inbox(mail);
            }
            _ => mailbox.deliver_to_inbox(mail),
        }
    }
    step.summary.messages_imported += u64::from(messages);
    step.done.push(UserResult::Migrated {
        user: user.clone(),
        alias: alias.clone(),
        found_by,
        messages,
    });
    migrate_schedule(user, id, alias, slot, ex, step);
}

/// B-SCHED, B-SCHED-50 (Q201421): the user's Schedule+ data into the mailbox, once; 5.5 and
/// SP1 send the calendar message, 5.0 none.
fn migrate_schedule(
    user: &MsMailAddress,
    id: MailboxId,
    alias: String,
    slot: Option<UserSlot>,
    ex: &mut Exchange<'_>,
    step: &mut Step<'_>,
) {
    let options = step.options;
    let again = planted(Mistake::CalendarAgain) && step.run.version != Version::V50;
    let schedule = slot.filter(|&s| {
        let has = ex.postoffice.user_at(s).schedule;
        options.schedule && (ex.postoffice.schedule_waiting_at(s) || (again && has))
    });
    if let Some(slot) = schedule {
        // B-SCHED, B-SCHED-50 (Q201421): once per user; 5.0 sends no message.
        let place = Arc::make_mut(ex.postoffice).take_schedule_at(slot);
        let sends = step.run.version != Version::V50;
        step.rules.extend([
            RuleId::FSched,
            if sends {
                RuleId::BSched
            } else {
                RuleId::BSched50
            },
        ]);
        Arc::make_mut(ex.store)
            .open(id, ex.server_language)
            .file_schedule(Schedule {
                owner: user.clone(),
                message: sends.then(|| format!("{place:08X}.scd")),
            });
        step.done.push(UserResult::ScheduleMigrated {
            user: user.clone(),
            alias,
            message: sends,
        });
    }
}
