//! Integration tests: one binary (one link) for every suite, run against SQLite and, with
//! `TRIBUN_TEST_DATABASE=postgres`, against PostgreSQL.

mod accounts;
mod authorization;
mod browser;
mod cli;
mod cluster;
mod elections;
mod insee;
mod logs;
mod mapping;
mod support;
mod territories;
mod tidy;
