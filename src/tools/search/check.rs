//! Bounded exhaustive checking (`migwiz check`): every state of the reference model that a
//! small universe can reach, up to a depth, by a level-by-level breadth-first search.
//!
//! Every edge (every step from every state) is taken on the model and on the implementation:
//! the step results and the states after must agree, a refused step must change neither,
//! and every `always` property of [`PROPERTIES`] must hold on it; the shortest path to
//! each `sometimes` property is reported. States are
//! deduplicated by the model's state but its event log ([`identify`]; the implementation's
//! state is held equal to the model's on the way in), so the counts are those of the
//! reference model, exact and the same on every run.
//!
//! Why not stateright, the checker the project weighed first: its breadth-first search
//! skips the states at the depth bound before checking their properties, keeps the last
//! path found for a property rather than the shortest, and with two threads is not level
//! by level, so a depth-bounded run can miss states and vary in its counts. A bounded
//! check whose counts are pinned in a test needs all three.
//!
//! ```
//! use migwiz::tools::check::{check, CheckConfig};
//! let report = check(&CheckConfig { users: 1, depth: 3, ..CheckConfig::default() });
//! assert!(report.violation.is_none());
//! assert_eq!(report.max_depth, 3);
//! assert_eq!(report.levels[0], 1); // the initial state
//! ```

use std::collections::HashSet;
use std::time::{Duration, Instant};

use crate::harness::generate::USER_POOL;
use crate::harness::properties::{self, Kind, Ledger, PROPERTIES};
use crate::model::{CustomRecipient, Mailbox, Model, Row, User};
use crate::server::addressing::{migrate_for, ms_for};
use crate::server::Server;
use crate::tools::format::scenario::Scenario;
use crate::vocabulary::address::{Alias, MsMailAddress, Site};
use crate::vocabulary::container::Container;
use crate::vocabulary::language::Language;
use crate::vocabulary::observation::Observation;
use crate::vocabulary::operation::{Chosen, ListField, Operation, Phase, Version, WizardRun};
use crate::vocabulary::setup::{MsMailUser, Setup};

/// Which steps the checker takes from every state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Alphabet {
    /// Part 1's 20 steps for 2 users (RULES.md): its counts are pinned and unchanged.
    Part1,
    /// Part 1's steps and part 2's: a mailbox in a second container, the MS Mail client
    /// opened and closed, mail delivered, a user list extracted, edited and used.
    #[default]
    Full,
    /// Part 4's batch runs (RULES-PART4.md) over part 1's steps, in a world that starts with
    /// the generator's control files: every version runs each control file (FULL, EXTRACT,
    /// IMPORT, FULL from the accounts file with bounds and a warning); the user list file's
    /// first row gets another Home-Server or a blank Mode; a control file loses its Mode;
    /// dated mail arrives; the first user has Schedule+ data.
    Part4,
}

impl Alphabet {
    /// The command-line word.
    pub fn as_str(self) -> &'static str {
        match self {
            Alphabet::Part1 => "part1",
            Alphabet::Full => "full",
            Alphabet::Part4 => "part4",
        }
    }
}

impl std::str::FromStr for Alphabet {
    type Err = String;
    fn from_str(s: &str) -> Result<Alphabet, String> {
        match s.to_ascii_lowercase().as_str() {
            "part1" => Ok(Alphabet::Part1),
            "full" => Ok(Alphabet::Full),
            "part4" => Ok(Alphabet::Part4),
            _ => Err(format!(
                "unknown alphabet {}; use part1, full or part4",
                crate::vocabulary::shown(s)
            )),
        }
    }
}

/// What the checker does on every edge. `migwiz check` always does [`Checks::All`]; the
/// two lesser rungs exist to measure what each part of an edge costs (the side-by-side
/// benchmark runs them beside stateright's model-only run). They count the same states:
/// the search follows the model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Checks {
    /// Every check: the implementation steps beside the model, the step results and the
    /// states after are compared, a refused step must change neither half, and every
    /// property is evaluated.
    #[default]
    All,
    /// The implementation steps beside the model and the step results are compared, and
    /// a refused step must change neither half; no observation, no property.
    Steps,
    /// The model alone, as stateright's model-only run: nothing is checked.
    ModelOnly,
}

/// How far to check.
#[derive(Debug, Clone)]
pub struct CheckConfig {
    /// Which steps to take from every state.
    pub alphabet: Alphabet,
    /// MS Mail users, taken in order from [`USER_POOL`] (1 to 8), one message each.
    pub users: usize,
    /// Longest sequence of steps explored.
    pub depth: usize,
    /// Worker threads.
    pub threads: usize,
    /// Stop after this long, reporting how far it got.
    pub timeout: Option<Duration>,
    /// What is done on every edge: [`Checks::All`] but to measure.
    pub checks: Checks,
}

