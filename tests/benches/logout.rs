//! What the SDK costs over raw HTTP: latency per call and throughput under 64 concurrent
//! tasks, for six contenders doing the same work against an in-process axum server on
//! 127.0.0.1 (the same minimal handler and the same 200 body for all):
//!
//! 1. `raw_reqwest`: hand-written `reqwest` + `serde_json` (the floor),
//! 2. `generated`: the progenitor client from `generated/`,
//! 3. `middleware`: raw's request and decoding through `reqwest-middleware` with
//!    `reqwest-retry` (exponential, 3 retries) and `reqwest-tracing` (the peer),
//! 4. `sdk_session`: one reused SDK session, `session.api().post_users_logout().send()`,
//! 5. `sdk`: the main job, `Client::session(token).logout()` (a fresh session per call),
//! 6. `sdk_no_retry`: the main job with `RetryConfig::disabled()`.
//!
//! Run: `cargo bench -p uberall-tests --bench logout` (a few minutes). First a check that all
//! send the same request (same headers, same values). Then criterion measures each
//! contender (its usual report, kept as a cross-check), and two interleaved passes take the
//! figures the targets are judged on: the contenders take turns in short batches, in rotating
//! orders, within the same seconds, so that drift of the machine (frequency, a neighbour's
//! load) hits all of them alike. Medians and ratios are computed here from every single
//! call's time and printed at the end.
//!
//! Profiling: `UBERALL_BENCH_PROFILE=<contender name>:<calls>` skips all of the
//! above and only makes 100 + `calls` calls of that contender, the server on its own thread,
//! so that `valgrind --tool=callgrind --separate-threads=yes` counts the client's instructions
//! apart (difference two call counts to cancel start-up; see BENCHMARKS.md).
//!
//! Threads, on a 2-core machine (the same axum app and the same client code in both):
//!
//! * Latency: client and server share one current-thread runtime on the main thread. A call
//!   is then the client's CPU time, the server's and the loopback, with no cross-core wake-up
//!   in between: on a shared 2-vCPU machine those wake-ups are the largest source of noise (a
//!   bimodal 30 µs / 160 µs distribution whenever the other vCPU is busy elsewhere), and they
//!   are not the SDK's cost.
//! * Throughput: the server runs on its own OS thread with a current-thread runtime (one
//!   core), the 64 client tasks on the main thread's current-thread runtime (the other core).
//!   Client and server run in parallel, the client is the bottleneck (its CPU per call is about
//!   twice the server's, printed), so calls/s measures the client side's cost undiluted. A
//!   multi-thread client runtime would put three busy threads on two cores and measure the OS
//!   scheduler more than the SDK. The client thread's CPU time per call, from the scheduler's
//!   accounting, is printed as a second, load-independent view.

mod common;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{Contenders, Which, median, thread_cpu};
use criterion::{Criterion, Throughput};

/// Concurrent tasks sharing one client in the throughput figure.
const TASKS: usize = 64;
/// Calls per task in one throughput burst.
const CALLS_PER_TASK: usize = 32;

/// Latency pass: rounds, and calls per contender per round.
const LATENCY_ROUNDS: usize = 240;
const LATENCY_BATCH: usize = 50;
/// Throughput pass: rounds (one burst per contender each).
const THROUGHPUT_ROUNDS: usize = 15;

const N: usize = Which::ALL.len();

/// The order of round `round`: the contenders rotated by the round, reversed every other
/// rotation, so that each takes every position and follows each other contender alike.
fn order(round: usize) -> [Which; N] {
    let mut order = Which::ALL;
    order.rotate_left(round % N);
    if (round / N) % 2 == 1 {
        order.reverse();
    }
    order
}

fn index(which: Which) -> usize {
    which.index()
}

/// One burst: `TASKS` tasks on the current runtime, each making `per_task` calls through the
/// one shared client of `which`. Returns the wall time.
async fn burst(contenders: &Arc<Contenders>, which: Which, per_task: usize) -> Duration {
    let start = Instant::now();
    let handles: Vec<_> = (0..TASKS)
        .map(|_| {
            let contenders = Arc::clone(contenders);
            tokio::spawn(async move {
                for _ in 0..per_task {
                    contenders.call(which).await;
                }
            })
        })
        .collect();
    for handle in handles {
        handle.await.expect("task");
    }
    start.elapsed()
}

/// Per-call latencies of the interleaved pass, one vector per contender, plus the per-round
/// medians for the paired ratios.
struct Latency {
    calls: [Vec<Duration>; N],
    rounds: [Vec<Duration>; N],
}

