//! Where wizard versions part ways, found by machine: random sequences from the state
//! machine test's own generator ([`Reference`]), each run under 5.0, 5.5 and 5.5 SP1, every
//! divergence sorted into a [`Class`], and for each class the shortest witness proptest's
//! shrinking reaches.
//!
//! Shrinking is proptest's: the witness case is generated again from its seed, and its
//! value tree is simplified for as long as the class still shows (deleting steps, then
//! simplifying steps and the world), exactly as a failing state machine test is shrunk.
//! The shortest of the first few shrunk cases of a class is kept.
//!
//! Each class is explained, in the catalogue, by the rule ids that decided the witness's
//! divergent step under each version.
//!
//! ```
//! use migwiz::tools::explore::{explore, Class, ExploreConfig};
//! let catalogue = explore(&ExploreConfig { cases: 200, seed: 1, ..ExploreConfig::default() }, |_| {});
//! let entry = catalogue.entry(Class::V55AbortedV50Ok).unwrap();
//! assert!(entry.seen > 0);
//! assert!(entry.witness.as_ref().unwrap().steps.len() <= 3);
//! ```

use std::fmt::Write as _;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;

use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use proptest_state_machine::ReferenceStateMachine;
use serde::Serialize;

use crate::harness::generate::{RefState, Reference};
use crate::harness::properties::{
    self, unbound_deliveries, Edge, Kind, Ledger, Violation, PROPERTIES,
};
use crate::server::Server;
use crate::tools::format::scenario::Scenario;
use crate::tools::runs::diff::VersionDiff;
use crate::vocabulary::address::MsMailAddress;
use crate::vocabulary::observation::Observation;
use crate::vocabulary::operation::{Chosen, Operation, Version};
use crate::vocabulary::outcome::{Outcome, StepResult, UserResult};
use crate::vocabulary::rules::RuleId;
use crate::vocabulary::setup::Setup;

/// A kind of divergence between wizard versions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Class {
    /// A step 5.0 completes while 5.5 logs 7026 (Q242184 itself).
    V55AbortedV50Ok,
    /// A step 5.5 aborts with 7026 while 5.5 SP1 completes (Q183312).
    V55AbortedSp1Ok,
    /// A step 5.0 aborts with 7026 while 5.5 completes.
    V50AbortedV55Ok,
    /// A step 5.5 SP1 aborts with 7026 while 5.5 completes.
    Sp1AbortedV55Ok,
    /// 5.0 delivers mail into a mailbox not bound to its owner ("unreliable", Q242184).
    V50Unbound,
    /// 5.5 delivers mail into a mailbox not bound to its owner: I-OWNER broken.
    V55Unbound,
    /// 5.5 SP1 delivers mail into a mailbox not bound to its owner: I-OWNER broken.
    Sp1Unbound,
    /// A custom recipient kept by one version and deleted by another.
    CustomRecipientKept,
    /// The same user's mail delivered by two versions, into different mailboxes.
    MailElsewhere,
    /// An administrator's step allowed under one version and refused under another.
    RefusedUnderOneVersion,
    /// The same mailbox's folders named in different languages.
    FolderLanguage,
    /// Every version logged 7026, but for different users.
    AbortedElsewhere,
    /// Step one created a mailbox under one version and not under another.
    MailboxesDiffer,
    /// The same mailbox holds different addresses (a MIGRATE proxy written or not).
    AddressesDiffer,
    /// A step 5.0 ends with event 147 while 5.5 does not (Q152330).
    V50Event147V55Ok,
    /// A step 5.5 ends with event 7034 while 5.5 SP1 does not (Q169130).
    V55Event7034Sp1Ok,
    /// The same user list migrates mail under one version and not under another.
    UserListMigratesUnderOneVersion,
    /// A step logs different error events under different versions.
    ErrorEventsDiffer,
    /// The user list has different rows or columns under different versions.
    UserListDiffers,
    /// 5.5 reads a user list's header as a user and logs 7032 where 5.5 SP1 does not
    /// (Q180876, B-7032).
    V55Event7032Sp1Ok,
    /// 5.5 sends the message "Migrated Calendar Information" where 5.0 sends none
    /// (Q201421, B-SCHED).
    CalendarMessageV55NotV50,
    /// A batch run ends with different result codes under different versions (B-RESULT).
    ResultCodesDiffer,
    /// The administrator's files differ between versions (EXTRACT's columns, say).
    FilesDiffer,
    /// Versions differ in some other observable way.
    Other,
}

impl Class {
    /// Every class, in catalogue order.
    pub const ALL: [Class; 24] = [
        Class::V55AbortedV50Ok,
        Class::V55AbortedSp1Ok,
        Class::V50AbortedV55Ok,
        Class::Sp1AbortedV55Ok,
        Class::V50Unbound,
        Class::V55Unbound,
        Class::Sp1Unbound,
        Class::CustomRecipientKept,
        Class::MailElsewhere,
        Class::RefusedUnderOneVersion,
        Class::FolderLanguage,
        Class::AbortedElsewhere,
        Class::MailboxesDiffer,
        Class::AddressesDiffer,
        Class::V50Event147V55Ok,
        Class::V55Event7034Sp1Ok,
        Class::UserListMigratesUnderOneVersion,
        Class::ErrorEventsDiffer,
        Class::UserListDiffers,
        Class::V55Event7032Sp1Ok,
        Class::CalendarMessageV55NotV50,
        Class::ResultCodesDiffer,
        Class::FilesDiffer,
        Class::Other,
    ];