impl Default for CheckConfig {
    fn default() -> Self {
        CheckConfig {
            alphabet: Alphabet::default(),
            users: 2,
            depth: 6,
            threads: 2,
            timeout: None,
            checks: Checks::All,
        }
    }
}

/// The world a check starts from: the first `users` users of the pool, one message each.
pub fn universe(users: usize) -> Setup {
    let users = USER_POOL
        .iter()
        .take(users.clamp(1, USER_POOL.len()))
        .filter_map(|a| a.parse::<MsMailAddress>().ok())
        .map(|address| MsMailUser::new(address, 1))
        .collect();
    Setup::new(Site::default(), Language::English, users).expect("the pool's users are distinct")
}

/// Every step the checker may take from any state. Part 1: for each user's mailbox name,
/// create it, log on in Spanish and in English, add and remove the user's MIGRATE proxy,
/// add the user's MS proxy, and make a custom recipient for the user; and the wizard, every
/// version and phase, for all users. The full alphabet adds, per user, its mailbox in
/// container Sales, its MS Mail client opened and closed, and one message delivered; and a
/// 5.5 user list extracted, the first row's Mode emptied, and a full run of every version
/// from the list.
pub fn alphabet(setup: &Setup, which: Alphabet) -> Vec<Operation> {
    let mut ops = part1_alphabet(setup);
    let more = match which {
        Alphabet::Part1 => Vec::new(),
        Alphabet::Full => part2_steps(setup),
        Alphabet::Part4 => part4_steps(setup),
    };
    for op in more {
        if !ops.contains(&op) {
            ops.push(op);
        }
    }
    ops
}

/// The world a check of `which` starts from: [`universe`], and for part 4 the generator's
/// starting files, the post office on drive `M:`, and the first user with Schedule+ data
/// and one message dated inside the bounds of the accounts file's control file.
pub fn universe_for(users: usize, which: Alphabet) -> Setup {
    let setup = universe(users);
    if which != Alphabet::Part4 {
        return setup;
    }
    let mut users = setup.users().to_vec();
    if let Some(first) = users.first_mut() {
        first.schedule = true;
        first
            .dated
            .extend("19950101120000".parse().ok().map(|d| (d, 1)));
    }
    let addresses: Vec<MsMailAddress> = users.iter().map(|u| u.address.clone()).collect();
    Setup::new(Site::default(), Language::English, users)
        .expect("the pool's users are distinct")
        .with_postoffice_drive(Some(crate::harness::generate::DRIVE))
        .with_files(crate::harness::generate::starting_files(&addresses))
}

/// Part 4's steps (see [`Alphabet::Part4`]).
fn part4_steps(setup: &Setup) -> Vec<Operation> {
    use crate::harness::generate::{CONTROL_FILES, USER_LIST_FILE};
    use crate::vocabulary::operation::CsvField;
    let mut ops = Vec::new();
    for version in Version::ALL {
        for control in CONTROL_FILES {
            ops.push(Operation::Mailmig {
                version,
                command: format!("/C:{control} /A:ADMIN /P:PASSWORD /S"),
            });
        }
    }
    let list: Option<crate::vocabulary::files::WinPath> = USER_LIST_FILE.parse().ok();
    if let (Some(first), Some(path)) = (setup.users().first(), list) {
        let name = first.address.mailbox().to_string();
        for (field, value) in [(CsvField::HomeServer, "EXSRV2"), (CsvField::Mode, "")] {
            ops.push(Operation::EditFile {
                path: path.clone(),
                user: name.clone(),
                field,
                value: value.to_string(),
            });
        }
        ops.push(Operation::Deliver {
            user: first.address.clone(),
            messages: 1,
            date: "19990105120000".parse().ok(),
        });
    }
    if let Ok(path) = CONTROL_FILES[0].parse() {
        let text = "Postoffice,\\\\MAILSRV\\MAILDATA\r\nMode,MSMAILPC\r\n".to_string();
        ops.push(Operation::WriteFile { path, text });
    }
    ops
}

