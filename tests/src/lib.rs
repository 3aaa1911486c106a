//! The parity corpus: a seeded generator of realistic call envelopes for
//! every entry point — every exception kind, every gateway, many countries
//! and scripts, large carts — plus missing and malformed fields, so that
//! errors are compared too. Same seed, same corpus, on every platform.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod corpus;
mod numbers;

pub use corpus::{Corpus, corpus};
pub use numbers::numbers_corpus;
