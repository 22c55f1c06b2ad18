//! Every property, fed corrupted observations, one per way it can break, must report
//! each; every `sometimes` property must stay unreached where it must not be reached. A
//! checker that returned "holds" (or "reached") whatever it saw would fail here.

use super::*;
use crate::vocabulary::observation::{CustomRecipientView, MailView, WaitingView};
use crate::vocabulary::operation::Phase;
use crate::vocabulary::outcome::Refusal;
use crate::vocabulary::setup::MsMailUser;

const JDOE: &str = "NET1/PO1/JDOE";
const ANA: &str = "NET1/PO2/ANA";
const PATH: &str = "\\\\MAILSRV\\MAILDATA";

fn setup() -> Setup {
    let users = vec![
        MsMailUser::new(JDOE.parse().unwrap(), 2),
        MsMailUser::new(ANA.parse().unwrap(), 1),
    ];
    Setup::new(Default::default(), Default::default(), users).unwrap()
}

fn address(text: &str) -> MsMailAddress {
    text.parse().unwrap()
}

fn mailbox(alias: &str, proxies: &[&str], mail: &[(&str, u32)]) -> MailboxView {
    MailboxView {
        alias: alias.to_string(),
        container: "Recipients".to_string(),
        directory_name: alias.to_string(),
        proxies: proxies.iter().map(|p| p.to_string()).collect(),
        folders: vec!["Inbox"],
        folder_language: Some(Language::English),
        mail: mail
            .iter()
            .map(|(owner, count)| MailView {
                folder: "Inbox",
                owner: owner.to_string(),
                count: *count,
                attachment: None,
                calendar: false,
            })
            .collect(),
        created_for: None,
        calendar: false,
    }
}

fn waiting(address: &str, n: u32) -> WaitingView {
    WaitingView {
        address: address.to_string(),
        waiting: n,
        client: "closed",
        password_in_step: true,
        received: 0,
        dated: Vec::new(),
    }
}

/// Nothing migrated yet: JDOE's two and ANA's one waiting, no mailbox.
fn start() -> Observation {
    Observation {
        msmail: vec![waiting(JDOE, 2), waiting(ANA, 1)],
        ..Observation::default()
    }
}

/// JDOE's two messages in mailbox JDOE (found by its MIGRATE proxy), ANA's one waiting.
fn migrated() -> Observation {
    Observation {
        events: Vec::new(),
        mailboxes: vec![mailbox(
            "JDOE",
            &["SMTP:JDOE@contoso.com", "migrate:MS:NET1/PO1/JDOE"],
            &[(JDOE, 2)],
        )],
        custom_recipients: Vec::new(),
        msmail: vec![waiting(JDOE, 0), waiting(ANA, 1)],
        user_list: None,
        files: Vec::new(),
    }
}

fn wizard(version: Version) -> Operation {
    Operation::wizard(version, Phase::Migrate)
}

fn event(id: u32, kind: &'static str, description: &str) -> Event {
    Event {
        id,
        source: "MSExchangeMig",
        kind,
        category: "None",
        description: description.into(),
    }
}

fn event_7026() -> Event {
    event(
        7026,
        "Error",
        "Migration Aborted due to Mapi logon failure.",
    )
}

/// W-10068 as the judge expects it, with these six counts.
fn event_10068(counts: [u64; 6]) -> Event {
    event(10068, "Information", &summary_text(PATH, &counts))
}

fn moved(user: &str, alias: &str, messages: u32) -> StepResult {
    StepResult {
        outcome: Outcome::Ok,
        rules: Default::default(),
        users: vec![UserResult::Migrated {
            user: address(user),
            alias: alias.to_string(),
            found_by: crate::vocabulary::outcome::FoundBy::Alias,
            messages,
        }],
        batch: None,
    }
}

fn aborted(user: &str) -> StepResult {
    StepResult::new(
        Outcome::Aborted {
            user: address(user),
            event: event_7026(),
        },
        [RuleId::W7026],
    )
}

/// One step, as a property sees it; the ledger is the setup's unless a test sets one.
struct Step {
    op: Operation,
    before: Observation,
    result: StepResult,
    after: Observation,
    ledger: Ledger,
}

impl Step {
    fn new(op: Operation, before: Observation, result: StepResult, after: Observation) -> Step {
        Step {
            op,
            before,
            result,
            after,
            ledger: Ledger::new(&setup()),
        }
    }

    /// A step that changed nothing, on `state`.
    fn on(state: Observation) -> Step {
        Step::new(
            wizard(Version::V55),
            state.clone(),
            StepResult::ok([]),
            state,
        )
    }

