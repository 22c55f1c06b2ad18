//! Running the `migwiz` binary from tests.
#![allow(dead_code)] // each test crate uses part of this

pub mod pages;

use std::ffi::OsStr;
use std::process::{Command, Output};

/// Runs `migwiz` with `args`.
pub fn migwiz<I, S>(args: I) -> Output
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    Command::new(env!("CARGO_BIN_EXE_migwiz"))
        .args(args)
        .output()
        .expect("the migwiz binary runs")
}

/// Runs `migwiz` with `args`, asserts it exits 0, and returns what it printed.
pub fn succeeds<I, S>(args: I) -> String
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let out = migwiz(args);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// How many scenario files (`*.toml`) a folder holds: the witnesses a run wrote there.
pub fn toml_files(dir: &std::path::Path) -> usize {
    std::fs::read_dir(dir)
        .expect("the folder can be read")
        .filter(|e| {
            e.as_ref()
                .expect("the folder's entry can be read")
                .path()
                .extension()
                .is_some_and(|x| x == "toml")
        })
        .count()
}
