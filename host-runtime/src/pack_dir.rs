//! Reading a rule pack from disk (or a bundle file) into a [`Bundle`].

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use ordex_core::runtime::{Bundle, BundleError};
use thiserror::Error;

/// Why a pack could not be read.
#[derive(Debug, Error)]
pub enum PackError {
    /// File system trouble.
    #[error("{path}: {source}")]
    Io {
        /// Path.
        path: PathBuf,
        /// Cause.
        source: std::io::Error,
    },
    /// The directory has no manifest.
    #[error("{0}: no ordex.toml here; a rule pack is a directory with ordex.toml and .rhai files")]
    NoManifest(PathBuf),
    /// A bundle file that does not load.
    #[error("{path}: {source}")]
    Bundle {
        /// Path.
        path: PathBuf,
        /// Cause.
        source: BundleError,
    },
}

fn read(path: &Path) -> Result<String, PackError> {
    fs::read_to_string(path).map_err(|source| PackError::Io {
        path: path.to_owned(),
        source,
    })
}

fn collect(
    root: &Path,
    dir: &Path,
    tests: &str,
    models: &[String],
    files: &mut BTreeMap<String, String>,
) -> Result<(), PackError> {
    let entries = fs::read_dir(dir).map_err(|source| PackError::Io {
        path: dir.to_owned(),
        source,
    })?;
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        if name.starts_with('.') || name == "target" || name == "node_modules" {
            continue;
        }
        if path.is_dir() {
            collect(root, &path, tests, models, files)?;
        } else {
            let rel = path.strip_prefix(root).unwrap_or(&path);
            let key = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/");
            // Rules, the model and table files the manifest declares, and test cases under the manifest's test directory; examples
            // and notes beside the pack stay out of the bundle.
            let is_test = (key.starts_with(&format!("{tests}/")) && name.ends_with(".json"))
                || name.ends_with(ordex_core::runtime::TEST_FILE_SUFFIX);
            if name.ends_with(".rhai") || is_test || models.contains(&key) {
                files.insert(key, read(&path)?);
            }
        }
    }
    Ok(())
}

/// Loads a pack directory, or a bundle file when `path` is a file.
pub fn load(path: &Path) -> Result<Bundle, PackError> {
    if path.is_file() {
        return Bundle::from_json(&read(path)?).map_err(|source| PackError::Bundle {
            path: path.to_owned(),
            source,
        });
    }
    let manifest_path = path.join("ordex.toml");
    if !manifest_path.is_file() {
        return Err(PackError::NoManifest(path.to_owned()));
    }
    let manifest = read(&manifest_path)?;
    // The test directory is read from the manifest when it parses; a manifest
    // that does not parse is reported by the compiler with its position.
    let (tests, models) = toml::from_str::<ordex_core::runtime::Manifest>(&manifest)
        .map(|m| {
            (
                m.tests.trim_end_matches('/').to_owned(),
                m.models
                    .into_values()
                    .chain(m.tables.into_values().map(|t| t.file))
                    .collect(),
            )
        })
        .unwrap_or_else(|_| ("tests".to_owned(), Vec::new()));
    let mut files = BTreeMap::new();
    collect(path, path, &tests, &models, &mut files)?;
    Ok(Bundle::from_files(manifest, files))
}
