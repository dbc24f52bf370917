//! The Agora pipeline: files, threads, tables and the command line.
//!
//! The text stages live in `agora-stages`; this crate wires them:
//!
//! - [`cli`] parses the command line and [`config`] decides what a run does;
//! - [`discover`] lists the speeches and [`metadata`] reads metadata tables;
//! - [`run`] streams files through bounded channels to the worker threads and
//!   back to the aggregator ([`aggregate`]);
//! - [`tables`] and [`manifest`] write the output into a temporary folder
//!   that [`output`] swaps into place; [`problems`] is the error report;
//!   [`progress`] draws the progress bar.

pub mod aggregate;
pub mod cli;
pub mod config;
pub mod discover;
pub mod manifest;
pub mod metadata;
pub mod output;
pub mod problems;
pub mod progress;
pub mod run;
pub mod tables;
