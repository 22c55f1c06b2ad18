//! The `migwiz` command line: a thin layer that parses arguments, calls the library and
//! prints. One file per subcommand (`run`, `diff`, `explore`, `check`), each an `exec`
//! returning `Result<Status, Failure>`; the exit statuses and the quiet stop on a closed
//! pipe are decided here, in one place.

mod check;
mod diff;
mod explore;
mod input;
mod mailmig;
mod race;
mod run;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

// The wizard at scale and the exhaustive check allocate many small strings and states;
// mimalloc takes a third off a 10^5-user run compared with the system allocator
// (BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Replay and compare Exchange Migration Wizard runs (MS Mail to Exchange 5.0 / 5.5, KB Q242184).
#[derive(Parser)]
#[command(
    name = "migwiz",
    version,
    after_help = "Examples:\n  migwiz diff scenarios/\n  migwiz run scenarios/01-q242184-symptoms.toml --version 5.0\n\nExit status: 0 replayed; 1 the reference model disagreed with the implementation or a property broke (a bug in migwiz); 2 not a valid scenario file, an argument migwiz cannot use, or an output it cannot write (the message names the file, the argument or the output); 4 a concurrent run whose budget ran out before a verdict (unknown: not a pass); 130 explore, check or race stopped by Ctrl-C, after printing what it had."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Replay one scenario file and show each step, the event log and the final state.
    #[command(
        after_help = "Example:\n  migwiz run scenarios/01-q242184-symptoms.toml --version 5.0 --json"
    )]
    Run(run::Args),
    /// Replay scenarios under 5.0, 5.5 and 5.5-sp1 and show only where the versions differ.
    #[command(
        after_help = "Examples:\n  migwiz diff scenarios/\n  migwiz diff scenarios/05-q183312-custom-recipient.toml"
    )]
    Diff(diff::Args),
    /// Generate random sequences, run each under every version, and find the shortest
    /// witness of every kind of divergence; write each witness as a scenario file.
    #[command(
        after_help = "Examples:\n  migwiz explore --seed 1 --cases 2000 --out witnesses\n  migwiz diff witnesses/\n\nCtrl-C stops generating and prints the catalogue of the sequences run so far, marked partial (exit status 130)."
    )]
    Explore(explore::Args),
    /// Explore every reachable state of the reference model for a small universe, checking
    /// every invariant in every state and the implementation against the model on every edge.
    #[command(
        after_help = "Examples:\n  migwiz check                      # 2 users, depth 6\n  migwiz check --users 3 --depth 5 --timeout 60\n\nCtrl-C stops the search at its next chunk of work and prints the counts of the levels it finished, marked (exit status 130)."
    )]
    Check(check::Args),
    /// Run clients at once against the concurrent server, as generated cases, until one
    /// is not linearizable: print it shrunk, one column per client, with the verdict, and
    /// write it as a scenario file that `migwiz run` replays.
    #[command(
        after_help = "Examples:\n  migwiz race --cases 1000\n  migwiz race --fault mmf-checked-apart   # watch a named fault caught\n\nFaults (--fault): mmf-checked-apart (C-MMF), waiting-read-apart (C-DELIVER), alias-checked-apart (C-UNIQUE), stale-directory (C-MIDRUN), list-update-apart (C-UNITS).\nCtrl-C stops before the next case and prints how many cases ran (exit status 130); a failure already found is still shrunk and written.\nExit status: 0 no failure found; 1 a failure found (written to --out); 2 a bad argument; 130 stopped by Ctrl-C."
    )]
    Race(race::Args),
    /// Run one batch as an administrator ran mailmig.exe: a real control file, accounts
    /// file and user list (from the world's [files] or the local disk) against the world a
    /// scenario file sets up; exit with mailmig's result code.
    #[command(
        after_help = "Example:\n  migwiz mailmig --world scenarios/22-q198957-one-step.toml -- '/C:C:\\Migrate\\po1.txt' /A:ADMIN /P:PASSWORD /S\n\nFiles: the control file is looked up in the world's [files], then on the local disk; each file it names (File, Accounts), in [files], then beside the control file. Files the run writes go to --out (default: the control file's folder), never over a file migwiz did not write.\nExit status: mailmig's result code: 0 no errors or warnings, 1 warnings, 2 errors (or the run stopped); 3 migwiz's own error (a world file that is not a scenario, a file it cannot read, a folder it cannot write)."
    )]
    Mailmig(mailmig::Args),
}

