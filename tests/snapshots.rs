//! The KB scenarios of `scenarios/` frozen as insta snapshots in the top-level `snapshots/`
//! folder: for each scenario and each version, the transcript and the JSON run report, and
//! the version diff. A changed behaviour shows up here as a snapshot diff; review it with
//! `cargo insta review`.

use std::path::{Path, PathBuf};

use migwiz::replay;
use migwiz::Scenario;
use migwiz::VersionDiff;
use migwiz::{Operation, Version};

/// The `.toml` files of `scenarios/` or of a folder in it, sorted.
fn toml_files(folder: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(folder);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{folder}/: {e}"))
        .map(|e| e.expect("readable entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    files
}

fn scenario_files() -> Vec<PathBuf> {
    toml_files("scenarios")
}

fn snapshot_name(file: &Path) -> String {
    let stem = file
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("scenario");
    // "01-q242184-symptoms" -> "q242184_symptoms"
    let stem = stem.split_once('-').map_or(stem, |(_, rest)| rest);
    stem.replace('-', "_")
}

fn settings() -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    s.set_snapshot_path(Path::new(env!("CARGO_MANIFEST_DIR")).join("snapshots"));
    s.set_prepend_module_to_snapshot(false);
    s.set_omit_expression(true);
    s
}

#[test]
fn every_kb_scenario_under_every_version() {
    let files = scenario_files();
    assert!(files.len() >= 8, "the eight KB scenarios are in scenarios/");
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let scenario =
            Scenario::parse(&file.display().to_string(), &text).unwrap_or_else(|e| panic!("{e}"));
        let name = snapshot_name(&file);
        let mut settings = settings();
        settings.set_info(&file.file_name().unwrap().to_string_lossy().to_string());
        settings.bind(|| {
            for version in Version::ALL {
                let run = replay(&scenario, Some(version));
                assert!(run.disagreements.is_empty(), "{:?}", run.disagreements);
                let v = version.as_str().replace(['.', '-'], "_");
                insta::assert_snapshot!(format!("{name}__{v}"), run.transcript());
                insta::assert_snapshot!(format!("{name}__{v}__json"), run.to_json());
            }
            let diff = VersionDiff::of(&scenario);
            insta::assert_snapshot!(format!("{name}__diff"), diff.render());
            // A scenario whose steps name more than one version (a user list of one version
            // run by another) is also frozen as written: under one version it is another.
            if versions_named(&scenario) > 1 {
                let run = replay(&scenario, None);
                assert!(run.disagreements.is_empty(), "{:?}", run.disagreements);
                insta::assert_snapshot!(format!("{name}__as_written"), run.transcript());
            }
        });
    }
}

fn versions_named(scenario: &Scenario) -> usize {
    let mut named: Vec<Version> = scenario
        .steps
        .iter()
        .filter_map(|op| match op {
            Operation::Wizard(run) => Some(run.version),
            Operation::ExtractUserList { version, .. } => Some(*version),
            _ => None,
        })
        .collect();
    named.sort();
    named.dedup();
    named.len()
}

/// `scenarios/refused/` holds worlds the rules refuse (A-SITE as settled): each is refused
/// when read, and its message, with line and help, is frozen.
#[test]
fn every_refused_scenario_says_why() {
    let files = toml_files("scenarios/refused");
    assert!(!files.is_empty());
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let shown = format!(
            "scenarios/refused/{}",
            file.file_name().unwrap().to_string_lossy()
        );
        let error = match Scenario::parse(&shown, &text) {
            Ok(_) => panic!("{shown} was accepted"),
            Err(e) => e.to_string(),
        };
        let name = format!("refused__{}", snapshot_name(&file));
        settings().bind(|| insta::assert_snapshot!(name, error));
    }
}

/// `scenarios/concurrent/` holds the documented races (Q168606, Q190423) and the mid-run
/// resolution (C-MIDRUN), each frozen under schedule 0 (the wizard's unit first) and
/// schedule 3 (the other client's first): each order, and the verdict.
#[test]
fn every_race_under_each_order() {
    let files = toml_files("scenarios/concurrent");
    assert!(
        files.len() >= 3,
        "the two documented races and the mid-run resolution"
    );
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let scenario =
            Scenario::parse(&file.display().to_string(), &text).unwrap_or_else(|e| panic!("{e}"));
        let name = file
            .file_stem()
            .unwrap()
            .to_string_lossy()
            .replace('-', "_");
        let mut settings = settings();
        settings.set_info(&file.file_name().unwrap().to_string_lossy().to_string());
        settings.bind(|| {
            for schedule in [0, 3] {
                let report =
                    migwiz::tools::race::run_scenario(&scenario, None, Some(schedule), None);
                assert!(report.passed(), "{}", report.transcript());
                insta::assert_snapshot!(
                    format!("race__{name}__schedule_{schedule}"),
                    report.transcript()
                );
            }
        });
    }
}
