//! Named regressions: the shortest sequences that caught hand-injected bugs, each pinned
//! to the behaviour the rules require, on the model and the implementation alike.

use migwiz::vocabulary::operation::Chosen;
use migwiz::vocabulary::outcome::{FoundBy, Refusal};
use migwiz::{
    Language, Model, MsMailUser, Observation, Operation, Outcome, Phase, Server, Setup, StepResult,
    UserResult, Version,
};

fn setup(users: &[(&str, u32)]) -> Setup {
    let users = users
        .iter()
        .map(|(a, n)| MsMailUser::new(a.parse().unwrap(), *n))
        .collect();
    Setup::new(Default::default(), Language::English, users).unwrap()
}

fn create(alias: &str) -> Operation {
    Operation::create_mailbox(alias.parse().unwrap())
}

fn wizard(version: Version, phase: Phase) -> Operation {
    Operation::wizard(version, phase)
}

/// Runs the steps on both; asserts they agree and returns the implementation's results.
fn run(setup: &Setup, steps: &[Operation]) -> (Vec<StepResult>, Observation) {
    let mut model = Model::new(setup);
    let mut server = Server::new(setup);
    let mut results = Vec::new();
    for op in steps {
        let r = server.apply(op);
        assert_eq!(r, model.apply(op), "results differ at `{op}`");
        results.push(r);
    }
    let obs = server.observe();
    assert_eq!(obs, model.observe());
    (results, obs)
}

#[test]
fn v55_does_not_look_up_by_alias() {
    // Injected bug "5.5 looks up by alias": two users named JDOE got one mailbox.
    let s = setup(&[("NET1/PO1/JDOE", 0), ("NET2/PO1/JDOE", 0)]);
    let (_, obs) = run(&s, &[wizard(Version::V55, Phase::Create)]);
    let aliases: Vec<&str> = obs.mailboxes.iter().map(|m| m.alias.as_str()).collect();
    assert_eq!(aliases, ["JDOE", "JDOE2"]);
}

#[test]
fn sp1_falls_back_to_the_ms_proxy() {
    // Injected bug "SP1 fallback missing": PAT's hand-made mailbox is given PAT's MS Mail
    // address as a secondary MS proxy.
    let s = setup(&[("NET3/PO3/PAT", 1)]);
    let add = Operation::AddProxy {
        alias: "PAT".parse().unwrap(),
        address: "ms:NET3/PO3/PAT".parse().unwrap(),
    };
    let (results, _) = run(
        &s,
        &[create("PAT"), add, wizard(Version::V55Sp1, Phase::Migrate)],
    );
    assert!(matches!(
        &results[2].users[0],
        UserResult::Migrated {
            found_by: FoundBy::MsProxy,
            messages: 1,
            ..
        }
    ));
}

#[test]
fn v55_replaces_the_custom_recipient_and_rtm_writes_no_migrate() {
    // Injected bugs "custom recipient kept by 5.5" and "RTM writes MIGRATE" (Q183312).
    let s = setup(&[("NET1/PO1/JDOE", 2)]);
    let cr =
        Operation::custom_recipient("ADMIN".parse().unwrap(), "NET1/PO1/JDOE".parse().unwrap());
    let (results, obs) = run(&s, &[cr.clone(), wizard(Version::V55, Phase::Full)]);
    assert!(obs.custom_recipients.is_empty());
    assert!(obs.mailboxes[0]
        .proxies
        .contains(&"ms:NET1/PO1/JDOE".to_string()));
    assert!(matches!(results[1].outcome, Outcome::Aborted { .. }));
    let (results, _) = run(&s, &[cr, wizard(Version::V55Sp1, Phase::Full)]);
    assert_eq!(results[1].outcome, Outcome::Ok);
}

#[test]
fn a_second_logon_keeps_the_folder_names() {
    // Injected bug "logon renames existing folders" (Q188856).
    let s = setup(&[("NET1/PO1/ANA", 1)]);
    let spanish = Operation::Logon {
        alias: "ANA".parse().unwrap(),
        language: Language::Spanish,
    };
    let english = Operation::Logon {
        alias: "ANA".parse().unwrap(),
        language: Language::English,
    };
    let (_, obs) = run(
        &s,
        &[
            create("ANA"),
            spanish,
            english,
            wizard(Version::V50, Phase::Migrate),
        ],
    );
    assert_eq!(obs.mailboxes[0].folders[0], "Bandeja de entrada");
    assert_eq!(obs.mailboxes[0].mail[0].folder, "Bandeja de entrada");
}

