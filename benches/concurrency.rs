//! Concurrent runs (issue 24), measured:
//!
//! - the linearizability checker on histories of a 5-step prefix and 3 clients of 8 steps:
//!   linearizable ones as the deterministic scheduler ran them; non-linearizable ones made
//!   from them by changing what the first client unit returned, or the final state (so no
//!   order fits and the whole search runs), and ones the server ran with a named fault
//!   switched on; median and worst time, and peak heap; then stateright beside it, and
//!   each history's floor;
//! - `migwiz race`'s work in the deterministic mode: checked schedules a second, 3 clients
//!   of up to 6 steps;
//! - both checkers side by side in one criterion run, each kind of history whole (group
//!   `checker`), and the ratio of criterion's means.
//!
//! `cargo bench --bench concurrency`. Figures go to BENCHMARKS.md. For a profile of
//! migwiz's search alone, `MIGWIZ_PROFILE_LOOPS=4000 perf record --call-graph dwarf
//! target/release/deps/concurrency-<hash> --bench` checks the fault-made histories 4,000
//! times over and stops.

mod common;
#[path = "../tests/common/stateright_lin.rs"]
mod stateright_lin;

use std::path::Path;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, SamplingMode};

use migwiz::harness::concurrent::{case_strategy, judge, run, Answer, Call, Case, Mode, ModelSpec};
use migwiz::harness::generate::Reference;
use migwiz::harness::linearizability::{check, History, Spec, Verdict};
use migwiz::server::shared::Fault;
use migwiz::vocabulary::outcome::{Outcome, Refusal};
use migwiz::{Model, Operation};
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::TestRunner;
use proptest_state_machine::ReferenceStateMachine;

#[global_allocator]
static ALLOCATOR: common::Counting = common::Counting;

/// A case of a 5-step prefix and 3 clients of 8 steps each, from the sequential generator
/// (wizard steps to the first client; a client short of 8 keeps what it has).
fn big_case(runner: &mut TestRunner) -> Case {
    let (state, steps, _) = Reference::sequential_strategy(5 + 3 * 8..=5 + 3 * 8)
        .new_tree(runner)
        .unwrap()
        .current();
    let mut clients = vec![Vec::new(), Vec::new(), Vec::new()];
    let mut next = 1;
    for op in &steps[5..] {
        let lane = match op {
            Operation::Wizard(_) => 0,
            _ => {
                next = if next == 2 { 1 } else { 2 };
                next
            }
        };
        if clients[lane].len() < 8 {
            clients[lane].push(op.clone());
        }
    }
    Case {
        setup: state.setup,
        prefix: steps[..5].to_vec(),
        clients,
    }
}

fn spec(case: &Case) -> ModelSpec {
    let mut model = Model::new(&case.setup);
    for op in &case.prefix {
        model.apply(op);
    }
    ModelSpec { start: model }
}

/// `history` made non-linearizable: the last call's final state changed (`last`), or the
/// first client unit's answer.
fn broken(history: &History<Call, Answer>, last: bool) -> History<Call, Answer> {
    let mut broken = history.clone();
    let at = match last {
        true => broken.operations.len() - 1,
        false => broken
            .operations
            .iter()
            .position(|op| matches!(op.input, Call::Unit { .. }))
            .expect("a client unit"),
    };
    match &mut broken.operations[at].output {
        Some(Answer::Unit(result)) => {
            result.outcome = Outcome::Refused(Refusal::NoUserList);
            result.rules.clear();
        }
        Some(Answer::Observation(seen)) => seen.events.clear(),
        None => unreachable!("every call returned"),
    }
    broken
}

