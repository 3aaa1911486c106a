//! Domain knowledge rules call instead of re-typing tables: decline codes,
//! currency minor units. Pure data and functions; registered into Rhai by
//! [`crate::runtime`].

pub mod address;
pub mod carrier;
pub mod currency;
pub mod decline;
pub mod network;
pub mod risk;
pub mod text;
pub mod time;
