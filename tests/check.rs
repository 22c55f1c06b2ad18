//! `migwiz check`: the exact number of reachable states of a fixed universe is pinned, so
//! any change of behaviour is noticed at once; the search is the same on one thread or two;
//! and no property breaks within the bound.

use migwiz::tools::check::{check, CheckConfig};

mod common;

#[test]
fn two_users_depth_5_reach_exactly_these_states() {
    let report = check(&CheckConfig {
        users: 2,
        depth: 5,
        ..CheckConfig::default()
    });
    assert!(report.violation.is_none(), "{:?}", report.violation);
    assert_eq!(report.alphabet, 20);
    assert_eq!(report.levels, [1, 8, 58, 310, 1127, 2881]);
    assert_eq!(report.states, 4385);
    assert_eq!(report.max_depth, 5);
    for (name, depth) in &report.reached {
        assert!(depth.is_some(), "never reached: {name}");
    }
    println!(
        "{} states, {} edges in {:.1?}",
        report.states, report.edges, report.elapsed
    );
}

#[test]
fn one_thread_or_two_find_the_same_states() {
    let one = check(&CheckConfig {
        users: 3,
        depth: 3,
        threads: 1,
        ..CheckConfig::default()
    });
    let two = check(&CheckConfig {
        users: 3,
        depth: 3,
        threads: 2,
        ..CheckConfig::default()
    });
    assert_eq!(one.levels, two.levels);
    assert_eq!(one.edges, two.edges);
    assert_eq!(one.levels, [1, 10, 100, 786]);
}

#[test]
fn the_cli_reports_counts_and_depth() {
    let text = common::succeeds(["check", "--depth", "2"]);
    assert!(text.contains("states: 67 distinct"), "{text}");
    assert!(text.contains("depth reached: 2"), "{text}");
    assert!(text.contains("violations: none"), "{text}");
}