fn latency_pass(rt: &tokio::runtime::Runtime, contenders: &Contenders) -> Latency {
    let mut out = Latency {
        calls: Default::default(),
        rounds: Default::default(),
    };
    rt.block_on(async {
        let mut batch = Vec::with_capacity(LATENCY_BATCH);
        for round in 0..LATENCY_ROUNDS {
            for which in order(round) {
                batch.clear();
                for _ in 0..LATENCY_BATCH {
                    let start = Instant::now();
                    contenders.call(which).await;
                    batch.push(start.elapsed());
                }
                out.calls[index(which)].extend_from_slice(&batch);
                out.rounds[index(which)].push(median(&mut batch));
            }
        }
    });
    out
}

/// Calls/s of each burst, and the client thread's and the server thread's CPU per call.
struct Load {
    calls_per_sec: [Vec<f64>; N],
    client_cpu: [Duration; N],
    server_cpu: [Duration; N],
    calls: [u32; N],
}

fn throughput_pass(
    rt: &tokio::runtime::Runtime,
    contenders: &Arc<Contenders>,
    server_tid: Option<u32>,
) -> Load {
    let mut out = Load {
        calls_per_sec: Default::default(),
        client_cpu: Default::default(),
        server_cpu: Default::default(),
        calls: [0; N],
    };
    let calls = TASKS * CALLS_PER_TASK;
    rt.block_on(async {
        for round in 0..THROUGHPUT_ROUNDS {
            for which in order(round) {
                let cpu_before = (thread_cpu(None), thread_cpu(server_tid));
                let wall = burst(contenders, which, CALLS_PER_TASK).await;
                let cpu_after = (thread_cpu(None), thread_cpu(server_tid));
                let i = index(which);
                out.calls_per_sec[i].push(calls as f64 / wall.as_secs_f64());
                if let (Some(a), Some(b)) = (cpu_before.0, cpu_after.0) {
                    out.client_cpu[i] += b - a;
                }
                if let (Some(a), Some(b)) = (cpu_before.1, cpu_after.1) {
                    out.server_cpu[i] += b - a;
                }
                out.calls[i] += calls as u32;
            }
        }
    });
    out
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn median_f64(values: &mut [f64]) -> f64 {
    values.sort_unstable_by(f64::total_cmp);
    values[values.len() / 2]
}

fn verdict(met: bool) -> &'static str {
    if met { "met" } else { "MISSED" }
}

fn micros(d: Duration) -> String {
    format!("{:.2} µs", d.as_secs_f64() * 1e6)
}

/// Cores and CPU model, for the record.
fn machine() -> String {
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let model = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, m)| m.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    format!("{cores} cores, {model}")
}