    /// What the class means, in a line.
    pub fn title(self) -> &'static str {
        match self {
            Class::V55AbortedV50Ok => "5.0 ok, 5.5 aborted 7026",
            Class::V55AbortedSp1Ok => "5.5 aborted 7026, 5.5 SP1 ok",
            Class::V50AbortedV55Ok => "5.0 aborted 7026, 5.5 ok",
            Class::Sp1AbortedV55Ok => "5.5 SP1 aborted 7026, 5.5 ok",
            Class::V50Unbound => "5.0 delivered mail into a mailbox not bound to its owner",
            Class::V55Unbound => "5.5 delivered mail into a mailbox not bound to its owner",
            Class::Sp1Unbound => "5.5 SP1 delivered mail into a mailbox not bound to its owner",
            Class::CustomRecipientKept => {
                "a custom recipient kept by one version, deleted by another"
            }
            Class::MailElsewhere => "the same mail delivered into different mailboxes",
            Class::RefusedUnderOneVersion => {
                "an administrator's step refused under one version only"
            }
            Class::FolderLanguage => "the same mailbox's folders in different languages",
            Class::AbortedElsewhere => "7026 under every version, for different users",
            Class::MailboxesDiffer => "a mailbox created under one version only",
            Class::AddressesDiffer => "the same mailbox with different addresses",
            Class::V50Event147V55Ok => "5.0 logs 147, 5.5 does not",
            Class::V55Event7034Sp1Ok => "5.5 logs 7034, 5.5 SP1 does not",
            Class::UserListMigratesUnderOneVersion => {
                "the same user list migrates under one version and not another"
            }
            Class::ErrorEventsDiffer => {
                "a step logs different error events under different versions"
            }
            Class::UserListDiffers => "the user list differs between versions",
            Class::V55Event7032Sp1Ok => "5.5 logs 7032, 5.5 SP1 does not",
            Class::CalendarMessageV55NotV50 => {
                "5.5 sends \"Migrated Calendar Information\", 5.0 does not"
            }
            Class::ResultCodesDiffer => "mailmig returns different result codes",
            Class::FilesDiffer => "the administrator's files differ between versions",
            Class::Other => "some other difference",
        }
    }

    /// A file-name word for the class.
    pub fn slug(self) -> &'static str {
        match self {
            Class::V55AbortedV50Ok => "v55-7026-v50-ok",
            Class::V55AbortedSp1Ok => "v55-7026-sp1-ok",
            Class::V50AbortedV55Ok => "v50-7026-v55-ok",
            Class::Sp1AbortedV55Ok => "sp1-7026-v55-ok",
            Class::V50Unbound => "v50-unbound-delivery",
            Class::V55Unbound => "v55-unbound-delivery",
            Class::Sp1Unbound => "sp1-unbound-delivery",
            Class::CustomRecipientKept => "custom-recipient-kept",
            Class::MailElsewhere => "mail-elsewhere",
            Class::RefusedUnderOneVersion => "refused-under-one-version",
            Class::FolderLanguage => "folder-language",
            Class::AbortedElsewhere => "aborted-elsewhere",
            Class::MailboxesDiffer => "mailboxes-differ",
            Class::AddressesDiffer => "addresses-differ",
            Class::V50Event147V55Ok => "v50-147-v55-ok",
            Class::V55Event7034Sp1Ok => "v55-7034-sp1-ok",
            Class::UserListMigratesUnderOneVersion => "user-list-migrates-under-one-version",
            Class::ErrorEventsDiffer => "error-events-differ",
            Class::UserListDiffers => "user-list-differs",
            Class::V55Event7032Sp1Ok => "v55-7032-sp1-ok",
            Class::CalendarMessageV55NotV50 => "calendar-message-v55-not-v50",
            Class::ResultCodesDiffer => "result-codes-differ",
            Class::FilesDiffer => "files-differ",
            Class::Other => "other",
        }
    }

    /// Whether the rules forbid it: finding one is a bug, not a fact about the wizard.
    pub fn forbidden(self) -> bool {
        matches!(self, Class::V55Unbound | Class::Sp1Unbound)
    }
}

/// A sequence run under every version: per version, each step's result and the state after.
struct Runs {
    /// The state before the first step (the same under every version).
    initial: Observation,
    results: Vec<Vec<StepResult>>,
    after: Vec<Vec<Observation>>,
    /// Per version and step, the implementation's messages after it, as runs `(first id,
    /// count, owner)` (I-CONSERVE counts them).
    messages: Vec<Vec<Vec<(u64, u64, MsMailAddress)>>>,
}

