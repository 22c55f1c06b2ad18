//! `migwiz mailmig --world WORLD.toml -- /C:CONTROL /A:ACCOUNT /P:PASSWORD [/S]`: one batch
//! run as an administrator ran `mailmig.exe`, its result code as the exit status.

use std::path::PathBuf;

use migwiz::tools::mailmig::{check_out, prepare, run, write_out, Local};
use migwiz::tools::report::transcript_step;
use migwiz::vocabulary::printable;
use migwiz::Version;

use crate::emit;

/// The arguments of `migwiz mailmig`.
#[derive(clap::Args)]
pub struct Args {
    /// The world the run meets: a scenario file (its steps, if any, run first).
    #[arg(long, value_name = "WORLD.toml")]
    world: PathBuf,
    /// The version of mailmig.exe: 5.0, 5.5 or 5.5-sp1 (the default: SP1 through SP3).
    #[arg(long, default_value = "5.5-sp1", value_parser = parse_version)]
    version: Version,
    /// Where the files the run writes go (default: the control file's folder on disk, or
    /// the current folder).
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// mailmig's switches, after `--`: /C:CONTROL /A:ACCOUNT /P:PASSWORD [/S].
    #[arg(last = true, value_name = "SWITCHES")]
    switches: Vec<String>,
}

fn parse_version(s: &str) -> Result<Version, String> {
    s.parse()
        .map_err(|e: migwiz::vocabulary::operation::UnknownVersion| e.to_string())
}

/// migwiz's own failure: exit status 3, as SCENARIO-FORMAT-4.md asks (2 is mailmig's).
fn own(message: String) -> std::process::ExitCode {
    eprintln!("{message}");
    std::process::ExitCode::from(3)
}

/// Runs the batch and prints it; the exit status is its result code.
pub fn exec(args: &Args) -> std::process::ExitCode {
    let world = match crate::input::load(&args.world) {
        Ok(world) => world,
        Err(message) => return own(message),
    };
    // Paths as the user gave them, relative to the current folder.
    let cwd = PathBuf::new();
    let batch = match prepare(
        world,
        &args.switches,
        args.version,
        &Local::disk(cwd.clone()),
    ) {
        Ok(batch) => batch,
        Err(message) => return own(format!("error: {message}\n  help: name files you can read")),
    };
    let out = args
        .out
        .clone()
        .or_else(|| batch.control_folder.clone())
        .filter(|dir| !dir.as_os_str().is_empty())
        .unwrap_or_else(|| PathBuf::from("."));
    if let Err(message) = check_out(&out) {
        return own(format!(
            "error: --out {message}\n  help: give a folder you can write with --out"
        ));
    }
    let done = run(&batch);
    let mut text = String::new();
    for (path, local) in &batch.read {
        text.push_str(&format!(
            "read {} from {}\n",
            printable(path),
            printable(&local.display().to_string())
        ));
    }
    if let Some(step) = done.replay.steps.last() {
        text.push_str(&transcript_step(step));
    }
    text.push_str("\nEvents this run logged\n");
    if done.logged.is_empty() {
        text.push_str("  (none)\n");
    }
    for event in &done.logged {
        for line in event.to_string().lines() {
            text.push_str(&format!("  {}\n", printable(line)));
        }
        text.push('\n');
    }
    if emit(&text).is_err() {
        return own("error: cannot write standard output".to_string());
    }
    let written = match write_out(&out, &done.written) {
        Ok(written) => written,
        Err(message) => return own(format!("error: {message}")),
    };
    let mut text = String::new();
    for place in &written {
        text.push_str(&format!(
            "wrote {}\n",
            printable(&place.display().to_string())
        ));
    }
    text.push_str(&format!("result code {}\n", done.result_code));
    if emit(&text).is_err() {
        return own("error: cannot write standard output".to_string());
    }
    if crate::input::reported_disagreements(&done.replay) {
        return own("error: the reference model disagreed with the implementation (a bug in migwiz); see above".to_string());
    }
    std::process::ExitCode::from(done.result_code)
}