thread_local! {
    /// How many steps of the model migwiz's checker took on this thread ([`Counted`]).
    static STEPS: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// The model's specification, counting its steps: set beside stateright's count of its
/// own, the steps say how much of a time ratio is the search and how much the step.
struct Counted(ModelSpec);

impl Spec for Counted {
    type State = Model;
    type Input = Call;
    type Output = Answer;
    fn init(&self) -> Model {
        self.0.init()
    }
    fn step(&self, state: &Model, input: &Call) -> (Model, Answer) {
        STEPS.set(STEPS.get() + 1);
        self.0.step(state, input)
    }
    fn step_in_place(&self, state: &mut Model, input: &Call) -> Answer {
        STEPS.set(STEPS.get() + 1);
        self.0.step_in_place(state, input)
    }
}

/// Model steps taken by migwiz's checker and by stateright's on `broken` (stateright's
/// `None` when it ran out of `limit`).
fn steps_of(case: &Case, broken: &History<Call, Answer>, limit: Duration) -> (u64, Option<u64>) {
    STEPS.set(0);
    check(&Counted(spec(case)), broken, 10_000_000);
    let ours = STEPS.get();
    stateright_lin::INVOKES.set(0);
    let done = stateright_lin::stateright_within(&spec(case).start, broken, limit);
    (ours, done.map(|_| stateright_lin::INVOKES.get()))
}

/// A case and the history a run of it gave.
type Made = (Case, History<Call, Answer>);

/// A non-linearizable history under 100x, with both checkers' steps and the floor.
struct Under {
    calls: usize,
    /// Steps of the floor: the longest explained prefix and the stuck call.
    path: usize,
    ours: u64,
    theirs: u64,
    ours_per: f64,
    theirs_per: f64,
    ratio: f64,
    /// Stateright's time over [`floor`]'s, stepping from copies.
    floor: f64,
    /// Stateright's time over [`floor`]'s, stepping in place.
    in_place: f64,
}

/// The least a checker that steps the model must spend on `broken`, measured: the model
/// stepped along the verdict's longest explained prefix and its stuck call. Every order
/// that begins with that prefix has to be followed to the stuck call before it fails, so
/// no search refutes the history in fewer steps (for a final state changed, that is every
/// call). Timed twice: each step from a copy of the state, as a specification that takes a
/// state and gives a new one is stepped (porcupine's and stateright's checkers keep the
/// state before every step, to go back to); and all in place on one copy, less than any
/// search that has to go back can spend.
fn floor(spec: &ModelSpec, broken: &History<Call, Answer>) -> Floor {
    let Verdict::NotLinearizable {
        mut prefix, stuck, ..
    } = check(spec, broken, 10_000_000)
    else {
        panic!("a broken history is not linearizable");
    };
    prefix.push(stuck);
    let copying = fastest(|| {
        let mut state = spec.init();
        for &op in &prefix {
            state = spec.step(&state, &broken.operations[op].input).0;
        }
        std::hint::black_box(&state);
    });
    let in_place = fastest(|| {
        let mut state = spec.init();
        for &op in &prefix {
            match &broken.operations[op].input {
                Call::Unit { unit, .. } => drop(std::hint::black_box(state.apply_unit(unit))),
                Call::Observe => drop(std::hint::black_box(state.observe())),
            }
        }
        std::hint::black_box(&state);
    });
    Floor {
        copying,
        in_place,
        steps: prefix.len(),
    }
}

/// What [`floor`] measured.
struct Floor {
    copying: Duration,
    in_place: Duration,
    steps: usize,
}

/// Histories of [`big_case`]s that the server ran with `fault` switched on and that no
/// order explains: the first such of up to 20 schedules of each case, until `wanted`.
fn faulty(runner: &mut TestRunner, fault: Fault, wanted: usize) -> Vec<Made> {
    let mut found = Vec::new();
    while found.len() < wanted {
        let case = big_case(runner);
        for seed in 0..20 {
            let ran = run(&case, Mode::Deterministic { seed }, Some(fault));
            let explained = check(&spec(&case), &ran.history, 10_000_000);
            if ran.failure.is_none() && matches!(explained, Verdict::NotLinearizable { .. }) {
                found.push((case, ran.history));
                break;
            }
        }
    }
    found
}

/// Both checkers on `history`, the fastest of 5 runs each, both from the model after the
/// prefix, built before the clock starts (until 2026-11-30 migwiz's time included building
/// it: 5 steps); stateright's `None` when it ran out of `limit`. Each must find the
/// history `linearizable` or not, as said.
fn side_by_side(
    spec: &ModelSpec,
    history: &History<Call, Answer>,
    linearizable: bool,
    limit: Duration,
) -> (Duration, Option<Duration>) {
    let ours = fastest(|| {
        let found = match check(spec, history, 10_000_000) {
            Verdict::Linearizable { .. } => true,
            Verdict::NotLinearizable { .. } => false,
            Verdict::Unknown { .. } => panic!("the budget is ample"),
        };
        assert_eq!(found, linearizable);
    });
    let start = &spec.start;
    let theirs = stateright_lin::stateright_within(start, history, limit).map(|found| {
        assert_eq!(found, linearizable);
        fastest(|| {
            stateright_lin::stateright_within(start, history, limit);
        })
    });
    (ours, theirs)
}

/// The fastest of five runs of `f`: one history takes microseconds, and a single timing
/// of it is mostly noise (a cold cache, the other core's work).
fn fastest(f: impl Fn()) -> Duration {
    (0..5)
        .map(|_| {
            let started = Instant::now();
            f();
            started.elapsed()
        })
        .min()
        .unwrap_or_default()
}

fn median(mut times: Vec<Duration>) -> (Duration, Duration) {
    times.sort();
    (times[times.len() / 2], *times.last().unwrap())
}

/// Both checkers in one criterion run: one iteration checks every history of a kind, from
/// the model after its prefix, built beforehand; stateright has `limit` a history, as in
/// the tables. Prints the ratio of criterion's means, read from its estimates.
fn criterion_run(kinds: &[(&str, &[Made])], limit: Duration) {
    // Where criterion writes by default, named so that its estimates can be read back.
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).with_file_name("criterion");
    let mut c = Criterion::default()
        .output_directory(&dir)
        .configure_from_args();
    let started = std::time::SystemTime::now();
    let mut group = c.benchmark_group("checker");
    group.sample_size(10).sampling_mode(SamplingMode::Flat);
    for (kind, histories) in kinds {
        let ready: Vec<(ModelSpec, &History<Call, Answer>)> =
            histories.iter().map(|(case, h)| (spec(case), h)).collect();
        group.bench_function(BenchmarkId::new("migwiz", kind), |b| {
            b.iter(|| {
                for (spec, history) in &ready {
                    std::hint::black_box(check(spec, history, 10_000_000));
                }
            })
        });
        group.bench_function(BenchmarkId::new("stateright", kind), |b| {
            b.iter(|| {
                for (spec, history) in &ready {
                    std::hint::black_box(stateright_lin::stateright_within(
                        &spec.start,
                        history,
                        limit,
                    ));
                }
            })
        });
    }
    group.finish();
    c.final_summary();
    // Estimates written by this run only: a filter given to criterion skips some, and an
    // earlier run's would be read as this one's.
    let mean = |checker: &str, kind: &str| -> Option<f64> {
        let path = dir.join(format!("checker/{checker}/{kind}/new/estimates.json"));
        if std::fs::metadata(&path).ok()?.modified().ok()? < started {
            return None;
        }
        let text = std::fs::read_to_string(path).ok()?;
        let estimates: serde_json::Value = serde_json::from_str(&text).ok()?;
        estimates["mean"]["point_estimate"].as_f64()
    };
    println!("\nside by side in criterion (group `checker`, means of every history of a kind):");
    println!("| histories | migwiz | stateright | ratio of the means |");
    println!("|---|---|---|---|");
    for (kind, histories) in kinds {
        match (mean("migwiz", kind), mean("stateright", kind)) {
            (Some(ours), Some(theirs)) => println!(
                "| {kind}, {} | {:.2?} | {:.2?} | {:.0}x |",
                histories.len(),
                Duration::from_nanos(ours as u64),
                Duration::from_nanos(theirs as u64),
                theirs / ours
            ),
            _ => println!("| {kind} | not measured in this run | | |"),
        }
    }
}

