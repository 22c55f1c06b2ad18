//! The Migration Wizard in the reference model: user by user, step one then step two, and
//! the summary at the end (RULES.md W-*, RULES-PART2.md W-LIST … W-10068).

use super::batch::Batching;
use super::texts::{self, Counts};
use super::{container_of, numbered, same, Model, Row, RECIPIENTS};
use crate::vocabulary::address::MsMailAddress;
use crate::vocabulary::operation::{Chosen, Mode, Operator, Phase, Version, WizardRun};
use crate::vocabulary::outcome::{FoundBy, Outcome, Refusal, StepResult, UserResult};
use crate::vocabulary::planted::{planted, Mistake};
use crate::vocabulary::rules::RuleId::{self, *};
use crate::vocabulary::unit::{Unit, UnitResult};

impl Run {
    /// A step over `picked`, with the wizard's defaults: mailboxes made, mail moved, no
    /// bounds, no schedules, not from a user list.
    pub(super) fn new(run: &WizardRun, picked: Vec<(usize, Row)>) -> Run {
        Run {
            run: run.clone(),
            target: container_of(run.container.as_ref()),
            chosen: picked.len(),
            picked,
            next: 0,
            aborted: None,
            counts: Counts::default(),
            from_list: false,
            mailbox: true,
            email: true,
            bounds: (None, None),
            schedule: false,
            batch: None,
            rules: Vec::new(),
            done: Vec::new(),
        }
    }
}

/// A wizard step in progress, between its units (C-UNITS): part of the model's state.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Run {
    /// The step.
    pub run: WizardRun,
    /// The container the run targets (A-CONT): the one it names, or the default.
    pub target: String,
    /// The users the step takes, each with its row, fixed by `start`.
    pub picked: Vec<(usize, Row)>,
    /// How many of them the step has reached.
    pub next: usize,
    /// The user whose mailbox was not found (W-7026): the step goes to its end.
    pub aborted: Option<usize>,
    /// The summary's counts so far (W-10068).
    pub counts: Counts,
    /// Users the step takes, after ADMINSCH is left out (W-7044 counts them).
    pub chosen: usize,
    /// Whether the users come from a user list (OP-IMPORT; W-7034 and B-7032 read it).
    pub from_list: bool,
    /// Whether step two makes a mailbox it does not find (B-FUNC's `Mailbox`).
    pub mailbox: bool,
    /// Whether step two moves mail (B-EMAIL).
    pub email: bool,
    /// The dates dated mail must lie between, both included (B-DATES).
    pub bounds: (Option<u64>, Option<u64>),
    /// Whether step two migrates schedules (B-SCHED).
    pub schedule: bool,
    /// For a batch run: what its `end` reports (B-RESULT).
    pub batch: Option<Batching>,
    /// The rules of the unit being applied.
    rules: Vec<RuleId>,
    /// The per-user results of the unit being applied.
    done: Vec<UserResult>,
}

impl Model {
    /// The wizard (OP-STEP1, OP-STEP2, OP-FULL, OP-IMPORT) run alone: its units back to
    /// back (C-SEQ).
    pub(super) fn wizard(&mut self, run: &WizardRun) -> StepResult {
        let result = self.start(run);
        self.drive(result)
    }

    /// The units of the step in progress, after `start`, back to back.
    pub(super) fn drive(&mut self, mut result: StepResult) -> StepResult {
        // The units' own results, merged as `step_of_units` merges them, without copying
        // the events each logged (nobody reads them here, and the checker runs this on
        // every wizard edge).
        while let Some(unit) = self.next_wizard_unit() {
            let next = match &unit {
                Unit::User(user) => self.user_unit(user),
                _ => self.end(),
            };
            result.rules.extend(next.rules);
            result.users.extend(next.users);
            result.outcome = next.outcome;
            if next.batch.is_some() {
                result.batch = next.batch;
            }
        }
        result
    }

    /// The next unit of the wizard step in progress: a `user` unit for the next user it
    /// takes, or its `end` once every user was reached or one aborted; none without a step
    /// in progress.
    pub fn next_wizard_unit(&self) -> Option<Unit> {
        let run = self.in_progress.as_ref()?;
        if run.aborted.is_some() {
            return Some(Unit::End);
        }
        Some(match run.picked.get(run.next) {
            Some((u, _)) => Unit::User(self.users[*u].typed.clone()),
            None => Unit::End,
        })
    }

