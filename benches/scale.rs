//! The scale benchmark (issue 10): `run` and `diff` on a post office of 10^3, 10^4 and
//! 10^5 users with 10 messages each and one full wizard step, as the CLI does them (parse,
//! replay with the model check as `auto` decides, render), time and peak memory.
//!
//! `cargo bench --bench scale` runs criterion's groups, then prints the table
//! `BENCHMARKS.md` quotes: one measured run per size and version, with the 10x ratios.

mod common;

use criterion::{BenchmarkId, Criterion, SamplingMode};
use migwiz::tools::replay::{ModelCheckPolicy, Replayer};
use migwiz::tools::report::{transcript_head, transcript_step};
use migwiz::{Scenario, Version, VersionDiff};

#[global_allocator]
static ALLOCATOR: common::Counting = common::Counting;

const SIZES: [usize; 3] = [1_000, 10_000, 100_000];

/// `migwiz run FILE [--version V]` as the CLI does it: parse, then each step replayed and
/// its transcript lines written (here counted, not kept), then the final state.
fn run(text: &str, version: Option<Version>) -> usize {
    let scenario = Scenario::parse("scale.toml", text).expect("the world parses");
    let mut replayer = Replayer::new(&scenario, version, ModelCheckPolicy::Auto);
    let mut written = transcript_head(&scenario.name, None, version, replayer.model_check()).len();
    while let Some(step) = replayer.next_step() {
        written += transcript_step(&step).len();
    }
    let replay = replayer.finish();
    assert!(replay.disagreements.is_empty());
    written + replay.transcript_tail().len()
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

/// A post office of `n` users and a user list of `n` rows, imported by one batch run
/// (OP-MAILMIG, Function IMPORT) under 5.5 SP1.
fn batch_world(n: usize) -> String {
    let mut text = String::from("name = \"batch import at scale\"\n");
    for i in 0..n {
        text.push_str(&format!(
            "[[users]]\naddress = \"NET1/PO1/U{i}\"\nmessages = 1\n"
        ));
    }
    let mut csv = migwiz::vocabulary::files::USER_LIST_COLUMNS.join(",") + "\r\n";
    for i in 0..n {
        csv.push_str(&format!(
            "U{i},User {i},Y,Mailbox,Create,U{i},User {i},~SERVER,migrate:MS:NET1/PO1/U{i}\r\n"
        ));
    }
    text.push_str("[files]\n");
    text.push_str(&format!(
        "'C:\\Migrate\\Userlist.csv' = \"\"\"\n{}\"\"\"\n",
        csv.replace("\r\n", "\\r\\n")
    ));
    text.push_str("'C:\\Migrate\\po1.txt' = \"Mode,MSMAILPC\\r\\nFunction,IMPORT\\r\\nFile,C:\\\\Migrate\\\\Userlist.csv\\r\\nPostoffice,\\\\\\\\MAILSRV\\\\MAILDATA\\r\\n\"\n");
    text.push_str("[[steps]]\nop = \"mailmig\"\nversion = \"5.5-sp1\"\ncommand = '/C:C:\\Migrate\\po1.txt /A:ADMIN /P:PASSWORD'\n");
    text
}

/// Issue 37: an IMPORT of a user list of 10^4 and 10^5 rows into a post office of as many
/// users, as `migwiz run` does it (the model skipped at this size, as `auto` decides).
fn batch_import() {
    println!("\n| batch IMPORT (issue 37) | users = rows | time | peak heap | time ratio to 10x fewer rows |");
    println!("|---|---|---|---|---|");
    let mut last = None;
    for n in [10_000, 100_000] {
        let text = batch_world(n);
        let check = Scenario::parse("batch.toml", &text).expect("the world parses");
        let replay = migwiz::tools::replay::replay_with(&check, None, ModelCheckPolicy::Off);
        let code = replay.steps[0].result.batch.as_ref().map(|b| b.result_code);
        assert_eq!(code, Some(0), "the import runs clean");
        assert_eq!(replay.observation.mailboxes.len(), n);
        let (_, took, peak) = common::measure(|| run(&text, None));
        print_row("run: mailmig IMPORT", n, took, peak, last);
        last = Some(took);
    }
}

/// One measured run of each case, as a Markdown table with the ratio to the size before.
fn table() {
    batch_import();
    if std::env::var("MIGWIZ_BENCH_ONLY").is_ok_and(|v| v == "batch") {
        return;
    }
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
    hardening();
    third_hardening();
}

/// `migwiz run FILE` of a file with `[[clients]]`, as the CLI does it (`--model-check
/// auto`): parse, run the clients, judge, render the transcript.
fn run_concurrent(text: &str) -> usize {
    let scenario = Scenario::parse("concurrent.toml", text).expect("the world parses");
    let how = migwiz::tools::race::How::default();
    let report = migwiz::tools::race::run_watched(&scenario, &how, &|_, _, _| {});
    assert!(report.passed(), "{}", report.transcript());
    report.transcript().len()
}

/// `n` users, then a wizard client of `steps` full 5.5 steps and a client that delivers one
/// message to the first user; or, `concurrent` false, the same steps one after the other.
fn one_wizard_one_delivery(n: usize, steps: usize, concurrent: bool) -> String {
    let mut text = users(n, 1);
    let wizard = "{ op = \"wizard\", version = \"5.5\", phase = \"full\" }";
    let deliver = "{ op = \"deliver\", user = \"N0/P0/U0\", messages = 1 }";
    if concurrent {
        let steps = vec![wizard; steps].join(",\n  ");
        text.push_str(&format!(
            "[[clients]]\nname = \"wizard\"\nsteps = [\n  {steps}\n]\n[[clients]]\nname = \"mail\"\nsteps = [ {deliver} ]\n"
        ));
    } else {
        for _ in 0..steps {
            text.push_str("[[steps]]\nop = \"wizard\"\nversion = \"5.5\"\nphase = \"full\"\n");
        }
        text.push_str("[[steps]]\nop = \"deliver\"\nuser = \"N0/P0/U0\"\nmessages = 1\n");
    }
    text
}

/// `n` users of one mailbox name, each in a post office of its own, or of names all
/// different, and one full 5.5 step.
fn named(n: usize, same: bool) -> String {
    let mut text = String::from("name = \"names\"\n");
    for i in 0..n {
        let mailbox = if same {
            "JDOE".to_string()
        } else {
            format!("U{i}")
        };
        text.push_str(&format!(
            "[[users]]\naddress = \"N{}/P{}/{mailbox}\"\n",
            i / 1000,
            i % 1000
        ));
    }
    text + "[[steps]]\nop = \"wizard\"\nversion = \"5.5\"\nphase = \"full\"\n"
}

/// Issue 35's figures: concurrent runs against the same steps one after the other (the
/// sequential run as `auto` decides: no model above 2,000 users; and with the model on),
/// ten times the units, and users of one mailbox name against unique names.
fn third_hardening() {
    println!("\n| case (issue 35) | time | peak heap | against |");
    println!("|---|---|---|---|");
    let row = |name: &str, took: std::time::Duration, peak: usize, against: String| {
        println!(
            "| {name} | {:.2} s | {} | {against} |",
            took.as_secs_f64(),
            common::mb(peak)
        );
    };
    for n in [1_000, 2_000, 5_000, 10_000] {
        let (_, tc, pc) = common::measure(|| run_concurrent(&one_wizard_one_delivery(n, 1, true)));
        let sequential = one_wizard_one_delivery(n, 1, false);
        let (_, ts, _) = common::measure(|| run(&sequential, None));
        let scenario = Scenario::parse("s.toml", &sequential).expect("parses");
        let (_, tm, _) = common::measure(|| {
            let mut r = Replayer::new(&scenario, None, ModelCheckPolicy::Full);
            while r.next_step().is_some() {}
            r.finish().disagreements.len()
        });
        row(
            &format!("run, clients at once: {n} users, one wizard, one delivery"),
            tc,
            pc,
            format!(
                "x{:.1} the sequential run ({:.2} s), x{:.1} it with the model on ({:.2} s)",
                tc.as_secs_f64() / ts.as_secs_f64(),
                ts.as_secs_f64(),
                tc.as_secs_f64() / tm.as_secs_f64(),
                tm.as_secs_f64()
            ),
        );
    }
    let (_, t600, p600) =
        common::measure(|| run_concurrent(&one_wizard_one_delivery(10, 600, true)));
    row(
        "run, clients at once: 10 users x 600 wizard steps",
        t600,
        p600,
        String::new(),
    );
    let (_, t6000, p6000) =
        common::measure(|| run_concurrent(&one_wizard_one_delivery(10, 6_000, true)));
    row(
        "run, clients at once: 10 users x 6,000 wizard steps",
        t6000,
        p6000,
        format!(
            "x{:.1} the time for x10 units",
            t6000.as_secs_f64() / t600.as_secs_f64()
        ),
    );
    for n in [8_000, migwiz::tools::scenario::MAX_WORLD - 1] {
        let (_, tu, _) = common::measure(|| run(&named(n, false), None));
        let (_, ts, ps) = common::measure(|| run(&named(n, true), None));
        row(
            &format!("run: {n} users of one mailbox name"),
            ts,
            ps,
            format!(
                "x{:.2} unique names ({:.2} s)",
                ts.as_secs_f64() / tu.as_secs_f64(),
                tu.as_secs_f64()
            ),
        );
    }
}

/// `n` users with `messages` each, then `steps` full wizard steps, the versions in turn.
fn wizard_steps(n: usize, messages: u32, steps: usize) -> String {
    let mut text = users(n, messages);
    for i in 0..steps {
        let version = ["5.0", "5.5", "5.5-sp1"][i % 3];
        text.push_str(&format!(
            "[[steps]]\nop = \"wizard\"\nversion = \"{version}\"\nphase = \"full\"\n"
        ));
    }
    text
}

/// The file's name and `n` users `N{i%100}/P{i/100%1000}/U{i}` with `messages` each.
fn users(n: usize, messages: u32) -> String {
    let mut text = String::from("name = \"scale\"\n");
    for i in 0..n {
        text.push_str(&format!(
            "[[users]]\naddress = \"N{}/P{}/U{i}\"\nmessages = {messages}\n",
            i % 100,
            i / 100 % 1000
        ));
    }
    text
}

/// Issue 25's figures: memory that does not grow with the steps, steps naming many users,
/// many deliveries, the largest world accepted, and the model check at its limit.
fn hardening() {
    println!("\n| case (issue 25) | time | peak heap | ratio |");
    println!("|---|---|---|---|");
    let row = |name: &str, took: std::time::Duration, peak: usize, ratio: String| {
        println!(
            "| {name} | {:.2} s | {} | {ratio} |",
            took.as_secs_f64(),
            common::mb(peak)
        );
    };
    // 10^4 users x 200 and x 2,000 wizard steps: the peak must not grow with the steps.
    let (_, t200, p200) = common::measure(|| run(&wizard_steps(10_000, 1, 200), None));
    row(
        "run: 10^4 users, 200 wizard steps",
        t200,
        p200,
        String::new(),
    );
    let (_, t2000, p2000) = common::measure(|| run(&wizard_steps(10_000, 1, 2_000), None));
    let ratio = format!("x{:.2} peak for x10 steps", p2000 as f64 / p200 as f64);
    row("run: 10^4 users, 2,000 wizard steps", t2000, p2000, ratio);
    // One step naming 2x10^5 users, against the same step with its users left implicit.
    let n = 200_000;
    let implicit =
        users(n, 1) + "[[steps]]\nop = \"wizard\"\nversion = \"5.5\"\nphase = \"full\"\n";
    let names: Vec<String> = (0..n)
        .map(|i| format!("\"N{}/P{}/U{i}\"", i % 100, i / 100 % 1000))
        .collect();
    let explicit = format!("{implicit}users = [{}]\n", names.join(", "));
    let (_, ti, pi) = common::measure(|| run(&implicit, None));
    row(
        "run: one step, 2x10^5 users implicit",
        ti,
        pi,
        String::new(),
    );
    let (_, te, pe) = common::measure(|| run(&explicit, None));
    let ratio = format!(
        "x{:.2} the implicit time",
        te.as_secs_f64() / ti.as_secs_f64()
    );
    row("run: one step naming 2x10^5 users", te, pe, ratio);
    // 10^5 deliveries, one to each of 10^5 users.
    let mut delivered = users(100_000, 1);
    for i in 0..100_000 {
        delivered.push_str(&format!(
            "[[steps]]\nop = \"deliver\"\nuser = \"N{}/P{}/U{i}\"\nmessages = 1\n",
            i % 100,
            i / 100 % 1000
        ));
    }
    let (_, took, peak) = common::measure(|| run(&delivered, None));
    row(
        "run: 10^5 deliveries to 10^5 users",
        took,
        peak,
        String::new(),
    );
    // The largest worlds a file may hold (MAX_WORLD users plus steps), under diff.
    let limit = migwiz::tools::scenario::MAX_WORLD;
    let most_users = wizard_steps(limit - 1, 1, 1);
    let (_, took, peak) = common::measure(|| diff(&most_users));
    row(
        "diff: 249,999 users, one wizard step",
        took,
        peak,
        String::new(),
    );
    let most_steps = wizard_steps(10, 1, limit - 10);
    let (_, took, peak) = common::measure(|| diff(&most_steps));
    row(
        "diff: 10 users, 249,990 wizard steps",
        took,
        peak,
        String::new(),
    );
    // The model check at its work limit (users x steps = MODEL_CHECK_WORK), in full.
    let at_limit = wizard_steps(500, 1, 400);
    let (_, took, peak) = common::measure(|| run(&at_limit, None));
    row(
        "run: 500 users x 400 steps, model checked",
        took,
        peak,
        String::new(),
    );
    let (_, took, peak) = common::measure(|| diff(&at_limit));
    row(
        "diff: 500 users x 400 steps, model checked",
        took,
        peak,
        String::new(),
    );
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