#[test]
fn an_abort_keeps_the_mail_and_stops_the_run() {
    // Injected bug "an abort loses mail"; W-7026 also stops later users.
    let s = setup(&[("NET1/PO1/JDOE", 2), ("NET1/PO1/ANA", 1)]);
    let (results, obs) = run(
        &s,
        &[
            create("JDOE"),
            create("ANA"),
            wizard(Version::V55, Phase::Migrate),
        ],
    );
    assert!(matches!(results[2].outcome, Outcome::Aborted { .. }));
    assert_eq!(results[2].users.len(), 1, "ANA is not reached");
    assert_eq!(obs.msmail[0].waiting, 2);
    assert_eq!(obs.msmail[1].waiting, 1);
    // The 7026, then the run's summary (W-10068).
    let ids: Vec<u32> = obs.events.iter().map(|e| e.id).collect();
    assert_eq!(ids, [7026, 10068]);
}

#[test]
fn mail_is_migrated_once() {
    // Injected bug "step two migrates a message twice" (W-ONCE).
    let s = setup(&[("NET2/PO2/ANA2", 1)]);
    let full = wizard(Version::V50, Phase::Full);
    let (results, obs) = run(&s, &[full.clone(), full]);
    assert_eq!(obs.mailboxes[0].mail[0].count, 1);
    assert!(results[1].rules.iter().any(|r| r.as_str() == "W-ONCE"));
}

#[test]
fn a_taken_address_is_refused() {
    // Injected bug "a taken proxy accepted" (A-UNIQUE), with the type's case flipped.
    let s = setup(&[("NET1/PO1/JDOE", 0)]);
    let add = Operation::AddProxy {
        alias: "JDOE-MS".parse().unwrap(),
        address: "smtp:jdoe-ms@CONTOSO.COM".parse().unwrap(),
    };
    let (results, _) = run(&s, &[create("JDOE-MS"), add]);
    assert!(results[1].outcome.is_refused());
}

#[test]
fn aliases_collide_without_case() {
    // Injected bug "alias index keyed with case" (A-ALIAS).
    let s = setup(&[("NET3/PO3/PAT", 0)]);
    let (results, _) = run(&s, &[wizard(Version::V50, Phase::Create), create("pat")]);
    assert!(results[1].outcome.is_refused());
}

fn deliver(user: &str, messages: u32) -> Operation {
    Operation::Deliver {
        user: user.parse().unwrap(),
        messages,
        date: None,
    }
}

fn refusal(result: &StepResult) -> &Refusal {
    match &result.outcome {
        Outcome::Refused(r) => r,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[test]
fn mail_past_a_users_count_is_refused() {
    // OP-DELIVER: a user's messages, at the start and delivered since, are counted in 32
    // bits; mail that would pass the count is refused and changes nothing. A missed
    // mutant of `PostOffice::deliver` (the count as a product, not a sum) showed that
    // nothing tested the limit.
    let jdoe = "NET1/PO1/JDOE";
    let s = setup(&[(jdoe, u32::MAX - 1), ("NET1/PO2/ANA", u32::MAX)]);
    let (results, _) = run(
        &s,
        &[
            deliver(jdoe, 1),
            deliver(jdoe, 1),
            deliver("NET1/PO2/ANA", 1),
            deliver("NET1/PO2/ANA", 0),
        ],
    );
    assert_eq!(results[0].outcome, Outcome::Ok);
    assert!(matches!(refusal(&results[1]), Refusal::TooMuchMail { .. }));
    assert!(matches!(refusal(&results[2]), Refusal::TooMuchMail { .. }));
    assert_eq!(results[3].outcome, Outcome::Ok);
}

#[test]
fn a_step_naming_a_user_the_post_office_lacks_is_refused() {
    // A wizard run or an extraction for chosen users checks each against the post office
    // first (a missed mutant, `has_user` always true, showed no test named one). The
    // scenario format refuses such a file before it runs, so only the library can ask.
    let s = setup(&[("NET1/PO1/JDOE", 1)]);
    let stranger: migwiz::MsMailAddress = "NET9/PO9/NOBODY".parse().unwrap();
    let mut run_for = Operation::wizard(Version::V55, Phase::Full);
    if let Operation::Wizard(w) = &mut run_for {
        w.users = Chosen::These(vec![stranger.clone()]);
    }
    let extract = Operation::ExtractUserList {
        version: Version::V55,
        users: Some(vec![stranger]),
    };
    let (results, after) = run(&s, &[run_for, extract]);
    for r in &results {
        assert!(matches!(refusal(r), Refusal::UnknownUser { user } if user == "NET9/PO9/NOBODY"));
    }
    assert!(after.mailboxes.is_empty(), "{after:?}");
}
