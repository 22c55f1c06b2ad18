//! Conflicts in generated concurrent cases (issue 36): clients whose steps name what the
//! wizard's units or another client's steps name, and the count of units that overlapped
//! in time while they touched the same name.
//!
//! A race shows only where two clients touch one thing at once. Drawn at random from the
//! sequential generator's pools, an administrator's step named one of the wizard's users in
//! about one case in five, and the W-LIST-UPDATE race (a mailbox made under the directory
//! name a user list row updates) was never reached in 10,000 cases. So a generated case
//! aims some of its clients' steps at a name in play: an MS Mail user's mailbox name (which
//! the wizard looks up, makes and updates: A-ALIAS, W-1-50, W-LIST-UPDATE) or an alias
//! another step of the case names.
//!
//! ```
//! use migwiz::harness::concurrent::conflict::kind;
//! use migwiz::vocabulary::unit::Unit;
//!
//! assert_eq!(kind(&Unit::User("NET1/PO1/JDOE".parse()?)), "user");
//! assert_eq!(kind(&Unit::Step(migwiz::Operation::create_mailbox("JDOE".parse()?))), "create-mailbox");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::BTreeSet;

use super::{Answer, Call, Case};
use crate::harness::linearizability::History;
use crate::vocabulary::address::{Alias, MsMailAddress};
use crate::vocabulary::operation::Operation;
use crate::vocabulary::unit::{Unit, UnitResult};

/// The pairs of unit kinds that the parallel test requires to have overlapped in time,
/// on one name, within its default cases: the wizard's `user` unit against every step
/// that names a user or an alias (C-MMF, C-DELIVER, C-MIDRUN, C-UNIQUE, W-LIST-UPDATE's
/// race), and two administrators making or naming the same alias (C-UNIQUE).
pub const REQUIRED: [(&str, &str); 10] = [
    ("create-mailbox", "user"),
    ("logon", "user"),
    ("add-proxy", "user"),
    ("remove-proxy", "user"),
    ("custom-recipient", "user"),
    ("msmail-client", "user"),
    ("recover-password", "user"),
    ("deliver", "user"),
    ("create-mailbox", "create-mailbox"),
    ("create-mailbox", "custom-recipient"),
];

/// Aims the clients' steps at names in play: the `k`th step of the clients after the
/// first (which holds the wizard's steps), when `aims[k]` says so, gets the alias
/// `aims[k].1` picks: below [`USERS_FIRST`], an MS Mail user's mailbox name (what the
/// wizard's units touch); else any of those and the aliases the prefix and the clients
/// name. Steps that name a user already name one of the wizard's (the generator draws
/// them from the post office's users).
pub fn aim(case: &mut Case, aims: &[(bool, usize)]) {
    let mut targets: Vec<Alias> = case
        .setup
        .users()
        .iter()
        .filter_map(|u| u.address.mailbox().parse().ok())
        .collect();
    let users = targets.len();
    for op in case.prefix.iter().chain(case.clients.iter().flatten()) {
        if let Some(alias) = alias_of(op) {
            if !targets.contains(alias) {
                targets.push(alias.clone());
            }
        }
    }
    if targets.is_empty() {
        return;
    }
    let steps = case.clients.iter_mut().skip(1).flatten();
    for (op, &(aimed, pick)) in steps.zip(aims) {
        if aimed {
            if let Some(alias) = alias_of_mut(op) {
                let among = if pick < USERS_FIRST {
                    users.max(1)
                } else {
                    targets.len()
                };
                *alias = targets[pick % among].clone();
            }
        }
    }
}

/// Picks below this aim at a user's mailbox name; the rest at any name in play.
pub const USERS_FIRST: usize = 12;

/// How many kinds of rival step [`add_rivals`] draws from.
pub const RIVALS: usize = 9;

