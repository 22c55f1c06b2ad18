//! `migwiz explore`: random sequences under every version, divergences sorted into classes
//! with a shrunk witness each, and every property of the shared list evaluated.

use std::path::PathBuf;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use migwiz::tools::explore::{self, Catalogue, ExploreConfig};
use migwiz::tools::witnesses::{WitnessFolder, Writer};

use crate::{emit, Failure, Status};

/// The arguments of `migwiz explore`.
#[derive(clap::Args)]
pub struct Args {
    /// How many random sequences to generate (at least 1).
    #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u32).range(1..))]
    cases: u32,
    /// The random seed: the same seed gives the same catalogue.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Where to write one witness scenario file per class found. Witnesses an earlier run
    /// wrote there (listed in its .migwiz-witnesses file) are removed first; nothing else is.
    #[arg(long, default_value = "witnesses")]
    out: PathBuf,
    /// Print the catalogue as JSON instead of a table.
    #[arg(long)]
    json: bool,
    /// Also write the catalogue as pages into this folder: index.html, linking each class
    /// to its witness's side-by-side page.
    #[arg(long, value_name = "DIR")]
    html: Option<PathBuf>,
}

/// Explores, writes the witnesses, prints the catalogue. Ctrl-C stops generating and
/// prints the catalogue of the cases run so far, marked partial; a second Ctrl-C quits.
pub fn exec(args: &Args) -> Result<Status, Failure> {
    // Checked before the first case, not after an hour.
    let folder = crate::input::open_out(&args.out, Writer::Explore, "witnesses")?;
    let pages = match &args.html {
        Some(dir) => Some(crate::input::open_out(
            dir,
            Writer::ExplorePages,
            "the pages",
        )?),
        None => None,
    };
    let config = ExploreConfig {
        cases: args.cases,
        seed: args.seed,
        ..ExploreConfig::default()
    };
    let stop = crate::input::interrupt_flag();
    let bar = progress_bar(config.cases);
    let catalogue = explore::explore_until(&config, |done| bar.set_position(done.into()), &stop);
    if catalogue.is_partial() {
        bar.abandon_with_message("stopped by Ctrl-C; shrinking the cases run so far");
    } else {
        bar.finish_and_clear();
    }
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
    // After the catalogue: a witness that cannot be written loses nothing of the run.
    write_witnesses(&catalogue, &folder)?;
    if let Some(pages) = &pages {
        let files = migwiz::tools::pages::catalogue::pages(&catalogue);
        pages.replace(&files).map_err(|e| {
            Failure::Invalid(format!(
                "{}: cannot write the pages: {e}\n  help: move that file away, or write the pages elsewhere with --html",
                pages.dir().display()
            ))
        })?;
    }
    if catalogue.broken() {
        eprintln!("error: a property the rules require broke (see above); that is a bug in migwiz");
        return Ok(Status::Bug);
    }
    if catalogue.is_partial() {
        eprintln!(
            "explore: stopped by Ctrl-C after {} of {} sequences; the catalogue above is partial",
            catalogue.cases_run, config.cases
        );
        return Ok(Status::Interrupted);
    }
    Ok(Status::Done)
}

/// A progress bar with rate and time left, drawn only when standard error is a terminal.
fn progress_bar(cases: u32) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(Some(cases.into()), ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template(
        "[{bar:30}] {pos}/{len} sequences, {per_sec}, {eta} left {msg}",
    ) {
        bar.set_style(style.progress_chars("#>-"));
    }
    bar
}

fn write_witnesses(catalogue: &Catalogue, folder: &WitnessFolder) -> Result<(), Failure> {
    let files: Vec<(String, String)> = catalogue
        .entries
        .iter()
        .filter_map(|entry| {
            let scenario = catalogue.witness_scenario(entry)?;
            Some((Catalogue::witness_file_name(entry), scenario.to_toml()))
        })
        .collect();
    let replaced = folder.replace(&files).map_err(|e| {
        Failure::Invalid(format!(
            "{}: cannot write the witnesses: {e}\n  help: move that file away, or write the witnesses elsewhere with --out",
            folder.dir().display()
        ))
    })?;
    if replaced.removed > 0 {
        eprintln!(
            "explore: removed {} witness file(s) an earlier run wrote (listed in {}); other files are left alone",
            replaced.removed,
            folder.index().display()
        );
    }
    Ok(())
}
