//! The `agora` command: parses arguments, reads the configuration file,
//! runs, reports, sets the exit status (documented in `agora --help`).

use std::process::ExitCode;

use agora::cli::{Cli, Command, LogFormat};
use agora::config::{FileConfig, Outputs, ReportOptions, RunConfig};
use agora::log::Log;
use agora::run::{RunError, Summary};
use agora::shard::Shard;
use clap::Parser;

fn main() -> ExitCode {
    let command_line: Vec<String> = std::env::args().collect();
    let cli = Cli::parse();
    if let Err(e) = agora::interrupt::install() {
        eprintln!(
            "agora: warning: cannot handle SIGINT/SIGTERM ({e}); an interrupted run leaves a \
             temporary folder that the next run removes"
        );
    }
    let name = match &cli.command {
        Command::Run(_) => "run",
        Command::Count(_) => "count",
        Command::Merge(_) => "merge",
        Command::Report(_) => "report",
    };
    // Before the file is read, errors are reported in the format asked on the command line.
    let early = Log {
        quiet: cli.quiet,
        format: cli.log_format.unwrap_or(LogFormat::Text),
        command: name,
    };
    let (file, _) = match FileConfig::load(cli.config.as_deref()) {
        Ok(loaded) => loaded,
        Err(e) => {
            early.error(&format!("{e:#}"), 2);
            return ExitCode::from(2);
        }
    };
    let log = Log {
        quiet: cli.quiet || file.quiet,
        format: cli
            .log_format
            .or(file.log_format.map(LogFormat::from))
            .unwrap_or(LogFormat::Text),
        command: name,
    };
    let result = match cli.command {
        Command::Run(args) => match Outputs::resolve(args.output, &file) {
            Ok(outputs) => {
                let mut cfg = RunConfig::resolve(args.corpus, &file, args.out, args.cache);
                cfg.outputs = outputs;
                agora::run::run(&cfg, &command_line, &log)
            }
            Err(e) => Err(RunError::Usage(e)),
        },
        Command::Count(args) => {
            let shard_text = args.shard.or_else(|| file.shard.clone());
            let partial = args.partial.or_else(|| file.partial.clone());
            let shards = args.shards.or(file.shards);
            let cfg = RunConfig::resolve(args.corpus, &file, None, None);
            match (shard_text, partial) {
                (Some(text), Some(dir)) => {
                    match Shard::parse(&text, shards, |v| std::env::var(v).ok()) {
                        Ok(shard) => agora::run::count(&cfg, shard, &dir, &log),
                        Err(e) => Err(RunError::Usage(e)),
                    }
                }
                _ => Err(RunError::Usage(anyhow::anyhow!(
                    "agora count needs --shard I/N (or env) and --partial DIR"
                ))),
            }
        }
        Command::Merge(args) => {
            let out = args
                .out
                .or_else(|| file.out.clone())
                .unwrap_or_else(|| agora::config::DEFAULT_OUT.into());
            match Outputs::resolve(args.output, &file) {
                Ok(outputs) => {
                    agora::merge::merge(&args.partials, &out, &outputs, &command_line, &log)
                }
                Err(e) => Err(RunError::Usage(e)),
            }
        }
        Command::Report(args) => {
            let dir = args
                .dir
                .or_else(|| file.out.clone())
                .unwrap_or_else(|| agora::config::DEFAULT_OUT.into());
            let options = ReportOptions::resolve(args.report_options, &file);
            return match agora::report::write_into(&dir, &options) {
                Ok(path) => {
                    if !log.quiet && log.format == LogFormat::Text {
                        eprintln!("agora report: wrote {}", path.display());
                    }
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    let code = e.exit_code();
                    log.error(&e.to_string(), code);
                    ExitCode::from(code as u8)
                }
            };
        }
    };
    finish(result, &log)
}

/// Reports the outcome; 1 when files were skipped, the error's status on failure.
fn finish(result: Result<Summary, RunError>, log: &Log) -> ExitCode {
    match result {
        Ok(summary) => {
            let code = if summary.skipped > 0 { 1 } else { 0 };
            log.summary(&summary, code);
            ExitCode::from(code as u8)
        }
        Err(e) => {
            log.error(&e.to_string(), e.exit_code());
            ExitCode::from(e.exit_code() as u8)
        }
    }
}