fn part2_steps(setup: &Setup) -> Vec<Operation> {
    let mut ops = Vec::new();
    let sales: Option<Container> = "Sales".parse().ok();
    for user in setup.users() {
        if let Ok(alias) = Alias::new(user.address.mailbox()) {
            ops.push(Operation::CreateMailbox {
                alias,
                name: None,
                container: sales.clone(),
                directory_name: None,
            });
        }
        for open in [true, false] {
            let user = user.address.clone();
            ops.push(Operation::MsMailClient { user, open });
        }
        let user = user.address.clone();
        ops.push(Operation::Deliver {
            user,
            messages: 1,
            date: None,
        });
    }
    ops.push(Operation::ExtractUserList {
        version: Version::V55,
        users: None,
    });
    if let Some(first) = setup.users().first() {
        ops.push(Operation::EditUserList {
            user: first.address.clone(),
            field: ListField::Mode,
            value: String::new(),
        });
    }
    for version in Version::ALL {
        ops.push(Operation::Wizard(WizardRun {
            users: Chosen::UserList,
            ..WizardRun::new(version, Phase::Full)
        }));
    }
    ops
}

fn part1_alphabet(setup: &Setup) -> Vec<Operation> {
    let mut ops: Vec<Operation> = Vec::new();
    let mut push = |op: Operation| {
        if !ops.contains(&op) {
            ops.push(op);
        }
    };
    for user in setup.users() {
        let (Ok(alias), Ok(cr_alias)) = (
            Alias::new(user.address.mailbox()),
            Alias::new(&format!("{}-MS", user.address.mailbox())),
        ) else {
            continue;
        };
        let migrate = migrate_for(&user.address);
        push(Operation::create_mailbox(alias.clone()));
        for language in [Language::Spanish, Language::English] {
            push(Operation::Logon {
                alias: alias.clone(),
                language,
            });
        }
        push(Operation::AddProxy {
            alias: alias.clone(),
            address: migrate.clone(),
        });
        push(Operation::RemoveProxy {
            alias: alias.clone(),
            address: migrate,
        });
        push(Operation::AddProxy {
            alias: alias.clone(),
            address: ms_for(&user.address, false),
        });
        push(Operation::custom_recipient(cr_alias, user.address.clone()));
    }
    for version in Version::ALL {
        for phase in Phase::ALL {
            push(Operation::wizard(version, phase));
        }
    }
    ops
}

/// Every state the search reached, as the step that first reached it from its parent: the
/// path arena. A state's path is read back through its parents, so no frontier node holds
/// a model or a copy of its path: a node is 6 bytes here and 16 in the visited set.
#[derive(Debug, Default)]
struct Arena {
    /// `(parent, step)`; the root's parent is itself (index 0).
    nodes: Vec<(u32, u16)>,
}

impl Arena {
    fn push(&mut self, parent: u32, step: u16) -> u32 {
        self.nodes.push((parent, step));
        (self.nodes.len() - 1) as u32
    }

    /// The steps from the root to `node`.
    fn path(&self, mut node: u32) -> Vec<u16> {
        let mut path = Vec::new();
        while node != 0 {
            let (parent, step) = self.nodes[node as usize];
            path.push(step);
            node = parent;
        }
        path.reverse();
        path
    }
}

/// Feeds `h` what identifies a state: the whole model but its event log.
///
/// The log is history: both halves only ever append to it, and nothing either does reads
/// it back, so two states equal but for their logs take every step alike and log the same
/// new events. Every property that reads the log reads what the step added to it (I-SUMMARY)
/// or whether an event was ever logged, whose shortest path is the first step that logged
/// it; the model and the implementation are compared with their logs on every edge. Issue
/// 11 offered the choice; it changed the pinned counts once (see `tests/check.rs`).
/// The stateright benchmark identifies its states by the same function.
pub fn identify(model: &Model, h: &mut impl std::hash::Hasher) {
    use std::hash::Hash;
    // Named field by field, so that a field added to the model is not left out unseen.
    let Model {
        site,
        server_language,
        postoffice_path,
        users,
        mailboxes,
        custom_recipients,
        events: _,
        user_list,
        in_progress,
        postoffice_drive,
        admin,
        server_name,
        files,
    } = model;
    site.hash(h);
    server_language.hash(h);
    postoffice_path.hash(h);
    postoffice_drive.hash(h);
    admin.hash(h);
    server_name.hash(h);
    files.hash(h);
    users.hash(h);
    mailboxes.hash(h);
    custom_recipients.hash(h);
    user_list.hash(h);
    in_progress.hash(h);
}

/// A 128-bit fingerprint of a model state as `identify` writes it: the visited set keeps
/// these, not the states. `buffer` is reused between calls.
fn fingerprint(model: &Model, buffer: &mut Vec<u8>) -> u128 {
    crate::harness::fingerprint::of_fed(buffer, |h| identify(model, h))
}

