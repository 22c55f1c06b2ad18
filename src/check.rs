//! Bounded exhaustive checking (`migwiz check`): every state of the reference model that a
//! small universe can reach, up to a depth, by a level-by-level breadth-first search.
//!
//! Every edge (every step from every state) is taken on the model and on the implementation:
//! the step results and the states after must agree, the step must keep I-ABORT and
//! I-OWNER, and the state it reaches must keep I-CONSERVE and I-UNIQUE. States are
//! deduplicated by the model's state (the implementation's is held equal to it on the way
//! in), so the counts are those of the reference model, exact and the same on every run.
//!
//! Why not stateright, the checker the project weighed first: its breadth-first search
//! skips the states at the depth bound before checking their properties, keeps the last
//! path found for a property rather than the shortest, and with two threads is not level
//! by level, so a depth-bounded run can miss states and vary in its counts. A bounded
//! check whose counts are pinned in a test needs all three.
//!
//! ```
//! use migwiz::check::{check, CheckConfig};
//! let report = check(&CheckConfig { users: 1, depth: 3, ..CheckConfig::default() });
//! assert!(report.violation.is_none());
//! assert_eq!(report.max_depth, 3);
//! assert_eq!(report.levels[0], 1); // the initial state
//! ```

use std::collections::HashSet;
use std::time::{Duration, Instant};

use crate::address::{Alias, MsMailAddress, ProxyAddress};
use crate::invariants;
use crate::machine::USER_POOL;
use crate::model::Model;
use crate::observe::Observation;
use crate::operation::{Operation, Phase, Setup, Version};
use crate::postoffice::MsMailUser;
use crate::scenario::Scenario;
use crate::server::Server;
use crate::store::Language;

/// How far to check.
#[derive(Debug, Clone)]
pub struct CheckConfig {
    /// MS Mail users, taken in order from [`USER_POOL`] (1 to 6), one message each.
    pub users: usize,
    /// Longest sequence of steps explored.
    pub depth: usize,
    /// Worker threads.
    pub threads: usize,
    /// Stop after this long, reporting how far it got.
    pub timeout: Option<Duration>,
}

impl Default for CheckConfig {
    fn default() -> Self {
        CheckConfig {
            users: 2,
            depth: 6,
            threads: 2,
            timeout: None,
        }
    }
}

/// The world a check starts from: the first `users` users of the pool, one message each.
pub fn universe(users: usize) -> Setup {
    Setup {
        site: Default::default(),
        server_language: Language::English,
        users: USER_POOL
            .iter()
            .take(users.clamp(1, USER_POOL.len()))
            .filter_map(|a| a.parse::<MsMailAddress>().ok())
            .map(|address| MsMailUser {
                address,
                name: None,
                messages: 1,
            })
            .collect(),
    }
}

/// Every step the checker may take from any state: for each user's mailbox name, create it,
/// log on in Spanish and in English, add and remove the user's MIGRATE proxy, add the user's
/// MS proxy, and make a custom recipient for the user; and the wizard, every version and
/// phase, for all users.
pub fn alphabet(setup: &Setup) -> Vec<Operation> {
    let mut ops: Vec<Operation> = Vec::new();
    let mut push = |op: Operation| {
        if !ops.contains(&op) {
            ops.push(op);
        }
    };
    for user in &setup.users {
        let (Ok(alias), Ok(cr_alias)) = (
            Alias::new(user.address.mailbox()),
            Alias::new(&format!("{}-MS", user.address.mailbox())),
        ) else {
            continue;
        };
        let migrate = ProxyAddress::migrate_for(&user.address);
        push(Operation::CreateMailbox {
            alias: alias.clone(),
            name: None,
        });
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
            address: ProxyAddress::ms_for(&user.address, false),
        });
        push(Operation::CustomRecipient {
            alias: cr_alias,
            address: user.address.clone(),
        });
    }
    for version in Version::ALL {
        for phase in Phase::ALL {
            push(Operation::Wizard {
                version,
                phase,
                users: None,
            });
        }
    }
    ops
}

