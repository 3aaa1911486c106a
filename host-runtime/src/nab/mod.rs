//! The Numenta Anomaly Benchmark, run the way NAB runs it: its corpus and
//! label windows, its scorer (window-relative sigmoid weighting, the three
//! cost profiles, one threshold optimised over the whole corpus, scores
//! normalised between the null and the perfect detector), and the ordex
//! detectors fed the corpus file by file.
//!
//! The scorer is our own port of NAB's `sweeper.py`, `optimizer.py` and
//! `runner.normalize`, checked against the per-row scores NAB publishes for
//! its detectors (`ordex nab score`).

mod corpus;
mod detectors;
mod sweep;

pub use corpus::{Corpus, DataFile, NabError, read_column};
pub use detectors::{Detector, run_detector};
pub use sweep::{Profile, ProfileScore, score_corpus};