    fn judge_with(
        &self,
        name: &str,
        messages: Option<&[(u64, u64, &MsMailAddress)]>,
    ) -> Result<Verdict, bool> {
        let setup = setup();
        let edge = Edge {
            setup: &setup,
            op: &self.op,
            before: &self.before,
            result: &self.result,
            after: &self.after,
            ledger: &self.ledger,
            messages,
        };
        let property = PROPERTIES
            .iter()
            .find(|p| p.rule.map(RuleId::as_str) == Some(name) || p.name == name)
            .unwrap_or_else(|| panic!("no property {name}"));
        match property.check {
            Check::Always(check) => Ok(check(&edge)),
            Check::Sometimes(reached) => Err(reached(&edge)),
        }
    }

    /// An `always` property's verdict, by rule id.
    fn judge(&self, rule: &str) -> Verdict {
        self.judge_with(rule, None).expect("an always property")
    }

    /// Whether a `sometimes` property is reached, by name.
    fn reaches(&self, name: &str) -> bool {
        self.judge_with(name, None)
            .expect_err("a sometimes property")
    }
}

fn broken(v: Verdict, words: &str) {
    match v {
        Verdict::Broken(detail) => assert!(detail.contains(words), "{detail:?} lacks {words:?}"),
        other => panic!("expected a violation about {words:?}, got {other:?}"),
    }
}

// I-CONSERVE

#[test]
fn conserve_holds_on_a_consistent_state() {
    assert_eq!(Step::on(migrated()).judge("I-CONSERVE"), Verdict::Holds);
    assert_eq!(Step::on(start()).judge("I-CONSERVE"), Verdict::Holds);
}

#[test]
fn conserve_sees_a_lost_message() {
    let mut obs = migrated();
    obs.mailboxes[0].mail[0].count = 1;
    broken(
        Step::on(obs).judge("I-CONSERVE"),
        "had 2 messages, 1 are accounted for",
    );
}

#[test]
fn conserve_sees_a_duplicated_message() {
    let mut obs = migrated();
    obs.msmail[0].waiting = 1; // moved and still waiting
    broken(
        Step::on(obs).judge("I-CONSERVE"),
        "had 2 messages, 3 are accounted for",
    );
}

#[test]
fn conserve_sees_a_message_counted_under_the_wrong_owner() {
    let mut obs = migrated();
    obs.mailboxes[0].mail = vec![
        MailView {
            folder: "Inbox",
            owner: JDOE.to_string(),
            count: 1,
            attachment: None,
            calendar: false,
        },
        MailView {
            folder: "Inbox",
            owner: ANA.to_string(),
            count: 1,
            attachment: None,
            calendar: false,
        },
    ];
    broken(
        Step::on(obs).judge("I-CONSERVE"),
        "NET1/PO1/JDOE had 2 messages, 1",
    );
}

/// The post office lists each user of the setup once, and nobody else.
#[test]
fn conserve_sees_a_user_missing_listed_twice_or_never_there() {
    let mut missing = migrated();
    let gone = missing.msmail.remove(0);
    broken(
        Step::on(missing).judge("I-CONSERVE"),
        "NET1/PO1/JDOE is missing from the post office",
    );
    let mut twice = migrated();
    twice.msmail.push(gone.clone());
    broken(
        Step::on(twice).judge("I-CONSERVE"),
        "NET1/PO1/JDOE is listed 2 times in the post office",
    );
    let mut stranger = migrated();
    stranger.msmail.push(WaitingView {
        address: "NET9/PO9/GHOST".to_string(),
        ..gone
    });
    broken(
        Step::on(stranger).judge("I-CONSERVE"),
        "the post office lists NET9/PO9/GHOST, who was never in it",
    );
}

#[test]
fn conserve_sees_mail_of_nobody() {
    let mut obs = migrated();
    obs.mailboxes[0].mail.push(MailView {
        folder: "Inbox",
        owner: "NET9/PO9/GHOST".to_string(),
        count: 1,
        attachment: None,
        calendar: false,
    });
    broken(
        Step::on(obs.clone()).judge("I-CONSERVE"),
        "unknown owner NET9/PO9/GHOST",
    );
    // No message of nobody: nothing forged.
    obs.mailboxes[0].mail[1].count = 0;
    assert_eq!(Step::on(obs).judge("I-CONSERVE"), Verdict::Holds);
}

#[test]
fn conserve_sees_a_user_missing_from_the_observation() {
    // The first user gone: zipping users with the observation used to end the check early.
    let mut obs = migrated();
    obs.msmail.remove(0);
    obs.mailboxes[0].mail.clear();
    broken(
        Step::on(obs).judge("I-CONSERVE"),
        "NET1/PO1/JDOE is missing",
    );
    let mut obs = migrated();
    obs.msmail.remove(1);
    broken(Step::on(obs).judge("I-CONSERVE"), "NET1/PO2/ANA is missing");
}

