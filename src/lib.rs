//! Tribun: the digital campaign headquarters. See ARCHITECTURE.md for the map of this crate.

pub mod accounts;
pub mod audit;
pub mod cli;
pub mod config;
pub mod elections;
pub mod fiches;
pub mod french;
pub mod http;
pub mod insee;
pub mod maps;
pub mod startup;
pub mod store;
pub mod targeting;
pub mod telemetry;
pub mod territories;