    /// Carries out one unit (C-UNITS): a whole step, or one unit of a wizard step, with the
    /// events it logged.
    pub fn apply_unit(&mut self, unit: &Unit) -> UnitResult {
        let logged = self.events.len();
        let result = match unit {
            Unit::Step(op) => self.apply(op),
            Unit::Start(run) => self.start(run),
            Unit::BatchStart { version, command } => self.batch_start(*version, command),
            Unit::User(user) => self.user_unit(user),
            Unit::End => self.end(),
        };
        UnitResult::new(result, self.events[logged..].to_vec())
    }

    /// `start`: the users the step takes, and the rules decided over the whole step.
    fn start(&mut self, run: &WizardRun) -> StepResult {
        if self.in_progress.is_some() {
            // One wizard at a time (C-CLIENTS): a second step's start is out of turn.
            let user = "a second wizard step".to_string();
            return StepResult::refused(Refusal::UnknownUser { user }, []);
        }
        let mut rules = vec![match run.phase {
            Phase::Create => OpStep1,
            Phase::Migrate => OpStep2,
            Phase::Full => OpFull,
        }];
        let picked = match self.pick(run, &mut rules) {
            Ok(picked) => picked,
            Err(refusal) => return StepResult::new(Outcome::Refused(refusal), rules),
        };
        let mut state = Run::new(run, picked);
        state.from_list = run.users == Chosen::UserList;
        state.schedule = run.schedule;
        self.begin(state, &mut rules);
        StepResult::ok(rules)
    }

    /// The step in progress from here on; B-7032's header event first when the version
    /// reads the user list's header as a user.
    pub(super) fn begin(&mut self, mut state: Run, rules: &mut Vec<RuleId>) {
        let run = &state.run;
        if run.version == Version::V55 && run.mode == Mode::CommandLine && state.from_list {
            // B-7032 (Q180876): once, before the rows; counted as an account that failed.
            self.events.push(texts::event_7032("Home-Server"));
            state.counts.accounts_extracted += 1;
            state.counts.extraction_errors += 1;
            rules.extend([B7032, ALog]);
        }
        self.in_progress = Some(state);
    }

    /// A `user` unit: step one and step two for the next user the step takes. A unit for
    /// another user than the next, or with no step in progress, does nothing and is
    /// refused as naming an unknown user.
    fn user_unit(&mut self, user: &MsMailAddress) -> StepResult {
        let next = self.next_wizard_unit();
        let (Some(Unit::User(expected)), Some(mut state)) = (next, self.in_progress.take()) else {
            let user = user.to_string();
            return StepResult::refused(Refusal::UnknownUser { user }, []);
        };
        if expected != *user {
            self.in_progress = Some(state);
            let user = user.to_string();
            return StepResult::refused(Refusal::UnknownUser { user }, []);
        }
        let logged = self.events.len();
        let (u, row) = state.picked[state.next].clone();
        state.next += 1;
        state.counts.accounts_extracted += 1;
        let run = &state.run;
        let phase = run.phase;
        let mut outcome = Outcome::Ok;
        let home = &row.home_server;
        if run.version == Version::V55 && run.mode == Mode::CommandLine && state.from_list {
            // W-7034 (Q169130): 5.5 before SP1, command line, user list: nothing but 7034.
            self.not_in_postoffice(u, &mut state);
        } else if !same(home, "~SERVER") && !same(home, &self.server_name) {
            // B-HOME: the row's user lives on another server: 7032, not migrated.
            self.events.push(texts::event_7032("Home-Server"));
            state.counts.extraction_errors += 1;
            state.rules.extend([BHome, ALog]);
            state.done.push(UserResult::OtherHomeServer {
                user: self.users[u].typed.clone(),
            });
        } else {
            if phase != Phase::Migrate {
                self.step_one(u, &row, &mut state);
            }
            if phase != Phase::Create && !self.step_two(u, &row, &mut state) {
                // W-7026: "Migration Aborted": the users after this one are not reached.
                state.aborted = Some(u);
                outcome = Outcome::Aborted {
                    user: self.users[u].typed.clone(),
                    event: texts::event_7026(),
                };
            }
        }
        if let Some(batch) = state.batch.as_mut() {
            batch.saw(&self.events[logged..]);
        }
        let result = StepResult {
            outcome,
            rules: state.rules.drain(..).collect(),
            users: std::mem::take(&mut state.done),
            batch: None,
        };
        self.in_progress = Some(state);
        result
    }