#[test]
fn conserve_sees_a_user_listed_twice_or_a_stranger() {
    let mut obs = migrated();
    obs.msmail.push(waiting(ANA, 0));
    broken(
        Step::on(obs).judge("I-CONSERVE"),
        "NET1/PO2/ANA is listed 2 times",
    );
    let mut obs = migrated();
    obs.msmail.push(waiting("NET9/PO9/GHOST", 0));
    broken(
        Step::on(obs).judge("I-CONSERVE"),
        "lists NET9/PO9/GHOST, who was never",
    );
}

#[test]
fn conserve_counts_deliveries_from_the_sequence_not_the_implementation() {
    // Two messages delivered to ANA; the implementation dropped them and counts none
    // received: it agrees with itself, not with the sequence.
    let mut step = Step::on(migrated());
    step.op = Operation::Deliver {
        user: address(ANA),
        messages: 2,
        date: None,
    };
    step.ledger.record(&step.op);
    broken(
        step.judge("I-CONSERVE"),
        "NET1/PO2/ANA had 3 messages, 1 are accounted for",
    );
    step.after.msmail[1].waiting = 3;
    assert_eq!(step.judge("I-CONSERVE"), Verdict::Holds);
    // A delivery past what the post office counts is refused, and the ledger knows it.
    step.ledger.record(&Operation::Deliver {
        user: address(ANA),
        messages: u32::MAX,
        date: None,
    });
    assert_eq!(step.judge("I-CONSERVE"), Verdict::Holds);
    // A delivery to a user the post office lacks adds nothing.
    step.ledger.record(&Operation::Deliver {
        user: address("NET9/PO9/GHOST"),
        messages: 1,
        date: None,
    });
    assert_eq!(step.judge("I-CONSERVE"), Verdict::Holds);
}

#[test]
fn conserve_counts_message_ids() {
    let (jdoe, ana) = (address(JDOE), address(ANA));
    let step = Step::on(migrated());
    // Each message as a run of one, as the server would hold it after splitting nothing.
    let ids = |list: &[(u64, &MsMailAddress)]| {
        let list: Vec<(u64, u64, &MsMailAddress)> =
            list.iter().map(|&(id, o)| (id, 1, o)).collect();
        step.judge_with("I-CONSERVE", Some(&list)).unwrap()
    };
    assert_eq!(ids(&[(1, &jdoe), (2, &jdoe), (3, &ana)]), Verdict::Holds);
    assert_eq!(ids(&[(3, &ana), (1, &jdoe), (2, &jdoe)]), Verdict::Holds);
    broken(ids(&[(1, &jdoe), (3, &ana)]), "message 2 is lost");
    broken(ids(&[(1, &jdoe), (2, &jdoe)]), "message 3 is lost");
    broken(
        ids(&[(1, &jdoe), (2, &jdoe), (2, &jdoe), (3, &ana)]),
        "message 2 is held twice",
    );
    broken(
        ids(&[(1, &jdoe), (2, &ana), (3, &ana)]),
        "message 2 of NET1/PO1/JDOE is counted under NET1/PO2/ANA",
    );
    broken(
        ids(&[(1, &jdoe), (2, &jdoe), (3, &ana), (4, &ana)]),
        "message 4 was never",
    );
}

#[test]
fn conserve_counts_delivered_ids_per_owner_from_the_ledger() {
    let (jdoe, ana) = (address(JDOE), address(ANA));
    let mut step = Step::on(migrated());
    step.ledger.record(&Operation::Deliver {
        user: ana.clone(),
        messages: 1,
        date: None,
    });
    step.after.msmail[1].waiting = 2;
    let runs =
        |list: &[(u64, u64, &MsMailAddress)]| step.judge_with("I-CONSERVE", Some(list)).unwrap();
    assert_eq!(
        runs(&[(1, 2, &jdoe), (3, 1, &ana), (4, 1, &ana)]),
        Verdict::Holds
    );
    broken(
        runs(&[(1, 2, &jdoe), (3, 1, &ana), (4, 1, &jdoe)]),
        "NET1/PO1/JDOE was delivered 0 messages after the start, but 1",
    );
}

#[test]
fn conserve_counts_runs_of_ids_without_listing_them() {
    let (jdoe, ana) = (address(JDOE), address(ANA));
    let step = Step::on(migrated());
    let runs =
        |list: &[(u64, u64, &MsMailAddress)]| step.judge_with("I-CONSERVE", Some(list)).unwrap();
    assert_eq!(runs(&[(3, 1, &ana), (1, 2, &jdoe)]), Verdict::Holds);
    broken(
        runs(&[(1, 3, &jdoe)]),
        "message 3 of NET1/PO2/ANA is counted under NET1/PO1/JDOE",
    );
    broken(
        runs(&[(1, 2, &jdoe), (2, 2, &ana)]),
        "message 2 is held twice",
    );
    broken(runs(&[(1, 1, &jdoe), (3, 1, &ana)]), "message 2 is lost");
}

