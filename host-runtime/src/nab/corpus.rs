//! NAB's corpus on disk: `data/<category>/<name>.csv` (timestamp, value)
//! and `labels/combined_windows.json` (anomaly windows per file).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Why the benchmark could not be read.
#[derive(Debug, thiserror::Error)]
pub enum NabError {
    /// A file could not be read.
    #[error("{path}: {message}")]
    Read {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
    /// A file's content is not what NAB writes.
    #[error("{path}:{line}: {message}")]
    Format {
        /// The file.
        path: PathBuf,
        /// 1-based line (0 for the whole file).
        line: usize,
        /// What is wrong.
        message: String,
    },
}

/// One series with its windows as row index ranges.
#[derive(Debug, Clone)]
pub struct DataFile {
    /// Path relative to `data/`, e.g. `realKnownCause/nyc_taxi.csv`.
    pub name: String,
    /// Timestamps as written (`YYYY-MM-DD HH:MM:SS`).
    pub timestamps: Vec<String>,
    /// The values.
    pub values: Vec<f64>,
    /// Anomaly windows: first and last row, inclusive.
    pub windows: Vec<(usize, usize)>,
}

/// The corpus: every data file with its windows, in name order.
#[derive(Debug, Clone)]
pub struct Corpus {
    /// The files.
    pub files: Vec<DataFile>,
}

fn read(path: &Path) -> Result<String, NabError> {
    std::fs::read_to_string(path).map_err(|e| NabError::Read {
        path: path.to_owned(),
        message: e.to_string(),
    })
}

impl Corpus {
    /// Reads NAB's `data/` and `labels/combined_windows.json` under `root`.
    pub fn load(root: &Path) -> Result<Corpus, NabError> {
        let labels_path = root.join("labels/combined_windows.json");
        let labels: BTreeMap<String, Vec<(String, String)>> =
            serde_json::from_str(&read(&labels_path)?).map_err(|e| NabError::Format {
                path: labels_path.clone(),
                line: e.line(),
                message: e.to_string(),
            })?;
        let mut files = Vec::new();
        for (name, windows) in labels {
            let path = root.join("data").join(&name);
            let (timestamps, values) = read_series(&path)?;
            let index: BTreeMap<&str, usize> = timestamps
                .iter()
                .enumerate()
                .map(|(i, t)| (t.as_str(), i))
                .collect();
            let find = |t: &str| {
                // Labels carry microseconds (`.000000`); data rows do not.
                let key = t.get(..19).unwrap_or(t);
                index.get(key).copied().ok_or_else(|| NabError::Format {
                    path: labels_path.clone(),
                    line: 0,
                    message: format!("window edge {t} of {name} is not a timestamp of the file"),
                })
            };
            let windows = windows
                .iter()
                .map(|(a, b)| Ok((find(a)?, find(b)?)))
                .collect::<Result<Vec<_>, NabError>>()?;
            files.push(DataFile {
                name,
                timestamps,
                values,
                windows,
            });
        }
        Ok(Corpus { files })
    }

    /// The number of windows (the perfect detector's true positives).
    pub fn windows(&self) -> usize {
        self.files.iter().map(|f| f.windows.len()).sum()
    }
}

/// Reads a `timestamp,value[,…]` CSV; returns the timestamps and one
/// column of numbers (`value` or `anomaly_score`).
pub fn read_column(path: &Path, column: &str) -> Result<(Vec<String>, Vec<f64>), NabError> {
    let text = read(path)?;
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap_or("").split(',').collect();
    let at = header
        .iter()
        .position(|h| h.trim() == column)
        .ok_or_else(|| NabError::Format {
            path: path.to_owned(),
            line: 1,
            message: format!("no `{column}` column in {header:?}"),
        })?;
    let (mut ts, mut vs) = (Vec::new(), Vec::new());
    for (i, line) in lines.enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let cells: Vec<&str> = line.split(',').collect();
        let bad = |message: String| NabError::Format {
            path: path.to_owned(),
            line: i + 2,
            message,
        };
        let cell = cells.get(at).ok_or_else(|| bad(format!("no cell {at}")))?;
        let v: f64 = cell
            .trim()
            .parse()
            .map_err(|_| bad(format!("`{cell}` is not a number")))?;
        ts.push(cells[0].trim().to_owned());
        vs.push(v);
    }
    Ok((ts, vs))
}

fn read_series(path: &Path) -> Result<(Vec<String>, Vec<f64>), NabError> {
    read_column(path, "value")
}
