//! The fast fuzz run: a few thousand hostile and half-right scenario files through the
//! parser and the replay (`migwiz::tools::fuzz`): no panic, every error placed inside
//! the file with a help line, and model and implementation agreeing on every replay. The
//! long run is `cargo run --release --example fuzz` (BENCHMARKS.md).

use std::path::Path;

use migwiz::tools::fuzz::{check_input, fuzz, seed_files, FuzzConfig, Verdict};

fn bundled_scenarios() -> Vec<String> {
    seed_files(Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios"))).unwrap()
}

#[test]
fn a_few_thousand_hostile_files_find_no_bug() {
    let seeds = bundled_scenarios();
    let report = fuzz(
        &FuzzConfig {
            inputs: 4000,
            seed: 2026,
        },
        &seeds,
        |_| {},
    );
    let bugs: Vec<&String> = report.bugs.iter().map(|(_, what)| what).collect();
    assert!(bugs.is_empty(), "{bugs:#?}");
    // The inputs reach both sides: many replay, many are rejected.
    let replayed = report.histogram.get("replayed").copied().unwrap_or(0);
    assert!(replayed > 200, "{:?}", report.histogram);
    assert!(report.histogram.len() > 10, "{:?}", report.histogram);
}

#[test]
fn the_judge_tells_a_bug_from_a_rejection() {
    // Every bundled scenario replays, but those that read a file beside them: the fuzzer
    // reads nothing from the disk, so it refuses `{ from = … }`.
    for seed in bundled_scenarios() {
        let verdict = check_input(seed.as_bytes());
        match seed.contains("{ from = ") {
            false => assert_eq!(verdict, Verdict::Replayed),
            true => assert!(matches!(verdict, Verdict::Rejected(_)), "{verdict:?}"),
        }
    }
    assert!(matches!(check_input(b"name = 3"), Verdict::Rejected(_)));
    assert!(matches!(check_input(b"\xff\xfe"), Verdict::Rejected(_)));
}

/// Issue 37: control files, accounts files and user lists, half-right, mutated and hostile
/// (10^5 lines, a field of a megabyte, a byte order mark, UTF-16, CR-only line ends, NUL,
/// U+202E), run by both halves: no panic, no difference, nothing raw on the screen; every
/// result code seen. The long run: `cargo run --release --example fuzz -- batch`.
#[test]
fn a_few_thousand_batch_inputs_find_no_bug() {
    use migwiz::tools::fuzz::batch::fuzz_batch;
    let report = fuzz_batch(
        &FuzzConfig {
            inputs: 2000,
            seed: 37,
        },
        |_| {},
    );
    let bugs: Vec<&String> = report.bugs.iter().map(|(_, what)| what).collect();
    assert!(bugs.is_empty(), "{bugs:#?}");
    for code in 0..=2 {
        let seen = report
            .histogram
            .get(&format!("result code {code}"))
            .copied()
            .unwrap_or(0);
        assert!(seen > 0, "no run ended with {code}: {:?}", report.histogram);
    }
}
