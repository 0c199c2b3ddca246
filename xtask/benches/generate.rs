//! The generator on a realistic API: 250 endpoint docs (`tests/common/corpus.rs`) through the
//! whole of `cargo xtask generate` in memory (parse + convert + progenitor + rustfmt), and
//! through parse + convert alone. Target: parse + convert stay under 5 % of the whole.
//!
//! Criterion drives warm-up and sampling; each sample's per-iteration time is also kept here
//! so the bench can print the median share itself. Run: `cargo bench -p xtask`.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use criterion::Criterion;
use xtask::naming::lock::NamesLock;
use xtask::{openapi, parse, pipeline};

#[path = "../tests/common/mod.rs"]
mod common;
#[path = "../tests/common/corpus.rs"]
mod corpus;
use common::{ERROR_CODES, STATUS};

const DOCS: usize = 250;

/// Parse + convert: the docs' own share of `generate`.
fn parse_and_convert(docs: &[(String, String)]) -> openapiv3::OpenAPI {
    let parsed: Vec<_> = docs
        .iter()
        .map(|(file, text)| openapi::SourceDoc {
            file: file.clone(),
            doc: parse::parse(text).expect("corpus doc parses"),
        })
        .collect();
    openapi::convert(&parsed, &NamesLock::default())
        .expect("corpus converts")
        .spec
}

fn median(samples: &Mutex<Vec<Duration>>) -> Duration {
    let mut s = samples.lock().map(|s| s.clone()).unwrap_or_default();
    s.sort_unstable();
    s.get(s.len() / 2).copied().unwrap_or_default()
}

/// Benchmarks `work`, returning the median per-iteration time over criterion's samples.
fn bench<T>(
    c: &mut Criterion,
    name: &str,
    samples: usize,
    mut work: impl FnMut() -> T,
) -> Duration {
    let kept = Mutex::new(Vec::new());
    let mut group = c.benchmark_group("generate_250_docs");
    group.sample_size(samples);
    group.bench_function(name, |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let start = Instant::now();
                let out = std::hint::black_box(work());
                total += start.elapsed();
                drop(out);
            }
            if let Ok(mut s) = kept.lock() {
                s.push(total / u32::try_from(iters.max(1)).unwrap_or(u32::MAX));
            }
            total
        });
    });
    group.finish();
    median(&kept)
}

fn main() {
    let docs = corpus::docs(DOCS);
    let mut criterion = Criterion::default().configure_from_args();
    let parse_convert = bench(&mut criterion, "parse_convert", 50, || {
        parse_and_convert(&docs)
    });
    let whole = bench(&mut criterion, "whole_generate", 10, || {
        pipeline::build_from(&docs).expect("corpus generates")
    });
    criterion.final_summary();

    if parse_convert.is_zero() || whole.is_zero() {
        // `cargo bench -- <filter>` skipped one of them: no share to report.
        return;
    }
    let share = parse_convert.as_secs_f64() / whole.as_secs_f64() * 100.0;
    let build = pipeline::build_from(&docs).expect("corpus generates");
    println!();
    println!(
        "{DOCS} docs ({} + {} status/error-code values shared): parse + convert {parse_convert:?}, whole generate {whole:?}; \
         parse + convert = {share:.2} % of generate (target < 5 %): {}",
        STATUS.len(),
        ERROR_CODES.len(),
        if share < 5.0 { "met" } else { "MISSED" }
    );
    println!(
        "outputs: spec {} bytes, client {} bytes",
        build.outputs[0].contents.len(),
        build.outputs[1].contents.len()
    );
}
