//! What every benchmark shares: the allocator the CLI uses (mimalloc), wrapped to count
//! the bytes in use, so that a benchmark can report the peak memory of what it measured.

#![allow(dead_code)] // each bench binary uses its own part of this module

use std::alloc::{GlobalAlloc, Layout};
use std::sync::atomic::{AtomicBool, AtomicIsize, Ordering};
use std::time::{Duration, Instant};

use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::{Config, TestRunner};
use proptest_state_machine::{ReferenceStateMachine, StateMachineTest};

/// mimalloc, counting the bytes in use and their peak while [`measure`] asks it to.
pub struct Counting;

// Signed: the counted run may free what was allocated before it.
static IN_USE: AtomicIsize = AtomicIsize::new(0);
static PEAK: AtomicIsize = AtomicIsize::new(0);
/// Counting is off while time is measured: two threads updating one counter on every
/// allocation would slow the allocation-heavy checker far more than the other.
static ON: AtomicBool = AtomicBool::new(false);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { mimalloc::MiMalloc.alloc(layout) };
        if !p.is_null() && ON.load(Ordering::Relaxed) {
            let size = layout.size() as isize;
            let now = IN_USE.fetch_add(size, Ordering::Relaxed) + size;
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { mimalloc::MiMalloc.dealloc(ptr, layout) };
        if ON.load(Ordering::Relaxed) {
            IN_USE.fetch_sub(layout.size() as isize, Ordering::Relaxed);
        }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = unsafe { mimalloc::MiMalloc.realloc(ptr, layout, new_size) };
        if !p.is_null() && ON.load(Ordering::Relaxed) {
            let grown = new_size as isize - layout.size() as isize;
            let now = IN_USE.fetch_add(grown, Ordering::Relaxed) + grown;
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        p
    }
}

/// Runs `f` twice: once timed, with counting off, and once with counting on. Returns the
/// first result, its wall time, and the peak heap the second run added over what was in
/// use when it started, in bytes. Memory freed while counting was off is not counted out,
/// so only what is allocated and freed within the counted run is compared: the difference
/// between the in-use figure at its start and its peak.
pub fn measure<T>(f: impl Fn() -> T) -> (T, Duration, usize) {
    let started = Instant::now();
    let out = f();
    let took = started.elapsed();
    IN_USE.store(0, Ordering::Relaxed);
    PEAK.store(0, Ordering::Relaxed);
    ON.store(true, Ordering::Relaxed);
    drop(f());
    ON.store(false, Ordering::Relaxed);
    (out, took, PEAK.load(Ordering::Relaxed).max(0) as usize)
}

/// Bytes as MB (10^6), one decimal.
pub fn mb(bytes: usize) -> String {
    format!("{:.1} MB", bytes as f64 / 1e6)
}

/// A post office of `users` users with `messages` each, under 100 networks and 1,000 post
/// offices, and one full wizard step of `version`: the scale benchmark's world.
pub fn world(users: usize, messages: u32, version: &str) -> String {
    let mut text = format!("name = \"{users} users, one full step\"\n");
    for i in 0..users {
        text.push_str(&format!(
            "\n[[users]]\naddress = \"N{}/P{}/U{i}\"\nmessages = {messages}\n",
            i % 100,
            i / 100 % 1000
        ));
    }
    text + &format!("\n[[steps]]\nop = \"wizard\"\nversion = \"{version}\"\nphase = \"full\"\n")
}

/// Sequences per iteration: the same 100 every time (a deterministic runner).
pub const SEQUENCES: usize = 100;

/// Generates the iteration's sequences; with `check`, runs each as the test does. Returns
/// the number of steps.
pub fn state_machine(check: bool) -> u64 {
    let mut runner = TestRunner::deterministic();
    let strategy = migwiz::harness::generate::Reference::sequential_strategy(1..=40);
    let mut steps = 0;
    for _ in 0..SEQUENCES {
        let (state, ops, seen) = strategy.new_tree(&mut runner).expect("generates").current();
        steps += ops.len() as u64;
        if check {
            migwiz::harness::sut::Implementation::<()>::test_sequential(
                Config::default(),
                state,
                ops,
                seen,
            );
        }
    }
    steps
}
