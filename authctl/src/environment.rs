//! The variables authctl reads, each also as `NAME_FILE`: the path of a file holding the value,
//! as Docker and Kubernetes mount secrets. Trailing newlines are trimmed; setting both forms is
//! a usage error, and a file that cannot be read is one too (its path is named, never its
//! content).

use std::collections::HashMap;
use std::ffi::OsString;

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

/// The process environment with the `_FILE` forms read.
#[derive(Default)]
pub struct Environment {
    plain: HashMap<String, String>,
    from_files: HashMap<String, String>,
}

impl Environment {
    /// Reads the process environment and every `NAME_FILE` of authctl's.
    pub fn load() -> Result<Self, Failure> {
        Environment::from_vars(std::env::vars_os())
    }

    /// The same from `vars` (a test's).
    pub fn from_vars(
        vars: impl IntoIterator<Item = (OsString, OsString)>,
    ) -> Result<Self, Failure> {
        let plain: HashMap<String, String> = vars
            .into_iter()
            .filter_map(|(name, value)| Some((name.into_string().ok()?, value.into_string().ok()?)))
            .collect();
        let mut from_files = HashMap::new();
        for (file_name, path) in &plain {
            let Some(name) = file_name.strip_suffix("_FILE") else {
                continue;
            };
            if !PREFIXES.iter().any(|p| name.starts_with(p)) {
                continue;
            }
            if plain.contains_key(name) {
                return Err(Failure::Config(format!(
                    "both {name} and {file_name} are set; keep one"
                )));
            }
            let text = std::fs::read_to_string(path)
                .map_err(|e| Failure::Config(format!("{file_name}: cannot read {path}: {e}")))?;
            let value = text.trim_end_matches(['\n', '\r']).to_owned();
            from_files.insert(name.to_owned(), value);
        }
        Ok(Environment { plain, from_files })
    }

    /// The variable's value, from the environment or from its file.
    pub fn get(&self, name: &str) -> Option<String> {
        self.plain
            .get(name)
            .or_else(|| self.from_files.get(name))
            .cloned()
    }
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

    #[test]
    fn a_file_gives_the_value_without_its_trailing_newlines() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("password");
        std::fs::write(&path, "s3cret with spaces \r\n\n").unwrap();
        let path = path.display().to_string();
        let env = Environment::from_vars(vars(&[
            ("IGV_PASSWORD_FILE", &path),
            ("IGV_EMAIL", "me@shop.example"),
        ]))
        .unwrap();
        assert_eq!(
            env.get("IGV_PASSWORD").as_deref(),
            Some("s3cret with spaces ")
        );
        assert_eq!(env.get("IGV_EMAIL").as_deref(), Some("me@shop.example"));
        assert_eq!(env.get("IGV_BASE_URL"), None);
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
        let Err(Failure::Config(message)) = both else {
            panic!("both forms were accepted")
        };
        assert_eq!(
            message,
            "both IOP_APP_SECRET and IOP_APP_SECRET_FILE are set; keep one"
        );
        let missing = dir.path().join("absent").display().to_string();
        let unreadable = Environment::from_vars(vars(&[("IGV_PASSWORD_FILE", &missing)]));
        let Err(Failure::Config(message)) = unreadable else {
            panic!("an unreadable file was accepted")
        };
        assert!(
            message.starts_with("IGV_PASSWORD_FILE: cannot read "),
            "{message}"
        );
    }

    #[test]
    fn other_programs_file_variables_are_left_alone() {
        let env = Environment::from_vars(vars(&[
            ("HISTFILE", "/nonexistent"),
            ("DATABASE_URL_FILE", "/nonexistent"),
        ]))
        .unwrap();
        assert_eq!(env.get("DATABASE_URL"), None);
    }
}
