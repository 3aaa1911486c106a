use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::{BundleError, Manifest};

/// The bundle format this build reads and writes.
pub const BUNDLE_FORMAT: &str = "ordex-bundle/1";

/// A rule pack as one self-contained document: the manifest text and every
/// source and test file. Its id is the SHA-256 of its content, so a decision
/// that records the id names exactly the rules that made it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bundle {
    /// Always [`BUNDLE_FORMAT`].
    pub format: String,
    /// `sha256:<hex>` of the content; checked on load.
    pub id: String,
    /// The `ordex.toml` text.
    pub manifest: String,
    /// Files by path relative to the pack root (`/` separators), sorted.
    pub files: BTreeMap<String, String>,
}

#[derive(Serialize)]
struct Hashed<'a> {
    format: &'a str,
    manifest: &'a str,
    files: &'a BTreeMap<String, String>,
}

fn content_id(manifest: &str, files: &BTreeMap<String, String>) -> String {
    let canonical = serde_json::to_vec(&Hashed {
        format: BUNDLE_FORMAT,
        manifest,
        files,
    })
    .unwrap_or_default();
    let digest = Sha256::digest(&canonical);
    let mut id = String::with_capacity(71);
    id.push_str("sha256:");
    for byte in digest {
        id.push(char::from_digit(u32::from(byte >> 4), 16).unwrap_or('0'));
        id.push(char::from_digit(u32::from(byte & 15), 16).unwrap_or('0'));
    }
    id
}

/// A test file outside the test directory ends so.
pub const TEST_FILE_SUFFIX: &str = ".test.json";

impl Bundle {
    /// Builds a bundle from a manifest text and the pack's files, computing its id.
    pub fn from_files(manifest: String, files: BTreeMap<String, String>) -> Self {
        let id = content_id(&manifest, &files);
        Self {
            format: BUNDLE_FORMAT.to_owned(),
            id,
            manifest,
            files,
        }
    }

    /// Reads a bundle document, checking its format and that its id matches its content.
    pub fn from_json(text: &str) -> Result<Self, BundleError> {
        let bundle: Bundle = serde_json::from_str(text).map_err(|e| BundleError::Malformed {
            message: e.to_string(),
        })?;
        if bundle.format != BUNDLE_FORMAT {
            return Err(BundleError::UnsupportedFormat {
                found: bundle.format,
            });
        }
        let expected = content_id(&bundle.manifest, &bundle.files);
        if bundle.id != expected {
            return Err(BundleError::IdMismatch {
                declared: bundle.id,
                computed: expected,
            });
        }
        Ok(bundle)
    }

    /// The bundle as pretty JSON (stable: files are sorted).
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// Parses the manifest.
    pub fn parse_manifest(&self) -> Result<Manifest, BundleError> {
        toml::from_str(&self.manifest).map_err(|e| {
            let (line, col) = e
                .span()
                .map(|s| line_col(&self.manifest, s.start))
                .unwrap_or((1, 1));
            BundleError::Manifest {
                message: e.message().to_owned(),
                line,
                col,
            }
        })
    }

    /// Test files of the pack: `*.json` under the manifest's test
    /// directory, and `*.test.json` anywhere (beside the rules they test,
    /// such as `triage/credit_hold.test.json`).
    pub fn test_files<'a>(
        &'a self,
        tests_dir: &'a str,
    ) -> impl Iterator<Item = (&'a str, &'a str)> {
        let prefix = format!("{}/", tests_dir.trim_end_matches('/'));
        self.files
            .iter()
            .filter(move |(p, _)| {
                (p.starts_with(&prefix) && p.ends_with(".json")) || p.ends_with(TEST_FILE_SUFFIX)
            })
            .map(|(p, t)| (p.as_str(), t.as_str()))
    }
}

/// 1-based line and column of a byte offset.
pub(crate) fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}