    /// `end`: the summary, 10068, counting this step's units (W-10068), and how the step
    /// ended.
    fn end(&mut self) -> StepResult {
        let Some(mut state) = self.in_progress.take() else {
            return StepResult::refused(Refusal::UnknownUser { user: "end".into() }, []);
        };
        // W-10068: every step that ran ends with its summary, aborted or not.
        state.counts.accounts_extracted -= state.counts.extraction_errors;
        let summary = texts::event_10068(&self.postoffice_path, &state.counts);
        self.events.push(summary);
        let outcome = match state.aborted {
            None => Outcome::Ok,
            Some(u) => Outcome::Aborted {
                user: self.users[u].typed.clone(),
                event: texts::event_7026(),
            },
        };
        let mut result = StepResult::new(outcome, [W10068, ALog]);
        if let Some(batch) = state.batch {
            // B-RESULT: a batch run's result code comes with its last unit.
            result.batch = Some(Box::new(batch.report()));
            result.rules.insert(BResult);
        }
        result
    }

    /// The users a step takes, each with its row: the chosen ones with the row the version
    /// would extract (W-LIST's default case), or the user list's rows marked `Y`
    /// (OP-IMPORT). ADMINSCH is never taken (A-ADMIN).
    fn pick(&self, run: &WizardRun, rules: &mut Vec<RuleId>) -> Result<Vec<(usize, Row)>, Refusal> {
        let mut picked = Vec::new();
        match &run.users {
            Chosen::All => {
                for u in 0..self.users.len() {
                    picked.push((u, self.default_row(run.version, u)));
                }
            }
            Chosen::These(list) => {
                for user in list {
                    let Some(u) = self.user_index(user) else {
                        let user = user.to_string();
                        return Err(Refusal::UnknownUser { user });
                    };
                    picked.push((u, self.default_row(run.version, u)));
                }
            }
            Chosen::UserList => {
                rules.push(OpImport);
                let Some(rows) = &self.user_list else {
                    return Err(Refusal::NoUserList);
                };
                rules.extend([WList, AList]);
                for row in rows {
                    if row.migrate_user == "Y" {
                        let u = self.users.iter().position(|x| x.address == row.user);
                        picked.extend(u.map(|u| (u, row.clone())));
                    }
                }
            }
        }
        let before = picked.len();
        picked.retain(|(u, _)| self.users[*u].mailbox_name != "ADMINSCH");
        if picked.len() < before {
            rules.push(AAdmin);
        }
        Ok(picked)
    }

    /// W-7034: the event, and nothing else.
    fn not_in_postoffice(&mut self, u: usize, state: &mut Run) {
        let user = &self.users[u];
        let event = texts::event_7034(&user.mailbox_name, &user.postoffice);
        self.events.push(event);
        state.counts.extraction_errors += 1;
        state.rules.extend([W7034, ALog]);
        state.done.push(UserResult::NotInPostOffice {
            user: user.typed.clone(),
        });
    }

    /// How `version` looks for the user's mailbox (W-2-50 by the row's Common-Name, W-2-55,
    /// W-2-55SP), in every container.
    fn find(
        &self,
        version: Version,
        u: usize,
        row: &Row,
        rules: &mut Vec<RuleId>,
    ) -> Option<(usize, FoundBy)> {
        let user = &self.users[u];
        if version == Version::V50 {
            rules.push(W250);
            for (i, m) in self.mailboxes.iter().enumerate() {
                if same(&m.alias, &row.common_name) {
                    return Some((i, FoundBy::Alias));
                }
            }
            return None;
        }
        rules.push(W255);
        let migrate = ["migrate:MS:", &user.address].concat();
        for (i, m) in self.mailboxes.iter().enumerate() {
            if m.proxies.iter().any(|p| same(p, &migrate)) {
                return Some((i, FoundBy::MigrateProxy));
            }
        }
        if version == Version::V55Sp1 {
            // W-2-55SP: SP1 falls back to the MS proxy equal to the user's A-MS address.
            rules.extend([W255Sp, AMs]);
            let ms = ["MS:", &user.address].concat();
            for (i, m) in self.mailboxes.iter().enumerate() {
                if m.proxies.iter().any(|p| same(p, &ms)) {
                    return Some((i, FoundBy::MsProxy));
                }
            }
        }
        None
    }

