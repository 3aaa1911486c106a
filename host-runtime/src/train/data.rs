//! Labelled texts: read from CSV, split by a seed, stratified by label.

use std::path::Path;

use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;

use super::TrainError;

/// One labelled text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Example {
    /// The text.
    pub text: String,
    /// Its class.
    pub label: String,
}

/// Reads `text_column` and `label_column` of a CSV file with a header row.
/// Rows with an empty text or label are skipped; a missing column is an error.
pub fn read_csv(
    path: &Path,
    text_column: &str,
    label_column: &str,
) -> Result<Vec<Example>, TrainError> {
    let err = |message: String| TrainError::Data {
        path: path.display().to_string(),
        message,
    };
    let mut reader = csv::ReaderBuilder::new()
        .flexible(false)
        .from_path(path)
        .map_err(|e| err(e.to_string()))?;
    let headers = reader.headers().map_err(|e| err(e.to_string()))?.clone();
    // A UTF-8 byte-order mark sticks to the first header.
    let find = |name: &str| {
        headers
            .iter()
            .position(|h| h.trim_start_matches('\u{feff}') == name)
            .ok_or_else(|| {
                err(format!(
                    "no column `{name}`; the columns are {}",
                    headers.iter().collect::<Vec<_>>().join(", ")
                ))
            })
    };
    let (t, l) = (find(text_column)?, find(label_column)?);
    let mut out = Vec::new();
    for (i, row) in reader.records().enumerate() {
        let row = row.map_err(|e| err(format!("row {}: {e}", i + 2)))?;
        let text = row.get(t).unwrap_or_default().trim();
        let label = row.get(l).unwrap_or_default().trim();
        if !text.is_empty() && !label.is_empty() {
            out.push(Example {
                text: text.to_owned(),
                label: label.to_owned(),
            });
        }
    }
    Ok(out)
}

/// Splits `examples` into (train, test) with `test_share` of each label in
/// test, shuffled by `seed`: the same seed gives the same split.
pub fn stratified_split(
    examples: &[Example],
    test_share: f64,
    seed: u64,
) -> (Vec<Example>, Vec<Example>) {
    let mut labels: Vec<&str> = examples.iter().map(|e| e.label.as_str()).collect();
    labels.sort_unstable();
    labels.dedup();
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let (mut train, mut test) = (Vec::new(), Vec::new());
    for label in labels {
        let mut of: Vec<&Example> = examples.iter().filter(|e| e.label == label).collect();
        of.shuffle(&mut rng);
        let n_test = ((of.len() as f64) * test_share).round() as usize;
        for (i, e) in of.into_iter().enumerate() {
            if i < n_test {
                test.push(e.clone());
            } else {
                train.push(e.clone());
            }
        }
    }
    train.shuffle(&mut rng);
    (train, test)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_split_is_stratified_and_repeatable() {
        let examples: Vec<Example> = (0..100)
            .map(|i| Example {
                text: format!("t{i}"),
                label: if i < 80 { "a".into() } else { "b".into() },
            })
            .collect();
        let (train, test) = stratified_split(&examples, 0.2, 7);
        assert_eq!(test.iter().filter(|e| e.label == "a").count(), 16);
        assert_eq!(test.iter().filter(|e| e.label == "b").count(), 4);
        assert_eq!(train.len(), 80);
        assert_eq!(stratified_split(&examples, 0.2, 7), (train, test.clone()));
        assert_ne!(stratified_split(&examples, 0.2, 8).1, test);
    }
}
