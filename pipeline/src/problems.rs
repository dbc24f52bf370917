//! The run's error report: every file skipped or degraded, and why.
//!
//! Each problem becomes a row of `errors.csv` (docs/output.md) and, for
//! skipped files, is counted in the summary and the exit status. Nothing that
//! is read and not counted goes unreported.

use std::fmt;

/// What happened to the thing a problem is about. Variants are in the
/// alphabetical order of their labels, so `errors.csv` sorts by label.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Outcome {
    /// The file was counted, but something in it could not be understood.
    Degraded,
    /// A metadata row was not used.
    Ignored,
    /// The file was not counted at all.
    Skipped,
}

impl Outcome {
    /// The label written in the `outcome` column.
    pub fn label(self) -> &'static str {
        match self {
            Outcome::Skipped => "skipped",
            Outcome::Degraded => "degraded",
            Outcome::Ignored => "ignored",
        }
    }
}

/// One row of `errors.csv`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Problem {
    /// The file concerned, as found on disk.
    pub path: String,
    /// 1-based line in that file, where there is one.
    pub line: Option<u64>,
    /// The stage that found the problem: `discover`, `read`, `ingest`, `segment`,
    /// `metadata`, `analyze`.
    pub stage: &'static str,
    /// What happened to the file or row.
    pub outcome: Outcome,
    /// What is wrong, and what to do about it.
    pub message: String,
}

impl Problem {
    /// A problem without a line number.
    pub fn new(
        path: impl Into<String>,
        stage: &'static str,
        outcome: Outcome,
        message: impl Into<String>,
    ) -> Self {
        Problem {
            path: path.into(),
            line: None,
            stage,
            outcome,
            message: message.into(),
        }
    }

    /// The same problem at a line.
    pub fn at_line(mut self, line: Option<u64>) -> Self {
        self.line = line;
        self
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.path)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        write!(
            f,
            ": {} ({}): {}",
            self.outcome.label(),
            self.stage,
            self.message
        )
    }
}