    /// Step one for one user: nothing for a mailbox the version finds (W-1-EXIST), an update
    /// for an empty Mode (W-LIST-UPDATE), else a new mailbox.
    fn step_one(&mut self, u: usize, row: &Row, state: &mut Run) {
        let version = state.run.version;
        let mut consulted = Vec::new();
        if let Some((i, found_by)) = self.find(version, u, row, &mut consulted) {
            state.rules.push(W1Exist);
            state.rules.extend(consulted);
            state.done.push(UserResult::Existing {
                user: self.users[u].typed.clone(),
                alias: self.mailboxes[i].alias.clone(),
                found_by,
            });
            return;
        }
        if !state.mailbox && !self.converts_custom_recipient(u, state) {
            // B-FUNC, Mailbox FALSE: no new mailbox but one converted from a custom recipient.
            state.rules.push(BFunc);
            return;
        }
        if row.mode.is_empty() {
            // W-LIST-UPDATE (Q186742): the target container's mailbox of that directory name.
            state.rules.push(WListUpdate);
            for i in 0..self.mailboxes.len() {
                let m = &self.mailboxes[i];
                if same(&m.container, &state.target) && same(&m.directory_name, &row.common_name) {
                    self.update(u, i, row, state);
                    return;
                }
            }
        }
        self.create_for(u, row, state);
    }

    /// Whether step one would convert a custom recipient for the user (W-1-CR): 5.5 and
    /// SP1, one in the target container.
    fn converts_custom_recipient(&self, u: usize, state: &Run) -> bool {
        if state.run.version == Version::V50 {
            return false;
        }
        for c in &self.custom_recipients {
            if same(&c.address, &self.users[u].address) {
                return same(&c.container, &state.target);
            }
        }
        false
    }

    /// W-LIST-UPDATE: the row's secondary addresses, each unless somebody holds it.
    fn update(&mut self, u: usize, i: usize, row: &Row, state: &mut Run) {
        let mut added = Vec::new();
        for address in row.secondary.iter() {
            if self.address_holder(address).is_none() {
                self.mailboxes[i].proxies.push(address.clone());
                added.push(address.clone());
            } else {
                state.rules.push(AUnique);
            }
        }
        state.rules.extend([ADn, AList]);
        state.done.push(UserResult::Updated {
            user: self.users[u].typed.clone(),
            alias: self.mailboxes[i].alias.clone(),
            added,
        });
    }

    /// A new mailbox for the user in the target container (W-1, W-1-CR, W-1-CR-RTM, W-1-50,
    /// W-LIST, W-CONT-55, A-ADMIN).
    fn create_for(&mut self, u: usize, row: &Row, state: &mut Run) {
        let version = state.run.version;
        let user = self.users[u].clone();
        let mut extra = Vec::new();
        let mut replaced = None;
        let mut migrate_written = true;
        if version == Version::V50 {
            // W-1-50: alias from the row, no MIGRATE of its own, custom recipient kept.
            state.rules.push(W150);
        } else {
            // W-1-CR: the custom recipient goes, its address stays as a secondary MS proxy;
            // W-CONT-55: only a custom recipient in the target container.
            for c in 0..self.custom_recipients.len() {
                if same(&self.custom_recipients[c].address, &user.address) {
                    if same(&self.custom_recipients[c].container, &state.target) {
                        replaced = Some(self.custom_recipients.remove(c).alias);
                        extra.push(["ms:", &user.address].concat());
                        state.rules.push(W1Cr);
                    } else {
                        state.rules.extend([WCont55, ACont]);
                    }
                    break;
                }
            }
            if replaced.is_some() && version == Version::V55 {
                // W-1-CR-RTM (Q183312): before SP1, no MIGRATE proxy on this path.
                state.rules.push(W1CrRtm);
                migrate_written = false;
            } else {
                state.rules.push(W1);
            }
        }
        // W-LIST: the row's secondary addresses, each unless another recipient holds it.
        for address in row.secondary.iter() {
            let is_migrate = address.to_ascii_lowercase().starts_with("migrate:");
            if is_migrate && !migrate_written {
                continue;
            }
            if self.address_holder(address).is_none() {
                extra.push(address.clone());
            } else {
                state.rules.push(AUnique);
            }
        }
        let directory_name = self.new_directory_name(u, row, state);
        // W-1: the alias from the row's Common-Name (the mailbox name), made unique.
        let mut n = 1;
        while self.alias_holder(&numbered(&row.common_name, n)).is_some() {
            n += 1;
        }
        let alias = numbered(&row.common_name, n);
        if n > 1 {
            state.rules.push(AAlias);
        }
        let container = state.target.clone();
        if !same(&container, RECIPIENTS) {
            state.rules.push(ACont);
        }
        let created_for = Some(user.address.clone());
        if self.create(&alias, &container, &directory_name, extra, created_for) {
            state.rules.push(AUnique);
        }
        state.rules.push(ASite);
        if planted(Mistake::UnreportedMailbox) {
            return;
        }
        state.counts.mailboxes_created += 1;
        state.done.push(UserResult::Created {
            user: user.typed.clone(),
            alias,
            replaced,
        });
    }

