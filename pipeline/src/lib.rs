//! The Agora pipeline: files, threads, tables and the command line.
//!
//! The text stages live in `agora-stages`; this crate wires them:
//!
//! - [`cli`] parses the command line and [`config`] decides what a run does;
//!   [`languages`] holds the dictionary compiled and the stop words of each
//!   language in use;
//! - [`discover`] lists the speeches and [`metadata`] reads metadata tables;
//!   [`inputs`] reads compressed speeches, tables of speeches and archives;
//! - [`run`] streams files through bounded channels to the worker threads and
//!   back to the aggregator ([`aggregate`], its cells in [`cells`]);
//! - [`tables`] and [`manifest`] write the output into a temporary folder
//!   that [`output`] swaps into place (under a lock on `--out`), with the
//!   Parquet copies (`parquet`, a cargo feature), `datapackage.json`
//!   ([`datapackage`], both typed by [`schema`]) and `report.html`
//!   ([`report`]); [`problems`]
//!   is the error report; [`progress`] draws the progress bar and [`log`]
//!   reports on stderr;
//! - [`interrupt`] turns SIGINT and SIGTERM into a clean stop;
//! - [`partial`] stores counts without run-specific ids, for `agora count`
//!   ([`shard`] decides which files a shard holds), `agora merge` ([`merge`])
//!   and `agora run --cache` ([`cache`]).

pub mod aggregate;
pub mod cache;
pub mod cells;
pub mod cli;
pub mod config;
pub mod datapackage;
pub mod discover;
pub mod inputs;
pub mod interrupt;
pub mod languages;
pub mod log;
pub mod manifest;
pub mod merge;
pub mod metadata;
pub mod output;
#[cfg(feature = "parquet")]
pub mod parquet;
pub mod partial;
pub mod problems;
pub mod progress;
pub mod report;
pub mod run;
pub mod schema;
pub mod shard;
pub mod tables;
