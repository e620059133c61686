//! "Did you mean" hints for misspelt keys and values.

/// The closest choice to `word`, if it is close enough to be a likely typo.
pub(crate) fn closest<'a>(word: &str, choices: &[&'a str]) -> Option<&'a str> {
    let limit = (word.chars().count() / 3).max(1);
    choices
        .iter()
        .map(|choice| {
            (
                distance(&word.to_lowercase(), &choice.to_lowercase()),
                *choice,
            )
        })
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, choice)| choice)
}

/// ", did you mean `x`?" or "; expected one of: a, b, c".
pub(crate) fn hint(word: &str, choices: &[&str]) -> String {
    match closest(word, choices) {
        Some(choice) => format!("; did you mean `{choice}`?"),
        None => format!("; expected one of: {}", choices.join(", ")),
    }
}

/// Levenshtein distance, with a swap of two neighbours counting as one edit.
fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut rows = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in rows.iter_mut().enumerate() {
        if let Some(first) = row.first_mut() {
            *first = i;
        }
    }
    if let Some(first_row) = rows.first_mut() {
        for (j, cell) in first_row.iter_mut().enumerate() {
            *cell = j;
        }
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (rows[i - 1][j] + 1)
                .min(rows[i][j - 1] + 1)
                .min(rows[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(rows[i - 2][j - 2] + 1);
            }
            rows[i][j] = best;
        }
    }
    rows[a.len()][b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typos_find_their_key() {
        let keys = ["path", "token_field", "body", "hash", "lifetime"];
        assert_eq!(closest("tokn_field", &keys), Some("token_field"));
        assert_eq!(closest("hsah", &keys), Some("hash"));
        assert_eq!(closest("bdy", &keys), Some("body"));
        assert_eq!(closest("completely_else", &keys), None);
        assert_eq!(distance("abc", "abc"), 0);
        assert_eq!(distance("", "abc"), 3);
    }
}
