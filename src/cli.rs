//! The command line: clap definitions and dispatch to the commands.

use std::ffi::OsString;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::error::Error;
use crate::load::{self, Limits};
use crate::validate;

/// What the process should write and how it should exit.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub stdout: String,
    pub stderr: String,
    pub code: u8,
}

/// Facts about the process's surroundings that decide colouring.
#[derive(Debug, Default, Clone, Copy)]
pub struct Environment {
    pub stdout_is_terminal: bool,
    pub stderr_is_terminal: bool,
    /// `NO_COLOR` is set to a non-empty value.
    pub no_color: bool,
}

#[derive(Debug, Parser)]
#[command(
    name = "blast",
    version,
    about = "Compute the blast radius of an operation on a topology before anyone runs it",
    long_about = None,
    after_help = "Exit codes: 0 the gate passes, 1 the gate fails, 2 bad input or usage."
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// When to colour the output
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, global = true)]
    pub color: ColorChoice,
    /// Refuse input files larger than this many bytes
    #[arg(long, value_name = "BYTES", default_value_t = Limits::default().max_file_bytes, global = true)]
    pub max_file_size: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SummaryFormat {
    Table,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Load and check a topology; print what it holds and any warnings
    Validate {
        /// The topology file (YAML)
        topology: PathBuf,
        /// Output format
        #[arg(long, value_enum, default_value_t = SummaryFormat::Table)]
        format: SummaryFormat,
    },
}

impl GlobalArgs {
    fn limits(&self) -> Limits {
        Limits {
            max_file_bytes: self.max_file_size,
            ..Limits::default()
        }
    }

    fn color(&self, environment: &Environment, terminal: bool) -> bool {
        match self.color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => terminal && !environment.no_color,
        }
    }
}

/// Runs `blast` with these arguments (the first is the program name).
pub fn run<I, T>(args: I, environment: &Environment) -> Outcome
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let rendered = e.render().to_string();
            return match e.kind() {
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => Outcome {
                    stdout: rendered,
                    stderr: String::new(),
                    code: 0,
                },
                _ => Outcome {
                    stdout: String::new(),
                    stderr: rendered,
                    code: 2,
                },
            };
        }
    };
    let color_err = cli.global.color(environment, environment.stderr_is_terminal);
    match dispatch(&cli, environment) {
        Ok(outcome) => outcome,
        Err(error) => Outcome {
            stdout: String::new(),
            stderr: crate::render::error_text(&error, color_err),
            code: error.exit_code(),
        },
    }
}

fn dispatch(cli: &Cli, environment: &Environment) -> Result<Outcome, Error> {
    let limits = cli.global.limits();
    match &cli.command {
        Command::Validate { topology, format } => {
            let topology = load::load_topology(topology, limits)?;
            let summary = validate::summarize(&topology);
            let color = cli.global.color(environment, environment.stderr_is_terminal);
            Ok(match format {
                SummaryFormat::Table => Outcome {
                    stdout: crate::render::summary::table(&summary),
                    stderr: crate::render::summary::warnings(&summary, color),
                    code: 0,
                },
                SummaryFormat::Json => Outcome {
                    stdout: crate::render::json::to_string(&summary),
                    stderr: String::new(),
                    code: 0,
                },
            })
        }
    }
}