fn run_all(setup: &Setup, steps: &[Operation]) -> Runs {
    let mut results = Vec::new();
    let mut after = Vec::new();
    let mut messages = Vec::new();
    for version in Version::ALL {
        let mut server = Server::new(setup);
        let mut r = Vec::new();
        let mut a = Vec::new();
        let mut m = Vec::new();
        for op in steps {
            r.push(server.apply(&op.with_version(version)));
            a.push(server.observe());
            m.push(
                server
                    .messages()
                    .map(|x| (x.first, x.count, x.owner.clone()))
                    .collect(),
            );
        }
        results.push(r);
        after.push(a);
        messages.push(m);
    }
    Runs {
        initial: Server::new(setup).observe(),
        results,
        after,
        messages,
    }
}

/// Step `i` of a sequence under all three versions, as the class predicates see it.
struct At<'a> {
    setup: &'a Setup,
    runs: &'a Runs,
    step: &'a Operation,
    i: usize,
}

const V50: usize = 0;
const V55: usize = 1;
const SP1: usize = 2;

impl At<'_> {
    fn outcome(&self, v: usize) -> &Outcome {
        &self.runs.results[v][self.i].outcome
    }
    fn aborted(&self, v: usize) -> bool {
        matches!(self.outcome(v), Outcome::Aborted { .. })
    }
    fn ok(&self, v: usize) -> bool {
        matches!(self.outcome(v), Outcome::Ok)
    }
    fn obs(&self, v: usize) -> &Observation {
        &self.runs.after[v][self.i]
    }
    fn unbound(&self, v: usize) -> bool {
        !unbound_deliveries(&self.runs.results[v][self.i], self.obs(v)).is_empty()
    }
    /// Whether, for some mailbox of 5.0's, the versions that have it differ in `field`.
    fn mailboxes_differ_in<T: PartialEq>(
        &self,
        field: impl Fn(&crate::vocabulary::observation::MailboxView) -> Option<&T>,
    ) -> bool {
        self.obs(V50).mailboxes.iter().any(|m| {
            let values: Vec<&T> = (0..3)
                .filter_map(|v| self.obs(v).mailboxes.iter().find(|x| x.alias == m.alias))
                .filter_map(&field)
                .collect();
            values.windows(2).any(|w| w[0] != w[1])
        })
    }
    /// Some user's mail delivered by two versions into different mailboxes.
    fn mail_elsewhere(&self) -> bool {
        self.setup.users().iter().any(|user| {
            let owner = user.address.to_string();
            let places: Vec<Vec<String>> = (0..3)
                .map(|v| {
                    let mail = self.obs(v).mail_of(&owner).mailboxes;
                    mail.into_iter().map(|(alias, _)| alias).collect()
                })
                .collect();
            let delivered: Vec<&Vec<String>> = places.iter().filter(|p| !p.is_empty()).collect();
            delivered.windows(2).any(|w| w[0] != w[1])
        })
    }
    /// The events step `i` logged under version `v`.
    fn logged(&self, v: usize) -> &[crate::vocabulary::event::Event] {
        let before = match self.i {
            0 => self.runs.initial.events.len(),
            i => self.runs.after[v][i - 1].events.len(),
        };
        self.obs(v).events.get(before..).unwrap_or(&[])
    }
    fn logs(&self, v: usize, id: u32) -> bool {
        self.logged(v).iter().any(|e| e.id == id)
    }
    /// The error events step `i` logged under `v`, in order (the summary aside).
    fn errors(&self, v: usize) -> Vec<u32> {
        self.logged(v)
            .iter()
            .filter(|e| e.kind == "Error")
            .map(|e| e.id)
            .collect()
    }
    /// Whether step `i` moved any mail under `v`.
    fn moved(&self, v: usize) -> bool {
        self.runs.results[v][self.i]
            .users
            .iter()
            .any(|u| matches!(u, UserResult::Migrated { messages, .. } if *messages > 0))
    }
    /// How many calendar messages step `i` sent under `v` (B-SCHED).
    fn calendars_sent(&self, v: usize) -> usize {
        let count = |obs: &Observation| {
            let mail = obs.mailboxes.iter().flat_map(|m| &m.mail);
            mail.filter(|m| m.calendar).count()
        };
        let before = match self.i {
            0 => &self.runs.initial,
            i => &self.runs.after[v][i - 1],
        };
        count(self.obs(v)).saturating_sub(count(before))
    }
    fn aliases(&self, v: usize) -> Vec<&str> {
        self.obs(v)
            .mailboxes
            .iter()
            .map(|m| m.alias.as_str())
            .collect()
    }
}

