//! Every `always` checker, fed a corrupted observation, must report it: a checker that
//! returned "holds" whatever it saw would fail here.

use super::*;
use crate::vocabulary::event::Event;
use crate::vocabulary::observation::{CustomRecipientView, MailView, WaitingView};
use crate::vocabulary::operation::Phase;
use crate::vocabulary::setup::MsMailUser;

const JDOE: &str = "NET1/PO1/JDOE";
const ANA: &str = "NET1/PO2/ANA";

fn setup() -> Setup {
    let users = vec![
        MsMailUser::new(JDOE.parse().unwrap(), 2),
        MsMailUser::new(ANA.parse().unwrap(), 1),
    ];
    Setup::new(Default::default(), Default::default(), users).unwrap()
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
            })
            .collect(),
        created_for: None,
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
    }
}

fn waiting(address: &str, n: u32) -> WaitingView {
    WaitingView {
        address: address.to_string(),
        waiting: n,
        client: "closed",
        password_in_step: true,
        received: 0,
    }
}

fn wizard(version: Version) -> Operation {
    Operation::wizard(version, Phase::Migrate)
}

fn moved(user: &str, alias: &str, messages: u32) -> StepResult {
    StepResult {
        outcome: Outcome::Ok,
        rules: Default::default(),
        users: vec![UserResult::Migrated {
            user: user.parse().unwrap(),
            alias: alias.to_string(),
            found_by: crate::vocabulary::outcome::FoundBy::Alias,
            messages,
        }],
    }
}

/// Runs one `always` property (by rule) on an edge.
fn verdict(
    rule: RuleId,
    op: &Operation,
    before: &Observation,
    result: &StepResult,
    after: &Observation,
) -> Verdict {
    verdict_with(rule, op, before, result, after, None)
}

fn verdict_with(
    rule: RuleId,
    op: &Operation,
    before: &Observation,
    result: &StepResult,
    after: &Observation,
    messages: Option<&[(u64, u64, &MsMailAddress)]>,
) -> Verdict {
    let setup = setup();
    let edge = Edge {
        setup: &setup,
        op,
        before,
        result,
        after,
        messages,
    };
    let property = PROPERTIES.iter().find(|p| p.rule == Some(rule)).unwrap();
    match property.check {
        Check::Always(check) => check(&edge),
        Check::Sometimes(_) => panic!("{rule} is not an always property"),
    }
}

fn on_state(rule: RuleId, after: &Observation) -> Verdict {
    let op = wizard(Version::V55);
    verdict(rule, &op, after, &StepResult::ok([]), after)
}

fn broken(v: Verdict, words: &str) {
    match v {
        Verdict::Broken(detail) => assert!(detail.contains(words), "{detail:?} lacks {words:?}"),
        other => panic!("expected a violation about {words:?}, got {other:?}"),
    }
}

#[test]
fn conserve_holds_on_a_consistent_state() {
    assert_eq!(on_state(RuleId::IConserve, &migrated()), Verdict::Holds);
}

#[test]
fn conserve_sees_a_lost_message() {
    let mut obs = migrated();
    obs.mailboxes[0].mail[0].count = 1;
    broken(
        on_state(RuleId::IConserve, &obs),
        "had 2 messages, 1 are accounted for",
    );
}

#[test]
fn conserve_sees_a_duplicated_message() {
    let mut obs = migrated();
    obs.msmail[0].waiting = 1; // moved and still waiting
    broken(
        on_state(RuleId::IConserve, &obs),
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
        },
        MailView {
            folder: "Inbox",
            owner: ANA.to_string(),
            count: 1,
        },
    ];
    broken(
        on_state(RuleId::IConserve, &obs),
        "NET1/PO1/JDOE had 2 messages, 1",
    );
}

#[test]
fn conserve_sees_mail_of_nobody() {
    let mut obs = migrated();
    obs.mailboxes[0].mail.push(MailView {
        folder: "Inbox",
        owner: "NET9/PO9/GHOST".to_string(),
        count: 1,
    });
    broken(
        on_state(RuleId::IConserve, &obs),
        "unknown owner NET9/PO9/GHOST",
    );
}