#[test]
fn conserve_names_the_next_owner_past_a_user_without_mail() {
    // JDOE 2, ZERO none, ANA 1: ids 1-2 are JDOE's, 3 is ANA's; ZERO numbered nothing.
    let zero = "NET9/PO9/ZERO";
    let users = vec![
        MsMailUser::new(JDOE.parse().unwrap(), 2),
        MsMailUser::new(zero.parse().unwrap(), 0),
        MsMailUser::new(ANA.parse().unwrap(), 1),
    ];
    let mut step = Step::on(migrated());
    step.ledger = Ledger::new(&Setup::new(Default::default(), Default::default(), users).unwrap());
    step.after.msmail.insert(1, waiting(zero, 0));
    let jdoe = address(JDOE);
    let runs =
        |list: &[(u64, u64, &MsMailAddress)]| step.judge_with("I-CONSERVE", Some(list)).unwrap();
    assert_eq!(
        runs(&[(1, 2, &jdoe), (3, 1, &address(ANA))]),
        Verdict::Holds
    );
    broken(
        runs(&[(1, 3, &jdoe)]),
        "message 3 of NET1/PO2/ANA is counted under NET1/PO1/JDOE",
    );
}

#[test]
fn conserve_is_vacuous_without_mail() {
    let setup = Setup::new(
        Default::default(),
        Default::default(),
        vec![MsMailUser::new(JDOE.parse().unwrap(), 0)],
    )
    .unwrap();
    let mut step = Step::on(Observation {
        msmail: vec![waiting(JDOE, 0)],
        ..Observation::default()
    });
    step.ledger = Ledger::new(&setup);
    assert_eq!(step.judge("I-CONSERVE"), Verdict::Vacuous);
    // Mail where the ledger says none ever was is not vacuous: it is forged.
    step.after.msmail[0].waiting = 1;
    broken(
        step.judge("I-CONSERVE"),
        "had 0 messages, 1 are accounted for",
    );
    // Or in a mailbox.
    step.after.msmail[0].waiting = 0;
    step.after.mailboxes = vec![mailbox("JDOE", &[], &[(JDOE, 2)])];
    broken(
        step.judge("I-CONSERVE"),
        "had 0 messages, 2 are accounted for",
    );
}

// I-UNIQUE

#[test]
fn unique_sees_an_alias_held_twice() {
    let mut obs = migrated();
    obs.custom_recipients.push(CustomRecipientView {
        alias: "jdoe".to_string(),
        address: "MS:NET1/PO2/ANA".to_string(),
        container: "Recipients".to_string(),
    });
    broken(Step::on(obs).judge("I-UNIQUE"), "alias jdoe is held twice");
}

#[test]
fn unique_sees_an_address_held_twice() {
    let mut obs = migrated();
    obs.mailboxes
        .push(mailbox("ANA", &["smtp:jdoe@CONTOSO.com"], &[]));
    broken(
        Step::on(obs.clone()).judge("I-UNIQUE"),
        "address smtp:jdoe@CONTOSO.com is held twice",
    );
    obs.mailboxes[1].proxies = vec!["SMTP:ANA@contoso.com".to_string()];
    assert_eq!(Step::on(obs.clone()).judge("I-UNIQUE"), Verdict::Holds);
    // A custom recipient's address against a mailbox's proxy.
    obs.custom_recipients.push(CustomRecipientView {
        alias: "JDOE-MS".to_string(),
        address: "MS:NET1/PO1/JDOE".to_string(),
        container: "Recipients".to_string(),
    });
    obs.mailboxes[1]
        .proxies
        .push("ms:net1/po1/jdoe".to_string());
    broken(
        Step::on(obs).judge("I-UNIQUE"),
        "address MS:NET1/PO1/JDOE is held twice",
    );
}

#[test]
fn unique_is_vacuous_with_one_recipient() {
    assert_eq!(Step::on(migrated()).judge("I-UNIQUE"), Verdict::Vacuous);
}

// I-ABORT

#[test]
fn abort_holds_when_the_failing_users_mail_stays() {
    let before = migrated();
    let mut after = migrated();
    after.events = vec![event_7026(), event_10068([1, 1, 0, 0, 0, 1])];
    let step = Step::new(wizard(Version::V55), before, aborted(ANA), after);
    assert_eq!(step.judge("I-ABORT"), Verdict::Holds);
}

#[test]
fn abort_sees_mail_that_moved_in_an_aborted_step() {
    let before = migrated();
    let mut after = migrated();
    after.events = vec![event_7026()];
    after.msmail[1].waiting = 0;
    after.mailboxes[0].mail.push(MailView {
        folder: "Inbox",
        owner: ANA.to_string(),
        count: 1,
        attachment: None,
        calendar: false,
    });
    let step = Step::new(wizard(Version::V55), before, aborted(ANA), after);
    broken(step.judge("I-ABORT"), "NET1/PO2/ANA's mail moved");
}

