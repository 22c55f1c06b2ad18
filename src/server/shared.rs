//! The concurrent server (`CONCURRENCY.md`): the same directory, information store, post
//! office, event log and user list as [`Server`], each behind its own lock, serving
//! several clients at once. The wizard is a client like the others, and goes unit by unit
//! (C-UNITS): it holds no lock between its units.
//!
//! **Lock order.** The wizard's step in progress, the user list, the directory, the post
//! office, the information store, the event log. Every unit takes the parts it reads or
//! writes, in that order, and holds them until it returns. So each unit is atomic, which
//! is what C-MMF, C-DELIVER, C-UNIQUE, C-MIDRUN and C-EVENTS ask, and no two units wait on
//! each other in a cycle (C-DEADLOCK). The parts a unit does not take, it does not read.
//!
//! **Named faults** ([`Fault`]), off unless a run asks for one, each break one guarantee by
//! splitting a unit into two critical sections, as a hurried server would; the parallel
//! test (`tests/parallel.rs`) and `migwiz race --fault NAME` must catch each, while the
//! sequential state machine test, one step at a time, cannot.
//!
//! ```
//! use migwiz::server::shared::SharedServer;
//! use migwiz::vocabulary::unit::Unit;
//! use migwiz::{MsMailUser, Operation, Phase, Server, Setup, Version, WizardRun};
//!
//! let setup = Setup::new(Default::default(), Default::default(), vec![MsMailUser::new("NET1/PO1/JDOE".parse()?, 2)])?;
//! let shared = SharedServer::new(Server::new(&setup), None);
//! shared.call(&Unit::Start(WizardRun::new(Version::V55, Phase::Full)));
//! shared.call(&Unit::Step(Operation::Deliver { user: "NET1/PO1/JDOE".parse()?, messages: 1, date: None }));
//! while let Some(unit) = shared.next_wizard_unit() {
//!     shared.call(&unit);
//! }
//! // The delivery came before the user unit: three messages moved.
//! assert_eq!(shared.snapshot().observe().mailboxes[0].mail[0].count, 3);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::sync::Arc;

use crate::server::directory::Directory;
use crate::server::eventlog::EventLog;
use crate::server::files::FileStore;
use crate::server::postoffice::PostOffice;
use crate::server::store::InformationStore;
use crate::server::sync::Mutex;
use crate::server::userlist::UserList;
use crate::server::wizard::{self, Exchange, Progress, Seen};
use crate::server::Server;
use crate::vocabulary::address::Site;
use crate::vocabulary::event::Event;
use crate::vocabulary::language::Language;
use crate::vocabulary::operation::{Chosen, Mode, Operation, Phase, Version};
use crate::vocabulary::outcome::{Outcome, Refusal, StepResult};
use crate::vocabulary::unit::{Unit, UnitResult};

/// A named fault: a one-line switch that breaks one guarantee of `CONCURRENCY.md` by
/// splitting a unit into two critical sections. Off unless a run names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Fault {
    /// C-MMF: the wizard's `user` unit checks the MMF in one critical section and moves
    /// the mail in a second, so a client that opens between them goes unseen.
    MmfCheckedApart,
    /// C-DELIVER: the `user` unit reads the waiting mail in one critical section and
    /// clears it in a second, so mail delivered between them is lost.
    WaitingReadApart,
    /// C-UNIQUE: `create-mailbox` checks the alias in one critical section and inserts in
    /// a second, and answers what the check said, so two clients can both be told yes.
    AliasCheckedApart,
    /// C-MIDRUN: step two run alone (phase `migrate`, which writes nothing to the
    /// directory) looks mailboxes up in the directory as it was at `start`, so a MIGRATE
    /// proxy an administrator adds during the run goes unseen.
    StaleDirectory,
    /// C-UNITS: the `user` unit looks W-LIST-UPDATE's mailbox up by directory name in one
    /// critical section and updates or creates in a second, so a mailbox of that name made
    /// between them is missed and a second one, numbered, is made.
    ListUpdateApart,
}

impl Fault {
    /// Every fault.
    pub const ALL: [Fault; 5] = [
        Fault::MmfCheckedApart,
        Fault::WaitingReadApart,
        Fault::AliasCheckedApart,
        Fault::StaleDirectory,
        Fault::ListUpdateApart,
    ];

    /// The name `migwiz race --fault` takes.
    pub fn name(self) -> &'static str {
        match self {
            Fault::MmfCheckedApart => "mmf-checked-apart",
            Fault::WaitingReadApart => "waiting-read-apart",
            Fault::AliasCheckedApart => "alias-checked-apart",
            Fault::StaleDirectory => "stale-directory",
            Fault::ListUpdateApart => "list-update-apart",
        }
    }

    /// The guarantee it breaks.
    pub fn breaks(self) -> &'static str {
        match self {
            Fault::MmfCheckedApart => "C-MMF",
            Fault::WaitingReadApart => "C-DELIVER",
            Fault::AliasCheckedApart => "C-UNIQUE",
            Fault::StaleDirectory => "C-MIDRUN",
            Fault::ListUpdateApart => "C-UNITS",
        }
    }
}