#[test]
fn conserve_counts_message_ids() {
    let (jdoe, ana): (MsMailAddress, MsMailAddress) = (JDOE.parse().unwrap(), ANA.parse().unwrap());
    let op = wizard(Version::V55);
    let obs = migrated();
    // Each message as a run of one, as the server would hold it after splitting nothing.
    let ids = |list: &[(u64, &MsMailAddress)]| {
        let list: Vec<(u64, u64, &MsMailAddress)> =
            list.iter().map(|&(id, o)| (id, 1, o)).collect();
        let list = list.as_slice();
        verdict_with(
            RuleId::IConserve,
            &op,
            &obs,
            &StepResult::ok([]),
            &obs,
            Some(list),
        )
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
fn conserve_counts_runs_of_ids_without_listing_them() {
    let (jdoe, ana): (MsMailAddress, MsMailAddress) = (JDOE.parse().unwrap(), ANA.parse().unwrap());
    let op = wizard(Version::V55);
    let obs = migrated();
    let runs = |list: &[(u64, u64, &MsMailAddress)]| {
        verdict_with(
            RuleId::IConserve,
            &op,
            &obs,
            &StepResult::ok([]),
            &obs,
            Some(list),
        )
    };
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
fn conserve_is_vacuous_without_mail() {
    let setup = Setup::new(
        Default::default(),
        Default::default(),
        vec![MsMailUser::new(JDOE.parse().unwrap(), 0)],
    )
    .unwrap();
    let obs = Observation::default();
    let op = wizard(Version::V55);
    let result = StepResult::ok([]);
    let edge = Edge {
        setup: &setup,
        op: &op,
        before: &obs,
        result: &result,
        after: &obs,
        messages: None,
    };
    assert_eq!(conserve(&edge), Verdict::Vacuous);
}

#[test]
fn unique_sees_an_alias_held_twice() {
    let mut obs = migrated();
    obs.custom_recipients.push(CustomRecipientView {
        alias: "jdoe".to_string(),
        address: "MS:NET1/PO2/ANA".to_string(),
        container: "Recipients".to_string(),
    });
    broken(on_state(RuleId::IUnique, &obs), "alias jdoe is held twice");
}

#[test]
fn unique_sees_an_address_held_twice() {
    let mut obs = migrated();
    obs.mailboxes
        .push(mailbox("ANA", &["smtp:jdoe@CONTOSO.com"], &[]));
    broken(
        on_state(RuleId::IUnique, &obs),
        "address smtp:jdoe@CONTOSO.com is held twice",
    );
    obs.mailboxes[1].proxies = vec!["SMTP:ANA@contoso.com".to_string()];
    assert_eq!(on_state(RuleId::IUnique, &obs), Verdict::Holds);
}

#[test]
fn unique_is_vacuous_with_one_recipient() {
    assert_eq!(on_state(RuleId::IUnique, &migrated()), Verdict::Vacuous);
}

#[test]
fn abort_sees_mail_that_moved_in_an_aborted_step() {
    let op = wizard(Version::V55);
    let aborted = StepResult::new(
        Outcome::Aborted {
            user: ANA.parse().unwrap(),
            event: Event {
                id: 7026,
                source: "MSExchangeMig",
                kind: "Error",
                category: "None",
                description: "Migration Aborted due to Mapi logon failure.".into(),
            },
        },
        [RuleId::W7026],
    );
    let before = migrated();
    assert_eq!(
        verdict(RuleId::IAbort, &op, &before, &aborted, &before),
        Verdict::Holds
    );
    let mut after = migrated();
    after.msmail[1].waiting = 0;
    after.mailboxes[0].mail.push(MailView {
        folder: "Inbox",
        owner: ANA.to_string(),
        count: 1,
    });
    broken(
        verdict(RuleId::IAbort, &op, &before, &aborted, &after),
        "NET1/PO2/ANA's mail moved",
    );
    assert_eq!(
        verdict(RuleId::IAbort, &op, &before, &StepResult::ok([]), &after),
        Verdict::Vacuous
    );
}

#[test]
fn owner_sees_5_5_delivering_into_a_mailbox_not_tied_to_the_owner() {
    let after = {
        let mut obs = migrated();
        obs.mailboxes[0].proxies = vec!["SMTP:JDOE@contoso.com".to_string()];
        obs
    };
    let result = moved(JDOE, "JDOE", 2);
    broken(
        verdict(
            RuleId::IOwner,
            &wizard(Version::V55),
            &after,
            &result,
            &after,
        ),
        "5.5 delivered NET1/PO1/JDOE's mail into JDOE",
    );
    broken(
        verdict(
            RuleId::IOwner,
            &wizard(Version::V55Sp1),
            &after,
            &result,
            &after,
        ),
        "5.5-sp1 delivered",
    );
    // 5.0's alias lookup may do it: that is Q242184's "unreliable method".
    assert_eq!(
        verdict(
            RuleId::IOwner,
            &wizard(Version::V50),
            &after,
            &result,
            &after
        ),
        Verdict::Vacuous
    );
    // Tied by MIGRATE proxy, by MS proxy, or by step one: it holds.
    let bound = migrated();
    assert_eq!(
        verdict(
            RuleId::IOwner,
            &wizard(Version::V55),
            &bound,
            &result,
            &bound
        ),
        Verdict::Holds
    );
    let mut by_ms = after.clone();
    by_ms.mailboxes[0]
        .proxies
        .push("ms:net1/po1/jdoe".to_string());
    assert_eq!(
        verdict(
            RuleId::IOwner,
            &wizard(Version::V55),
            &by_ms,
            &result,
            &by_ms
        ),
        Verdict::Holds
    );
    let mut made = after.clone();
    made.mailboxes[0].created_for = Some(JDOE.to_string());
    assert_eq!(
        verdict(RuleId::IOwner, &wizard(Version::V55), &made, &result, &made),
        Verdict::Holds
    );
}

#[test]
fn evaluate_names_the_broken_property() {
    let setup = setup();
    let mut obs = migrated();
    obs.mailboxes[0].mail[0].count = 5;
    let op = wizard(Version::V55);
    let result = StepResult::ok([]);
    let edge = Edge {
        setup: &setup,
        op: &op,
        before: &obs,
        result: &result,
        after: &obs,
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
