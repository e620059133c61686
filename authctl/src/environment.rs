//! The variables authctl reads, each also as `NAME_FILE`: the path of a file holding the value,
//! as Docker and Kubernetes mount secrets. Trailing newlines are trimmed; setting both forms is
//! a usage error, and a file that cannot be read is one too (its path is named, never its
//! content).
//!
//! A file is read only when its variable is asked for, so a broken `_FILE` of a vendor the
//! command does not use stops nothing. What is read is bounded: a value (from the environment
//! or from a file) holds at most [`VALUE_LIMIT`] bytes, and a file must be a regular file
//! (symbolic links are followed, as Kubernetes mounts its secrets through them; a FIFO, a
//! device or a directory is refused without blocking on it).

use std::collections::HashMap;
use std::ffi::OsString;
use std::io::Read;

use crate::failure::Failure;

/// The prefixes of authctl's own variables: only these get a `_FILE` form.
const PREFIXES: &[&str] = &[
    "SELLER_AUTH_",
    "IGV_",
    "WAHOOL_",
    "LAZADA_",
    "ALIEXPRESS_",
    "IOP_",
    "ICEKREDIT_",
    "YZ365_",
    "AMAZON_",
    "EBAY_",
    "WALMART_",
    "TIKTOK_",
    "SHOPEE_",
    "MERCADOLIBRE_",
];

/// The most bytes a variable's value may hold, from the environment or from its file: far more
/// than any credential, token or URL, and little enough that `/dev/zero` costs nothing.
pub const VALUE_LIMIT: usize = 64 * 1024;

/// The process environment; `NAME_FILE` forms are read when `NAME` is asked for.
#[derive(Default)]
pub struct Environment {
    vars: HashMap<String, OsString>,
}

impl Environment {
    /// The process environment.
    pub fn load() -> Self {
        Environment::from_vars(std::env::vars_os())
    }

    /// The same from `vars` (a test's). Names that are not UTF-8 are not authctl's: skipped.
    pub fn from_vars(vars: impl IntoIterator<Item = (OsString, OsString)>) -> Self {
        let vars = vars
            .into_iter()
            .filter_map(|(name, value)| Some((name.into_string().ok()?, value)))
            .collect();
        Environment { vars }
    }

    /// The variable's value, from the environment or from its `NAME_FILE`; an error when both
    /// are set, or when the value cannot be used (too long, not UTF-8, the file unreadable).
    pub fn get(&self, name: &str) -> Result<Option<String>, Failure> {
        let file_name = format!("{name}_FILE");
        let file = self
            .vars
            .get(&file_name)
            .filter(|_| PREFIXES.iter().any(|p| name.starts_with(p)));
        match (self.vars.get(name), file) {
            (Some(_), Some(_)) => Err(Failure::Config(format!(
                "both {name} and {file_name} are set; keep one"
            ))),
            (Some(value), None) => {
                let value = value
                    .to_str()
                    .ok_or_else(|| Failure::Config(format!("{name} is not UTF-8 text")))?;
                if value.len() > VALUE_LIMIT {
                    return Err(Failure::Config(format!(
                        "{name} is longer than {} KiB",
                        VALUE_LIMIT / 1024
                    )));
                }
                Ok(Some(value.to_owned()))
            }
            (None, Some(path)) => read_value(&file_name, path).map(Some),
            (None, None) => Ok(None),
        }
    }
}

/// The value in the file at `path`, named by the variable `variable` in every error.
fn read_value(variable: &str, path: &OsString) -> Result<String, Failure> {
    // The path comes from the environment too: escaped, it cannot drive the terminal.
    let shown = crate::printable::visible(&path.to_string_lossy());
    let failed = |why: String| Failure::Config(format!("{variable}: cannot read {shown}: {why}"));
    let file = open_regular(path.as_ref()).map_err(|e| failed(e.to_string()))?;
    let mut bytes = Vec::new();
    // One byte past the limit tells a file at the limit from a longer one.
    file.take(VALUE_LIMIT as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| failed(e.to_string()))?;
    if bytes.len() > VALUE_LIMIT {
        return Err(failed(format!(
            "it is larger than {} KiB",
            VALUE_LIMIT / 1024
        )));
    }
    let text = String::from_utf8(bytes).map_err(|_| failed("it is not UTF-8 text".into()))?;
    Ok(text.trim_end_matches(['\n', '\r']).to_owned())
}

