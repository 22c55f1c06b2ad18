//! The fuzz run: `cargo run --release --example fuzz -- [batch] [INPUTS] [SEED]` (default
//! 1,000,000 inputs, seed 1; `batch`: control files and user lists run by `mailmig`). Seeds are the bundled scenarios in `scenarios/`. Prints the outcome
//! histogram and the time; writes each bug's input to `target/fuzz-bugs/` and exits 1 if
//! any input found one.

use std::path::Path;

use migwiz::tools::fuzz::{fuzz, seed_files, FuzzConfig};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let mut args = std::env::args().skip(1).peekable();
    // `-- batch [INPUTS] [SEED]`: the batch run's harness (control files, user lists).
    let batch = args.peek().is_some_and(|a| a == "batch");
    if batch {
        args.next();
    }
    let inputs = args
        .next()
        .and_then(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let seed = args.next().and_then(|a| a.parse().ok()).unwrap_or(1);
    let seeds = seed_files(Path::new("scenarios"))
        .expect("run from the repository root: scenarios/ holds the seed files");
    // Panics are caught and counted as bugs; their messages are in the report.
    std::panic::set_hook(Box::new(|_| {}));
    let every = |done: u64| {
        if done.is_multiple_of(100_000) {
            eprintln!("{done} inputs");
        }
    };
    let report = match batch {
        true => migwiz::tools::fuzz::batch::fuzz_batch(&FuzzConfig { inputs, seed }, every),
        false => fuzz(&FuzzConfig { inputs, seed }, &seeds, every),
    };
    println!(
        "{} inputs (seed {seed}, {} seed files) in {:.1} s: {:.0} inputs/s",
        report.inputs,
        seeds.len(),
        report.elapsed.as_secs_f64(),
        report.inputs as f64 / report.elapsed.as_secs_f64()
    );
    println!("| outcome | inputs |\n|---|---|");
    for (class, count) in &report.histogram {
        println!("| {class} | {count} |");
    }
    if report.bugs.is_empty() {
        return;
    }
    let dir = Path::new("target/fuzz-bugs");
    let _ = std::fs::create_dir_all(dir);
    for (i, (input, what)) in report.bugs.iter().enumerate() {
        let path = dir.join(format!("bug-{i}.toml"));
        let _ = std::fs::write(&path, input);
        println!("bug: {what} ({})", path.display());
    }
    std::process::exit(1);
}
