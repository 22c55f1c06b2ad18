//! `migwiz explore`: random sequences under every version, divergences sorted into classes
//! with a shrunk witness each, and every property of the shared list evaluated.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use migwiz::tools::explore::{self, Catalogue, ExploreConfig};

use crate::{emit, Failure, Status};

/// The arguments of `migwiz explore`.
#[derive(clap::Args)]
pub struct Args {
    /// How many random sequences to generate.
    #[arg(long, default_value_t = 1000)]
    cases: u32,
    /// The random seed: the same seed gives the same catalogue.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Where to write one witness scenario file per class found.
    #[arg(long, default_value = "witnesses")]
    out: PathBuf,
    /// Print the catalogue as JSON instead of a table.
    #[arg(long)]
    json: bool,
}

/// Explores, writes the witnesses, prints the catalogue.
pub fn exec(args: &Args) -> Result<Status, Failure> {
    let config = ExploreConfig {
        cases: args.cases,
        seed: args.seed,
        ..ExploreConfig::default()
    };
    let terminal = std::io::stderr().is_terminal();
    let started = std::time::Instant::now();
    let catalogue = explore::explore(&config, |done| {
        if terminal && (done % 25 == 0 || done == config.cases) {
            let width = 30 * done as usize / config.cases.max(1) as usize;
            eprint!(
                "\r[{:<30}] {done}/{} sequences",
                "#".repeat(width),
                config.cases
            );
            let _ = std::io::stderr().flush();
        }
    });
    if terminal {
        eprintln!(
            "\rexplored {} sequences in {:.1?}, shrinking included{:20}",
            config.cases,
            started.elapsed(),
            ""
        );
    }
    write_witnesses(&catalogue, &args.out)?;
    let dir = args.out.display().to_string();
    let text = if args.json {
        catalogue.to_json(Some(&dir)) + "\n"
    } else {
        format!(
            "{}\n{}",
            catalogue.table(Some(&dir)),
            catalogue.property_report()
        )
    };
    emit(&text)?;
    if catalogue.broken() {
        eprintln!("error: a property the rules require broke (see above); that is a bug in migwiz");
        return Ok(Status::Bug);
    }
    Ok(Status::Done)
}

fn write_witnesses(catalogue: &Catalogue, out: &PathBuf) -> Result<(), Failure> {
    std::fs::create_dir_all(out).map_err(|e| {
        Failure::Invalid(format!(
            "{}: cannot create the folder: {e}\n  help: name a folder you can write to with --out",
            out.display()
        ))
    })?;
    for entry in &catalogue.entries {
        if let Some(scenario) = catalogue.witness_scenario(entry) {
            let path = out.join(Catalogue::witness_file_name(entry));
            std::fs::write(&path, scenario.to_toml()).map_err(|e| {
                Failure::Invalid(format!("{}: cannot write the witness: {e}", path.display()))
            })?;
        }
    }
    Ok(())
}
