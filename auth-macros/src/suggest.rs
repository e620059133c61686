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
///
/// Three rolling rows (the one two back is for swaps), read through `get` so that no index can
/// panic; a missing cell reads as "far".
fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    const FAR: usize = usize::MAX / 2;
    let at = |row: &[usize], j: usize| row.get(j).copied().unwrap_or(FAR);
    let mut before: Vec<usize> = vec![FAR; b.len() + 1];
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, &ca) in a.iter().enumerate() {
        let mut current = vec![i + 1; b.len() + 1];
        for (j, &cb) in b.iter().enumerate() {
            let mut best = (at(&previous, j + 1) + 1)
                .min(at(&current, j) + 1)
                .min(at(&previous, j) + usize::from(ca != cb));
            let swapped = i > 0 && j > 0 && a.get(i - 1) == Some(&cb) && b.get(j - 1) == Some(&ca);
            if swapped {
                best = best.min(at(&before, j - 1) + 1);
            }
            if let Some(cell) = current.get_mut(j + 1) {
                *cell = best;
            }
        }
        before = std::mem::replace(&mut previous, current);
    }
    at(&previous, b.len())
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
        assert_eq!(distance("abc", ""), 3);
        assert_eq!(distance("ab", "ba"), 1, "a swap is one edit");
        assert_eq!(distance("kitten", "sitting"), 3);
        assert_eq!(distance("hsah", "hash"), 1);
        assert_eq!(distance("ça", "ca"), 1, "characters, not bytes");
    }
}
