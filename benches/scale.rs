//! The scale benchmark (issue 10): `run` and `diff` on a post office of 10^3, 10^4 and
//! 10^5 users with 10 messages each and one full wizard step, as the CLI does them (parse,
//! replay with the model check as `auto` decides, render), time and peak memory.
//!
//! `cargo bench --bench scale` runs criterion's groups, then prints the table
//! `BENCHMARKS.md` quotes: one measured run per size and version, with the 10x ratios.

mod common;

use criterion::{BenchmarkId, Criterion, SamplingMode};
use migwiz::tools::replay::{replay_with, ModelCheckPolicy};
use migwiz::{Scenario, Version, VersionDiff};

#[global_allocator]
static ALLOCATOR: common::Counting = common::Counting;

const SIZES: [usize; 3] = [1_000, 10_000, 100_000];

/// `migwiz run FILE [--version V]`: parse, replay, transcript.
fn run(text: &str, version: Option<Version>) -> usize {
    let scenario = Scenario::parse("scale.toml", text).expect("the world parses");
    let replay = replay_with(&scenario, version, ModelCheckPolicy::Auto);
    assert!(replay.disagreements.is_empty());
    replay.transcript().len()
}

/// `migwiz diff FILE`: parse, replay under every version, render the differences.
fn diff(text: &str) -> usize {
    let scenario = Scenario::parse("scale.toml", text).expect("the world parses");
    VersionDiff::of(&scenario).render().len()
}

fn criterion_groups(c: &mut Criterion) {
    let mut group = c.benchmark_group("scale");
    group.sample_size(10).sampling_mode(SamplingMode::Flat);
    for n in SIZES {
        let text = common::world(n, 10, "5.5");
        group.bench_with_input(BenchmarkId::new("run", n), &text, |b, t| {
            b.iter(|| run(t, None))
        });
        group.bench_with_input(BenchmarkId::new("diff", n), &text, |b, t| {
            b.iter(|| diff(t))
        });
    }
    group.finish();
}

/// One measured run of each case, as a Markdown table with the ratio to the size before.
fn table() {
    println!("\n| case | users | time | peak heap | time ratio to 10x fewer users |");
    println!("|---|---|---|---|---|");
    for version in std::iter::once(None).chain(Version::ALL.map(Some)) {
        let mut last = None;
        for n in SIZES {
            let text = common::world(n, 10, "5.5");
            let (_, took, peak) = common::measure(|| run(&text, version));
            let name = match version {
                None => "run".to_string(),
                Some(v) => format!("run --version {v}"),
            };
            print_row(&name, n, took, peak, last);
            last = Some(took);
        }
    }
    let mut last = None;
    for n in SIZES {
        let text = common::world(n, 10, "5.5");
        let (_, took, peak) = common::measure(|| diff(&text));
        print_row("diff", n, took, peak, last);
        last = Some(took);
    }
    let steps: String = (0..10_000)
        .map(|i| format!("\n[[steps]]\nop = \"create-mailbox\"\nalias = \"M{i}\"\n"))
        .collect();
    let text = common::world(10, 10, "5.5")
        + &steps
        + "\n[[steps]]\nop = \"wizard\"\nversion = \"5.5\"\nphase = \"full\"\n";
    let (_, took, peak) = common::measure(|| run(&text, None));
    print_row(
        "10,000 create-mailbox steps, then the wizard",
        10,
        took,
        peak,
        None,
    );
    let text = common::world(1, 1_000_000_000, "5.5");
    let (_, took, peak) = common::measure(|| run(&text, None));
    print_row("one user with 10^9 messages", 1, took, peak, None);
}

fn print_row(
    name: &str,
    n: usize,
    took: std::time::Duration,
    peak: usize,
    last: Option<std::time::Duration>,
) {
    let ratio = last.map_or("".to_string(), |l| {
        format!("{:.1}", took.as_secs_f64() / l.as_secs_f64())
    });
    println!(
        "| {name} | {n} | {:.2} s | {} | {ratio} |",
        took.as_secs_f64(),
        common::mb(peak)
    );
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    criterion_groups(&mut c);
    c.final_summary();
    if std::env::args().all(|a| a != "--list") {
        table();
    }
}