/// Opens `path` for reading if it is a regular file. `O_NONBLOCK` keeps the open of a FIFO from
/// waiting for a writer; the kind is checked on the opened handle, so a path swapped after a
/// check cannot slip another kind of file in.
fn open_regular(path: &std::path::Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file = options.open(path)?;
    let kind = file.metadata()?.file_type();
    if !kind.is_file() {
        let what = if kind.is_dir() {
            "it is a directory"
        } else {
            "it is not a regular file (a FIFO, socket or device)"
        };
        return Err(std::io::Error::new(std::io::ErrorKind::InvalidInput, what));
    }
    Ok(file)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> Vec<(OsString, OsString)> {
        pairs
            .iter()
            .map(|(n, v)| (OsString::from(n), OsString::from(v)))
            .collect()
    }

    fn config_error(result: Result<Option<String>, Failure>) -> String {
        match result {
            Err(Failure::Config(message)) => message,
            other => panic!("not a usage error: {:?}", other.map_err(|e| e.to_string())),
        }
    }

    #[test]
    fn a_file_gives_the_value_without_its_trailing_newlines() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("password");
        std::fs::write(&path, "s3cret with spaces \r\n\n").unwrap();
        let path = path.display().to_string();
        let env = Environment::from_vars(vars(&[
            ("IGV_PASSWORD_FILE", &path),
            ("IGV_EMAIL", "me@shop.example"),
        ]));
        assert_eq!(
            env.get("IGV_PASSWORD").unwrap().as_deref(),
            Some("s3cret with spaces ")
        );
        assert_eq!(
            env.get("IGV_EMAIL").unwrap().as_deref(),
            Some("me@shop.example")
        );
        assert_eq!(env.get("IGV_BASE_URL").unwrap(), None);
    }

    #[test]
    fn a_symlinked_secret_is_followed_as_kubernetes_mounts_them() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("..data-password");
        std::fs::write(&target, "from-the-link\n").unwrap();
        let link = dir.path().join("password");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        let env =
            Environment::from_vars(vars(&[("IGV_PASSWORD_FILE", &link.display().to_string())]));
        assert_eq!(
            env.get("IGV_PASSWORD").unwrap().as_deref(),
            Some("from-the-link")
        );
    }

    #[test]
    fn both_forms_or_an_unreadable_file_are_usage_errors_naming_no_secret() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("secret");
        std::fs::write(&path, "from-the-file").unwrap();
        let path = path.display().to_string();
        let both = Environment::from_vars(vars(&[
            ("IOP_APP_SECRET", "plain-value"),
            ("IOP_APP_SECRET_FILE", &path),
        ]));
        assert_eq!(
            config_error(both.get("IOP_APP_SECRET")),
            "both IOP_APP_SECRET and IOP_APP_SECRET_FILE are set; keep one"
        );
        let missing = dir.path().join("absent").display().to_string();
        let unreadable = Environment::from_vars(vars(&[("IGV_PASSWORD_FILE", &missing)]));
        let message = config_error(unreadable.get("IGV_PASSWORD"));
        assert!(
            message.starts_with("IGV_PASSWORD_FILE: cannot read "),
            "{message}"
        );
    }

    #[test]
    fn a_file_is_read_only_when_its_variable_is_asked_for() {
        let env = Environment::from_vars(vars(&[
            ("WAHOOL_SECRET_KEY_FILE", "/nonexistent/secret"),
            ("IGV_PASSWORD", "s3cret"),
        ]));
        assert_eq!(env.get("IGV_PASSWORD").unwrap().as_deref(), Some("s3cret"));
        assert!(env.get("WAHOOL_SECRET_KEY").is_err());
    }

    #[test]
    fn devices_directories_fifos_and_oversized_files_are_refused_by_name() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(made.success());
        let big = dir.path().join("big");
        std::fs::write(&big, vec![b'a'; VALUE_LIMIT + 1]).unwrap();
        let at_limit = dir.path().join("at-limit");
        std::fs::write(&at_limit, vec![b'a'; VALUE_LIMIT]).unwrap();
        let binary = dir.path().join("binary");
        std::fs::write(&binary, [0xff, 0xfe, b's', b'3']).unwrap();
        let path = |p: &std::path::Path| p.display().to_string();
        const NOT_REGULAR: &str = "it is not a regular file (a FIFO, socket or device)";
        for (file, why) in [
            ("/dev/zero".to_owned(), NOT_REGULAR),
            (path(&fifo), NOT_REGULAR),
            (path(dir.path()), "it is a directory"),
            (path(&big), "it is larger than 64 KiB"),
            (path(&binary), "it is not UTF-8 text"),
        ] {
            let env = Environment::from_vars(vars(&[("SELLER_AUTH_STORE_KEY_FILE", &file)]));
            let message = config_error(env.get("SELLER_AUTH_STORE_KEY"));
            assert_eq!(
                message,
                format!("SELLER_AUTH_STORE_KEY_FILE: cannot read {file}: {why}"),
            );
        }
        let env = Environment::from_vars(vars(&[("IGV_PASSWORD_FILE", &path(&at_limit))]));
        assert_eq!(env.get("IGV_PASSWORD").unwrap().unwrap().len(), VALUE_LIMIT);
    }

    #[test]
    fn a_value_in_the_environment_is_bounded_too() {
        let long = "k".repeat(VALUE_LIMIT + 1);
        let env = Environment::from_vars(vars(&[("SELLER_AUTH_STORE_KEY", &long)]));
        assert_eq!(
            config_error(env.get("SELLER_AUTH_STORE_KEY")),
            "SELLER_AUTH_STORE_KEY is longer than 64 KiB"
        );
    }

    #[test]
    fn a_path_is_named_with_its_control_characters_escaped() {
        let env = Environment::from_vars(vars(&[(
            "IGV_PASSWORD_FILE",
            "/nonexistent/\u{1b}]0;owned\u{7}\nforged",
        )]));
        let message = config_error(env.get("IGV_PASSWORD"));
        assert!(
            message.starts_with(
                r"IGV_PASSWORD_FILE: cannot read /nonexistent/\u{1b}]0;owned\u{7}\nforged: "
            ),
            "{message:?}"
        );
    }

    #[test]
    fn other_programs_file_variables_are_left_alone() {
        let env = Environment::from_vars(vars(&[
            ("HISTFILE", "/nonexistent"),
            ("DATABASE_URL_FILE", "/nonexistent"),
        ]));
        assert_eq!(env.get("DATABASE_URL").unwrap(), None);
    }
}
