//! Interruption: SIGINT (Ctrl-C) and SIGTERM stop a run cleanly.
//!
//! The handlers only record which signal came (an atomic store is all a
//! signal handler may safely do); the run polls [`requested`] between files
//! and before it moves the tables into place, stops reading, lets the workers
//! finish the few batches in flight, and returns
//! [`crate::run::RunError::Interrupted`]: the temporary folder is removed and
//! `--out` keeps its previous tables. A second signal while the run is
//! stopping ends the process at once with the signal's default action, for a
//! run that does not stop quickly enough; the next run removes what it left.
//!
//! This module does not decide exit statuses (the caller maps a signal to
//! 128 + its number) and installs nothing unless asked: library users and
//! tests that never call [`install`] are never interrupted.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// The signal that asked the run to stop, or 0.
static SIGNAL: AtomicUsize = AtomicUsize::new(0);
/// Set by the first signal: the next one takes the default action.
static ARMED: AtomicBool = AtomicBool::new(false);

/// SIGINT's number, for exit statuses (130 = 128 + 2).
pub const SIGINT: i32 = 2;
/// SIGTERM's number, for exit statuses (143 = 128 + 15).
pub const SIGTERM: i32 = 15;

/// Installs the SIGINT and SIGTERM handlers (Unix; elsewhere a no-op, and
/// an interrupted run ends as the system ends it).
pub fn install() -> std::io::Result<()> {
    #[cfg(unix)]
    for signal in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        // Order matters: the default action is checked before this delivery
        // arms it, so only a second signal kills at once.
        signal_hook::flag::register_conditional_default(signal, &ARMED)?;
        signal_hook::flag::register_usize(signal, &SIGNAL, signal as usize)?;
        signal_hook::flag::register(signal, &ARMED)?;
    }
    Ok(())
}

/// The signal that asked the run to stop, if one did.
pub fn requested() -> Option<i32> {
    match SIGNAL.load(Ordering::SeqCst) {
        0 => None,
        s => i32::try_from(s).ok(),
    }
}

/// The usual name of a signal, for messages.
pub fn name(signal: i32) -> String {
    match signal {
        SIGINT => "SIGINT (Ctrl-C)".to_owned(),
        SIGTERM => "SIGTERM".to_owned(),
        s => format!("signal {s}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signal_numbers_match_the_system() {
        #[cfg(unix)]
        assert_eq!(
            (SIGINT, SIGTERM),
            (signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM)
        );
        assert_eq!(name(SIGTERM), "SIGTERM");
        assert_eq!(requested(), None);
    }
}