/// The wizard's step between its units, and (for [`Fault::StaleDirectory`]) the directory
/// as it was at `start`.
#[derive(Debug)]
struct Wizard {
    progress: Progress,
    at_start: Option<Arc<Directory>>,
}

/// The server, shared by clients on several threads; see the module's docs.
#[derive(Debug)]
pub struct SharedServer {
    server_language: Language,
    postoffice_path: Arc<str>,
    site: Site,
    fault: Option<Fault>,
    wizard: Mutex<Option<Wizard>>,
    user_list: Mutex<Option<Arc<UserList>>>,
    directory: Mutex<Arc<Directory>>,
    postoffice: Mutex<Arc<PostOffice>>,
    store: Mutex<Arc<InformationStore>>,
    log: Mutex<Arc<EventLog>>,
    files: Mutex<Arc<FileStore>>,
    postoffice_drive: Option<String>,
    admin: (String, String),
    server_name: Arc<str>,
}

/// The parts the wizard works on, for [`SharedServer::exchange`].
type Parts<'a> = (
    &'a mut Arc<Directory>,
    &'a mut Arc<InformationStore>,
    &'a mut Arc<PostOffice>,
    &'a mut EventLog,
);

/// Which parts a step other than the wizard's reads or writes.
struct Needs {
    wizard: bool,
    user_list: bool,
    directory: bool,
    postoffice: bool,
    store: bool,
    log: bool,
    files: bool,
}

impl Needs {
    fn of(op: &Operation) -> Needs {
        let none = Needs {
            wizard: false,
            user_list: false,
            directory: false,
            postoffice: false,
            store: false,
            log: false,
            files: false,
        };
        match op {
            Operation::CreateMailbox { .. }
            | Operation::AddProxy { .. }
            | Operation::RemoveProxy { .. }
            | Operation::CustomRecipient { .. } => Needs {
                directory: true,
                ..none
            },
            Operation::Logon { .. } => Needs {
                directory: true,
                store: true,
                ..none
            },
            Operation::MsMailClient { .. }
            | Operation::RecoverPassword { .. }
            | Operation::Deliver { .. } => Needs {
                postoffice: true,
                ..none
            },
            Operation::ExtractUserList { .. } => Needs {
                user_list: true,
                postoffice: true,
                ..none
            },
            Operation::EditUserList { .. } => Needs {
                user_list: true,
                ..none
            },
            Operation::WriteFile { .. } | Operation::EditFile { .. } => Needs {
                files: true,
                ..none
            },
            // A wizard step or batch run taken whole, and a batch run's `start`: every part,
            // the wizard's turn first.
            Operation::Wizard(_) | Operation::Mailmig { .. } => Needs {
                wizard: true,
                user_list: true,
                directory: true,
                postoffice: true,
                store: true,
                log: true,
                files: true,
            },
        }
    }
}

impl SharedServer {
    /// The server `server` was, now shared; with `fault` switched on, if any.
    pub fn new(server: Server, fault: Option<Fault>) -> SharedServer {
        SharedServer {
            server_language: server.server_language,
            postoffice_path: Arc::clone(&server.postoffice_path),
            site: server.directory.site().clone(),
            fault,
            wizard: Mutex::named(None, "the wizard's step in progress"),
            user_list: Mutex::named(server.user_list, "the user list"),
            directory: Mutex::named(server.directory, "the directory"),
            postoffice: Mutex::named(server.postoffice, "the post office"),
            store: Mutex::named(server.store, "the information store"),
            log: Mutex::named(server.log, "the event log"),
            files: Mutex::named(server.files, "the administrator's files"),
            postoffice_drive: server.postoffice_drive,
            admin: server.admin,
            server_name: server.server_name,
        }
    }

    /// The whole server as it is now, every part taken in the lock order.
    pub fn snapshot(&self) -> Server {
        let user_list = self.user_list.lock();
        let directory = self.directory.lock();
        let postoffice = self.postoffice.lock();
        let store = self.store.lock();
        let log = self.log.lock();
        let files = self.files.lock();
        Server {
            directory: Arc::clone(&directory),
            store: Arc::clone(&store),
            postoffice: Arc::clone(&postoffice),
            log: Arc::clone(&log),
            user_list: user_list.clone(),
            files: Arc::clone(&files),
            ..self.empty()
        }
    }

    /// The next unit of the wizard step in progress, if one is.
    pub fn next_wizard_unit(&self) -> Option<Unit> {
        let wizard = self.wizard.lock();
        wizard.as_ref().map(|w| w.progress.next_unit())
    }