/// The model and the implementation along the path of the node expanded last, rebuilt
/// step by step: cheaper to redo than to keep for every frontier node. The frontier is in
/// path order (each level is made by expanding the one before in order), so the next node
/// shares most of its path with the last one and is rebuilt from their longest common
/// prefix, usually one step, not from the root.
struct Trail<'t> {
    alphabet: &'t [Operation],
    /// Under [`Checks::ModelOnly`] the implementation stays at the root, never stepped.
    checks: Checks,
    root: (Model, Server),
    /// `(step, model after it, implementation after it)` from the root down.
    steps: Vec<(u16, Model, Server)>,
}

impl<'t> Trail<'t> {
    fn new(setup: &Setup, alphabet: &'t [Operation], checks: Checks) -> Trail<'t> {
        Trail {
            alphabet,
            checks,
            root: (Model::new(setup), Server::new(setup)),
            steps: Vec::new(),
        }
    }

    /// The model and the implementation after `path`.
    fn at(&mut self, path: &[u16]) -> (&Model, &Server) {
        let common = self
            .steps
            .iter()
            .zip(path)
            .take_while(|((done, _, _), &k)| *done == k)
            .count();
        self.steps.truncate(common);
        for &k in &path[common..] {
            let (model, server) = self.last();
            let (mut model, mut server) = (model.clone(), server.clone());
            let op = &self.alphabet[k as usize];
            model.apply(op);
            if self.checks != Checks::ModelOnly {
                server.apply(op);
            }
            self.steps.push((k, model, server));
        }
        self.last()
    }

    /// The model and the implementation at the end of the trail.
    fn last(&self) -> (&Model, &Server) {
        match self.steps.last() {
            Some((_, model, server)) => (model, server),
            None => (&self.root.0, &self.root.1),
        }
    }
}

/// Makes `into` a copy of `from`, reusing `into`'s text buffers: the checker copies the
/// model once per edge into the same scratch model, and a fresh `clone` allocated each of
/// its texts anew (7 % of the check's instructions). Fields are named one by one, so
/// a field added to the model does not go uncopied unseen.
fn copy_model(into: &mut Model, from: &Model) {
    let Model {
        site,
        server_language,
        postoffice_path,
        users,
        mailboxes,
        custom_recipients,
        events,
        user_list,
        in_progress,
        postoffice_drive,
        admin,
        server_name,
        files,
    } = from;
    into.postoffice_drive.clone_from(postoffice_drive);
    into.admin.clone_from(admin);
    into.server_name.clone_from(server_name);
    into.files.clone_from(files);
    if into.site != *site {
        into.site = site.clone();
    }
    into.server_language = *server_language;
    into.postoffice_path.clone_from(postoffice_path);
    copy_each(&mut into.users, users, copy_user);
    copy_each(&mut into.mailboxes, mailboxes, copy_mailbox);
    copy_each(&mut into.custom_recipients, custom_recipients, copy_custom);
    into.events.clone_from(events);
    match (&mut into.user_list, user_list) {
        (Some(into), Some(from)) => copy_each(into, from, copy_row),
        (into, from) => into.clone_from(from),
    }
    into.in_progress.clone_from(in_progress);
}

/// `into` made as long as `from`, each element copied by `copy` where one was already.
fn copy_each<T: Clone>(into: &mut Vec<T>, from: &[T], copy: fn(&mut T, &T)) {
    into.truncate(from.len());
    for (to, from) in into.iter_mut().zip(from) {
        copy(to, from);
    }
    let done = into.len();
    into.extend_from_slice(&from[done..]);
}

fn copy_user(into: &mut User, from: &User) {
    let User {
        address,
        typed,
        mailbox_name,
        postoffice,
        full_name,
        messages,
        received,
        waiting,
        client_open,
        out_of_step,
        dated,
        schedule,
        schedule_migrated,
        place,
    } = from;
    into.dated.clone_from(dated);
    (into.schedule, into.schedule_migrated, into.place) = (*schedule, *schedule_migrated, *place);
    into.address.clone_from(address);
    into.typed.clone_from(typed);
    into.mailbox_name.clone_from(mailbox_name);
    into.postoffice.clone_from(postoffice);
    into.full_name.clone_from(full_name);
    (into.messages, into.received, into.waiting) = (*messages, *received, *waiting);
    (into.client_open, into.out_of_step) = (*client_open, *out_of_step);
}

fn copy_mailbox(into: &mut Mailbox, from: &Mailbox) {
    let Mailbox {
        alias,
        container,
        directory_name,
        proxies,
        folders,
        inbox,
        created_for,
        calendar,
        calendar_messages,
    } = from;
    into.calendar = *calendar;
    into.calendar_messages.clone_from(calendar_messages);
    into.alias.clone_from(alias);
    into.container.clone_from(container);
    into.directory_name.clone_from(directory_name);
    copy_each(&mut into.proxies, proxies, String::clone_from);
    into.folders = *folders;
    copy_each(&mut into.inbox, inbox, |into, (owner, count)| {
        into.0.clone_from(owner);
        into.1 = *count;
    });
    into.created_for.clone_from(created_for);
}

fn copy_custom(into: &mut CustomRecipient, from: &CustomRecipient) {
    let CustomRecipient {
        alias,
        address,
        container,
    } = from;
    into.alias.clone_from(alias);
    into.address.clone_from(address);
    into.container.clone_from(container);
}

fn copy_row(into: &mut Row, from: &Row) {
    let Row {
        user,
        migrate_user,
        mode,
        common_name,
        secondary,
        home_server,
    } = from;
    into.home_server.clone_from(home_server);
    into.user.clone_from(user);
    into.migrate_user.clone_from(migrate_user);
    into.mode.clone_from(mode);
    into.common_name.clone_from(common_name);
    into.secondary.clone_from(secondary);
}

/// What a thread writes every edge over, rather than allocating it anew: the model after
/// the step, and what the implementation showed after it.
struct Scratch {
    model: Model,
    after: Observation,
}

/// One state being expanded, on both halves, with what the implementation showed in it.
struct Here<'h> {
    model: &'h Model,
    server: &'h Server,
    before: &'h Observation,
    /// The mail the path to here put into MS Mail.
    ledger: &'h Ledger,
}

