//! The explorer: the divergences the articles describe are found within a bounded number
//! of cases; the shared property list is evaluated on every step it takes (its `sometimes`
//! properties reached, its `always` ones, I-OWNER among them, never broken); and the
//! divergence catalogue from a fixed seed is a snapshot.

use std::path::Path;

mod common;
use common::succeeds;

use migwiz::harness::properties::{Kind, PROPERTIES};
use migwiz::tools::explore::{explore, Catalogue, Class, ExploreConfig};
use migwiz::VersionDiff;

fn catalogue(cases: u32) -> Catalogue {
    explore(
        &ExploreConfig {
            cases,
            seed: 1,
            ..ExploreConfig::default()
        },
        |_| {},
    )
}

/// Asserts the explorer finds `class` within `cases` sequences, and prints the witness.
fn sometimes(class: Class, cases: u32) {
    let cat = catalogue(cases);
    let entry = cat.entry(class).unwrap();
    let scenario = cat
        .witness_scenario(entry)
        .unwrap_or_else(|| panic!("no sequence in {cases} cases showed: {}", class.title()));
    println!(
        "{} — witness of {} step(s):\n{}",
        class.title(),
        scenario.steps.len(),
        scenario.to_toml()
    );
    println!("{}", VersionDiff::of(&scenario).render());
}

/// Asserts the explorer reaches the `sometimes` property `name` within `cases` sequences.
fn reaches(name: &str, cases: u32) {
    let cat = catalogue(cases);
    let tally = cat.properties.iter().find(|t| t.name == name).unwrap();
    assert_eq!(tally.kind, Kind::Sometimes);
    assert!(
        tally.held_in > 0,
        "no sequence in {cases} cases reached: {name}"
    );
}

#[test]
fn sometimes_v50_delivers_into_a_mailbox_not_tied_to_its_owner() {
    reaches(
        "5.0 delivers mail into a mailbox not tied to its owner",
        300,
    );
    sometimes(Class::V50Unbound, 300);
}

#[test]
fn every_sometimes_property_is_reached() {
    for p in PROPERTIES.iter().filter(|p| p.kind() == Kind::Sometimes) {
        reaches(p.name, 300);
    }
}

#[test]
fn sometimes_v55_logs_7026_where_v50_succeeds() {
    sometimes(Class::V55AbortedV50Ok, 300);
}

#[test]
fn sometimes_v55_fails_where_sp1_succeeds() {
    sometimes(Class::V55AbortedSp1Ok, 300);
}

#[test]
fn never_is_an_always_property_broken_nor_does_5_5_deliver_into_an_unbound_mailbox() {
    let cat = catalogue(3000);
    for t in &cat.properties {
        assert!(t.broken.is_none(), "{}: {:?}", t.name, t.broken);
        if t.kind == Kind::Always {
            assert!(t.held_in > 0, "{} never checked anything", t.name);
        }
    }
    assert!(!cat.broken());
    for class in [Class::V55Unbound, Class::Sp1Unbound] {
        let entry = cat.entry(class).unwrap();
        if let Some(s) = cat.witness_scenario(entry) {
            panic!("I-OWNER broken: {}\n{}", class.title(), s.to_toml());
        }
    }
}

#[test]
fn the_same_seed_gives_the_same_catalogue() {
    let a = catalogue(200);
    let b = catalogue(200);
    assert_eq!(a.document(), b.document());
}

#[test]
fn divergence_catalogue_seed_1() {
    let cat = catalogue(1000);
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(Path::new(env!("CARGO_MANIFEST_DIR")).join("snapshots"));
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings.bind(|| insta::assert_snapshot!("divergence_catalogue__seed_1", cat.document()));
}

