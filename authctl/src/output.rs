//! Every byte authctl prints goes through here: a full disk or a closed pipe is an exit code
//! ([`Failure::Stdout`]), never a panic as `println!` would make it.

use std::io::Write;

use crate::failure::Failure;

/// Writes `bytes` to stdout and flushes them, so that a failure shows here and not, unseen, at
/// exit.
pub fn stdout(bytes: &[u8]) -> Result<(), Failure> {
    let mut out = std::io::stdout().lock();
    out.write_all(bytes)
        .and_then(|()| out.flush())
        .map_err(Failure::Stdout)
}

/// Writes one line to stderr. If stderr cannot be written there is nowhere left to say so: the
/// exit code still tells.
pub fn stderr_line(line: &str) {
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "{line}");
    let _ = err.flush();
}