/// Takes `op` from `here` on the model and on the implementation and checks the edge
/// (all of it but under a lesser rung of [`Checks`]): `Ok(None)` for a refused step that
/// changed nothing, `Ok(Some(reached))` for a step to a state (perhaps visited), left in
/// `scratch.model`, with the `sometimes` properties it reached, or what broke.
fn step(
    setup: &Setup,
    here: &Here<'_>,
    (op, checks): (&Operation, Checks),
    scratch: &mut Scratch,
) -> Result<Option<Vec<usize>>, String> {
    let Scratch { model, after } = scratch;
    copy_model(model, here.model);
    let expected = model.apply(op);
    if checks == Checks::ModelOnly {
        // What stateright's model-only run does on an edge, and no more.
        return match expected.outcome.is_refused() && model == here.model {
            true => Ok(None),
            false => Ok(Some(Vec::new())),
        };
    }
    let mut server = here.server.clone();
    let result = server.apply(op);
    if result != expected {
        return Err(format!(
            "the implementation agrees with the model: `{op}` gave {result:?}, the model {expected:?}"
        ));
    }
    if expected.outcome.is_refused() && model == here.model {
        // The fast path for a third of all edges: nothing changed in the model, so nothing
        // may change in the implementation either, compared whole rather than observed.
        return match &server == here.server {
            true => Ok(None),
            false => Err(format!(
                "the implementation agrees with the model: refused `{op}` changed its state"
            )),
        };
    }
    if checks == Checks::Steps {
        return Ok(Some(Vec::new()));
    }
    server.observe_into(after);
    if *after != model.observe() {
        return Err(format!(
            "the implementation agrees with the model: the states differ after `{op}`"
        ));
    }
    let messages: Vec<(u64, u64, &MsMailAddress)> = server
        .messages()
        .map(|m| (m.first, m.count, &m.owner))
        .collect();
    // Only a delivery changes the ledger: the others take the one of the state they leave.
    let delivered;
    let ledger = match op {
        Operation::Deliver { .. } => {
            delivered = {
                let mut ledger = here.ledger.clone();
                ledger.record(op);
                ledger
            };
            &delivered
        }
        _ => here.ledger,
    };
    let edge = properties::Edge {
        setup,
        op,
        before: here.before,
        result: &result,
        after,
        ledger,
        messages: Some(&messages),
    };
    match properties::evaluate(&edge) {
        Ok(held) => {
            let reached = held
                .into_iter()
                .filter(|&k| PROPERTIES[k].kind() == Kind::Sometimes)
                .collect();
            Ok(Some(reached))
        }
        Err(v) => Err(format!("{v}: `{op}`")),
    }
}

/// One part of a level, expanded: the steps taken, the new states kept as `(parent, step,
/// fingerprint)`, the first broken property with its edge, and which `sometimes`
/// properties some step reached.
struct Expanded {
    taken: usize,
    kept: Vec<(u32, u16, u128)>,
    broken: Option<(String, u32, u16)>,
    /// For each property, the first edge in this part that reached it: `(node, step)`.
    reached: Vec<Option<(u32, u16)>>,
}