/// Whether step `i` of a sequence shows a class.
type Shows = fn(&At<'_>) -> bool;

/// One predicate per class ([`Class::Other`] aside, which is "none of these").
const PREDICATES: [(Class, Shows); 23] = [
    (Class::V55AbortedV50Ok, |a| a.ok(V50) && a.aborted(V55)),
    (Class::V55AbortedSp1Ok, |a| a.aborted(V55) && a.ok(SP1)),
    (Class::V50AbortedV55Ok, |a| a.aborted(V50) && a.ok(V55)),
    (Class::Sp1AbortedV55Ok, |a| a.aborted(SP1) && a.ok(V55)),
    (Class::V50Unbound, |a| a.unbound(V50)),
    (Class::V55Unbound, |a| a.unbound(V55)),
    (Class::Sp1Unbound, |a| a.unbound(SP1)),
    (Class::CustomRecipientKept, |a| {
        (0..3).any(|v| a.obs(v).custom_recipients != a.obs(V50).custom_recipients)
    }),
    (Class::MailElsewhere, |a| a.mail_elsewhere()),
    (Class::RefusedUnderOneVersion, |a| {
        !matches!(a.step, Operation::Wizard { .. })
            && (0..3).any(|v| a.outcome(v).is_refused() != a.outcome(V50).is_refused())
    }),
    (Class::FolderLanguage, |a| {
        a.mailboxes_differ_in(|m| Some(&m.folders).filter(|f| !f.is_empty()))
    }),
    (Class::AbortedElsewhere, |a| {
        (0..3).all(|v| a.aborted(v)) && (0..3).any(|v| a.outcome(v) != a.outcome(V50))
    }),
    (Class::MailboxesDiffer, |a| {
        (0..3).any(|v| a.aliases(v) != a.aliases(V50))
    }),
    (Class::AddressesDiffer, |a| {
        a.mailboxes_differ_in(|m| Some(&m.proxies))
    }),
    (Class::V50Event147V55Ok, |a| {
        a.logs(V50, 147) && !a.logs(V55, 147)
    }),
    (Class::V55Event7034Sp1Ok, |a| {
        a.logs(V55, 7034) && !a.logs(SP1, 7034)
    }),
    (Class::UserListMigratesUnderOneVersion, |a| {
        matches!(a.step, Operation::Wizard(run) if run.users == Chosen::UserList)
            && (0..3).any(|v| a.moved(v) != a.moved(V50))
    }),
    (Class::ErrorEventsDiffer, |a| {
        (0..3).any(|v| a.errors(v) != a.errors(V50))
    }),
    (Class::UserListDiffers, |a| {
        (0..3).any(|v| a.obs(v).user_list != a.obs(V50).user_list)
    }),
    (Class::V55Event7032Sp1Ok, |a| {
        a.logs(V55, 7032) && !a.logs(SP1, 7032)
    }),
    (Class::CalendarMessageV55NotV50, |a| {
        a.calendars_sent(V55) > 0 && a.calendars_sent(V50) == 0
    }),
    (Class::ResultCodesDiffer, |a| {
        let code = |v: usize| a.runs.results[v][a.i].batch.as_ref().map(|b| b.result_code);
        (0..3).any(|v| code(v) != code(V50))
    }),
    (Class::FilesDiffer, |a| {
        (0..3).any(|v| a.obs(v).files != a.obs(V50).files)
    }),
];

/// The classes a sequence shows, each with the first step (0-based) where it shows.
pub fn classify(setup: &Setup, steps: &[Operation]) -> Vec<(Class, usize)> {
    classify_runs(setup, steps, &run_all(setup, steps))
}

fn classify_runs(setup: &Setup, steps: &[Operation], runs: &Runs) -> Vec<(Class, usize)> {
    classify_by(&PREDICATES, setup, steps, runs)
}

/// [`classify`] by `predicates`: a difference none of them names is [`Class::Other`].
fn classify_by(
    predicates: &[(Class, Shows)],
    setup: &Setup,
    steps: &[Operation],
    runs: &Runs,
) -> Vec<(Class, usize)> {
    let mut found: Vec<(Class, usize)> = Vec::new();
    let mut first_difference = None;
    for (i, step) in steps.iter().enumerate() {
        let at = At {
            setup,
            runs,
            step,
            i,
        };
        for &(class, shows) in predicates {
            if !found.iter().any(|(c, _)| *c == class) && shows(&at) {
                found.push((class, i));
            }
        }
        // Rules and lookups differ between versions by design; only what can be seen counts.
        let differs = (0..3).any(|v| at.outcome(v) != at.outcome(V50) || at.obs(v) != at.obs(V50));
        if differs && first_difference.is_none() {
            first_difference = Some(i);
        }
    }
    match first_difference {
        Some(i) if found.is_empty() => vec![(Class::Other, i)],
        _ => found,
    }
}

/// How one property fared over an exploration.
#[derive(Debug, Clone)]
pub struct PropertyTally {
    /// The property's name, as [`PROPERTIES`] declares it.
    pub name: &'static str,
    /// `Always` or `Sometimes`.
    pub kind: Kind,
    /// In how many generated sequences (under any version) it was reached, or, for an
    /// `always` property, checked something and held.
    pub held_in: u32,
    /// For an `always` property: the first break seen, with its case and version.
    pub broken: Option<(Violation, u32, Version)>,
}

impl PropertyTally {
    /// One tally per property of [`PROPERTIES`], in its order, before any sequence ran.
    fn none_yet() -> Vec<PropertyTally> {
        PROPERTIES
            .iter()
            .map(|p| PropertyTally {
                name: p.name,
                kind: p.kind(),
                held_in: 0,
                broken: None,
            })
            .collect()
    }
}

/// Evaluates every property on every step of a sequence under every version.
fn tally(
    setup: &Setup,
    steps: &[Operation],
    runs: &Runs,
    case: u32,
    tallies: &mut [PropertyTally],
) {
    let mut held = vec![false; PROPERTIES.len()];
    for (v, version) in Version::ALL.into_iter().enumerate() {
        let mut ledger = Ledger::new(setup);
        for (i, step) in steps.iter().enumerate() {
            let op = step.with_version(version);
            ledger.record(&op);
            let messages: Vec<(u64, u64, &MsMailAddress)> = runs.messages[v][i]
                .iter()
                .map(|(first, count, owner)| (*first, *count, owner))
                .collect();
            let before = if i == 0 {
                &runs.initial
            } else {
                &runs.after[v][i - 1]
            };
            let edge = Edge {
                setup,
                op: &op,
                before,
                result: &runs.results[v][i],
                after: &runs.after[v][i],
                ledger: &ledger,
                messages: Some(&messages),
            };
            match properties::evaluate(&edge) {
                Ok(ks) => ks.into_iter().for_each(|k| held[k] = true),
                Err(violation) => {
                    let k = PROPERTIES.iter().position(|p| p.name == violation.property);
                    if let Some(t) = k.map(|k| &mut tallies[k]) {
                        t.broken.get_or_insert((violation, case, version));
                    }
                }
            }
        }
    }
    for (t, held) in tallies.iter_mut().zip(held) {
        t.held_in += u32::from(held);
    }
}

/// How to explore.
#[derive(Debug, Clone)]
pub struct ExploreConfig {
    /// Random sequences to try.
    pub cases: u32,
    /// The seed: the same seed gives the same catalogue.
    pub seed: u64,
    /// Longest sequence generated.
    pub max_steps: usize,
    /// How many first cases of a class to shrink, keeping the shortest witness.
    pub shrink_candidates: usize,
}

impl Default for ExploreConfig {
    fn default() -> Self {
        ExploreConfig {
            cases: 1000,
            seed: 1,
            max_steps: 40,
            shrink_candidates: 3,
        }
    }
}

/// The shortest sequence found that shows a class.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Witness {
    /// The world it starts from.
    pub setup: Setup,
    /// The steps.
    pub steps: Vec<Operation>,
    /// Which generated case it was shrunk from.
    pub case: u32,
    /// The step (0-based) where the class shows.
    pub at: usize,
}

