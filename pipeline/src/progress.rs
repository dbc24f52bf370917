//! Progress on a terminal: files, MB, MB/s and ETA on stderr, and nothing at
//! all when stderr is not a terminal (a nightly job's log stays clean) or
//! with `--quiet`; with `--log-format json`, a `progress` line every few
//! seconds instead.

use std::io::IsTerminal;
use std::time::{Duration, Instant};

use serde_json::json;

use crate::log::{Log, PROGRESS_EVERY};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A progress bar over the bytes of the corpus.
pub struct Progress {
    bar: ProgressBar,
    files: u64,
    total_files: u64,
    bytes: u64,
    total_bytes: u64,
    log: Log,
    started: Instant,
    last_line: Instant,
}

impl Progress {
    /// A bar for `total_bytes` in `total_files` files, drawn only when stderr
    /// is a terminal and the log is text; JSON lines when it is JSON.
    pub fn new(log: &Log, total_bytes: u64, total_files: u64) -> Self {
        log.stage("count");
        let bar = if log.text() && std::io::stderr().is_terminal() {
            let bar = ProgressBar::with_draw_target(
                Some(total_bytes),
                ProgressDrawTarget::stderr_with_hz(8),
            );
            bar.set_style(
                ProgressStyle::with_template(
                    "{spinner} [{elapsed_precise}] {wide_bar} {decimal_bytes}/{decimal_total_bytes} \
                     {decimal_bytes_per_sec} ETA {eta} {msg}",
                )
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
            );
            bar.enable_steady_tick(Duration::from_millis(250));
            bar
        } else {
            ProgressBar::hidden()
        };
        Progress {
            bar,
            files: 0,
            total_files,
            bytes: 0,
            total_bytes,
            log: *log,
            started: Instant::now(),
            last_line: Instant::now(),
        }
    }

    /// One more file of `bytes` bytes is done.
    pub fn advance(&mut self, bytes: u64) {
        self.files += 1;
        self.bytes += bytes;
        self.bar.inc(bytes);
        if self.log.json() && self.last_line.elapsed() >= PROGRESS_EVERY {
            self.last_line = Instant::now();
            let secs = self.started.elapsed().as_secs_f64();
            self.log.event(
                "progress",
                json!({
                    "stage": "count",
                    "files": self.files,
                    "total_files": self.total_files,
                    "bytes": self.bytes,
                    "total_bytes": self.total_bytes,
                    "mb_per_s": ((self.bytes as f64 / 1e6 / secs.max(1e-9)) * 10.0).round() / 10.0,
                }),
            );
        }
        if self.files.is_multiple_of(64) || self.files == self.total_files {
            self.bar
                .set_message(format!("{}/{} files", self.files, self.total_files));
        }
    }

    /// Removes the bar from the terminal.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
        self.log.stage("tables");
    }
}
