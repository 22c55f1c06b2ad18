//! `migwiz check`: the exact number of reachable states of a fixed universe is pinned, so
//! any change of behaviour is noticed at once; the search is the same on one thread or two;
//! and no property breaks within the bound.

use migwiz::tools::check::{check, Alphabet, CheckConfig};

mod common;

#[test]
fn two_users_depth_5_reach_exactly_these_states() {
    // Part 1's alphabet: these counts are unchanged since part 1 (states are identified
    // without the 10068 summaries, which every wizard step appends).
    let report = check(&CheckConfig {
        alphabet: Alphabet::Part1,
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
fn the_full_alphabet_covers_part_2_with_these_states() {
    let report = check(&CheckConfig {
        alphabet: Alphabet::Full,
        users: 2,
        depth: 4,
        ..CheckConfig::default()
    });
    assert!(report.violation.is_none(), "{:?}", report.violation);
    assert_eq!(report.alphabet, 32);
    assert_eq!(report.levels, [1, 14, 138, 1080, 6745]);
    assert_eq!(report.states, 7978);
    for (name, depth) in &report.reached {
        assert!(depth.is_some(), "never reached: {name}");
    }
}

#[test]
fn one_thread_or_two_find_the_same_states() {
    for (alphabet, levels) in [
        (Alphabet::Part1, [1, 10, 100, 786]),
        (Alphabet::Full, [1, 19, 256, 2840]),
    ] {
        let run = |threads| {
            check(&CheckConfig {
                alphabet,
                users: 3,
                depth: 3,
                threads,
                ..CheckConfig::default()
            })
        };
        let (one, two) = (run(1), run(2));
        assert_eq!(one.levels, two.levels);
        assert_eq!(one.edges, two.edges);
        assert_eq!(one.levels, levels, "{alphabet:?}");
    }
}

#[test]
fn the_cli_reports_counts_and_depth() {
    let text = common::succeeds(["check", "--alphabet", "part1", "--depth", "2"]);
    assert!(text.contains("states: 67 distinct"), "{text}");
    assert!(text.contains("depth reached: 2"), "{text}");
    assert!(text.contains("violations: none"), "{text}");
}
