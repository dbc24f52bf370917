//! Progress on a terminal: files, MB, MB/s and ETA on stderr, and nothing at
//! all when stderr is not a terminal (a nightly job's log stays clean).

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A progress bar over the bytes of the corpus.
pub struct Progress {
    bar: ProgressBar,
    files: u64,
    total_files: u64,
}

impl Progress {
    /// A bar for `total_bytes` in `total_files` files, drawn only when stderr
    /// is a terminal.
    pub fn new(total_bytes: u64, total_files: u64) -> Self {
        let bar = if std::io::stderr().is_terminal() {
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
        }
    }

    /// One more file of `bytes` bytes is done.
    pub fn advance(&mut self, bytes: u64) {
        self.files += 1;
        self.bar.inc(bytes);
        if self.files.is_multiple_of(64) || self.files == self.total_files {
            self.bar
                .set_message(format!("{}/{} files", self.files, self.total_files));
        }
    }

    /// Removes the bar from the terminal.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}