/// Expands part of a level: every step from every node, keeping new states (not in
/// `visited`, first of their kind in this part) and the first broken property. `None`
/// when the deadline passed before the part was done.
fn expand(
    setup: &Setup,
    (which, checks): (Alphabet, Checks),
    (arena, visited): (&Arena, &Visited),
    part: &[u32],
    late: &dyn Fn() -> bool,
) -> Option<Expanded> {
    // The thread's own copy of the steps: their names are shared text (`Arc`), copied into
    // every state, and threads sharing one copy would take turns at its reference counts.
    let alphabet = &alphabet(setup, which);
    let mut seen_here = Visited::default();
    let mut buffer = Vec::new();
    let mut out = Expanded {
        taken: 0,
        kept: Vec::new(),
        broken: None,
        reached: vec![None; PROPERTIES.len()],
    };
    let mut trail = Trail::new(setup, alphabet, checks);
    let mut scratch = Scratch {
        model: Model::new(setup),
        after: Observation::default(),
    };
    for &node in part {
        if late() {
            return None;
        }
        let path = arena.path(node);
        let (model, server) = trail.at(&path);
        let mut ledger = Ledger::new(setup);
        path.iter()
            .for_each(|&k| ledger.record(&alphabet[k as usize]));
        let before = match checks {
            Checks::All => server.observe(),
            Checks::Steps | Checks::ModelOnly => Observation::default(),
        };
        let here = Here {
            model,
            server,
            before: &before,
            ledger: &ledger,
        };
        for (k, op) in alphabet.iter().enumerate() {
            out.taken += 1;
            match step(setup, &here, (op, checks), &mut scratch) {
                Ok(None) => {}
                Ok(Some(reached)) => {
                    for property in reached {
                        out.reached[property].get_or_insert((node, k as u16));
                    }
                    let f = fingerprint(&scratch.model, &mut buffer);
                    if !visited.contains(&f) && seen_here.insert(f) {
                        out.kept.push((node, k as u16, f));
                    }
                }
                Err(what) => {
                    out.broken.get_or_insert((what, node, k as u16));
                }
            }
        }
    }
    Some(out)
}

/// The fingerprints of the states reached so far (already hashes: a fast hash suffices).
type Visited = HashSet<u128, rustc_hash::FxBuildHasher>;

/// What a check found.
#[derive(Debug, Clone)]
pub struct CheckReport {
    /// The universe.
    pub setup: Setup,
    /// Steps available from each state.
    pub alphabet: usize,
    /// Distinct states reached (the initial one included).
    pub states: usize,
    /// Steps taken, from every state of every completed level.
    pub edges: usize,
    /// Distinct states per depth, from 0 (the initial state).
    pub levels: Vec<usize>,
    /// Deepest level fully explored (sequence length).
    pub max_depth: usize,
    /// Wall time.
    pub elapsed: Duration,
    /// Whether the timeout stopped it before the asked depth.
    pub timed_out: bool,
    /// Whether [`Watch::stop`] (Ctrl-C) stopped it before the asked depth.
    pub interrupted: bool,
    /// The fewest worker threads a level ran on: fewer than asked when the system would
    /// not start them all (an address-space limit, say); the work is the same.
    pub threads: usize,
    /// The first broken property found (on a shortest path) and that path, as a scenario.
    pub violation: Option<(String, Scenario)>,
    /// Each `sometimes` property and the length of the shortest path to it, if reached.
    pub reached: Vec<(String, Option<usize>)>,
    /// For each of [`CheckReport::reached`], a shortest path to it (empty if not reached).
    pub paths: Vec<Vec<Operation>>,
}