#[test]
fn abort_sees_a_7026_under_an_ok_outcome() {
    // The step that logs 7026 and returns ok made the old check vacuous.
    let before = migrated();
    let mut after = migrated();
    after.events = vec![event_7026()];
    let step = Step::new(wizard(Version::V55), before, StepResult::ok([]), after);
    broken(
        step.judge("I-ABORT"),
        "logged 1 events 7026 but returned Ok",
    );
}

#[test]
fn abort_sees_an_aborted_outcome_without_one_7026() {
    let before = migrated();
    let step = Step::new(
        wizard(Version::V55),
        before.clone(),
        aborted(ANA),
        before.clone(),
    );
    broken(
        step.judge("I-ABORT"),
        "returned aborted for NET1/PO2/ANA but logged 0",
    );
    let mut twice = before.clone();
    twice.events = vec![event_7026(), event_7026()];
    let step = Step::new(wizard(Version::V55), before, aborted(ANA), twice);
    broken(step.judge("I-ABORT"), "but logged 2");
}

#[test]
fn abort_reads_only_the_steps_own_events() {
    // A 7026 logged by an earlier step is no abort of this one.
    let mut before = migrated();
    before.events = vec![event_7026()];
    let step = Step::on(before);
    assert_eq!(step.judge("I-ABORT"), Verdict::Vacuous);
}

// I-OWNER

/// JDOE's two messages arrive in mailbox `alias` with `proxies` during a step of `version`
/// that reports `result`.
fn arrival(version: Version, proxies: &[&str], result: StepResult) -> Step {
    let before = Observation {
        mailboxes: vec![mailbox("JDOE", proxies, &[])],
        ..start()
    };
    let mut after = before.clone();
    after.msmail[0].waiting = 0;
    after.mailboxes[0].mail = mailbox("JDOE", &[], &[(JDOE, 2)]).mail;
    Step::new(wizard(version), before, result, after)
}

#[test]
fn owner_sees_5_5_delivering_into_a_mailbox_not_tied_to_the_owner() {
    let unbound = ["SMTP:JDOE@contoso.com"];
    let step = arrival(Version::V55, &unbound, moved(JDOE, "JDOE", 2));
    broken(
        step.judge("I-OWNER"),
        "5.5 delivered NET1/PO1/JDOE's mail into JDOE",
    );
    let step = arrival(Version::V55Sp1, &unbound, moved(JDOE, "JDOE", 2));
    broken(step.judge("I-OWNER"), "5.5-sp1 delivered");
    // Whatever the step reported: here it says it moved nothing.
    let step = arrival(Version::V55, &unbound, StepResult::ok([]));
    broken(
        step.judge("I-OWNER"),
        "5.5 delivered NET1/PO1/JDOE's mail into JDOE",
    );
    // 5.0's alias lookup may do it: that is Q242184's "unreliable method".
    let step = arrival(Version::V50, &unbound, moved(JDOE, "JDOE", 2));
    assert_eq!(step.judge("I-OWNER"), Verdict::Vacuous);
}

#[test]
fn owner_sees_mail_placed_in_another_mailbox_than_the_one_reported() {
    // The step says JDOE's mail went into JDOE (bound); it went into OTHER (unbound).
    let before = Observation {
        mailboxes: vec![
            mailbox("JDOE", &["migrate:MS:NET1/PO1/JDOE"], &[]),
            mailbox("OTHER", &["SMTP:OTHER@contoso.com"], &[]),
        ],
        ..start()
    };
    let mut after = before.clone();
    after.msmail[0].waiting = 0;
    after.mailboxes[1].mail = mailbox("OTHER", &[], &[(JDOE, 2)]).mail;
    let step = Step::new(wizard(Version::V55), before, moved(JDOE, "JDOE", 2), after);
    broken(step.judge("I-OWNER"), "into OTHER, which is not tied to it");
}

#[test]
fn owner_holds_for_a_mailbox_bound_any_of_three_ways() {
    let result = moved(JDOE, "JDOE", 2);
    let step = arrival(Version::V55, &["migrate:MS:NET1/PO1/JDOE"], result.clone());
    assert_eq!(step.judge("I-OWNER"), Verdict::Holds);
    let step = arrival(Version::V55, &["ms:net1/po1/jdoe"], result.clone());
    assert_eq!(step.judge("I-OWNER"), Verdict::Holds);
    let mut step = arrival(Version::V55, &["SMTP:JDOE@contoso.com"], result);
    step.after.mailboxes[0].created_for = Some(JDOE.to_string());
    assert_eq!(step.judge("I-OWNER"), Verdict::Holds);
}