/// One state on the frontier: the model and the path of alphabet indices that reached it.
/// The implementation's state is rebuilt by replaying the path when the node is expanded,
/// which keeps the frontier small.
#[derive(Debug, Clone)]
struct Node {
    model: Model,
    path: Vec<u16>,
}

/// A 128-bit fingerprint of a model state: the visited set keeps these, not the states.
fn fingerprint(model: &Model) -> u128 {
    use std::hash::{Hash, Hasher};
    let mut a = std::collections::hash_map::DefaultHasher::new();
    model.hash(&mut a);
    let mut b = std::collections::hash_map::DefaultHasher::new();
    0xC0FFEEu32.hash(&mut b);
    model.hash(&mut b);
    (u128::from(a.finish()) << 64) | u128::from(b.finish())
}

/// The implementation after the node's path.
fn replay(setup: &Setup, alphabet: &[Operation], path: &[u16]) -> Option<Server> {
    let mut server = Server::new(setup).ok()?;
    for &k in path {
        server.apply(&alphabet[k as usize]);
    }
    Some(server)
}

/// What taking one step from a node came to.
enum Edge {
    /// The step changed nothing (a refusal): no new state.
    Loop,
    /// A new state, not yet deduplicated.
    To(Node),
    /// A property broke on this edge or in the state it reached.
    Broken(String, Vec<u16>),
}

/// A named predicate on a model state.
type Sometimes = (&'static str, fn(&Model) -> bool);

/// "Sometimes" properties: states worth knowing are reachable at all.
const SOMETIMES: [Sometimes; 3] = [
    ("event 7026 is logged", |m| !m.events.is_empty()),
    ("all mail migrated", |m| {
        m.users.iter().all(|u| u.waiting == 0)
    }),
    ("mail delivered into a mailbox with Spanish folders", |m| {
        m.mailboxes
            .iter()
            .any(|b| b.folders == Some(Language::Spanish) && !b.inbox.is_empty())
    }),
];

/// Takes step `k` from `node`, holding the implementation against the model and checking
/// the invariants on the edge and in the state it reaches.
fn step(
    setup: &Setup,
    alphabet: &[Operation],
    node: &Node,
    (server, before): (&Server, &Observation),
    k: usize,
) -> Edge {
    let op = &alphabet[k];
    let mut path = node.path.clone();
    path.push(k as u16);
    let broken = |what: String| Edge::Broken(what, path.clone());
    let mut model = node.model.clone();
    let expected = model.apply(op);
    let mut server = server.clone();
    let result = server.apply(op);
    if result != expected {
        return broken(format!(
            "the implementation agrees with the model: `{op}` gave {result:?}, the model {expected:?}"
        ));
    }
    let after = server.observe();
    if expected.outcome.word() == "refused" && model == node.model {
        // Nothing changed in the model; nothing may change in the implementation either.
        return if &after == before {
            Edge::Loop
        } else {
            broken(format!(
                "the implementation agrees with the model: refused `{op}` changed its state"
            ))
        };
    }
    if after != model.observe() {
        return broken(format!(
            "the implementation agrees with the model: the states differ after `{op}`"
        ));
    }
    if let Err(v) = invariants::check_step(op, before, &result, &after) {
        return broken(format!("{}: `{op}`: {v}", v.rule));
    }
    if let Err(v) =
        invariants::check_state(setup, &after).and_then(|()| invariants::check_messages(&server))
    {
        return broken(format!("{}: after `{op}`: {v}", v.rule));
    }
    Edge::To(Node { model, path })
}

/// Expands part of a level: every step from every node, keeping new states (not in
/// `visited`, first of their kind in this part) and broken properties. `None` when the
/// deadline passed before the part was done.
fn expand(
    setup: &Setup,
    alphabet: &[Operation],
    visited: &HashSet<u128>,
    part: &[Node],
    late: &dyn Fn() -> bool,
) -> Option<(usize, Vec<Edge>)> {
    let mut seen_here: HashSet<u128> = HashSet::new();
    let mut taken = 0;
    let mut kept = Vec::new();
    for node in part {
        if late() {
            return None;
        }
        let server = replay(setup, alphabet, &node.path)?;
        let before = server.observe();
        for k in 0..alphabet.len() {
            taken += 1;
            match step(setup, alphabet, node, (&server, &before), k) {
                Edge::Loop => {}
                Edge::To(n) => {
                    let f = fingerprint(&n.model);
                    if !visited.contains(&f) && seen_here.insert(f) {
                        kept.push(Edge::To(n));
                    }
                }
                broken => kept.push(broken),
            }
        }
    }
    Some((taken, kept))
}

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
    /// The first broken property found (on a shortest path) and that path, as a scenario.
    pub violation: Option<(String, Scenario)>,
    /// Each "sometimes" property and the length of the shortest path to it, if reached.
    pub reached: Vec<(String, Option<usize>)>,
}

