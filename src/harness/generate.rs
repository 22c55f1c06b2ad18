//! Random worlds and step sequences: the one source of generation for the state machine
//! test and the explorer.
//!
//! The universe is small on purpose: two to four MS Mail users whose mailbox names collide
//! (`NET1/PO1/JDOE` and `NET2/PO1/JDOE`), aliases drawn from those names, and addresses that
//! collide with ones already held, so that 7026, refusals, custom-recipient conversion and
//! 5.0 misdelivery all happen often.
//!
//! [`Reference`] is the [`ReferenceStateMachine`] over the reference [`Model`]: it decides
//! which steps may come next and what they come to.

use std::fmt;
use std::rc::Rc;
use std::sync::Arc;

use proptest::prelude::*;
use proptest::sample::{select, subsequence};
use proptest_state_machine::ReferenceStateMachine;

use crate::model::Model;
use crate::vocabulary::address::{Alias, MsMailAddress, ProxyAddress, Site};
use crate::vocabulary::container::Container;
use crate::vocabulary::language::Language;
use crate::vocabulary::operation::{
    Chosen, ListField, Mode, Operation, Operator, Phase, Version, WizardRun,
};
use crate::vocabulary::outcome::StepResult;
use crate::vocabulary::setup::{MsMailUser, Setup};

/// MS Mail users the generator picks from. Two share the mailbox name JDOE (5.0 confuses
/// them), ANA2 is the alias step one gives ANA's second mailbox, CONTOSO/HQ/PAT equals the
/// MS proxy the default site gives a hand-made mailbox PAT, and the post office's special
/// accounts ADMIN and ADMINSCH come now and then (A-ADMIN); ADMIN's mailbox is named PO1,
/// the directory name of NET1/PO1's post office.
pub const USER_POOL: [&str; 8] = [
    "NET1/PO1/JDOE",
    "NET2/PO1/JDOE",
    "NET1/PO1/MARIABL",
    "NET1/PO2/ANA",
    "NET2/PO2/ANA2",
    "CONTOSO/HQ/PAT",
    "NET1/PO1/ADMIN",
    "NET1/PO1/ADMINSCH",
];

/// The containers worth trying: the default, another, and the other in another case
/// (A-CONT compares without case).
const CONTAINERS: [&str; 3] = ["Recipients", "Sales", "SALES"];

/// A world to start from: 2 to 4 users with 0 to 3 messages each.
pub fn setup_strategy() -> BoxedStrategy<Setup> {
    let users = subsequence(USER_POOL.to_vec(), 2..=4).prop_shuffle();
    let counts = proptest::collection::vec(0u32..=3, 4);
    let language = prop_oneof![4 => Just(Language::English), 1 => Just(Language::Spanish)];
    (users, counts, language)
        .prop_map(|(users, counts, server_language)| {
            let users = users
                .iter()
                .zip(counts)
                .filter_map(|(a, messages)| Some(MsMailUser::new(a.parse().ok()?, messages)))
                .collect();
            Setup::new(Site::default(), server_language, users)
                .expect("the pool's addresses are distinct")
        })
        .boxed()
}

fn parse_all<T: std::str::FromStr>(texts: impl IntoIterator<Item = String>) -> Vec<T> {
    texts.into_iter().filter_map(|t| t.parse().ok()).collect()
}

/// What steps are drawn from: aliases, addresses and users, held by the strategies drawing
/// from them. The post office's part is built once per world; the part drawn from the
/// directory, and the strategies, are built again only when the directory's aliases or
/// addresses changed (building pools and strategies was most of the generation's time).
#[derive(Debug, Clone)]
pub struct Pools {
    /// The world's own aliases and addresses, before the directory's are added.
    base_aliases: Vec<Alias>,
    base_addresses: Vec<ProxyAddress>,
    users: Arc<[MsMailAddress]>,
    /// The next step's strategy without a user list, and with one (edits and runs from
    /// the list more likely); a `BoxedStrategy` is shared, so handing one out is cheap.
    strategies: [BoxedStrategy<Operation>; 2],
    /// A hash of the directory names the pools were last built from.
    source: u64,
}

