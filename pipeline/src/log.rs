//! What Agora tells on stderr: nothing but errors with `--quiet`; a progress
//! bar (on a terminal) and a summary line by default; or, with
//! `--log-format json`, one JSON object per line for schedulers that collect
//! logs: `start`, `progress` (at most every [`PROGRESS_EVERY`]), `stage`,
//! `warning`, `summary` and `error`, each with `event`, `command` and
//! `time` (seconds since 1970). The fields are listed in `docs/scaling.md`.
//!
//! This module only formats and prints; the run decides what to report.

use std::io::Write;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{json, Value};

use crate::cli::LogFormat;
use crate::run::Summary;

/// How often a JSON `progress` line is written, at most.
pub const PROGRESS_EVERY: Duration = Duration::from_secs(5);

/// Where and how to report.
#[derive(Debug, Clone, Copy)]
pub struct Log {
    /// `--quiet`: errors only.
    pub quiet: bool,
    /// `--log-format`.
    pub format: LogFormat,
    /// The subcommand, named in every JSON line.
    pub command: &'static str,
}

impl Log {
    /// Whether JSON lines are written.
    pub fn json(&self) -> bool {
        self.format == LogFormat::Json && !self.quiet
    }

    /// Whether the human-readable progress bar and summary are shown.
    pub fn text(&self) -> bool {
        self.format == LogFormat::Text && !self.quiet
    }

    /// Writes one JSON line with `event`, `command`, `time` and `fields`.
    pub fn event(&self, event: &str, fields: Value) {
        if !self.json() {
            return;
        }
        let mut line = json!({
            "event": event,
            "command": self.command,
            "time": SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0.0, |d| (d.as_secs_f64() * 1000.0).round() / 1000.0),
        });
        if let (Some(map), Value::Object(more)) = (line.as_object_mut(), fields) {
            map.extend(more);
        }
        let mut err = std::io::stderr().lock();
        let _ = writeln!(err, "{line}");
    }

    /// The start of the work: files listed, their bytes, and how many will be read.
    pub fn start(&self, files: u64, bytes: u64, to_read: u64) {
        self.event(
            "start",
            json!({ "files": files, "bytes": bytes, "to_read": to_read }),
        );
    }

    /// A stage begins (`count`, `tables`, `merge`).
    pub fn stage(&self, stage: &str) {
        self.event("stage", json!({ "stage": stage }));
    }

    /// A warning: a line of text, or a JSON `warning` event.
    pub fn warning(&self, message: &str) {
        if self.json() {
            self.event("warning", json!({ "message": message }));
        } else if !self.quiet {
            eprintln!("agora: warning: {message}");
        }
    }

    /// An error; always reported, whatever `--quiet` says.
    pub fn error(&self, message: &str, exit_code: i32) {
        if self.format == LogFormat::Json {
            // Errors are reported even with --quiet.
            let quiet_off = Log {
                quiet: false,
                ..*self
            };
            quiet_off.event(
                "error",
                json!({ "message": message, "exit_code": exit_code }),
            );
        } else {
            eprintln!("agora: error: {message}");
        }
    }

    /// The end of a successful command.
    pub fn summary(&self, summary: &Summary, exit_code: i32) {
        for warning in &summary.warnings {
            self.warning(warning);
        }
        if self.text() {
            eprintln!("{}", summary.line());
            if summary.skipped > 0 {
                eprintln!(
                    "agora: {} file(s) skipped; see {}",
                    summary.skipped,
                    if summary.partial {
                        "the partial's problems (errors.csv after the merge)".to_owned()
                    } else {
                        format!("errors.csv in {}", summary.out.display())
                    }
                );
            }
        }
        self.event(
            "summary",
            json!({
                "speeches": summary.speeches,
                "skipped": summary.skipped,
                "problems": summary.problems,
                "tokens": summary.tokens,
                "bytes": summary.bytes,
                "reused": summary.reused,
                "elapsed_seconds": (summary.elapsed.as_secs_f64() * 1000.0).round() / 1000.0,
                "out": summary.out.display().to_string(),
                "exit_code": exit_code,
            }),
        );
    }
}