/// Runs the check: breadth first, level by level, so counts are exact and the first
/// violation found is on a shortest path.
pub fn check(config: &CheckConfig) -> CheckReport {
    let started = Instant::now();
    let setup = universe(config.users);
    let alphabet = alphabet(&setup);
    let scenario = |name: &str, path: &[u16]| Scenario {
        name: format!("migwiz check: {name}"),
        description: Some(
            "A shortest path to a broken property, found by `migwiz check`.".to_string(),
        ),
        setup: setup.clone(),
        steps: path.iter().map(|&k| alphabet[k as usize].clone()).collect(),
    };
    let mut report = CheckReport {
        setup: setup.clone(),
        alphabet: alphabet.len(),
        states: 0,
        edges: 0,
        levels: Vec::new(),
        max_depth: 0,
        elapsed: Duration::ZERO,
        timed_out: false,
        violation: None,
        reached: SOMETIMES
            .iter()
            .map(|(n, _)| (n.to_string(), None))
            .collect(),
    };
    let root = Node {
        model: Model::new(&setup),
        path: Vec::new(),
    };
    let mut visited: HashSet<u128> = HashSet::from([fingerprint(&root.model)]);
    let mut frontier = vec![root];
    let threads = config.threads.max(1);
    let deadline = config.timeout.map(|t| started + t);
    let late = || deadline.is_some_and(|d| Instant::now() >= d);
    for depth in 0..=config.depth {
        report.levels.push(frontier.len());
        report.max_depth = depth;
        for node in &frontier {
            for (i, (_, reached)) in SOMETIMES.iter().enumerate() {
                if report.reached[i].1.is_none() && reached(&node.model) {
                    report.reached[i].1 = Some(depth);
                }
            }
        }
        if depth == config.depth || frontier.is_empty() {
            break;
        }
        if late() {
            report.timed_out = true;
            break;
        }
        // Expand the level in chunks, one per thread; merge in chunk order so the result
        // does not depend on timing. A chunk that runs past the deadline gives None, and
        // the unfinished level does not count.
        let chunk = frontier.len().div_ceil(threads);
        let expanded: Vec<Option<(usize, Vec<Edge>)>> = std::thread::scope(|scope| {
            let handles: Vec<_> = frontier
                .chunks(chunk)
                .map(|part| {
                    let (setup, alphabet, visited, late) = (&setup, &alphabet, &visited, &late);
                    scope.spawn(move || expand(setup, alphabet, visited, part, late))
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().ok().flatten())
                .collect()
        });
        if expanded.iter().any(Option::is_none) {
            report.timed_out = true;
            break;
        }
        let mut next = Vec::new();
        for (taken, edges) in expanded.into_iter().flatten() {
            report.edges += taken;
            for edge in edges {
                match edge {
                    Edge::Loop => {}
                    Edge::To(node) => {
                        if visited.insert(fingerprint(&node.model)) {
                            next.push(node);
                        }
                    }
                    Edge::Broken(name, path) => {
                        if report.violation.is_none() {
                            report.violation = Some((name.clone(), scenario(&name, &path)));
                        }
                    }
                }
            }
        }
        if report.violation.is_some() {
            report.max_depth = depth + 1;
            break;
        }
        frontier = next;
    }
    report.states = visited.len();
    report.elapsed = started.elapsed();
    report
}