    /// A server whose parts are all empty: the parts a unit takes are put in.
    fn empty(&self) -> Server {
        Server {
            server_language: self.server_language,
            postoffice_path: Arc::clone(&self.postoffice_path),
            directory: Arc::new(Directory::new(self.site.clone())),
            store: Arc::default(),
            postoffice: Arc::new(PostOffice::new(&[])),
            log: Arc::default(),
            user_list: None,
            files: Arc::default(),
            postoffice_drive: self.postoffice_drive.clone(),
            admin: self.admin.clone(),
            server_name: Arc::clone(&self.server_name),
        }
    }

    /// The wizard's view of the parts a unit took (or empty stand-ins for those it did not).
    fn exchange<'a>(
        &'a self,
        (directory, store, postoffice, log): Parts<'a>,
        user_list: Option<&'a UserList>,
        seen: Seen,
    ) -> Exchange<'a> {
        Exchange {
            directory,
            store,
            postoffice,
            log,
            user_list,
            server_language: self.server_language,
            postoffice_path: &self.postoffice_path,
            seen,
            server_name: &self.server_name,
        }
    }

    /// Carries out one unit for a client, atomically (but under a named fault).
    pub fn call(&self, unit: &Unit) -> UnitResult {
        match unit {
            Unit::Step(Operation::CreateMailbox { .. })
                if self.fault == Some(Fault::AliasCheckedApart) =>
            {
                let Unit::Step(op) = unit else { unreachable!() };
                self.create_apart(op)
            }
            Unit::Step(op) => self.step(op),
            Unit::Start(run) => self.start(run),
            Unit::BatchStart { version, command } => self.batch_start(*version, command),
            Unit::User(user) => self.user(user),
            Unit::End => self.end(),
        }
    }

    /// A step other than the wizard's, with the parts it needs taken in the lock order.
    fn step(&self, op: &Operation) -> UnitResult {
        let needs = Needs::of(op);
        let wizard = needs.wizard.then(|| self.wizard.lock());
        if wizard.as_ref().is_some_and(|w| w.is_some()) {
            return out_of_turn("a second wizard step".to_string());
        }
        let (result, events) = self.with_parts(needs, |server| server.apply(op));
        UnitResult::new(result, events)
    }

    /// A batch run's `start` (C-UNITS): every part taken, as a whole step is; a run that
    /// goes on is the wizard's step in progress, for its `user` units and its `end`.
    fn batch_start(&self, version: Version, command: &str) -> UnitResult {
        let mut wizard = self.wizard.lock();
        if wizard.is_some() {
            return out_of_turn("a second wizard step".to_string());
        }
        let every = Needs::of(&Operation::Mailmig {
            version,
            command: String::new(),
        });
        let (result, events) = self.with_parts(every, |server| {
            let (result, progress) = server.mailmig_start(version, command);
            *wizard = progress.map(|progress| Wizard {
                progress,
                at_start: None,
            });
            result
        });
        UnitResult::new(result, events)
    }

    /// Runs `unit` on a server made of the parts `needs` names, taken in the lock order
    /// (the wizard's turn is the caller's), and puts them back; with the events it logged.
    fn with_parts(
        &self,
        needs: Needs,
        unit: impl FnOnce(&mut Server) -> StepResult,
    ) -> (StepResult, Vec<Event>) {
        let mut user_list = needs.user_list.then(|| self.user_list.lock());
        let mut directory = needs.directory.then(|| self.directory.lock());
        let mut postoffice = needs.postoffice.then(|| self.postoffice.lock());
        let mut store = needs.store.then(|| self.store.lock());
        let mut log = needs.log.then(|| self.log.lock());
        let logged = log.as_ref().map_or(0, |l| l.entries().len());
        let mut files = needs.files.then(|| self.files.lock());
        let mut server = self.empty();
        if let Some(part) = &log {
            server.log = Arc::clone(part);
        }
        if let Some(part) = &files {
            server.files = Arc::clone(part);
        }
        if let Some(part) = &user_list {
            server.user_list.clone_from(part);
        }
        if let Some(part) = &directory {
            server.directory = Arc::clone(part);
        }
        if let Some(part) = &postoffice {
            server.postoffice = Arc::clone(part);
        }
        if let Some(part) = &store {
            server.store = Arc::clone(part);
        }
        let result = unit(&mut server);
        if let Some(part) = &mut user_list {
            **part = server.user_list;
        }
        if let Some(part) = &mut directory {
            **part = server.directory;
        }
        if let Some(part) = &mut postoffice {
            **part = server.postoffice;
        }
        if let Some(part) = &mut store {
            **part = server.store;
        }
        let events = match &mut log {
            Some(part) => {
                **part = server.log;
                part.entries()[logged..].to_vec()
            }
            None => Vec::new(),
        };
        if let Some(part) = &mut files {
            **part = server.files;
        }
        (result, events)
    }

    /// [`Fault::AliasCheckedApart`]: the check in one critical section, the insert in
    /// another, and the answer the check's.
    fn create_apart(&self, op: &Operation) -> UnitResult {
        let checked = {
            let directory = self.directory.lock();
            let mut trial = self.empty();
            trial.directory = Arc::clone(&directory);
            trial.apply(op)
        };
        if !checked.outcome.is_refused() {
            self.step(op); // refused now, perhaps: unsaid
        }
        UnitResult::new(checked, Vec::new())
    }

    /// `start`: the user list and the post office's users, read once (C-UNITS); the log,
    /// for B-7032's header event.
    fn start(&self, run: &crate::vocabulary::operation::WizardRun) -> UnitResult {
        let mut wizard = self.wizard.lock();
        if wizard.is_some() {
            return out_of_turn("a second wizard step".to_string());
        }
        let user_list = self.user_list.lock();
        let stale = self.fault == Some(Fault::StaleDirectory) && run.phase == Phase::Migrate;
        let at_start = stale.then(|| Arc::clone(&self.directory.lock()));
        let mut postoffice = self.postoffice.lock();
        // The log only for B-7032's header event: other starts log nothing, and leave
        // the log to the other clients.
        let header = run.version == Version::V55
            && run.mode == Mode::CommandLine
            && run.users == Chosen::UserList;
        let mut log = header.then(|| self.log.lock());
        let mut unlogged = EventLog::default();
        let logged = log.as_ref().map_or(0, |l| l.entries().len());
        let (mut directory, mut store) = {
            let e = self.empty();
            (e.directory, e.store)
        };
        let target = match log.as_mut() {
            Some(log) => Arc::make_mut(log),
            None => &mut unlogged,
        };
        let parts = (&mut directory, &mut store, &mut *postoffice, target);
        let mut ex = self.exchange(parts, user_list.as_deref(), Seen::default());
        let (result, progress) = wizard::start(run, &mut ex);
        *wizard = progress.map(|progress| Wizard { progress, at_start });
        let events = log.map_or_else(Vec::new, |l| l.entries()[logged..].to_vec());
        UnitResult::new(result, events)
    }

    /// A `user` unit: every part but the user list, taken in the lock order.
    fn user(&self, user: &crate::vocabulary::address::MsMailAddress) -> UnitResult {
        let mut seen = Seen::default();
        // The faults' first critical sections.
        match self.fault {
            Some(Fault::MmfCheckedApart) => seen.mmf = Some(self.postoffice.lock().mmf(user)),
            Some(Fault::WaitingReadApart) => {
                seen.waiting = Some(self.postoffice.lock().waiting_runs(user))
            }
            Some(Fault::ListUpdateApart) => {
                seen.update_lookup = Some(Arc::clone(&*self.directory.lock()))
            }
            _ => {}
        }
        let mut wizard = self.wizard.lock();
        let Some(state) = wizard.as_mut() else {
            return out_of_turn(user.to_string());
        };
        if state.progress.next_unit() != Unit::User(user.clone()) {
            return out_of_turn(user.to_string());
        }
        seen.directory = state.at_start.clone();
        let mut directory = self.directory.lock();
        let mut postoffice = self.postoffice.lock();
        let mut store = self.store.lock();
        let mut log = self.log.lock();
        let logged = log.entries().len();
        let parts = (
            &mut *directory,
            &mut *store,
            &mut *postoffice,
            Arc::make_mut(&mut log),
        );
        let mut ex = self.exchange(parts, None, seen);
        let result = wizard::user(&mut state.progress, &mut ex);
        UnitResult::new(result, log.entries()[logged..].to_vec())
    }

    /// `end`: the summary.
    fn end(&self) -> UnitResult {
        let mut wizard = self.wizard.lock();
        let Some(state) = wizard.take() else {
            return out_of_turn("end".to_string());
        };
        let mut log = self.log.lock();
        let logged = log.entries().len();
        let (mut directory, mut store, mut postoffice) = {
            let e = self.empty();
            (e.directory, e.store, e.postoffice)
        };
        let parts = (
            &mut directory,
            &mut store,
            &mut postoffice,
            Arc::make_mut(&mut log),
        );
        let mut ex = self.exchange(parts, None, Seen::default());
        let result = wizard::end(state.progress, &mut ex);
        UnitResult::new(result, log.entries()[logged..].to_vec())
    }
}

/// A wizard unit out of turn: refused, nothing changed.
fn out_of_turn(what: String) -> UnitResult {
    let result = StepResult::new(Outcome::Refused(Refusal::UnknownUser { user: what }), []);
    UnitResult::new(result, Vec::new())
}
