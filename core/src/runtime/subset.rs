//! Cutting a bundle down to what some entries need.
//!
//! A checkout page runs the `checkout` entry in the shopper's browser; it
//! must not receive the triage rules, the fraud thresholds or the models
//! only triage reads. [`Bundle::subset`] keeps the entries asked for, the
//! functions they can reach (in their own files and in the libraries they
//! name), and the parameters, models and tables that reachable code
//! mentions; everything else is dropped. Removed functions leave their line
//! breaks behind, so an error in the subset points at the same `file:line`
//! as in the full pack.
//!
//! Reachability is textual and errs on the side of keeping: any identifier
//! or string in reachable code that names a function, a module, a
//! parameter, a model or a table keeps it. Code that builds a name at run
//! time (`call(Fn("chk_" + kind))`) is not followed; the caller checks the
//! subset against the pack's test cases ([`crate::testing::compare_subset`]).

use std::collections::{BTreeMap, BTreeSet};

use thiserror::Error;

use super::functions::IMPLICIT_USES;
use super::rhai_scan::{Scanned, blank_spans, scan};
use super::{Bundle, BundleError, Manifest};

/// Why a subset could not be made.
#[derive(Debug, Error)]
pub enum SubsetError {
    /// The bundle's manifest does not parse.
    #[error(transparent)]
    Bundle(#[from] BundleError),
    /// No entries were asked for.
    #[error("name at least one entry to keep")]
    NoEntries,
    /// An entry asked for is not in the manifest.
    #[error("the pack has no entry `{name}` (it has: {available})")]
    UnknownEntry {
        /// The entry asked for.
        name: String,
        /// The entries the manifest declares, comma-separated.
        available: String,
    },
    /// The cut-down manifest could not be written as TOML.
    #[error("writing the subset's ordex.toml: {0}")]
    Manifest(String),
}

/// The word a call of a library names last: `math` for `zen::math`
/// (`lib/zen/math.rhai`). Mentions are words, so a library is kept when its
/// last segment is mentioned: a superset of what is reached, never less.
fn module_word(path: &str) -> String {
    let name = super::compile::module_name(path);
    name.rsplit("::").next().unwrap_or(&name).to_owned()
}

impl Bundle {
    /// A new bundle (with its own content id) holding only `entries` and
    /// what they use. The manifest keeps the pack's name, version and
    /// limits; test files are left out.
    pub fn subset(&self, entries: &[&str]) -> Result<Bundle, SubsetError> {
        let manifest = self.parse_manifest()?;
        if entries.is_empty() {
            return Err(SubsetError::NoEntries);
        }
        for name in entries {
            if !manifest.entries.contains_key(*name) {
                return Err(SubsetError::UnknownEntry {
                    name: (*name).to_owned(),
                    available: manifest
                        .entries
                        .keys()
                        .cloned()
                        .collect::<Vec<_>>()
                        .join(", "),
                });
            }
        }
        let tests_prefix = format!("{}/", manifest.tests.trim_end_matches('/'));
        let all_entry_files: BTreeSet<&str> =
            manifest.entries.values().map(|e| e.file.as_str()).collect();
        let kept_entry_files: BTreeSet<&str> = entries
            .iter()
            .filter_map(|n| manifest.entries.get(*n))
            .map(|e| e.file.as_str())
            .collect();
        let libraries: BTreeMap<&str, Scanned> = self
            .files
            .iter()
            .filter(|(p, _)| {
                p.ends_with(".rhai")
                    && !p.starts_with(&tests_prefix)
                    && !all_entry_files.contains(p.as_str())
            })
            .map(|(p, t)| (p.as_str(), scan(t)))
            .collect();
        let entry_scans: BTreeMap<&str, Scanned> = kept_entry_files
            .iter()
            .filter_map(|f| self.files.get(*f).map(|t| (*f, scan(t))))
            .collect();

        let reach = Reach::run(&manifest, entries, &entry_scans, &libraries);

        let mut files = BTreeMap::new();
        for (path, scanned) in entry_scans.iter().chain(
            libraries
                .iter()
                .filter(|(p, _)| reach.mentioned.contains(module_word(p).as_str())),
        ) {
            let drop: Vec<(usize, usize)> = scanned
                .functions
                .iter()
                .enumerate()
                .filter(|(i, _)| !reach.functions.contains(&(*path, *i)))
                .map(|(_, f)| f.span)
                .collect();
            files.insert((*path).to_owned(), blank_spans(&self.files[*path], &drop));
        }

        let mut out = Manifest {
            entries: manifest
                .entries
                .iter()
                .filter(|(n, _)| entries.contains(&n.as_str()))
                .map(|(n, e)| (n.clone(), e.clone()))
                .collect(),
            models: manifest
                .models
                .iter()
                .filter(|(n, _)| reach.mentioned.contains(n.as_str()))
                .map(|(n, f)| (n.clone(), f.clone()))
                .collect(),
            tables: manifest
                .tables
                .iter()
                .filter(|(n, _)| reach.mentioned.contains(n.as_str()))
                .map(|(n, t)| (n.clone(), t.clone()))
                .collect(),
            params: manifest
                .params
                .iter()
                .filter(|(k, _)| reach.mentioned.contains(k.as_str()))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
            ..manifest.clone()
        };
        out.allow_limit_tests = false;
        for file in out
            .models
            .values()
            .chain(out.tables.values().map(|t| &t.file))
        {
            if let Some(text) = self.files.get(file) {
                files.insert(file.clone(), text.clone());
            }
        }
        // No id of the full bundle here: a change to other entries leaves
        // the subset (and its id, a page's cache key) as it was.
        let header = format!(
            "# The entries {} of {} {}, cut down by `ordex bundle --entries`: only\n# what they use travels.\n",
            entries.join(", "),
            manifest.name,
            manifest.version,
        );
        let body = toml::to_string(&out).map_err(|e| SubsetError::Manifest(e.to_string()))?;
        Ok(Bundle::from_files(header + body.as_str(), files))
    }
}

/// The fixpoint of what the kept entries can reach.
struct Reach<'a> {
    /// Reached functions as (file, index into its `functions`).
    functions: BTreeSet<(&'a str, usize)>,
    /// Every name reached code mentions (plus built-ins' implicit uses).
    mentioned: BTreeSet<&'a str>,
}

impl<'a> Reach<'a> {
    fn run(
        manifest: &'a Manifest,
        entries: &[&str],
        entry_scans: &'a BTreeMap<&'a str, Scanned>,
        libraries: &'a BTreeMap<&'a str, Scanned>,
    ) -> Self {
        let mut reach = Reach {
            functions: BTreeSet::new(),
            mentioned: BTreeSet::new(),
        };
        // Names mentioned by reached code of each entry file: its own
        // functions are callable unqualified from there only.
        let mut local: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
        for name in entries {
            if let Some(e) = manifest.entries.get(*name) {
                local
                    .entry(e.file.as_str())
                    .or_default()
                    .insert(e.function_name(name));
            }
        }
        // Entry files run their top-level code too.
        for (path, scanned) in entry_scans {
            let names = local.entry(path).or_default();
            for m in &scanned.top_level_mentions {
                names.insert(m.as_str());
                reach.mentioned.insert(m.as_str());
            }
        }
        let mut used_libraries: BTreeSet<&str> = BTreeSet::new();
        loop {
            let mut changed = false;
            for (path, scanned) in entry_scans {
                for (i, f) in scanned.functions.iter().enumerate() {
                    if reach.functions.contains(&(*path, i))
                        || !local.get(path).is_some_and(|l| l.contains(f.name.as_str()))
                    {
                        continue;
                    }
                    reach.functions.insert((path, i));
                    let names = local.entry(path).or_default();
                    for m in &f.mentions {
                        names.insert(m.as_str());
                        reach.mentioned.insert(m.as_str());
                    }
                    changed = true;
                }
            }
            for (path, scanned) in libraries {
                if !reach.mentioned.contains(module_word(path).as_str()) {
                    continue;
                }
                if used_libraries.insert(path) {
                    // A module runs its top-level code when it loads.
                    reach
                        .mentioned
                        .extend(scanned.top_level_mentions.iter().map(String::as_str));
                    changed = true;
                }
                for (i, f) in scanned.functions.iter().enumerate() {
                    if reach.functions.contains(&(*path, i))
                        || !reach.mentioned.contains(f.name.as_str())
                    {
                        continue;
                    }
                    reach.functions.insert((path, i));
                    reach
                        .mentioned
                        .extend(f.mentions.iter().map(String::as_str));
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
        for implicit in IMPLICIT_USES {
            if reach.mentioned.contains(implicit.function) {
                reach.mentioned.extend(implicit.models.iter().copied());
                reach.mentioned.extend(implicit.params.iter().copied());
            }
        }
        reach
    }
}