impl Pools {
    /// The pools of the model's world.
    pub fn of(model: &Model) -> Pools {
        let mut aliases = vec!["ADMIN".to_string(), "PO1".to_string()];
        let mut addresses = vec![
            "smtp:helpdesk@contoso.com".to_string(),
            "X400:c=US;a= ;p=CONTOSO;o=HQ;s=ADMIN;".to_string(),
        ];
        for u in &model.users {
            let (n, a) = (&u.mailbox_name, &u.address);
            aliases.extend([
                n.clone(),
                format!("{n}2"),
                n.to_ascii_lowercase(),
                format!("{n}-MS"),
            ]);
            addresses.extend([
                format!("migrate:MS:{a}"),
                format!("MIGRATE:MS:{a}"),
                format!("ms:{a}"),
                format!("MS:{a}"),
                format!("smtp:{n}@contoso.com"),
            ]);
        }
        Pools::drawn_from(
            parse_all(aliases),
            parse_all(addresses),
            model.users.iter().map(|u| u.typed.clone()).collect(),
            model,
            source_of(model),
        )
    }

    /// The pools for `model`, a later state of the same world: these, unless the
    /// directory's aliases or addresses changed.
    pub fn for_model(self: &Rc<Pools>, model: &Model) -> Rc<Pools> {
        let source = source_of(model);
        if source == self.source {
            return Rc::clone(self);
        }
        Rc::new(Pools::drawn_from(
            self.base_aliases.clone(),
            self.base_addresses.clone(),
            Arc::clone(&self.users),
            model,
            source,
        ))
    }

    /// The world's own pools with the directory's part of `model` (whose `source_of` is
    /// `source`) added, and the strategies drawing from them.
    fn drawn_from(
        base_aliases: Vec<Alias>,
        base_addresses: Vec<ProxyAddress>,
        users: Arc<[MsMailAddress]>,
        model: &Model,
        source: u64,
    ) -> Pools {
        let mut aliases = base_aliases.clone();
        aliases.extend(alias_pool(model));
        let mut addresses = base_addresses.clone();
        addresses.extend(address_pool(model));
        let (aliases, addresses): (Arc<[Alias]>, Arc<[ProxyAddress]>) =
            (aliases.into(), addresses.into());
        let strategies =
            [false, true].map(|has_list| strategy_in(&aliases, &addresses, &users, has_list));
        Pools {
            base_aliases,
            base_addresses,
            users,
            strategies,
            source,
        }
    }

    /// The strategy of the next step from `model`, a state of the pools' world.
    pub fn strategy(&self, model: &Model) -> BoxedStrategy<Operation> {
        self.strategies[usize::from(model.user_list.is_some())].clone()
    }
}

/// A hash of what the directory's part of the pools is drawn from. Two sources hashing
/// alike would only leave the pools one step stale: a matter of distribution, not of
/// correctness.
fn source_of(model: &Model) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = rustc_hash::FxHasher::default();
    for m in &model.mailboxes {
        (&m.alias, &m.directory_name, &m.proxies).hash(&mut h);
    }
    for c in &model.custom_recipients {
        c.alias.hash(&mut h);
    }
    h.finish()
}

/// The directory's aliases worth trying: every alias and directory name already taken.
fn alias_pool(model: &Model) -> Vec<Alias> {
    let mut texts = Vec::new();
    texts.extend(model.mailboxes.iter().map(|m| m.alias.clone()));
    texts.extend(model.mailboxes.iter().map(|m| m.directory_name.clone()));
    texts.extend(model.custom_recipients.iter().map(|c| c.alias.clone()));
    parse_all(texts)
}

/// The directory's addresses worth adding or removing: every address held now, as
/// written and with the type's case flipped.
fn address_pool(model: &Model) -> Vec<ProxyAddress> {
    let mut texts = Vec::new();
    for m in &model.mailboxes {
        for p in &m.proxies {
            let (kind, value) = p.split_once(':').unwrap_or((p, ""));
            let flipped = if kind.chars().any(|c| c.is_ascii_uppercase()) {
                kind.to_ascii_lowercase()
            } else {
                kind.to_ascii_uppercase()
            };
            texts.extend([p.clone(), format!("{flipped}:{value}")]);
        }
    }
    parse_all(texts)
}