#[test]
fn witness_files_replay_with_migwiz_diff() {
    let dir = std::env::temp_dir().join(format!("migwiz-explore-{}", std::process::id()));
    let dir_arg = dir.to_string_lossy().into_owned();
    let table = succeeds([
        "explore", "--seed", "1", "--cases", "300", "--out", &dir_arg,
    ]);
    assert!(table.starts_with("class"), "{table}");
    let witnesses = common::toml_files(&dir);
    assert!(witnesses >= 8, "only {witnesses} witness files");
    let text = succeeds(["diff", &dir_arg]);
    assert_eq!(text.matches("== explore seed 1").count(), witnesses);
    assert!(
        !text.contains("agree on every step"),
        "a witness whose versions agree:\n{text}"
    );
}

#[test]
fn sometimes_v50_logs_147_where_v55_succeeds() {
    sometimes(Class::V50Event147V55Ok, 300);
}

#[test]
fn sometimes_v55_logs_7034_where_sp1_succeeds() {
    sometimes(Class::V55Event7034Sp1Ok, 300);
}

#[test]
fn sometimes_the_same_user_list_migrates_under_one_version_only() {
    sometimes(Class::UserListMigratesUnderOneVersion, 300);
}

/// Issue 25, item 7: the diff of every class's witness has a row that names the class's
/// difference, at the step where the class shows when it is about a step.
#[test]
fn every_witness_diffs_with_a_row_that_names_its_difference() {
    let cat = catalogue(1000);
    let mut checked = Vec::new();
    for entry in &cat.entries {
        let (Some(witness), Some(scenario)) = (&entry.witness, cat.witness_scenario(entry)) else {
            continue;
        };
        let diff = VersionDiff::of(&scenario);
        let step = format!("#{} ", witness.at + 1);
        let named = |row: &migwiz::tools::diff::DiffRow| {
            let what = row.what.as_str();
            let cells = row.cells.join("\n");
            match entry.class {
                Class::V55AbortedV50Ok
                | Class::V55AbortedSp1Ok
                | Class::V50AbortedV55Ok
                | Class::Sp1AbortedV55Ok
                | Class::AbortedElsewhere => {
                    what.starts_with(&step) && cells.contains("aborted: 7026")
                }
                Class::V50Unbound | Class::V55Unbound | Class::Sp1Unbound => {
                    what.starts_with("mail delivered to a mailbox")
                }
                Class::CustomRecipientKept => what == "custom recipients",
                Class::MailElsewhere => what.starts_with("mail of "),
                Class::RefusedUnderOneVersion => {
                    what.starts_with(&step) && cells.contains("refused")
                }
                Class::FolderLanguage => what.starts_with("folders of "),
                Class::MailboxesDiffer => what == "mailboxes",
                Class::AddressesDiffer => what.starts_with("addresses of "),
                Class::V50Event147V55Ok => {
                    what.starts_with(&step) && row.cells[0].contains("147 for")
                }
                Class::V55Event7034Sp1Ok => {
                    what.starts_with(&step) && row.cells[1].contains("7034 for")
                }
                Class::UserListMigratesUnderOneVersion => {
                    what.starts_with(&step) && cells.contains(" -> ")
                }
                Class::ErrorEventsDiffer | Class::V55Event7032Sp1Ok => what == "event log",
                Class::UserListDiffers => what == "user list",
                Class::CalendarMessageV55NotV50 => what.starts_with("calendar of "),
                Class::ResultCodesDiffer => {
                    what.starts_with(&step) && cells.contains("result code")
                }
                Class::FilesDiffer => what == "files" || what.starts_with("text of "),
                Class::Other => true,
            }
        };
        assert!(
            diff.rows.iter().any(named),
            "{}: no row names it in\n{}\n{}",
            entry.class.title(),
            scenario.to_toml(),
            diff.render()
        );
        checked.push(entry.class);
    }
    // Every class the catalogue of seed 1 found (its snapshot lists them) was checked.
    assert!(
        checked.len() >= 17,
        "only {} witnesses: {checked:?}",
        checked.len()
    );
}