    /// W-LIST, A-ADMIN: the row's Common-Name (ADMIN: the post office's name), made unique
    /// in the target container with 2, 3, … (A-DN).
    fn new_directory_name(&self, u: usize, row: &Row, state: &mut Run) -> String {
        let user = &self.users[u];
        let base = if user.mailbox_name == "ADMIN" {
            state.rules.push(AAdmin);
            user.postoffice.clone()
        } else {
            row.common_name.clone()
        };
        let mut n = 1;
        while self
            .directory_name_holder(&state.target, &numbered(&base, n))
            .is_some()
        {
            n += 1;
        }
        if n > 1 {
            state.rules.push(ADn);
        }
        numbered(&base, n)
    }

    /// Step two for one user; false when no mailbox was found (W-7026).
    fn step_two(&mut self, u: usize, row: &Row, state: &mut Run) -> bool {
        let (version, operator) = (state.run.version, state.run.operator);
        // The user's fields read in place: a copy of the whole user on every unit cost a
        // tenth of the state machine test (issue 37).
        let user = &self.users[u];
        // W-7007: extraction comes first; a locked or out-of-step MMF stops it (Q168606).
        let out_of_step = user.out_of_step && !planted(Mistake::OutOfStepRead);
        if user.client_open || out_of_step {
            let event = texts::event_7007(&user.mailbox_name, &self.postoffice_path);
            state.done.push(UserResult::MmfUnavailable {
                user: user.typed.clone(),
                locked: user.client_open,
                out_of_step: user.out_of_step,
            });
            self.events.push(event);
            state.counts.extraction_errors += 1;
            state.rules.extend([W7007, AMmf, ALog]);
            return true;
        }
        let taking = self.taken(u, state);
        state.counts.messages_extracted += u64::from(taking);
        let Some((i, found_by)) = self.find(version, u, row, &mut state.rules) else {
            // W-7026, A-LOG: event 7026; I-ABORT: the user's mail is not touched.
            state.rules.extend([W7026, ALog]);
            self.events.push(texts::event_7026());
            state.counts.import_errors += 1;
            let user = self.users[u].typed.clone();
            state.done.push(UserResult::NotFound { user });
            return planted(Mistake::QuietAbort);
        };
        let (user, mailbox) = (&self.users[u], &self.mailboxes[i]);
        if !same(&mailbox.container, &state.target) {
            if version == Version::V50 {
                // W-CONT (Q152330): 147, no logon, the mail stays, the run goes on.
                self.events.push(texts::event_147(&user.mailbox_name));
                state.counts.import_errors += 1;
                state.rules.extend([WCont, ACont, ALog]);
                state.done.push(UserResult::OtherContainer {
                    user: user.typed.clone(),
                    alias: mailbox.alias.clone(),
                    container: mailbox.container.clone(),
                    target: state.target.clone(),
                });
                return true;
            }
            // W-CONT-55: 5.5 finds it anywhere; the mail goes where the mailbox is.
            state.rules.extend([WCont55, ACont]);
        }
        // W-OPEN: the wizard's logon creates missing folders in the server's language.
        if self.mailboxes[i].folders.is_none() {
            self.mailboxes[i].folders = Some(self.server_language);
            state.rules.extend([WOpen, AStore, ALang]);
        }
        if operator == Operator::ServiceAccountAdmin && state.chosen > 1 {
            // W-7044 (Q255888): after the logon, nothing moves; the run goes on.
            let user = &self.users[u];
            self.events.push(texts::event_7044(&user.mailbox_name));
            if !planted(Mistake::UncountedSpoolerFailure) {
                state.counts.import_errors += 1;
            }
            state.rules.extend([W7044, ALog]);
            state.done.push(UserResult::SpoolerFailure {
                user: user.typed.clone(),
                alias: self.mailboxes[i].alias.clone(),
            });
            return true;
        }
        self.move_mail(u, i, found_by, state);
        let again = planted(Mistake::CalendarAgain) && state.run.version != Version::V50;
        let user = &self.users[u];
        if state.schedule && user.schedule && (!user.schedule_migrated || again) {
            self.migrate_schedule(u, i, state);
        }
        true
    }

