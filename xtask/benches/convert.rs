//! Parse + convert scaling: a synthetic doc with 10,000 fields must take no more than 12×
//! the time of one with 1,000 (linear, with headroom for cache effects).
//!
//! Criterion drives warm-up and sampling; each sample's per-iteration time is also kept
//! here so the bench can print the median ratio itself. Run: `cargo bench -p xtask`.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, Throughput};
use xtask::openapi::{self, SourceDoc};
use xtask::parse;

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

fn parse_and_convert(text: &str) {
    let doc = parse::parse(text).expect("synthetic doc parses");
    let converted = openapi::convert(&[SourceDoc {
        file: "bench.md".to_string(),
        doc,
    }])
    .expect("synthetic doc converts");
    std::hint::black_box(openapi::to_json(&converted.spec));
}

fn median(samples: &mut [Duration]) -> Duration {
    samples.sort_unstable();
    samples[samples.len() / 2]
}

fn main() {
    let sizes = [1_000usize, 10_000];
    let samples: Vec<Mutex<Vec<Duration>>> = sizes.iter().map(|_| Mutex::new(Vec::new())).collect();
    let mut criterion = Criterion::default()
        .configure_from_args()
        .sample_size(30)
        .measurement_time(Duration::from_secs(8));
    {
        let mut group = criterion.benchmark_group("parse_convert");
        for (i, &n) in sizes.iter().enumerate() {
            let doc = synthetic_doc(n);
            group.throughput(Throughput::Elements(n as u64));
            group.bench_with_input(BenchmarkId::from_parameter(n), &doc, |b, doc| {
                b.iter_custom(|iters| {
                    let start = Instant::now();
                    for _ in 0..iters {
                        parse_and_convert(doc);
                    }
                    let elapsed = start.elapsed();
                    if let Ok(mut s) = samples[i].lock() {
                        s.push(elapsed / iters.max(1) as u32);
                    }
                    elapsed
                });
            });
        }
        group.finish();
    }
    criterion.final_summary();

    let medians: Vec<Duration> = samples
        .iter()
        .map(|m| median(&mut m.lock().map(|s| s.clone()).unwrap_or_default()))
        .collect();
    if medians.iter().any(|d| d.is_zero()) {
        // `cargo bench -- <filter>` skipped one size: no ratio to report.
        return;
    }
    let ratio = medians[1].as_secs_f64() / medians[0].as_secs_f64();
    println!();
    println!(
        "parse+convert median: 1,000 fields {:?}, 10,000 fields {:?}",
        medians[0], medians[1]
    );
    println!(
        "ratio 10,000 / 1,000 fields = {ratio:.2} (target <= 12): {}",
        if ratio <= 12.0 { "met" } else { "MISSED" }
    );
}