/// How a command ended: every exit status migwiz gives, in one place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Status {
    /// 0: done (a scenario replayed, whatever the wizard logged).
    Done,
    /// 1: migwiz found a bug in itself: the model disagreed with the implementation, or a
    /// property broke.
    Bug,
    /// 2: bad input: a file that is not a valid scenario, or an argument out of range.
    /// (clap's own usage errors exit 2 as well, with `error:` and the argument.)
    Invalid,
    /// 130: stopped by Ctrl-C after printing what it had (`explore`, `check`, `race`).
    Interrupted,
    /// 4: a concurrent run whose budget ran out before a verdict (C-VERDICT's `unknown`):
    /// neither a pass nor a failure found.
    Unknown,
}

impl From<Status> for ExitCode {
    fn from(status: Status) -> ExitCode {
        ExitCode::from(match status {
            Status::Done => 0,
            Status::Bug => 1,
            Status::Invalid => 2,
            Status::Interrupted => 130,
            Status::Unknown => 4,
        })
    }
}

/// Why a command stopped before its end.
#[derive(Debug)]
enum Failure {
    /// Standard output was closed by its reader (`| head`) and nothing is left to write
    /// but what would have been printed: stop quietly.
    ClosedOutput,
    /// Bad input, or an output that cannot be written, with the message to print (what,
    /// where, how to fix): status 2.
    Invalid(String),
}

/// Set when the reader of standard output has gone away.
static OUTPUT_CLOSED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Whether the reader of standard output has gone away: printing more is pointless, but
/// the files a command was asked to write are still written.
fn output_closed() -> bool {
    OUTPUT_CLOSED.load(std::sync::atomic::Ordering::Relaxed)
}

/// What a failed write to standard output means: a reader that went away (a broken
/// pipe) ends the printing quietly; any other error (a full disk, say) is a failure that
/// says what was lost.
fn output_error(e: std::io::Error) -> Failure {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        OUTPUT_CLOSED.store(true, std::sync::atomic::Ordering::Relaxed);
        return Failure::ClosedOutput;
    }
    Failure::Invalid(format!(
        "error: cannot write standard output: {e}; what was to be printed there is lost (in whole or in part)\n  help: send it where it can be written, e.g. > report.txt on a disk with room"
    ))
}

/// Writes to standard output. A reader that has gone away ends the printing quietly and
/// lets the command go on to write its files (a witness, a page); any other write error
/// is a failure.
fn emit(text: &str) -> Result<(), Failure> {
    use std::io::Write;
    if output_closed() {
        return Ok(());
    }
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) => match output_error(e) {
            Failure::ClosedOutput => Ok(()),
            other => Err(other),
        },
    }
}

/// Standard output written piece by piece (a replay's steps as they are done), buffered.
/// A reader that has gone away ends the command quietly, which is for commands with no
/// file left to write; any other write error is a failure, as with [`emit`].
struct Stream(std::io::BufWriter<std::io::StdoutLock<'static>>);

impl Stream {
    fn new() -> Stream {
        Stream(std::io::BufWriter::new(std::io::stdout().lock()))
    }

    fn put(&mut self, text: &str) -> Result<(), Failure> {
        use std::io::Write;
        self.0.write_all(text.as_bytes()).map_err(output_error)
    }

    fn done(mut self) -> Result<(), Failure> {
        use std::io::Write;
        self.0.flush().map_err(output_error)
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Command::Mailmig(args) = &cli.command {
        // Its exit status is mailmig's result code, not migwiz's own statuses.
        return mailmig::exec(args);
    }
    let result = match &cli.command {
        Command::Run(args) => run::exec(args),
        Command::Diff(args) => diff::exec(args),
        Command::Explore(args) => explore::exec(args),
        Command::Check(args) => check::exec(args),
        Command::Race(args) => race::exec(args),
        Command::Mailmig(args) => return mailmig::exec(args),
    };
    match result {
        Ok(status) => status.into(),
        Err(Failure::ClosedOutput) => Status::Done.into(),
        Err(Failure::Invalid(message)) => {
            eprintln!("{message}");
            Status::Invalid.into()
        }
    }
}