/// Expands a whole level in chunks, merged in chunk order so the result does not depend on
/// timing or on the number of threads. The threads take the next chunk as they finish one:
/// eight chunks a thread keep both busy to the level's end, where one chunk a thread left
/// one idle while the other finished (the cost of a node varies with its state). `None`
/// when a chunk ran past the deadline: an unfinished level does not count.
fn expand_level(
    setup: &Setup,
    which: (Alphabet, Checks),
    seen: (&Arena, &Visited),
    frontier: &[u32],
    threads: usize,
    late: &(dyn Fn() -> bool + Sync),
    chunk_done: &(dyn Fn(usize, usize) + Sync),
) -> (Option<Vec<Expanded>>, usize) {
    let chunks: Vec<&[u32]> = frontier
        .chunks(frontier.len().div_ceil(threads * 8).max(1))
        .collect();
    let next = std::sync::atomic::AtomicUsize::new(0);
    let mut expanded: Vec<Option<Expanded>> =
        std::iter::repeat_with(|| None).take(chunks.len()).collect();
    let finished = std::sync::atomic::AtomicUsize::new(0);
    let work = || {
        let mut done = Vec::new();
        loop {
            let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let Some(part) = chunks.get(i) else {
                return done;
            };
            done.push((i, expand(setup, which, seen, part, late)));
            let n = finished.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
            chunk_done(n, chunks.len());
        }
    };
    let started = std::thread::scope(|scope| {
        // A thread the system will not start is done without: the others (or this
        // thread) take its chunks (issue 25, item 9: 64 threads under a memory limit).
        let workers: Vec<_> = (0..threads)
            .map_while(|_| {
                room_for_a_thread()
                    .then(|| std::thread::Builder::new().spawn_scoped(scope, work).ok())
                    .flatten()
            })
            .collect();
        let started = workers.len();
        if started == 0 {
            for (i, part) in work() {
                expanded[i] = part;
            }
        }
        for worker in workers {
            for (i, part) in worker.join().unwrap_or_default() {
                expanded[i] = part;
            }
        }
        started.max(1)
    });
    (expanded.into_iter().collect(), started)
}

/// Whether the address space has room for one more thread and then some: a thread the
/// system starts without room left for its signal stack aborts the whole process, which a
/// failed spawn does not (issue 25, item 9). The probe is the system allocator's, which
/// maps a block this large on its own and unmaps it when freed, before the spawn.
fn room_for_a_thread() -> bool {
    use std::alloc::{GlobalAlloc, Layout, System};
    let Ok(layout) = Layout::from_size_align(64 << 20, 4096) else {
        return false;
    };
    // SAFETY: the layout's size is not zero, and the block is freed with the same layout.
    unsafe {
        let block = System.alloc(layout);
        if block.is_null() {
            return false;
        }
        System.dealloc(block, layout);
    }
    true
}

/// The search's state between levels.
struct Search<'a> {
    setup: &'a Setup,
    alphabet: &'a [Operation],
    arena: Arena,
    visited: Visited,
    /// The `sometimes` properties, as indices into [`PROPERTIES`].
    sometimes: Vec<usize>,
    report: CheckReport,
}

impl Search<'_> {
    /// Takes one expanded level into the report; returns the next frontier.
    fn merge(&mut self, depth: usize, expanded: Vec<Expanded>) -> Vec<u32> {
        let mut next = Vec::new();
        for part in expanded {
            self.report.edges += part.taken;
            for (i, &k) in self.sometimes.iter().enumerate() {
                if let (Some((node, step)), None) = (part.reached[k], self.report.reached[i].1) {
                    self.report.reached[i].1 = Some(depth + 1);
                    let mut path = self.arena.path(node);
                    path.push(step);
                    let steps = path.iter().map(|&s| self.alphabet[s as usize].clone());
                    self.report.paths[i] = steps.collect();
                }
            }
            for (parent, step, f) in part.kept {
                if self.visited.insert(f) {
                    next.push(self.arena.push(parent, step));
                }
            }
            if let Some((name, parent, step)) = part.broken {
                if self.report.violation.is_none() {
                    let mut path = self.arena.path(parent);
                    path.push(step);
                    let scenario = self.scenario(&name, &path);
                    self.report.violation = Some((name, scenario));
                }
            }
        }
        next
    }

    /// A path as a scenario file.
    fn scenario(&self, name: &str, path: &[u16]) -> Scenario {
        Scenario {
            name: format!("migwiz check: {name}"),
            description: Some(
                "A shortest path to a broken property, found by `migwiz check`.".to_string(),
            ),
            setup: self.setup.clone(),
            steps: path
                .iter()
                .map(|&k| self.alphabet[k as usize].clone())
                .collect(),
            clients: Vec::new(),
            schedule: 0,
        }
    }
}

/// What a caller sees of a check while it runs, and how it stops one.
pub struct Watch<'a> {
    /// Set (by Ctrl-C, say) to stop at the next chunk of work; the report then counts the
    /// levels that were finished, as `--timeout` does.
    pub stop: &'a std::sync::atomic::AtomicBool,
    /// Called as each chunk of a level is done: the depth being expanded, chunks done,
    /// chunks in the level, and the states found before the level.
    pub progress: &'a (dyn Fn(usize, usize, usize, usize) + Sync),
}