    /// How many of the user's waiting messages step two takes: none with `Email,FALSE`
    /// (B-EMAIL), else the undated ones and the dated ones inside the bounds (B-DATES).
    fn taken(&self, u: usize, state: &mut Run) -> u32 {
        if !state.email {
            state.rules.push(BEmail);
            return 0;
        }
        let user = &self.users[u];
        let mut taken = user.waiting;
        for (date, count) in &user.dated {
            if !inside(*date, state.bounds) {
                taken -= count;
            }
        }
        if state.bounds != (None, None) {
            state.rules.extend([BDates, FDate]);
        }
        taken
    }

    /// B-SCHED, B-SCHED-50: the schedule goes into the mailbox once; 5.5 and SP1 send the
    /// calendar message (Q201421), 5.0 does not.
    fn migrate_schedule(&mut self, u: usize, i: usize, state: &mut Run) {
        let user = &mut self.users[u];
        user.schedule_migrated = true;
        let typed = user.typed.clone();
        let place = user.place;
        let mailbox = &mut self.mailboxes[i];
        mailbox.calendar = true;
        let message = state.run.version != Version::V50;
        if message {
            mailbox.calendar_messages.push(format!("{place:08X}.scd"));
            state.rules.push(BSched);
        } else {
            state.rules.push(BSched50);
        }
        state.rules.push(FSched);
        state.done.push(UserResult::ScheduleMigrated {
            user: typed,
            alias: mailbox.alias.clone(),
            message,
        });
    }

    /// Moves what waits into the Inbox (W-ONCE: only what still waits; A-STORE).
    fn move_mail(&mut self, u: usize, i: usize, found_by: FoundBy, state: &mut Run) {
        if self.users[u].waiting < self.users[u].messages {
            state.rules.push(WOnce);
        }
        let moving = self.taken(u, state);
        if moving > 0 {
            state.rules.push(AStore);
            let mut into = i;
            if planted(Mistake::FirstMailbox)
                && state.run.version != Version::V50
                && self.mailboxes[0].folders.is_some()
            {
                into = 0;
            }
            let user = &mut self.users[u];
            let mailbox = &mut self.mailboxes[into];
            match mailbox
                .inbox
                .iter()
                .position(|(owner, _)| owner == &user.address)
            {
                Some(k) => mailbox.inbox[k].1 += moving,
                None => mailbox.inbox.push((user.address.clone(), moving)),
            }
            // The dated mail outside the run's bounds stays (B-DATES).
            user.dated.retain(|(date, _)| !inside(*date, state.bounds));
            user.waiting -= moving;
        }
        state.counts.messages_imported += u64::from(moving);
        state.done.push(UserResult::Migrated {
            user: self.users[u].typed.clone(),
            alias: self.mailboxes[i].alias.clone(),
            found_by,
            messages: moving,
        });
    }
}