#[test]
fn owner_judges_only_mail_that_arrived_during_the_step() {
    // Mail already in an unbound mailbox before the step (a 5.0 run put it there).
    let mut state = start();
    state.mailboxes = vec![mailbox("JDOE", &["SMTP:JDOE@contoso.com"], &[(JDOE, 2)])];
    state.msmail[0].waiting = 0;
    assert_eq!(Step::on(state).judge("I-OWNER"), Verdict::Vacuous);
    let mut step = Step::on(migrated());
    step.op = Operation::create_mailbox("ANA".parse().unwrap());
    assert_eq!(step.judge("I-OWNER"), Verdict::Vacuous);
}

// I-SUMMARY

/// A 5.5 step two that moved JDOE's two messages into mailbox JDOE, with its summary.
fn summarised(counts: [u64; 6]) -> Step {
    let mut step = arrival(
        Version::V55,
        &["migrate:MS:NET1/PO1/JDOE"],
        moved(JDOE, "JDOE", 2),
    );
    step.after.events.push(event_10068(counts));
    step
}

/// What the step of [`summarised`] did: one account, two messages extracted and moved.
const DID: [u64; 6] = [1, 2, 0, 0, 2, 0];

#[test]
fn summary_holds_for_what_the_step_did() {
    assert_eq!(summarised(DID).judge("I-SUMMARY"), Verdict::Holds);
}

#[test]
fn summary_sees_not_exactly_one_10068_last() {
    let mut step = summarised(DID);
    step.after.events.clear();
    broken(step.judge("I-SUMMARY"), "logged []: not exactly one 10068");
    let mut step = summarised(DID);
    step.after.events.push(event_7026());
    broken(step.judge("I-SUMMARY"), "logged [10068, 7026]");
    let mut step = summarised(DID);
    step.after.events.push(event_10068(DID));
    broken(step.judge("I-SUMMARY"), "logged [10068, 10068]");
}

#[test]
fn summary_sees_an_under_reported_mailbox() {
    // A mailbox was made, and both the result and the summary keep quiet about it.
    let mut step = summarised(DID);
    step.after
        .mailboxes
        .push(mailbox("ANA", &["SMTP:ANA@contoso.com"], &[]));
    broken(
        step.judge("I-SUMMARY"),
        "10068 says [1, 2, 0, 0, 2, 0], the step did [1, 2, 0, 1, 2, 0]",
    );
}

#[test]
fn summary_sees_under_reported_mail() {
    broken(
        summarised([1, 2, 0, 0, 0, 0]).judge("I-SUMMARY"),
        "the step did [1, 2, 0, 0, 2, 0]",
    );
    // The step's own result says it moved nothing; the mailboxes say two arrived.
    let mut step = summarised([1, 2, 0, 0, 0, 0]);
    step.result = moved(JDOE, "JDOE", 0);
    broken(step.judge("I-SUMMARY"), "the step did [1, 2, 0, 0, 2, 0]");
}

#[test]
fn summary_sees_error_counts_that_do_not_match_the_events() {
    let mut step = summarised(DID);
    step.after.events.insert(
        0,
        event(
            147,
            "Error",
            "Could not log onto the Message Store for Account: JDOE",
        ),
    );
    broken(step.judge("I-SUMMARY"), "the step did [1, 2, 0, 0, 2, 1]");
    let mut step = summarised(DID);
    step.after
        .events
        .insert(0, event(7007, "Error", "Could not migrate MMF file"));
    broken(step.judge("I-SUMMARY"), "the step did [0, 2, 1, 0, 2, 0]");
}

#[test]
fn summary_sees_mail_that_left_ms_mail_but_never_arrived() {
    let mut step = summarised(DID);
    step.after.msmail[1].waiting = 0; // ANA's message gone, and in no mailbox
    broken(
        step.judge("I-SUMMARY"),
        "2 messages arrived in mailboxes, but 3 left MS Mail",
    );
    let mut step = summarised(DID);
    step.after.mailboxes[0].mail.clear();
    step.after.msmail[0].waiting = 2;
    step.before.mailboxes[0].mail = mailbox("JDOE", &[], &[(JDOE, 1)]).mail;
    broken(step.judge("I-SUMMARY"), "mail left the mailboxes");
}

#[test]
fn summary_sees_a_mailbox_taken_away() {
    let mut step = summarised(DID);
    step.before.mailboxes.push(mailbox("ANA", &[], &[]));
    broken(
        step.judge("I-SUMMARY"),
        "took mailboxes away: 2 before, 1 after",
    );
}

#[test]
fn summary_sees_more_extraction_errors_than_users_reached() {
    // Two 7007s for one user reached: an error, never an overflow.
    let mut step = summarised(DID);
    for _ in 0..2 {
        step.after
            .events
            .insert(0, event(7007, "Error", "Could not migrate MMF file"));
    }
    broken(
        step.judge("I-SUMMARY"),
        "logged 2 extraction errors for 1 users it reached",
    );
}