/// Why a `sometimes` property cannot be reached in `setup` at any depth, if it cannot:
/// so that a report does not read as if the search were too shallow.
pub fn unreachable_why(property: &str, setup: &Setup) -> Option<&'static str> {
    let adminsch = setup
        .users()
        .iter()
        .any(|u| u.address.mailbox().eq_ignore_ascii_case("ADMINSCH") && u.messages > 0);
    match property {
        "all mail migrated" if adminsch => Some(
            "the wizard never takes ADMINSCH, so its mail never migrates (A-ADMIN); use --users 7 or fewer",
        ),
        _ => None,
    }
}

/// Runs the check: breadth first, level by level, so counts are exact and the first
/// violation found is on a shortest path.
pub fn check(config: &CheckConfig) -> CheckReport {
    let stop = std::sync::atomic::AtomicBool::new(false);
    check_watched(
        config,
        &Watch {
            stop: &stop,
            progress: &|_, _, _, _| {},
        },
    )
}

/// [`check`], showing progress and stoppable through `watch`.
pub fn check_watched(config: &CheckConfig, watch: &Watch<'_>) -> CheckReport {
    let started = Instant::now();
    let setup = universe_for(config.users, config.alphabet);
    let alphabet = alphabet(&setup, config.alphabet);
    let sometimes: Vec<usize> = (0..PROPERTIES.len())
        .filter(|&k| PROPERTIES[k].kind() == Kind::Sometimes)
        .collect();
    let mut arena = Arena::default();
    let root = arena.push(0, 0);
    let mut visited = Visited::default();
    visited.insert(fingerprint(&Model::new(&setup), &mut Vec::new()));
    let mut search = Search {
        setup: &setup,
        alphabet: &alphabet,
        arena,
        visited,
        report: CheckReport {
            setup: setup.clone(),
            alphabet: alphabet.len(),
            states: 0,
            edges: 0,
            levels: Vec::new(),
            max_depth: 0,
            elapsed: Duration::ZERO,
            timed_out: false,
            interrupted: false,
            threads: config.threads.max(1),
            violation: None,
            reached: sometimes
                .iter()
                .map(|&k| (PROPERTIES[k].name.to_string(), None))
                .collect(),
            paths: vec![Vec::new(); sometimes.len()],
        },
        sometimes,
    };
    let mut frontier = vec![root];
    let deadline = config.timeout.map(|t| started + t);
    let stopped = || watch.stop.load(std::sync::atomic::Ordering::Relaxed);
    let late = || stopped() || deadline.is_some_and(|d| Instant::now() >= d);
    for depth in 0..=config.depth {
        search.report.levels.push(frontier.len());
        search.report.max_depth = depth;
        if depth == config.depth || frontier.is_empty() {
            break;
        }
        let threads = config.threads.max(1);
        let states = search.visited.len();
        let chunk_done = |done, of| (watch.progress)(depth + 1, done, of, states);
        let expanded = match late() {
            true => None,
            false => {
                let (expanded, started) = expand_level(
                    &setup,
                    (config.alphabet, config.checks),
                    (&search.arena, &search.visited),
                    &frontier,
                    threads,
                    &late,
                    &chunk_done,
                );
                search.report.threads = search.report.threads.min(started);
                expanded
            }
        };
        let Some(expanded) = expanded else {
            match stopped() {
                true => search.report.interrupted = true,
                false => search.report.timed_out = true,
            }
            break;
        };
        frontier = search.merge(depth, expanded);
        if search.report.violation.is_some() {
            search.report.max_depth = depth + 1;
            break;
        }
    }
    let mut report = search.report;
    report.states = search.visited.len();
    report.elapsed = started.elapsed();
    report
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A model that has been somewhere: mailboxes with proxies and mail, a custom
    /// recipient, a user list, events.
    fn travelled(setup: &Setup, steps: &[Operation]) -> Model {
        let mut model = Model::new(setup);
        for op in steps {
            model.apply(op);
        }
        model
    }

    #[test]
    fn copy_model_makes_any_model_equal_to_any_other() {
        let small = universe(1);
        let other_site = Site::new("FABRIKAM", "EAST", "fabrikam.com").expect("a valid site");
        let large = Setup::new(other_site, Language::Spanish, universe(3).users().to_vec())
            .expect("the pool's users are distinct");
        let everything: Vec<Operation> = alphabet(&large, Alphabet::Full);
        let models = [
            Model::new(&small),
            travelled(&small, &alphabet(&small, Alphabet::Full)),
            travelled(&large, &everything),
            travelled(&large, &everything[..everything.len() / 2]),
        ];
        for from in &models {
            for into in &models {
                let mut copy = into.clone();
                copy_model(&mut copy, from);
                assert_eq!(&copy, from);
            }
        }
    }
}