fn main() {
    let mut runner = TestRunner::deterministic();
    let mut good: Vec<Made> = Vec::new();
    let mut seed = 0;
    while good.len() < 40 {
        let case = big_case(&mut runner);
        let ran = run(&case, Mode::Deterministic { seed }, None);
        seed += 1;
        if judge(&case, &ran).passed() {
            good.push((case, ran.history));
        }
    }
    let units: usize = good.iter().map(|(_, h)| h.operations.len()).sum::<usize>() / good.len();
    println!(
        "histories: {} of {units} calls on average (5-step prefix, 3 clients of up to 8 steps)",
        good.len()
    );

    let (times, _, peak) = common::measure(|| {
        let mut times = Vec::new();
        for (case, history) in &good {
            let spec = spec(case);
            let started = Instant::now();
            let verdict = check(&spec, history, 10_000_000);
            times.push(started.elapsed());
            assert!(matches!(verdict, Verdict::Linearizable { .. }));
        }
        times
    });
    let (med, worst) = median(times);
    println!(
        "linearizable: median {med:?}, worst {worst:?}, peak heap {}",
        common::mb(peak)
    );

    // Three kinds of history no order explains: the first client unit's answer changed
    // (the search stops soon: every unit called after it returned must come after it),
    // the final state changed (no order of all the units fits: the whole search runs,
    // memoized), and what the server returned with a named fault switched on (10 cases of
    // each fault, its own generator: where the fault shows is where the search stops).
    let started = Instant::now();
    let mut fault_runner = TestRunner::deterministic();
    let made_by_faults: Vec<Made> = Fault::ALL
        .iter()
        .flat_map(|&fault| faulty(&mut fault_runner, fault, 10))
        .collect();
    println!(
        "{} histories made by the 4 faults, found in {:.1?}",
        made_by_faults.len(),
        started.elapsed()
    );
    // For a profiler: `MIGWIZ_PROFILE_LOOPS=N` checks the fault-made histories N times over
    // and stops, so that `perf record` sees migwiz's search and little else.
    let loops = std::env::var("MIGWIZ_PROFILE_LOOPS").ok();
    if let Some(loops) = loops.and_then(|n| n.parse::<u32>().ok()) {
        let ready: Vec<_> = made_by_faults.iter().map(|(c, h)| (spec(c), h)).collect();
        for _ in 0..loops {
            for (spec, history) in &ready {
                std::hint::black_box(check(spec, history, 10_000_000));
            }
        }
        return;
    }
    let changed = |last: bool| -> Vec<Made> {
        good.iter()
            .map(|(case, history)| (case.clone(), broken(history, last)))
            .collect()
    };
    let kinds: [(&str, &str, Vec<Made>); 3] = [
        (
            "the first unit's answer changed",
            "first-answer-changed",
            changed(false),
        ),
        (
            "the final state changed",
            "final-state-changed",
            changed(true),
        ),
        ("made by a named fault", "made-by-a-fault", made_by_faults),
    ];
    for (what, _, histories) in &kinds {
        let ((times, steps_taken), _, peak) = common::measure(|| {
            let (mut times, mut steps_taken) = (Vec::new(), Vec::new());
            for (case, broken) in histories {
                let spec = spec(case);
                let started = Instant::now();
                let verdict = check(&spec, broken, 10_000_000);
                times.push(started.elapsed());
                match verdict {
                    Verdict::NotLinearizable { .. } => steps_taken.push(0),
                    Verdict::Unknown { steps } => steps_taken.push(steps),
                    Verdict::Linearizable { .. } => panic!("a broken history still fits"),
                }
            }
            (times, steps_taken)
        });
        let (med, worst) = median(times);
        let unknown = steps_taken.iter().filter(|&&s| s > 0).count();
        println!(
            "not linearizable, {what}: median {med:?}, worst {worst:?}, peak heap {}, {unknown} of {} ran out of budget",
            common::mb(peak),
            steps_taken.len()
        );
    }

    let mut runner = TestRunner::deterministic();
    let cases: Vec<(Case, u64)> = (0..500)
        .map(|_| {
            case_strategy(3, None)
                .new_tree(&mut runner)
                .unwrap()
                .current()
        })
        .collect();
    let started = Instant::now();
    let mut schedules = 0u64;
    for (case, seed) in &cases {
        for seed in seed * 4..seed * 4 + 4 {
            let ran = run(case, Mode::Deterministic { seed }, None);
            assert!(judge(case, &ran).passed());
            schedules += 1;
        }
    }
    let elapsed = started.elapsed();
    println!(
        "race, deterministic: {schedules} checked schedules in {elapsed:.2?}: {:.0} a second",
        schedules as f64 / elapsed.as_secs_f64()
    );
    // stateright 0.31's LinearizabilityTester on the same histories, last (a search that
    // runs out of its time is left running on its thread until the process ends).
    let mut times = Vec::new();
    for (case, history) in &good {
        let start = spec(case).start;
        let started = Instant::now();
        assert!(stateright_lin::stateright_linearizable(&start, history));
        times.push(started.elapsed());
    }
    let (med, worst) = median(times);
    println!("stateright, linearizable: median {med:?}, worst {worst:?}");
    // History by history, every broken one of each kind, stateright given `limit`
    // each (stopped from inside its model when it runs out: no search is left running).
    let limit = Duration::from_secs(1);
    std::panic::set_hook(Box::new(|_| {}));
    println!("stateright, not linearizable, history by history (limit {limit:?} each, the fastest of 5 runs of each checker):");
    println!("| broken | histories | migwiz median | stateright median | ratio min | ratio median | ratio max | >= 100x | stateright out of time |");
    println!("|---|---|---|---|---|---|---|---|---|");
    let mut unders = Vec::new();
    let mut sums = Vec::new(); // per kind: stateright's, the floors' and migwiz's times summed
    for (what, _, histories) in &kinds {
        let (mut ours_all, mut theirs_all, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
        let (mut hundred, mut out) = (0, 0);
        let mut under = Vec::new(); // the histories under 100x, with their steps
        let mut floors = Duration::ZERO;
        for (case, broken) in histories {
            let (our_steps, their_steps) = steps_of(case, broken, limit);
            let spec = spec(case);
            let (ours, theirs) = side_by_side(&spec, broken, false, limit);
            out += usize::from(theirs.is_none());
            let theirs = theirs.unwrap_or(limit); // a lower bound where it ran out
            let ratio = theirs.as_secs_f64() / ours.as_secs_f64();
            hundred += usize::from(ratio >= 100.0);
            let least = floor(&spec, broken);
            floors += least.in_place;
            if let (Some(their_steps), true) = (their_steps, ratio < 100.0) {
                let per_step = |t: Duration, n: u64| t.as_secs_f64() * 1e6 / n as f64;
                under.push(Under {
                    calls: broken.operations.len(),
                    path: least.steps,
                    ours: our_steps,
                    theirs: their_steps,
                    ours_per: per_step(ours, our_steps),
                    theirs_per: per_step(theirs, their_steps),
                    ratio,
                    floor: theirs.as_secs_f64() / least.copying.as_secs_f64(),
                    in_place: theirs.as_secs_f64() / least.in_place.as_secs_f64(),
                });
            }
            ours_all.push(ours);
            theirs_all.push(theirs);
            ratios.push(ratio);
        }
        let summed = |times: &[Duration]| times.iter().sum::<Duration>();
        sums.push((what, summed(&theirs_all), floors, summed(&ours_all)));
        ratios.sort_by(f64::total_cmp);
        let n = ratios.len();
        println!(
            "| {what} | {n} | {:?} | {:?} | {:.1}x | {:.0}x | {:.0}x | {hundred} of {n} | {out} (ratio a lower bound there) |",
            median(ours_all).0,
            median(theirs_all).0,
            ratios[0],
            ratios[n / 2],
            ratios[n - 1]
        );
        unders.push((what, under));
    }
    // Read over a kind as a whole (as criterion's means below read it): 100x needs migwiz
    // to check all of it within a hundredth of stateright's time, and no checker that
    // steps the model spends less than the floors.
    println!("\nevery history of a kind, summed (the fastest of 5 runs of each):");
    println!("| broken | stateright | 100x needs migwiz within | floors in place | migwiz |");
    println!("|---|---|---|---|---|");
    for (what, theirs, floors, ours) in &sums {
        println!(
            "| {what} | {theirs:.2?} | {:.2?} | {floors:.2?} | {ours:.2?} |",
            *theirs / 100
        );
    }
    // Why a ratio stays under 100x: no checker can refute a history with fewer steps of
    // the model than its floor (see `floor`), so stateright's time over the floor's is the
    // most any checker could reach.
    for (what, mut under) in unders {
        if under.is_empty() {
            continue;
        }
        println!("\nunder 100x, {what}:");
        println!("| calls | floor steps | migwiz steps | stateright steps | migwiz us/step | stateright us/step | ratio | stateright over the floor | over the floor in place |");
        println!("|---|---|---|---|---|---|---|---|---|");
        under.sort_by(|a, b| a.ratio.total_cmp(&b.ratio));
        for u in &under {
            println!(
                "| {} | {} | {} | {} | {:.2} | {:.2} | {:.1}x | {:.0}x | {:.0}x |",
                u.calls,
                u.path,
                u.ours,
                u.theirs,
                u.ours_per,
                u.theirs_per,
                u.ratio,
                u.floor,
                u.in_place
            );
        }
        let short = under.iter().filter(|u| u.floor < 100.0).count();
        let in_place = under.iter().filter(|u| u.in_place < 100.0).count();
        println!(
            "{short} of these {} stay under 100x even against the floor, {in_place} even against the floor in place",
            under.len()
        );
    }
    // Linearizable histories, history by history: is migwiz ever the slower?
    let mut slower = 0;
    let mut ratios = Vec::new();
    for (case, history) in &good {
        let (ours, theirs) = side_by_side(&spec(case), history, true, limit);
        let theirs = theirs.unwrap_or(limit);
        slower += usize::from(ours > theirs);
        ratios.push(theirs.as_secs_f64() / ours.as_secs_f64());
    }
    ratios.sort_by(f64::total_cmp);
    println!(
        "linearizable, history by history: migwiz slower on {slower} of {}; ratio min {:.1}x, median {:.1}x",
        ratios.len(),
        ratios[0],
        ratios[ratios.len() / 2]
    );
    let mut all: Vec<(&str, &[Made])> = vec![("linearizable", &good)];
    all.extend(
        kinds
            .iter()
            .map(|(_, id, histories)| (*id, histories.as_slice())),
    );
    criterion_run(&all, limit);
    let _ = std::panic::take_hook();
}