impl Witness {
    /// Every rule that decided step `at` under any version, in RULES.md's order.
    pub fn all_deciding_rules(&self) -> Vec<&'static str> {
        let rules: std::collections::BTreeSet<RuleId> = self
            .deciding_rules()
            .into_iter()
            .flat_map(|(_, r)| r)
            .collect();
        rules.into_iter().map(RuleId::as_str).collect()
    }

    /// The rules that decided the witness's step `at` under 5.0, 5.5 and 5.5 SP1: the
    /// class explained in RULES.md's own ids.
    pub fn deciding_rules(&self) -> Vec<(Version, Vec<RuleId>)> {
        let runs = run_all(&self.setup, &self.steps);
        Version::ALL
            .iter()
            .zip(&runs.results)
            .map(|(v, results)| {
                let rules = results
                    .get(self.at)
                    .map(|r| r.rules.iter().copied().collect())
                    .unwrap_or_default();
                (*v, rules)
            })
            .collect()
    }
}

/// One line of the catalogue.
#[derive(Debug, Clone)]
pub struct Entry {
    /// The class.
    pub class: Class,
    /// In how many generated sequences it showed.
    pub seen: u32,
    /// Its shortest witness, if it showed at all.
    pub witness: Option<Witness>,
}

/// What an exploration found.
#[derive(Debug, Clone)]
pub struct Catalogue {
    /// How it was explored.
    pub config: ExploreConfig,
    /// How many cases ran: `config.cases`, or fewer when stopped early (a partial catalogue).
    pub cases_run: u32,
    /// One entry per class, in [`Class::ALL`] order.
    pub entries: Vec<Entry>,
    /// How every property of [`PROPERTIES`] fared, in that list's order.
    pub properties: Vec<PropertyTally>,
}

/// What the state machine strategy generates: the start, the steps, and the counter of
/// steps seen that steers the first shrink.
type Generated = (RefState, Vec<Operation>, Option<Arc<AtomicUsize>>);

fn runner_for(seed: u64, case: u32) -> TestRunner {
    let mut bytes = [0u8; 32];
    bytes[..8].copy_from_slice(&seed.to_le_bytes());
    bytes[8..12].copy_from_slice(&case.to_le_bytes());
    bytes[12..16].copy_from_slice(b"mwiz");
    let rng = TestRng::from_seed(RngAlgorithm::ChaCha, &bytes);
    TestRunner::new_with_rng(Config::default(), rng)
}

/// Generates case `case` of `seed` again, as a value tree that can be shrunk.
fn tree_for(config: &ExploreConfig, case: u32) -> Option<impl ValueTree<Value = Generated>> {
    let mut runner = runner_for(config.seed, case);
    Reference::sequential_strategy(1..=config.max_steps)
        .new_tree(&mut runner)
        .ok()
}

