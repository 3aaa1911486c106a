//! Rule-pack tests in the spirit of `opa test`: JSON files beside the rules,
//! each case an input (a base document plus a merge patch) and the fields the
//! answer must have. Runs through the same JSON face as production, so a test
//! sees exactly what a host would.

mod case;
mod matcher;
mod patch;
mod subset_check;

pub use case::{CaseOutcome, TestFile, TestFileError, run_bundle_tests, run_tests_with};
pub use matcher::mismatches;
pub use patch::{SetPath, SetStep, merge_patch, set_path};
pub use subset_check::{SubsetComparison, compare_subset, compare_subset_with};