/// Gives a case whose first client runs a wizard or batch run rivals: for each
/// `(kind, pick)`, a step of that kind on the user `pick` chooses, added to the second
/// client (made if there is none), up to its most steps. Drawn at random, an
/// administrator's step rarely names what a `user` unit touches at the moment it runs;
/// these do, and shrinking drops those a failure does not need. (Put first, a rival
/// mostly ran before the wizard's `user` units began, and the W-LIST-UPDATE race was
/// found less often.)
pub fn add_rivals(case: &mut Case, rivals: &[(usize, usize)], most: usize) {
    let wizard = |op: &Operation| matches!(op, Operation::Wizard(_) | Operation::Mailmig { .. });
    let users: Vec<MsMailAddress> = case
        .setup
        .users()
        .iter()
        .map(|u| u.address.clone())
        .collect();
    if users.is_empty() || !case.clients.first().is_some_and(|c| c.iter().any(wizard)) {
        return;
    }
    if case.clients.len() < 2 {
        case.clients.push(Vec::new());
    }
    for &(kind, pick) in rivals {
        if case.clients[1].len() >= most {
            break;
        }
        if let Some(op) = rival(kind, &users[pick % users.len()]) {
            case.clients[1].push(op);
        }
    }
    case.clients.retain(|c| !c.is_empty());
}

/// A step of kind `kind` (below [`RIVALS`]) that names `user` or its mailbox name.
fn rival(kind: usize, user: &MsMailAddress) -> Option<Operation> {
    let alias: Alias = user.mailbox().parse().ok()?;
    Some(match kind {
        0 => Operation::create_mailbox(alias),
        1 => Operation::Logon {
            alias,
            language: Default::default(),
        },
        2 => Operation::AddProxy {
            alias,
            address: format!("migrate:MS:{user}").parse().ok()?,
        },
        3 => Operation::RemoveProxy {
            alias,
            address: format!("MIGRATE:MS:{user}").parse().ok()?,
        },
        4 => Operation::CustomRecipient {
            alias,
            address: user.clone(),
            container: None,
        },
        5 => Operation::MsMailClient {
            user: user.clone(),
            open: true,
        },
        6 => Operation::RecoverPassword { user: user.clone() },
        7 => Operation::Deliver {
            user: user.clone(),
            messages: 1,
            date: None,
        },
        _ => Operation::MsMailClient {
            user: user.clone(),
            open: false,
        },
    })
}

/// The alias a step names, if it names one.
fn alias_of(op: &Operation) -> Option<&Alias> {
    match op {
        Operation::CreateMailbox { alias, .. }
        | Operation::Logon { alias, .. }
        | Operation::AddProxy { alias, .. }
        | Operation::RemoveProxy { alias, .. }
        | Operation::CustomRecipient { alias, .. } => Some(alias),
        _ => None,
    }
}

/// [`alias_of`], to write.
fn alias_of_mut(op: &mut Operation) -> Option<&mut Alias> {
    match op {
        Operation::CreateMailbox { alias, .. }
        | Operation::Logon { alias, .. }
        | Operation::AddProxy { alias, .. }
        | Operation::RemoveProxy { alias, .. }
        | Operation::CustomRecipient { alias, .. } => Some(alias),
        _ => None,
    }
}

/// A unit's kind: `start`, `user` or `end` for a wizard step's units, else its step's
/// name.
pub fn kind(unit: &Unit) -> &'static str {
    match unit {
        Unit::Step(op) => op.name(),
        Unit::Start(_) => "start",
        Unit::BatchStart { .. } => "start mailmig",
        Unit::User(_) => "user",
        Unit::End => "end",
    }
}

/// The names a unit touches, in upper case: the MS Mail users and the aliases its step
/// names, a `user` unit's user and its mailbox name (the alias 5.0 looks up and step one
/// makes), and the users and aliases its result names.
pub fn names(unit: &Unit, result: Option<&UnitResult>) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    match unit {
        Unit::User(user) => {
            names.insert(user.as_str().to_ascii_uppercase());
            names.insert(user.mailbox().to_ascii_uppercase());
        }
        Unit::Step(op) => {
            if let Some(alias) = alias_of(op) {
                names.insert(alias.as_str().to_ascii_uppercase());
            }
            let user = match op {
                Operation::MsMailClient { user, .. }
                | Operation::RecoverPassword { user, .. }
                | Operation::Deliver { user, .. }
                | Operation::EditUserList { user, .. } => Some(user),
                Operation::CustomRecipient { address, .. } => Some(address),
                _ => None,
            };
            if let Some(user) = user {
                names.insert(user.as_str().to_ascii_uppercase());
                names.insert(user.mailbox().to_ascii_uppercase());
            }
        }
        Unit::Start(_) | Unit::BatchStart { .. } | Unit::End => {}
    }
    for r in result.map(|r| &r.users[..]).unwrap_or_default() {
        names.insert(r.user().as_str().to_ascii_uppercase());
        if let Some(alias) = r.alias() {
            names.insert(alias.to_ascii_uppercase());
        }
    }
    names
}