#[test]
fn summary_sees_the_header_the_rest_and_the_times() {
    let good = summarised(DID).after.events[0].description.to_string();
    for (from, to, what) in [
        (
            "Microsoft Mail - \\\\MAILSRV",
            "Microsoft Mail - \\\\OTHER",
            "header's path",
        ),
        ("PABs: 0", "PABs: 1", "the rest 0"),
        ("Start Time: 00:00:00", "Start Time: 00:00:01", "a time"),
        (
            "Public folders: 0",
            "Public folders: 3",
            "the rest 0 (import)",
        ),
    ] {
        let mut step = summarised(DID);
        let bad = good.replacen(from, to, 1);
        assert_ne!(bad, good, "{what}");
        step.after.events[0].description = bad.into();
        broken(step.judge("I-SUMMARY"), "not in W-10068's layout");
    }
    let mut step = summarised(DID);
    step.after.events[0].kind = "Error";
    broken(step.judge("I-SUMMARY"), "10068 is logged as");
}

#[test]
fn summary_is_vacuous_for_other_steps_and_refusals() {
    let mut step = Step::on(migrated());
    step.op = Operation::create_mailbox("ANA".parse().unwrap());
    assert_eq!(step.judge("I-SUMMARY"), Verdict::Vacuous);
    let mut step = Step::on(migrated());
    step.result = StepResult::refused(Refusal::NoUserList, []);
    assert_eq!(step.judge("I-SUMMARY"), Verdict::Vacuous);
    // A refusal that logged something is judged as a run.
    step.after.events.push(event_7026());
    broken(step.judge("I-SUMMARY"), "not exactly one 10068");
}

// I-LOCKED

#[test]
fn locked_sees_mail_moved_out_of_a_locked_mmf() {
    let mut step = arrival(
        Version::V55,
        &["migrate:MS:NET1/PO1/JDOE"],
        moved(JDOE, "JDOE", 2),
    );
    step.before.msmail[0].client = "open";
    broken(
        step.judge("I-LOCKED"),
        "NET1/PO1/JDOE's MMF was locked by an open client, yet its mail moved",
    );
}

#[test]
fn locked_sees_mail_gone_from_an_out_of_step_mmf() {
    let mut step = Step::on(start());
    step.before.msmail[0].password_in_step = false;
    step.after.msmail[0].waiting = 1; // vanished, into no mailbox
    broken(
        step.judge("I-LOCKED"),
        "NET1/PO1/JDOE's MMF was out of step, yet its mail moved",
    );
}

#[test]
fn locked_holds_when_locked_mail_stays_and_is_vacuous_without_a_lock() {
    let mut step = Step::on(start());
    step.before.msmail[1].client = "open";
    step.after.msmail[1].waiting = 5; // mail may arrive in a locked MMF
    assert_eq!(step.judge("I-LOCKED"), Verdict::Holds);
    assert_eq!(Step::on(start()).judge("I-LOCKED"), Verdict::Vacuous);
}

// The `sometimes` properties, unreached where they must not be reached.

const LOGGED_7026: &str = "event 7026 is logged";
const ALL_MIGRATED: &str = "all mail migrated";
const SPANISH: &str = "mail delivered into a mailbox with Spanish folders";
const UNBOUND_50: &str = "5.0 delivers mail into a mailbox not tied to its owner";

#[test]
fn the_start_reaches_no_sometimes_property() {
    for name in [LOGGED_7026, ALL_MIGRATED, SPANISH, UNBOUND_50] {
        assert!(!Step::on(start()).reaches(name), "{name} at the start");
    }
}

#[test]
fn event_7026_is_reached_only_by_a_step_that_logs_one() {
    let mut step = Step::on(migrated());
    step.after.events = vec![event_10068(DID)];
    assert!(!step.reaches(LOGGED_7026), "a summary alone");
    step.after.events.insert(0, event_7026());
    assert!(step.reaches(LOGGED_7026));
    // Logged by an earlier step: not this step's.
    let mut step = Step::on(migrated());
    step.before.events = vec![event_7026()];
    step.after.events = vec![event_7026()];
    assert!(!step.reaches(LOGGED_7026), "an earlier step's 7026");
}

#[test]
fn all_mail_migrated_needs_mail_and_none_waiting() {
    assert!(
        !Step::on(migrated()).reaches(ALL_MIGRATED),
        "ANA's message waits"
    );
    let mut done = migrated();
    done.msmail[1].waiting = 0;
    assert!(Step::on(done.clone()).reaches(ALL_MIGRATED));
    // Nothing ever in MS Mail: nothing to migrate.
    let mut step = Step::on(done);
    step.ledger = Ledger::new(
        &Setup::new(
            Default::default(),
            Default::default(),
            vec![MsMailUser::new(JDOE.parse().unwrap(), 0)],
        )
        .unwrap(),
    );
    assert!(!step.reaches(ALL_MIGRATED), "no mail at all");
}