/// Shrinks case `case` while it still shows `class`, first dropping the steps after
/// `first` (where the class first showed).
fn shrink(config: &ExploreConfig, case: u32, class: Class, first: usize) -> Option<Witness> {
    let mut tree = tree_for(config, case)?;
    let (state, steps, seen) = tree.current();
    let mut best = Witness {
        setup: state.setup,
        steps,
        case,
        at: first,
    };
    if let Some(seen) = seen {
        seen.store(first + 1, Ordering::SeqCst);
    }
    let shows = |setup: &Setup, steps: &[Operation]| {
        classify(setup, steps)
            .into_iter()
            .find(|(c, _)| *c == class)
            .map(|(_, at)| at)
    };
    let mut budget = 2000;
    if tree.simplify() {
        while budget > 0 {
            budget -= 1;
            let (state, steps, _) = tree.current();
            if let Some(at) = shows(&state.setup, &steps) {
                best = Witness {
                    setup: state.setup,
                    steps,
                    case,
                    at,
                };
                if !tree.simplify() {
                    break;
                }
            } else if !tree.complicate() {
                break;
            }
        }
    }
    Some(best)
}

/// Explores: generates `config.cases` sequences, classifies each, and shrinks a witness for
/// every class seen. `progress` is called with the number of cases done.
pub fn explore(config: &ExploreConfig, progress: impl FnMut(u32)) -> Catalogue {
    explore_until(config, progress, &AtomicBool::new(false))
}

/// Explores as [`explore`] does, but stops generating when `stop` is set (Ctrl-C): the
/// cases run so far are classified, shrunk and catalogued, and the catalogue says it is
/// partial ([`Catalogue::cases_run`]).
pub fn explore_until(
    config: &ExploreConfig,
    mut progress: impl FnMut(u32),
    stop: &AtomicBool,
) -> Catalogue {
    let mut seen = vec![0u32; Class::ALL.len()];
    let mut firsts: Vec<Vec<(u32, usize)>> = vec![Vec::new(); Class::ALL.len()];
    let mut tallies = PropertyTally::none_yet();
    let mut cases_run = 0;
    for case in 0..config.cases {
        if stop.load(Ordering::Relaxed) {
            break;
        }
        cases_run = case + 1;
        if let Some(tree) = tree_for(config, case) {
            let (state, steps, _) = tree.current();
            let runs = run_all(&state.setup, &steps);
            tally(&state.setup, &steps, &runs, case, &mut tallies);
            for (class, at) in classify_runs(&state.setup, &steps, &runs) {
                let k = class as usize;
                seen[k] += 1;
                if firsts[k].len() < config.shrink_candidates {
                    firsts[k].push((case, at));
                }
            }
        }
        progress(case + 1);
    }
    let entries = Class::ALL
        .iter()
        .map(|&class| {
            let k = class as usize;
            let witness = firsts[k]
                .iter()
                .filter_map(|&(case, at)| shrink(config, case, class, at))
                .min_by_key(|w| (w.steps.len(), w.setup.users().len(), w.case));
            Entry {
                class,
                seen: seen[k],
                witness,
            }
        })
        .collect();
    Catalogue {
        config: config.clone(),
        cases_run,
        entries,
        properties: tallies,
    }
}

/// A catalogue line, for `--json`.
#[derive(Debug, Serialize)]
struct EntryJson<'a> {
    class: Class,
    title: &'static str,
    rules: Vec<&'static str>,
    seen: u32,
    witness_steps: Option<usize>,
    witness_file: Option<&'a str>,
}

impl Catalogue {
    /// The entry of one class.
    pub fn entry(&self, class: Class) -> Option<&Entry> {
        self.entries.iter().find(|e| e.class == class)
    }

    /// The witness of `entry` as a scenario file's contents.
    pub fn witness_scenario(&self, entry: &Entry) -> Option<Scenario> {
        let w = entry.witness.as_ref()?;
        let rules = w.all_deciding_rules();
        Some(Scenario {
            name: format!("explore seed {} case {}: {}", self.config.seed, w.case, entry.class.title()),
            description: Some(format!(
                "Found by `migwiz explore --seed {} --cases {}`; step #{} is decided by {}. Replay with `migwiz diff`.",
                self.config.seed,
                self.config.cases,
                w.at + 1,
                rules.join(", ")
            )),
            setup: w.setup.clone(),
            steps: w.steps.clone(),
            clients: Vec::new(),
            schedule: 0,
        })
    }

    /// Where the witness of `entry` is written: its file name, under `dir` if given.
    fn witness_path(entry: &Entry, dir: Option<&str>) -> String {
        match dir {
            Some(d) => format!("{d}/{}", Self::witness_file_name(entry)),
            None => Self::witness_file_name(entry),
        }
    }

    /// The file name a witness is written to.
    pub fn witness_file_name(entry: &Entry) -> String {
        format!(
            "{:02}-{}.toml",
            entry.class as usize + 1,
            entry.class.slug()
        )
    }

    /// Whether the exploration stopped before all its cases ran.
    pub fn is_partial(&self) -> bool {
        self.cases_run < self.config.cases
    }

    /// `""`, or what a partial catalogue says of itself.
    fn partial_note(&self) -> String {
        match self.is_partial() {
            true => format!(
                " (PARTIAL: stopped after {} of {} cases)",
                self.cases_run, self.config.cases
            ),
            false => String::new(),
        }
    }

