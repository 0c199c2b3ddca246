//! Memory: heap bytes held per live `Session`, new and once it has sent a call, and heap
//! allocations per logout call for every contender, under a counting global allocator.
//!
//! Run: `cargo bench -p uberall-tests --bench memory`.
//!
//! The allocator counts per thread. The server runs on its own thread and the client on the
//! main thread with a current-thread runtime (so hyper's connection task, reqwest's pool and
//! tokio's timers all run here too); only the client's allocations are counted. Bytes are the
//! sizes asked of the allocator (`Layout::size`), not what malloc rounds them up to.

mod common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use common::{Contenders, TOKEN, Which};

/// Counts allocator calls and bytes on the calling thread.
struct Counting;

#[derive(Clone, Copy, Default, Debug)]
struct Counts {
    /// `alloc`, `alloc_zeroed` and `realloc` calls.
    allocs: u64,
    /// Bytes handed out (a `realloc` counts its new size).
    allocated: u64,
    /// Bytes given back (a `realloc` counts its old size).
    freed: u64,
}

impl Counts {
    fn live(self) -> i64 {
        self.allocated as i64 - self.freed as i64
    }

    fn since(self, before: Counts) -> Counts {
        Counts {
            allocs: self.allocs - before.allocs,
            allocated: self.allocated - before.allocated,
            freed: self.freed - before.freed,
        }
    }
}

thread_local! {
    // `const` and no destructor: reading it never allocates, so the allocator may use it.
    static COUNTS: Cell<Counts> = const {
        Cell::new(Counts {
            allocs: 0,
            allocated: 0,
            freed: 0,
        })
    };
}

fn note(allocated: usize, freed: usize, call: bool) {
    let _ = COUNTS.try_with(|c| {
        let mut n = c.get();
        n.allocs += u64::from(call);
        n.allocated += allocated as u64;
        n.freed += freed as u64;
        c.set(n);
    });
}

fn counts() -> Counts {
    COUNTS.with(Cell::get)
}

// SAFETY: every call is forwarded to `System` unchanged; the bookkeeping only touches a
// thread-local `Cell` and never allocates.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded as is.
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() {
            note(layout.size(), 0, true);
        }
        ptr
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded as is.
        let ptr = unsafe { System.alloc_zeroed(layout) };
        if !ptr.is_null() {
            note(layout.size(), 0, true);
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded as is.
        unsafe { System.dealloc(ptr, layout) };
        note(0, layout.size(), false);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: forwarded as is.
        let new = unsafe { System.realloc(ptr, layout, new_size) };
        if !new.is_null() {
            note(new_size, layout.size(), true);
        }
        new
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Live sessions held at once.
const SESSIONS: usize = 10_000;
/// Calls per contender after warm-up.
const CALLS: usize = 2_000;
/// Heap budget per live session beyond the token's own bytes.
const SESSION_BUDGET: i64 = 128;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.iter().any(|a| a == "--list") {
        return;
    }
    let quick = args.iter().any(|a| a == "--test");
    let (sessions, calls) = if quick { (100, 10) } else { (SESSIONS, CALLS) };

    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("client runtime");
    let server = common::start_server_thread(None);
    let contenders = Contenders::new(&server.base);

    // --- Heap held by live sessions -------------------------------------------------------
    // Distinct tokens of the usual length, made before counting starts.
    let tokens: Vec<String> = (0..sessions)
        .map(|i| format!("{}{i:08}", &TOKEN[..TOKEN.len() - 8]))
        .collect();
    let token_len = tokens[0].len();
    let mut held = Vec::with_capacity(sessions);
    // The client's connection, its buffers and the runtime's timers exist before counting, so
    // that what the first calls leave live is the sessions' own.
    rt.block_on(async {
        for _ in 0..100 {
            contenders.call(Which::Sdk).await;
        }
    });
    let before = counts();
    for token in &tokens {
        held.push(contenders.sdk.session(token.as_str()));
    }
    let made = counts().since(before);
    // A session's first request clones its token's bytes, which may allocate what every later
    // request shares: the steady state of a session in use.
    rt.block_on(async {
        for session in &held {
            let sent = session.api().post_users_logout().send().await;
            std::hint::black_box(sent.expect("a held session's call"));
        }
    });
    let called = counts().since(before);
    held.clear(); // keeps the vector, allocated before counting
    let left = counts().since(before);
    drop(held);
    let per = |c: Counts| c.live() as f64 / sessions as f64;
    let verdict = |bytes: f64| {
        if bytes - token_len as f64 <= SESSION_BUDGET as f64 {
            "met"
        } else {
            "MISSED"
        }
    };

    // --- Allocations per call ---------------------------------------------------------------
    let mut per_call = [Counts::default(); Which::ALL.len()];
    rt.block_on(async {
        for (i, which) in Which::ALL.into_iter().enumerate() {
            for _ in 0..100 {
                contenders.call(which).await;
            }
            let before = counts();
            for _ in 0..calls {
                contenders.call(which).await;
            }
            per_call[i] = counts().since(before);
        }
    });
    // The SDK's share that is session creation (plus its drop), measured alone.
    let before = counts();
    for _ in 0..calls {
        drop(std::hint::black_box(contenders.sdk.session(TOKEN)));
    }
    let session_only = counts().since(before);

    let n = calls as f64;
    println!();
    println!("== heap held by {sessions} live uberall_sdk::Session (token {token_len} bytes) ==");
    println!("(target: <= {SESSION_BUDGET} bytes per session beyond the token's own bytes)");
    for (when, c) in [("new", made), ("after a call", called)] {
        println!(
            "{when:<13} {:.1} bytes live per session, {:.1} beyond the token: {}",
            per(c),
            per(c) - token_len as f64,
            verdict(per(c))
        );
    }
    println!(
        "  creating one made {:.2} allocator calls; {:.1} bytes were freed again",
        made.allocs as f64 / sessions as f64,
        made.freed as f64 / sessions as f64
    );
    println!(
        "  still live once all are dropped: {:.1} bytes per session",
        per(left)
    );
    println!();
    println!("== heap allocations per logout call (client thread, {calls} calls after warm-up) ==");
    println!(
        "{:<12} {:>14} {:>16}",
        "contender", "allocs/call", "bytes/call"
    );
    for (i, which) in Which::ALL.into_iter().enumerate() {
        println!(
            "{:<12} {:>14.2} {:>16.1}",
            which.name(),
            per_call[i].allocs as f64 / n,
            per_call[i].allocated as f64 / n
        );
    }
    let sdk = Which::Sdk.index();
    let extra = (per_call[sdk].allocs as f64 - per_call[0].allocs as f64) / n;
    let extra_bytes = (per_call[sdk].allocated as f64 - per_call[0].allocated as f64) / n;
    println!(
        "sdk - raw_reqwest: {extra:+.2} allocations, {extra_bytes:+.1} bytes per call \
         (of which Session creation + drop: {:.2} allocations, {:.1} bytes)",
        session_only.allocs as f64 / n,
        session_only.allocated as f64 / n
    );
    let gen_extra = (per_call[1].allocs as f64 - per_call[0].allocs as f64) / n;
    println!("generated - raw_reqwest: {gen_extra:+.2} allocations per call");
}
