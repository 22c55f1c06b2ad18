//! What every benchmark shares: the allocator the CLI uses (mimalloc), wrapped to count
//! the bytes in use, so that a benchmark can report the peak memory of what it measured.

#![allow(dead_code)] // each bench binary uses its own part of this module

use std::alloc::{GlobalAlloc, Layout};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// mimalloc, counting the bytes in use and their peak.
pub struct Counting;

static IN_USE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { mimalloc::MiMalloc.alloc(layout) };
        if !p.is_null() {
            let now = IN_USE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { mimalloc::MiMalloc.dealloc(ptr, layout) };
        IN_USE.fetch_sub(layout.size(), Ordering::Relaxed);
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = unsafe { mimalloc::MiMalloc.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            IN_USE.fetch_sub(layout.size(), Ordering::Relaxed);
            let now = IN_USE.fetch_add(new_size, Ordering::Relaxed) + new_size;
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        p
    }
}

/// Runs `f` once: its result, its wall time, and the peak heap it added over what was in
/// use before it started, in bytes.
pub fn measure<T>(f: impl FnOnce() -> T) -> (T, Duration, usize) {
    let base = IN_USE.load(Ordering::Relaxed);
    PEAK.store(base, Ordering::Relaxed);
    let started = Instant::now();
    let out = f();
    let took = started.elapsed();
    (out, took, PEAK.load(Ordering::Relaxed).saturating_sub(base))
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