/// Whether a date lies inside a run's bounds, both included (B-DATES).
fn inside(date: u64, (start, end): (Option<u64>, Option<u64>)) -> bool {
    start.is_none_or(|s| date >= s) && end.is_none_or(|e| date <= e)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vocabulary::operation::Operation;
    use crate::vocabulary::setup::{MsMailUser, Setup};

    fn model(users: &[(&str, u32)]) -> Model {
        let users = users
            .iter()
            .map(|(a, n)| MsMailUser::new(a.parse().unwrap(), *n))
            .collect();
        Model::new(&Setup::new(Default::default(), Default::default(), users).unwrap())
    }

    const JDOE: &str = "NET1/PO1/JDOE";
    const ANA: &str = "NET1/PO2/ANA";

    #[test]
    fn a_step_alone_is_its_units_back_to_back() {
        let run = WizardRun::new(Version::V55, Phase::Full);
        let mut whole = model(&[(JDOE, 2), (ANA, 1)]);
        let result = whole.apply(&Operation::Wizard(run.clone()));
        let mut by_units = model(&[(JDOE, 2), (ANA, 1)]);
        let mut units = vec![by_units.apply_unit(&Unit::Start(run))];
        let mut names = Vec::new();
        while let Some(unit) = by_units.next_wizard_unit() {
            names.push(unit.to_string());
            units.push(by_units.apply_unit(&unit));
        }
        assert_eq!(names, ["user NET1/PO1/JDOE", "user NET1/PO2/ANA", "end"]);
        assert_eq!(crate::vocabulary::unit::step_of_units(&units), result);
        assert_eq!(by_units, whole);
        assert_eq!(units[3].events.len(), 1, "end logs the summary");
        assert_eq!(units[3].events[0].id, 10068);
    }

    #[test]
    fn a_user_unit_sees_what_happened_since_start() {
        // C-DELIVER, C-MIDRUN: mail delivered and a MIGRATE proxy added after `start` are
        // seen by the user unit that comes after them.
        let mut m = model(&[(JDOE, 2)]);
        m.apply(&Operation::create_mailbox("JDOE".parse().unwrap()));
        m.apply_unit(&Unit::Start(WizardRun::new(Version::V55, Phase::Migrate)));
        m.apply(&Operation::Deliver {
            user: JDOE.parse().unwrap(),
            messages: 1,
            date: None,
        });
        m.apply(&Operation::AddProxy {
            alias: "JDOE".parse().unwrap(),
            address: "migrate:MS:NET1/PO1/JDOE".parse().unwrap(),
        });
        let user = m.apply_unit(&Unit::User(JDOE.parse().unwrap()));
        assert!(matches!(
            user.users[..],
            [UserResult::Migrated { messages: 3, .. }]
        ));
        let end = m.apply_unit(&Unit::End);
        assert_eq!(end.outcome, Outcome::Ok);
        assert!(end.events[0].description.contains("E-Mail Messages: 3"));
        assert_eq!(m.next_wizard_unit(), None);
    }

    #[test]
    fn after_an_abort_the_next_unit_is_end() {
        let mut m = model(&[(JDOE, 2), (ANA, 1)]);
        m.apply_unit(&Unit::Start(WizardRun::new(Version::V55, Phase::Migrate)));
        let first = m.apply_unit(&Unit::User(JDOE.parse().unwrap()));
        assert!(matches!(first.outcome, Outcome::Aborted { .. }));
        assert_eq!(first.events[0].id, 7026);
        assert_eq!(m.next_wizard_unit(), Some(Unit::End));
    }

    #[test]
    fn a_unit_out_of_turn_changes_nothing() {
        let mut m = model(&[(JDOE, 2), (ANA, 1)]);
        let before = m.clone();
        assert!(
            m.apply_unit(&Unit::End).outcome.is_refused(),
            "no step in progress"
        );
        assert!(m
            .apply_unit(&Unit::User(JDOE.parse().unwrap()))
            .outcome
            .is_refused());
        assert_eq!(m, before);
        m.apply_unit(&Unit::Start(WizardRun::new(Version::V55, Phase::Full)));
        let started = m.clone();
        let wrong = m.apply_unit(&Unit::User(ANA.parse().unwrap()));
        assert!(wrong.outcome.is_refused(), "ANA is not next");
        assert_eq!(m, started);
        let second = m.apply_unit(&Unit::Start(WizardRun::new(Version::V50, Phase::Full)));
        assert!(second.outcome.is_refused(), "one wizard step at a time");
        assert_eq!(m, started);
    }
}
