//! Random token text for the simulated vendors.

/// `prefix-` followed by 40 random letters and digits.
pub(crate) fn random_token(prefix: &str) -> String {
    let mut token = String::with_capacity(prefix.len() + 41);
    token.push_str(prefix);
    token.push('-');
    token.extend(std::iter::repeat_with(fastrand::alphanumeric).take(40));
    token
}