fn container() -> impl Strategy<Value = Container> {
    prop_oneof![
        4 => Just(Container::default()),
        1 => select(CONTAINERS.to_vec()).prop_map(|c| c.parse().unwrap_or_default()),
    ]
}

/// Values worth writing into a user list field: the ones it takes, in other cases, and ones
/// it refuses.
fn list_value(field: ListField, aliases: Arc<[Alias]>) -> BoxedStrategy<String> {
    match field {
        ListField::MigrateUser => select(vec!["Y", "N", "n", "maybe"])
            .prop_map(str::to_string)
            .boxed(),
        ListField::Mode => select(vec!["Create", "", "", "", "create", "Update"])
            .prop_map(str::to_string)
            .boxed(),
        ListField::CommonName => prop_oneof![
            6 => one_of(&aliases).prop_map(|a| a.to_string()),
            1 => Just("J DOE".to_string()),
        ]
        .boxed(),
    }
}

/// The users a wizard step or an extraction takes.
fn chosen_users(users: Vec<MsMailAddress>) -> BoxedStrategy<Option<Vec<MsMailAddress>>> {
    let n = users.len().max(1);
    prop_oneof![
        Just(None),
        subsequence(users, 1..=n).prop_shuffle().prop_map(Some),
    ]
    .boxed()
}

/// A wizard run: any version and phase, for all users, some, or the user list (more often
/// once one exists), into any container, by either operator, in either mode.
fn wizard_run(users: Vec<MsMailAddress>, has_list: bool) -> BoxedStrategy<WizardRun> {
    let from_list = if has_list { 3 } else { 1 };
    let chosen = prop_oneof![
        3 => chosen_users(users).prop_map(|u| u.map_or(Chosen::All, Chosen::These)),
        from_list => Just(Chosen::UserList),
    ];
    let operator = prop_oneof![3 => Just(Operator::PermissionsAdmin), 1 => Just(Operator::ServiceAccountAdmin)];
    let mode = prop_oneof![2 => Just(Mode::Wizard), 1 => Just(Mode::CommandLine)];
    let version = select(Version::ALL.to_vec());
    let phase = select(Phase::ALL.to_vec());
    (version, phase, chosen, container(), operator, mode)
        .prop_map(
            |(version, phase, users, container, operator, mode)| WizardRun {
                version,
                phase,
                users,
                container,
                operator,
                mode,
            },
        )
        .boxed()
}

/// The steps that may come next from this state.
pub fn operation_strategy(model: &Model) -> BoxedStrategy<Operation> {
    Pools::of(model).strategy(model)
}

/// The steps that may come next, drawn from the pools, with or without a user list.
/// Aliases worth trying are the users' mailbox names and their numbered and lower-case
/// forms, custom-recipient style names, and every alias already taken; addresses, the
/// MIGRATE and MS addresses of each user (primary and secondary), addresses colliding with
/// generated ones, and every address held now, as written and with the type's case flipped.
fn strategy_in(
    aliases: &Arc<[Alias]>,
    addresses: &Arc<[ProxyAddress]>,
    users: &Arc<[MsMailAddress]>,
    has_list: bool,
) -> BoxedStrategy<Operation> {
    let named = proptest::option::weighted(0.2, one_of(aliases));
    let field = select(
        &[
            ListField::MigrateUser,
            ListField::Mode,
            ListField::CommonName,
        ][..],
    );
    let edit_aliases = Arc::clone(aliases);
    let edits = if has_list { 4 } else { 1 };
    prop_oneof![
        3 => (one_of(aliases), container(), named).prop_map(|(alias, container, directory_name)| {
            Operation::CreateMailbox { alias, name: None, container, directory_name }
        }),
        2 => (one_of(aliases), select(Language::ALL))
            .prop_map(|(alias, language)| Operation::Logon { alias, language }),
        3 => (one_of(aliases), one_of(addresses))
            .prop_map(|(alias, address)| Operation::AddProxy { alias, address }),
        2 => (one_of(aliases), one_of(addresses))
            .prop_map(|(alias, address)| Operation::RemoveProxy { alias, address }),
        2 => (one_of(aliases), one_of(users), container())
            .prop_map(|(alias, address, container)| Operation::CustomRecipient { alias, address, container }),
        2 => (one_of(users), any::<bool>())
            .prop_map(|(user, open)| Operation::MsMailClient { user, open }),
        1 => one_of(users).prop_map(|user| Operation::RecoverPassword { user }),
        1 => (one_of(users), 1u32..=2)
            .prop_map(|(user, messages)| Operation::Deliver { user, messages }),
        2 => (select(&Version::ALL[..]), chosen_users(users.to_vec()))
            .prop_map(|(version, users)| Operation::ExtractUserList { version, users }),
        edits => (one_of(users), field)
            .prop_flat_map(move |(user, field)| {
                list_value(field, Arc::clone(&edit_aliases))
                    .prop_map(move |value| Operation::EditUserList { user: user.clone(), field, value })
            }),
        6 => wizard_run(users.to_vec(), has_list).prop_map(Operation::Wizard),
    ]
    .boxed()
}

