//! The contract: the rule ids in the code are exactly those of `spec/RULES.md`, the copy of
//! the spec in this repository matches the shared one, scenario files survive a round trip,
//! and the parser answers any input without panicking.

use std::path::Path;

use migwiz::harness::generate::{operation_strategy, setup_strategy};
use migwiz::Model;
use migwiz::RuleId;
use migwiz::Scenario;
use proptest::prelude::*;

fn spec(name: &str) -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("spec")
            .join(name),
    )
    .unwrap()
}

/// The ids RULES.md, RULES-PART2.md and RULES-PART4.md define: first cells of their tables, and the
/// `- I-…:` invariant lines (part 2 extends two part 1 ids, which count once).
fn rule_ids_in_spec() -> Vec<String> {
    let mut ids = Vec::new();
    let text = spec("RULES.md") + &spec("RULES-PART2.md") + &spec("RULES-PART4.md");
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("| ") {
            let id = rest.split(" |").next().unwrap_or("");
            let shaped = id.contains('-')
                && id
                    .chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-');
            if shaped {
                ids.push(id.to_string());
            }
        }
        if let Some(rest) = line.strip_prefix("- I-") {
            let name: String = rest.chars().take_while(char::is_ascii_uppercase).collect();
            ids.push(format!("I-{name}"));
        }
    }
    ids.sort();
    ids.dedup();
    ids
}

#[test]
fn rule_ids_match_rules_md() {
    let mut ours: Vec<String> = RuleId::ALL.iter().map(|r| r.as_str().to_string()).collect();
    ours.sort();
    assert_eq!(ours, rule_ids_in_spec());
}

#[test]
fn vendored_spec_matches_the_shared_one() {
    let shared = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/spec");
    if !shared.exists() {
        println!("no ../shared/spec beside this checkout; nothing to compare");
        return;
    }
    for name in [
        "RULES.md",
        "RULES-PART2.md",
        "SCENARIO-FORMAT.md",
        "SCENARIO-FORMAT-2.md",
        "SCENARIO-FORMAT-3.md",
        "SCENARIO-FORMAT-4.md",
        "CONCURRENCY.md",
        "RULES-PART4.md",
        "Q242184.txt",
    ] {
        let theirs = std::fs::read_to_string(shared.join(name)).unwrap();
        assert_eq!(
            spec(name),
            theirs,
            "spec/{name} differs from ../shared/spec/{name}: copy it over"
        );
    }
}

/// A generated world and steps, as a scenario.
fn scenario_strategy() -> impl Strategy<Value = Scenario> {
    setup_strategy().prop_flat_map(|setup| {
        let model = Model::new(&setup);
        proptest::collection::vec(operation_strategy(&model), 0..12).prop_map(move |steps| {
            Scenario {
                name: "generated".to_string(),
                description: Some("round \"trip\"".to_string()),
                setup: setup.clone(),
                steps,
                clients: Vec::new(),
                schedule: 0,
            }
        })
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn scenarios_survive_a_round_trip(scenario in scenario_strategy()) {
        let text = scenario.to_toml();
        let again = Scenario::parse("generated.toml", &text).map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
        prop_assert_eq!(again, scenario);
    }

    #[test]
    fn the_parser_answers_any_text(text in "\\PC{0,200}") {
        let _ = Scenario::parse("any.toml", &text);
    }

    #[test]
    fn the_parser_answers_mangled_kb_scenarios(cut in 0usize..2000, insert in "[\\[\\]=\"a-z0-9/:. \n-]{0,12}") {
        let text = spec("../scenarios/01-q242184-symptoms.toml");
        let at = (cut % (text.len() + 1)).min(text.len());
        let at = (0..=at).rev().find(|i| text.is_char_boundary(*i)).unwrap_or(0);
        let mangled = format!("{}{}{}", &text[..at], insert, &text[at..]);
        if let Err(e) = Scenario::parse("m.toml", &mangled) {
            prop_assert!(e.line >= 1 && e.column >= 1);
            prop_assert!(!e.help.is_empty());
        }
    }
}