/// `UBERALL_BENCH_PROFILE=<contender>:<calls>`: only those calls, for a profiler.
fn profile_mode(rt: &tokio::runtime::Runtime) -> bool {
    let Ok(spec) = std::env::var("UBERALL_BENCH_PROFILE") else {
        return false;
    };
    let (name, calls) = spec
        .split_once(':')
        .expect("UBERALL_BENCH_PROFILE=<contender>:<calls>");
    let which = Which::ALL
        .into_iter()
        .find(|w| w.name() == name)
        .expect("contender: raw_reqwest, generated or sdk");
    let calls: usize = calls.parse().expect("calls: a number");
    let contenders = Contenders::new(&common::start_server_thread(None).base);
    rt.block_on(async {
        for _ in 0..100 + calls {
            contenders.call(which).await;
        }
    });
    println!("{}: {calls} calls after 100 warm-up calls", which.name());
    true
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let quick = args.iter().any(|a| a == "--test" || a == "--list");

    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("client runtime");
    if profile_mode(&rt) {
        return;
    }
    if !args.iter().any(|a| a == "--list") {
        common::check_same_headers(&rt);
    }
    // Latency: server on this thread's runtime. Throughput: server on its own thread.
    let near = Contenders::new(&common::start_server_on(&rt).base);
    let far_server = common::start_server_thread(None);
    let far = Arc::new(Contenders::new(&far_server.base));
    // Open each contender's connections (one per task for the throughput figure) before
    // anything is timed.
    rt.block_on(async {
        for which in Which::ALL {
            near.call(which).await;
            burst(&far, which, 2).await;
        }
    });

    // Criterion's own measurement, one contender after the other; its per-sample times are
    // kept for a cross-check of the interleaved figures.
    let samples: Vec<Mutex<Vec<Duration>>> = Which::ALL.iter().map(|_| Mutex::default()).collect();
    let mut criterion = Criterion::default()
        .configure_from_args()
        .sample_size(40)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    {
        let mut group = criterion.benchmark_group("logout_latency");
        for which in Which::ALL {
            group.bench_function(which.name(), |b| {
                b.iter_custom(|iters| {
                    let elapsed = rt.block_on(async {
                        let start = Instant::now();
                        for _ in 0..iters {
                            near.call(which).await;
                        }
                        start.elapsed()
                    });
                    if let Ok(mut s) = samples[index(which)].lock() {
                        s.push(elapsed / iters.max(1) as u32);
                    }
                    elapsed
                });
            });
        }
        group.finish();
    }
    {
        let mut group = criterion.benchmark_group(format!("logout_throughput_{TASKS}_tasks"));
        group
            .sample_size(10)
            .throughput(Throughput::Elements((TASKS * CALLS_PER_TASK / 2) as u64));
        for which in Which::ALL {
            group.bench_function(which.name(), |b| {
                b.iter_custom(|iters| {
                    rt.block_on(async {
                        let mut total = Duration::ZERO;
                        for _ in 0..iters {
                            total += burst(&far, which, CALLS_PER_TASK / 2).await;
                        }
                        total
                    })
                });
            });
        }
        group.finish();
    }
    criterion.final_summary();
    if quick {
        return;
    }

    let mut lat = latency_pass(&rt, &near);
    let mut load = throughput_pass(&rt, &far, far_server.tid);

    let per_contender = lat.calls.iter_mut().map(|c| median(c)).collect::<Vec<_>>();
    println!();
    println!("machine: {}", machine());
    println!(
        "== logout latency: {LATENCY_ROUNDS} interleaved rounds x {LATENCY_BATCH} calls per contender =="
    );
    println!(
        "{:<12} {:>10} {:>10} {:>10} {:>10}   criterion median",
        "contender", "median", "p10", "p90", "p99"
    );
    for which in Which::ALL {
        let i = index(which);
        let sorted = &lat.calls[i];
        let crit = median(&mut samples[i].lock().map(|s| s.clone()).unwrap_or_default());
        println!(
            "{:<12} {:>10} {:>10} {:>10} {:>10}   {}",
            which.name(),
            micros(per_contender[i]),
            micros(percentile(sorted, 0.10)),
            micros(percentile(sorted, 0.90)),
            micros(percentile(sorted, 0.99)),
            if crit.is_zero() {
                "-".into()
            } else {
                micros(crit)
            },
        );
    }
    let ratio = |a: Which, b: Which| {
        per_contender[index(a)].as_secs_f64() / per_contender[index(b)].as_secs_f64()
    };
    for which in &Which::ALL[1..] {
        let i = index(*which);
        let mut paired: Vec<f64> = lat.rounds[i]
            .iter()
            .zip(&lat.rounds[0])
            .map(|(c, r)| c.as_secs_f64() / r.as_secs_f64())
            .collect();
        paired.sort_unstable_by(f64::total_cmp);
        let q = |p: f64| paired[((paired.len() - 1) as f64 * p).round() as usize];
        println!(
            "median latency {} / raw_reqwest = {:.3}   [per-round paired ratio: median {:.3}, IQR {:.3}..{:.3}]",
            which.name(),
            ratio(*which, Which::Raw),
            q(0.5),
            q(0.25),
            q(0.75),
        );
    }
    let session_vs_generated = ratio(Which::SdkSession, Which::Generated);
    println!(
        "median latency sdk_session / generated = {session_vs_generated:.3} (target <= 1.08): {}",
        verdict(session_vs_generated <= 1.08)
    );
    for which in [Which::SdkSession, Which::Sdk] {
        let r = ratio(which, Which::Middleware);
        println!(
            "median latency {} / middleware = {r:.3} (target < 1): {}",
            which.name(),
            verdict(r < 1.0)
        );
    }

    let calls = TASKS * CALLS_PER_TASK;
    println!();
    println!(
        "== throughput: {TASKS} tasks on one client, {calls} calls per burst, {THROUGHPUT_ROUNDS} interleaved rounds =="
    );
    println!(
        "{:<12} {:>14} {:>18} {:>18}",
        "contender", "calls/s", "client CPU/call", "server CPU/call"
    );
    let mut rates = [0.0f64; N];
    for which in Which::ALL {
        let i = index(which);
        rates[i] = median_f64(&mut load.calls_per_sec[i]);
        let n = load.calls[i].max(1);
        println!(
            "{:<12} {:>14.0} {:>18} {:>18}",
            which.name(),
            rates[i],
            micros(load.client_cpu[i] / n),
            micros(load.server_cpu[i] / n),
        );
    }
    for which in &Which::ALL[1..] {
        let i = index(*which);
        let ratio = rates[i] / rates[0];
        let cpu = load.client_cpu[i].as_secs_f64() / load.client_cpu[0].as_secs_f64().max(1e-12);
        println!(
            "throughput {} / raw_reqwest = {ratio:.3}   [client CPU per call ratio {cpu:.3}]",
            which.name()
        );
    }
    let r = rates[index(Which::SdkSession)] / rates[index(Which::Middleware)];
    println!(
        "throughput sdk_session / middleware = {r:.3} (target >= 1): {}",
        verdict(r >= 1.0)
    );
}
