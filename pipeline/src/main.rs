//! The `agora` command: parses arguments, runs, reports, sets the exit status.

use std::process::ExitCode;

use agora::cli::{Cli, Command};
use agora::config::RunConfig;
use agora::run::run;
use clap::Parser;

fn main() -> ExitCode {
    let command_line: Vec<String> = std::env::args().collect();
    let cli = Cli::parse();
    if let Err(e) = agora::interrupt::install() {
        eprintln!("agora: warning: cannot handle SIGINT/SIGTERM ({e}); an interrupted run leaves a temporary folder that the next run removes");
    }
    match cli.command {
        Command::Run(args) => {
            let cfg = RunConfig::from_args(args);
            match run(&cfg, &command_line) {
                Ok(summary) => {
                    for warning in &summary.warnings {
                        eprintln!("agora: warning: {warning}");
                    }
                    eprintln!("{}", summary.line());
                    if summary.skipped > 0 {
                        eprintln!(
                            "agora: {} file(s) skipped; see errors.csv in {}",
                            summary.skipped,
                            summary.out.display()
                        );
                        ExitCode::from(1)
                    } else {
                        ExitCode::SUCCESS
                    }
                }
                Err(e) => {
                    eprintln!("agora: error: {e}");
                    ExitCode::from(e.exit_code() as u8)
                }
            }
        }
    }
}