/// The pairs of unit kinds (in name order) of two clients that were under way at the same
/// time in `history` and touched a name in common.
pub fn conflicts(history: &History<Call, Answer>) -> BTreeSet<(&'static str, &'static str)> {
    let units: Vec<(usize, u64, u64, &'static str, BTreeSet<String>)> = history
        .operations
        .iter()
        .filter_map(|o| {
            let Call::Unit { client, unit, .. } = &o.input else {
                return None;
            };
            let result = match &o.output {
                Some(Answer::Unit(result)) => Some(result),
                _ => None,
            };
            let end = o.returned.unwrap_or(u64::MAX);
            Some((*client, o.call, end, kind(unit), names(unit, result)))
        })
        .collect();
    let mut pairs = BTreeSet::new();
    for (i, a) in units.iter().enumerate() {
        for b in &units[i + 1..] {
            let overlap = a.1 < b.2 && b.1 < a.2;
            if a.0 != b.0 && overlap && !a.4.is_disjoint(&b.4) {
                pairs.insert(if a.3 <= b.3 { (a.3, b.3) } else { (b.3, a.3) });
            }
        }
    }
    pairs
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vocabulary::outcome::StepResult;

    fn unit_result() -> Answer {
        Answer::Unit(UnitResult::new(StepResult::ok([]), Vec::new()))
    }

    /// Two clients' units under way at once on one name make a pair; apart in time, or on
    /// other names, they do not.
    #[test]
    fn overlaps_on_one_name_are_counted() {
        let jdoe: MsMailAddress = "NET1/PO1/JDOE".parse().unwrap();
        let call = |client, unit| Call::Unit {
            client,
            step: 1,
            unit,
        };
        let create = |alias: &str| Unit::Step(Operation::create_mailbox(alias.parse().unwrap()));
        let mut history = History::new();
        let a = history.call(0, call(0, Unit::User(jdoe.clone())));
        let b = history.call(1, call(1, create("jdoe")));
        history.returned(a, unit_result());
        history.returned(b, unit_result());
        assert_eq!(
            conflicts(&history),
            BTreeSet::from([("create-mailbox", "user")])
        );
        let mut apart = History::new();
        let a = apart.call(0, call(0, Unit::User(jdoe)));
        apart.returned(a, unit_result());
        let b = apart.call(1, call(1, create("JDOE")));
        apart.returned(b, unit_result());
        let c = apart.call(0, call(0, create("ANA")));
        let d = apart.call(1, call(1, create("PAT")));
        apart.returned(c, unit_result());
        apart.returned(d, unit_result());
        assert!(conflicts(&apart).is_empty());
    }

    /// Aimed steps take a user's mailbox name; the first client's steps are left alone.
    #[test]
    fn aimed_steps_name_a_user() {
        use crate::vocabulary::setup::{MsMailUser, Setup};
        let jdoe: MsMailAddress = "NET1/PO1/JDOE".parse().unwrap();
        let setup = Setup::new(
            Default::default(),
            Default::default(),
            vec![MsMailUser::new(jdoe, 1)],
        )
        .unwrap();
        let create = |alias: &str| Operation::create_mailbox(alias.parse().unwrap());
        let mut case = Case {
            setup,
            prefix: Vec::new(),
            clients: vec![vec![create("FIRST")], vec![create("OTHER"), create("KEPT")]],
        };
        aim(&mut case, &[(true, 0), (false, 0)]);
        assert_eq!(case.clients[0], [create("FIRST")]);
        assert_eq!(case.clients[1], [create("JDOE"), create("KEPT")]);
    }
}