#[test]
fn spanish_folders_need_a_spanish_mailbox_with_mail() {
    let mut obs = migrated();
    assert!(!Step::on(obs.clone()).reaches(SPANISH), "English folders");
    obs.mailboxes[0].folder_language = Some(Language::Spanish);
    assert!(Step::on(obs.clone()).reaches(SPANISH));
    obs.mailboxes[0].mail.clear();
    assert!(!Step::on(obs).reaches(SPANISH), "no mail");
}

#[test]
fn five_oh_unbound_needs_a_5_0_step_that_put_mail_in_an_unbound_mailbox() {
    let unbound = ["SMTP:JDOE@contoso.com"];
    let result = moved(JDOE, "JDOE", 2);
    assert!(arrival(Version::V50, &unbound, result.clone()).reaches(UNBOUND_50));
    assert!(
        !arrival(Version::V55, &unbound, result.clone()).reaches(UNBOUND_50),
        "5.5"
    );
    assert!(
        !arrival(Version::V55Sp1, &unbound, result.clone()).reaches(UNBOUND_50),
        "SP1"
    );
    let bound = ["migrate:MS:NET1/PO1/JDOE"];
    assert!(
        !arrival(Version::V50, &bound, result.clone()).reaches(UNBOUND_50),
        "bound"
    );
    // Already there before the step: not delivered by it.
    let mut step = arrival(Version::V50, &unbound, result);
    step.before = step.after.clone();
    assert!(!step.reaches(UNBOUND_50), "no arrival");
    let mut step = arrival(Version::V50, &unbound, StepResult::ok([]));
    step.op = Operation::create_mailbox("ANA".parse().unwrap());
    assert!(!step.reaches(UNBOUND_50), "not a wizard step");
}

#[test]
fn an_edge_prints_as_its_step() {
    let setup = setup();
    let step = Step::on(migrated());
    let edge = Edge {
        setup: &setup,
        op: &step.op,
        before: &step.before,
        result: &step.result,
        after: &step.after,
        ledger: &step.ledger,
        messages: None,
    };
    assert_eq!(format!("{edge:?}"), "Edge(wizard 5.5 migrate (all users))");
}

#[test]
fn evaluate_names_the_broken_property() {
    let setup = setup();
    let mut obs = migrated();
    obs.mailboxes[0].mail[0].count = 5;
    let op = wizard(Version::V55);
    let result = StepResult::ok([]);
    let ledger = Ledger::new(&setup);
    let edge = Edge {
        setup: &setup,
        op: &op,
        before: &obs,
        result: &result,
        after: &obs,
        ledger: &ledger,
        messages: None,
    };
    let v = evaluate(&edge).unwrap_err();
    assert_eq!(v.rule, Some(RuleId::IConserve));
    assert!(
        v.to_string()
            .starts_with("I-CONSERVE broken (every message is in exactly one place)"),
        "{v}"
    );
}

#[test]
fn evaluate_lists_what_held_and_what_was_reached() {
    let setup = setup();
    let mut done = migrated();
    done.msmail[1].waiting = 0;
    done.mailboxes[0]
        .mail
        .push(mailbox("", &[], &[(ANA, 1)]).mail[0].clone());
    let op = Operation::create_mailbox("ANA".parse().unwrap());
    let result = StepResult::ok([]);
    let ledger = Ledger::new(&setup);
    let edge = Edge {
        setup: &setup,
        op: &op,
        before: &done,
        result: &result,
        after: &done,
        ledger: &ledger,
        messages: None,
    };
    let held: Vec<&str> = evaluate(&edge)
        .unwrap()
        .iter()
        .map(|&k| PROPERTIES[k].name)
        .collect();
    assert_eq!(
        held,
        ["every message is in exactly one place", ALL_MIGRATED]
    );
}

#[test]
fn judge_state_sees_a_lost_message_and_an_address_held_twice() {
    let setup = setup();
    let ledger = Ledger::new(&setup);
    assert_eq!(judge_state(&setup, &ledger, &migrated(), None), Ok(()));
    let mut lost = migrated();
    lost.mailboxes[0].mail[0].count = 1;
    let v = judge_state(&setup, &ledger, &lost, None).unwrap_err();
    assert_eq!(v.rule, Some(RuleId::IConserve));
    let mut twice = migrated();
    twice
        .mailboxes
        .push(mailbox("ANA", &["smtp:jdoe@contoso.com"], &[]));
    let v = judge_state(&setup, &ledger, &twice, None).unwrap_err();
    assert_eq!(v.rule, Some(RuleId::IUnique));
    let jdoe = address(JDOE);
    let v = judge_state(&setup, &ledger, &migrated(), Some(&[(1, 2, &jdoe)])).unwrap_err();
    assert!(v.detail.contains("message 3 is lost"), "{v}");
}
