//! The official SDKs the tests compare with, run as Python programs from `tests/oracles/`.
#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

/// The workspace root.
pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ is inside the workspace")
}

/// The Python of the oracles' virtualenv, made by `scripts/oracles.sh` on first use (it installs
/// the pinned official SDKs; `.ci/run` runs it before the tests).
pub fn python() -> &'static Path {
    static PYTHON: OnceLock<PathBuf> = OnceLock::new();
    PYTHON.get_or_init(|| {
        let out = Command::new("bash")
            .arg(root().join("scripts/oracles.sh"))
            .stderr(Stdio::inherit())
            .output()
            .expect("bash runs scripts/oracles.sh");
        assert!(
            out.status.success(),
            "scripts/oracles.sh failed: the official SDKs could not be installed"
        );
        PathBuf::from(String::from_utf8(out.stdout).unwrap().trim())
    })
}

/// Runs `tests/oracles/<script>` with `args`, `input` on its stdin; its stdout as JSON.
pub fn run(script: &str, args: &[&str], input: &str) -> serde_json::Value {
    let mut child = Command::new(python())
        .arg(root().join("tests/oracles").join(script))
        .args(args)
        // The SDK's `requests` would honour a proxy; the sandbox is on loopback.
        .env("NO_PROXY", "*")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the oracle starts");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{script} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}