    /// The properties of [`PROPERTIES`] as this exploration saw them: how many sequences
    /// reached each `sometimes` one or checked each `always` one, and any break.
    pub fn property_report(&self) -> String {
        let mut out = format!(
            "properties, over {} sequences under every version:\n",
            self.cases_run
        );
        for t in &self.properties {
            let line = match (t.kind, &t.broken) {
                (_, Some((v, case, version))) => {
                    format!(
                        "  BROKEN     {} (case {case}, version {version}): {v}",
                        t.name
                    )
                }
                (Kind::Always, None) => {
                    format!("  always     {}: checked and held in {}", t.name, t.held_in)
                }
                (Kind::Sometimes, None) => {
                    format!("  sometimes  {}: reached in {}", t.name, t.held_in)
                }
            };
            out.push_str(&line);
            out.push('\n');
        }
        out
    }

    /// Whether a rule was broken: an `always` property, or a class the rules forbid.
    pub fn broken(&self) -> bool {
        self.properties.iter().any(|t| t.broken.is_some())
            || self
                .entries
                .iter()
                .any(|e| e.class.forbidden() && e.seen > 0)
    }

    /// The closing table: class, how often seen, witness length, witness file; a partial
    /// catalogue says so in a first line.
    pub fn table(&self, dir: Option<&str>) -> String {
        let mut out = String::new();
        if self.is_partial() {
            let _ = writeln!(out, "partial catalogue{}", self.partial_note());
        }
        let mut rows = vec![[
            "class".to_string(),
            "seen".to_string(),
            "witness".to_string(),
            "file".to_string(),
        ]];
        for e in &self.entries {
            let (len, file) = match &e.witness {
                Some(w) => (
                    format!("{} step(s)", w.steps.len()),
                    Self::witness_path(e, dir),
                ),
                None => ("-".to_string(), "-".to_string()),
            };
            rows.push([e.class.title().to_string(), e.seen.to_string(), len, file]);
        }
        let widths: Vec<usize> = (0..4)
            .map(|k| rows.iter().map(|r| r[k].chars().count()).max().unwrap_or(0))
            .collect();
        for r in rows {
            let cells: Vec<String> = (0..4)
                .map(|k| format!("{:<w$}", r[k], w = widths[k]))
                .collect();
            let _ = writeln!(out, "{}", cells.join("  ").trim_end());
        }
        out
    }

    /// The catalogue as documentation: per class, its rules, its witness and how each
    /// version ends it. Deterministic for a given configuration.
    pub fn document(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "Divergence catalogue: seed {}, {} cases of up to {} steps{}\n",
            self.config.seed,
            self.config.cases,
            self.config.max_steps,
            self.partial_note()
        );
        for e in &self.entries {
            let _ = writeln!(
                out,
                "## {} (seen in {} case(s)){}",
                e.class.title(),
                e.seen,
                if e.class.forbidden() {
                    " [forbidden by I-OWNER]"
                } else {
                    ""
                }
            );
            let (Some(scenario), Some(w)) = (self.witness_scenario(e), e.witness.as_ref()) else {
                let _ = writeln!(out, "no witness\n");
                continue;
            };
            let users: Vec<String> = scenario
                .setup
                .users()
                .iter()
                .map(|u| format!("{} ({})", u.address, u.messages))
                .collect();
            let _ = writeln!(
                out,
                "world: {} users [{}], server language {}",
                users.len(),
                users.join(", "),
                scenario.setup.server_language()
            );
            for (number, s) in (1..).zip(&scenario.steps) {
                let _ = writeln!(out, "  #{number} {s}");
            }
            let _ = writeln!(out, "decided at #{} by:", w.at + 1);
            for (version, rules) in w.deciding_rules() {
                let ids: Vec<&str> = rules.iter().map(|r| r.as_str()).collect();
                let _ = writeln!(out, "  {:<8} {}", version.as_str(), ids.join(" "));
            }
            out.push_str(&VersionDiff::of(&scenario).render());
            let _ = writeln!(out);
        }
        out
    }

    /// The catalogue as JSON: the seed, the cases asked for and run, whether it is partial
    /// (stopped by Ctrl-C), and one object per class.
    pub fn to_json(&self, dir: Option<&str>) -> String {
        let files: Vec<Option<String>> = self
            .entries
            .iter()
            .map(|e| e.witness.as_ref().map(|_| Self::witness_path(e, dir)))
            .collect();
        let lines: Vec<EntryJson<'_>> = self
            .entries
            .iter()
            .zip(&files)
            .map(|(e, f)| EntryJson {
                class: e.class,
                title: e.class.title(),
                rules: e
                    .witness
                    .as_ref()
                    .map(Witness::all_deciding_rules)
                    .unwrap_or_default(),
                seen: e.seen,
                witness_steps: e.witness.as_ref().map(|w| w.steps.len()),
                witness_file: f.as_deref(),
            })
            .collect();
        let document = CatalogueJson {
            seed: self.config.seed,
            cases: self.config.cases,
            cases_run: self.cases_run,
            partial: self.is_partial(),
            classes: lines,
        };
        serde_json::to_string_pretty(&document).unwrap_or_default()
    }
}

