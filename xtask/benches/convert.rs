//! Parse + convert scaling: a synthetic doc with 10,000 fields must take no more than 12×
//! the time of one with 1,000 (linear, with headroom for cache effects).
//!
//! The timed work is what the target names: parsing the doc into the model and converting
//! the model into an `openapiv3::OpenAPI`. Dropping the result happens outside the clock (as
//! criterion's `iter_with_large_drop` does). Writing the spec as JSON is timed on its own and
//! reported next to it, without a target.
//!
//! Criterion drives warm-up and sampling; each sample's per-iteration time is also kept
//! here so the bench can print the median ratios itself. Run: `cargo bench -p xtask`.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, Throughput};
use openapiv3::OpenAPI;
use xtask::openapi::{self, SourceDoc};
use xtask::parse;

const SIZES: [usize; 2] = [1_000, 10_000];

/// A doc in the multi-line layout with `n` fields: groups of an object holding a described
/// string with an example, an integer enum, and an array of objects with one boolean. Every
/// description carries the group number so no two shapes are interned together.
fn synthetic_doc(n: usize) -> String {
    let mut doc = String::from(
        "# Synthetic\n\nA doc for benchmarks.\n\nEndpoint: POST /bench\nVersion: 1\nSecurity: X-API-KEY\n\n## Response 200 fields (application/json):\n\n",
    );
    let mut fields = 0;
    let mut g = 0;
    while fields < n {
        let group = [
            format!("  - `g{g}` (object, required)\n    Group {g}\n"),
            format!("  - `g{g}.name` (string)\n    Name of group {g}\n    Example: \"n{g}\"\n"),
            format!("  - `g{g}.kind` (integer)\n    Kind {g}\n    Enum: 1, 2, 3\n"),
            format!("  - `g{g}.items` (array,null)\n    Items of {g}\n"),
            format!("  - `g{g}.items.ok` (boolean)\n    Flag {g}\n    Example: true\n"),
        ];
        for field in group.iter().take(n - fields) {
            doc.push_str(field);
            doc.push('\n');
            fields += 1;
        }
        g += 1;
    }
    doc
}

fn parse_and_convert(text: &str) -> OpenAPI {
    let doc = parse::parse(text).expect("synthetic doc parses");
    openapi::convert(vec![SourceDoc {
        file: "bench.md".to_string(),
        doc,
    }])
    .expect("synthetic doc converts")
    .spec
}

/// Runs `work` `iters` times, timing only `work` itself; its output is dropped off the clock.
fn timed<T>(iters: u64, mut work: impl FnMut() -> T) -> Duration {
    let mut total = Duration::ZERO;
    for _ in 0..iters {
        let start = Instant::now();
        let out = std::hint::black_box(work());
        total += start.elapsed();
        drop(out);
    }
    total
}

fn median(samples: &Mutex<Vec<Duration>>) -> Duration {
    let mut s = samples.lock().map(|s| s.clone()).unwrap_or_default();
    s.sort_unstable();
    s.get(s.len() / 2).copied().unwrap_or_default()
}

/// Benchmarks `work` for both sizes; returns the median per-iteration time of each.
fn scaling(
    criterion: &mut Criterion,
    name: &str,
    input: impl Fn(usize) -> Box<dyn FnMut() -> Box<dyn std::any::Any>>,
) -> Vec<Duration> {
    let samples: Vec<Mutex<Vec<Duration>>> = SIZES.iter().map(|_| Mutex::new(Vec::new())).collect();
    let mut group = criterion.benchmark_group(name);
    for (i, &n) in SIZES.iter().enumerate() {
        let mut work = input(n);
        group.throughput(Throughput::Elements(n as u64));
        group.bench_function(BenchmarkId::from_parameter(n), |b| {
            b.iter_custom(|iters| {
                let elapsed = timed(iters, &mut work);
                if let Ok(mut s) = samples[i].lock() {
                    s.push(elapsed / u32::try_from(iters.max(1)).unwrap_or(u32::MAX));
                }
                elapsed
            });
        });
    }
    group.finish();
    samples.iter().map(median).collect()
}

fn report(what: &str, medians: &[Duration], target: Option<f64>) {
    if medians.iter().any(|d| d.is_zero()) {
        // `cargo bench -- <filter>` skipped a size: no ratio to report.
        return;
    }
    let ratio = medians[1].as_secs_f64() / medians[0].as_secs_f64();
    println!(
        "{what} median: 1,000 fields {:?}, 10,000 fields {:?}; ratio 10,000 / 1,000 = {ratio:.2}{}",
        medians[0],
        medians[1],
        match target {
            Some(t) if ratio <= t => format!(" (target <= {t}): met"),
            Some(t) => format!(" (target <= {t}): MISSED"),
            None => " (reported, no target)".to_string(),
        }
    );
}

fn main() {
    let mut criterion = Criterion::default()
        .configure_from_args()
        .sample_size(30)
        .measurement_time(Duration::from_secs(8));

    let parse_convert = scaling(&mut criterion, "parse_convert", |n| {
        let doc = synthetic_doc(n);
        Box::new(move || Box::new(parse_and_convert(&doc)) as Box<dyn std::any::Any>)
    });
    let write_json = scaling(&mut criterion, "write_json", |n| {
        let spec = parse_and_convert(&synthetic_doc(n));
        Box::new(move || Box::new(openapi::to_json(&spec)) as Box<dyn std::any::Any>)
    });
    criterion.final_summary();

    println!();
    report("parse + convert", &parse_convert, Some(12.0));
    report("write spec JSON", &write_json, None);
}