/// One element of a pool, drawn by its index (shrinking towards the first), sharing the
/// pool instead of copying it into every strategy that draws from it.
fn one_of<T: Clone + fmt::Debug + 'static>(pool: &Arc<[T]>) -> impl Strategy<Value = T> {
    let pool = Arc::clone(pool);
    (0..pool.len()).prop_map(move |i| pool[i].clone())
}

/// The reference state: the setup, the model, and what the last step came to.
#[derive(Clone)]
pub struct RefState {
    /// The world before the first step.
    pub setup: Setup,
    /// The reference model after the steps so far.
    pub model: Model,
    /// The result of the last step, for the test to compare with the implementation.
    pub last: Option<StepResult>,
    /// The pools last built in this world, perhaps for an earlier state (`Rc`: their
    /// strategies are not `Send`, and a reference state stays on its thread).
    pub pools: Rc<Pools>,
    /// The pools of this very state, built when a step is first drawn from it. Replaying a
    /// sequence (the test's second pass over the model) draws nothing, so builds nothing.
    fresh: std::cell::OnceCell<Rc<Pools>>,
}

impl RefState {
    /// The pools the next step is drawn from: those of this state.
    pub fn current_pools(&self) -> &Rc<Pools> {
        self.fresh.get_or_init(|| self.pools.for_model(&self.model))
    }
}

/// Prints only the setup: the model is what the steps made of it.
impl fmt::Debug for RefState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let users: Vec<String> = self
            .setup
            .users()
            .iter()
            .map(|u| format!("{} ({} messages)", u.address, u.messages))
            .collect();
        write!(
            f,
            "server language {}, users [{}]",
            self.setup.server_language(),
            users.join(", ")
        )
    }
}

/// The reference state machine over the [`Model`].
#[derive(Debug, Clone, Copy)]
pub struct Reference;

impl ReferenceStateMachine for Reference {
    type State = RefState;
    type Transition = Operation;

    fn init_state() -> BoxedStrategy<RefState> {
        setup_strategy()
            .prop_map(|setup| {
                let model = Model::new(&setup);
                RefState {
                    pools: Rc::new(Pools::of(&model)),
                    fresh: std::cell::OnceCell::new(),
                    model,
                    setup,
                    last: None,
                }
            })
            .boxed()
    }

    fn transitions(state: &RefState) -> BoxedStrategy<Operation> {
        state.current_pools().strategy(&state.model)
    }

    fn apply(mut state: RefState, op: &Operation) -> RefState {
        state.last = Some(state.model.apply(op));
        // Keep the newest pools built; the next draw brings them up to date if need be.
        if let Some(fresh) = state.fresh.take() {
            state.pools = fresh;
        }
        state
    }

    /// A step may only name users the post office has; shrinking the setup can take a
    /// user away from under a step.
    fn preconditions(state: &RefState, op: &Operation) -> bool {
        let has = |u: &MsMailAddress| state.setup.users().iter().any(|s| &s.address == u);
        match op {
            Operation::Wizard(WizardRun {
                users: Chosen::These(list),
                ..
            })
            | Operation::ExtractUserList {
                users: Some(list), ..
            } => list.iter().all(&has),
            Operation::MsMailClient { user, .. }
            | Operation::RecoverPassword { user }
            | Operation::Deliver { user, .. }
            | Operation::EditUserList { user, .. }
            | Operation::CustomRecipient { address: user, .. } => has(user),
            _ => true,
        }
    }
}