/// [`Catalogue::to_json`]'s document.
#[derive(Serialize)]
struct CatalogueJson<'a> {
    seed: u64,
    cases: u32,
    cases_run: u32,
    partial: bool,
    classes: Vec<EntryJson<'a>>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vocabulary::operation::Phase;
    use crate::vocabulary::setup::MsMailUser;

    /// One MS Mail user, JDOE with one message, and the step that makes his mailbox by hand.
    fn jdoe_and_his_mailbox() -> (Setup, Operation) {
        let jdoe = MsMailUser::new("NET1/PO1/JDOE".parse().expect("an address"), 1);
        let setup = Setup::new(Default::default(), Default::default(), vec![jdoe]);
        let mailbox = Operation::create_mailbox("JDOE".parse().expect("an alias"));
        (setup.expect("a setup"), mailbox)
    }

    /// Witness files are named after their class: each class has its own word, so no two
    /// classes' witnesses share a file, and the word is safe in a file name.
    #[test]
    fn every_class_has_a_file_name_word_of_its_own() {
        let words: std::collections::BTreeSet<&str> = Class::ALL.iter().map(|c| c.slug()).collect();
        assert_eq!(words.len(), Class::ALL.len(), "{words:?}");
        for word in words {
            assert!(!word.is_empty(), "an empty word");
            assert!(
                word.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
                "{word}"
            );
        }
        assert_eq!(Class::V55AbortedV50Ok.slug(), "v55-7026-v50-ok");
    }

    /// A difference between versions that no class names is still reported, as `Other`,
    /// at the first step where the versions' results or states differ.
    #[test]
    fn a_difference_no_class_names_is_other() {
        let (setup, made_by_hand) = jdoe_and_his_mailbox();
        let same = [made_by_hand];
        let runs = run_all(&setup, &same);
        assert_eq!(classify_by(&[], &setup, &same, &runs), []);
        // Step one after the mailbox was made by hand: 5.0 finds it by alias and leaves it,
        // 5.5 and SP1 find no MIGRATE proxy and make a second mailbox, JDOE2. Every version
        // ends well: only the states differ.
        let create = [
            same[0].clone(),
            Operation::wizard(Version::V55, Phase::Create),
        ];
        let runs = run_all(&setup, &create);
        assert!((0..3).all(|v| runs.results[v][1].outcome == runs.results[0][1].outcome));
        assert_eq!(
            classify_by(&[], &setup, &create, &runs),
            [(Class::Other, 1)]
        );
        // A class that names the difference takes its place.
        let named: [(Class, Shows); 1] = [(Class::AddressesDiffer, |_| true)];
        assert_eq!(
            classify_by(&named, &setup, &create, &runs),
            [(Class::AddressesDiffer, 0)]
        );
    }

    /// A broken property is tallied under its own name, with the case and the version
    /// where it broke (here a state made by hand where one alias is held twice).
    #[test]
    fn a_broken_property_is_tallied_under_its_own_name() {
        let (setup, made_by_hand) = jdoe_and_his_mailbox();
        let steps = [made_by_hand];
        let mut runs = run_all(&setup, &steps);
        let twice = runs.after[1][0].mailboxes[0].clone();
        runs.after[1][0].mailboxes.push(twice);
        let mut tallies = PropertyTally::none_yet();
        tally(&setup, &steps, &runs, 7, &mut tallies);
        let broken: Vec<(&str, u32, Version)> = tallies
            .iter()
            .filter_map(|t| t.broken.as_ref().map(|(_, case, v)| (t.name, *case, *v)))
            .collect();
        let unique = "no alias or address is held by two recipients";
        assert_eq!(broken, [(unique, 7, Version::V55)]);
    }

    /// A short exploration: progress is told after every case, up to the last; the table
    /// names each witness's file under the folder asked for; a witness's rules are every
    /// rule that decided its step under any version; the property tally names them all.
    #[test]
    fn a_catalogue_tells_its_progress_files_and_rules() {
        let config = ExploreConfig {
            cases: 20,
            ..ExploreConfig::default()
        };
        let mut told = Vec::new();
        let catalogue = explore(&config, |n| told.push(n));
        assert_eq!(told, (1..=20).collect::<Vec<u32>>());
        let entry = catalogue
            .entries
            .iter()
            .find(|e| e.witness.is_some())
            .expect("20 cases of seed 1 find a difference");
        let file = format!("out/{}", Catalogue::witness_file_name(entry));
        assert!(catalogue.table(Some("out")).contains(&file), "{file}");
        assert!(catalogue.to_json(Some("out")).contains(&file), "{file}");
        let witness = entry.witness.as_ref().expect("a witness");
        // In RULES.md's order, which is `RuleId`'s.
        let every: std::collections::BTreeSet<RuleId> = witness
            .deciding_rules()
            .into_iter()
            .flat_map(|(_, rules)| rules)
            .collect();
        assert!(!every.is_empty());
        let ids: Vec<&str> = every.into_iter().map(RuleId::as_str).collect();
        assert_eq!(witness.all_deciding_rules(), ids);
        // The property tally names every property, with its kind, over the cases run.
        let report = catalogue.property_report();
        assert!(report.starts_with("properties, over 20 sequences under every version:\n"));
        for p in PROPERTIES {
            let kind = match p.kind() {
                Kind::Always => "  always     ",
                Kind::Sometimes => "  sometimes  ",
            };
            assert!(report.contains(&format!("{kind}{}: ", p.name)), "{report}");
        }
    }
}
