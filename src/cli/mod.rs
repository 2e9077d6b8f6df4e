//! The command line: parse the arguments, run one command, say what to
//! write and how to exit. [`args`] holds the clap types, `commands` one
//! function per command, [`complete`] the dynamic shell completions.

pub mod args;
mod commands;
pub mod complete;
mod docs;

use std::ffi::OsString;
use std::path::PathBuf;

use clap::CommandFactory;
use clap_complete::engine::ArgValueCompleter;

use crate::cli::args::{CheckFormat, Cli, Command, ListFormat, ReportFormat, ValidateFormat};
use crate::error::Error;
use crate::render::error::ErrorFormat;

/// What the process should write and how it should exit.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Output {
    pub stdout: String,
    pub stderr: String,
    pub code: u8,
    /// Files to write (`--output`, `man --dir`), each whole or not at all,
    /// before stdout.
    pub files: Vec<OutputFile>,
}

/// A file the process should write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputFile {
    pub path: PathBuf,
    pub contents: String,
}

impl Output {
    /// Results on stdout, nothing on stderr.
    fn stdout(stdout: String, code: u8) -> Self {
        Output {
            stdout,
            code,
            ..Output::default()
        }
    }
}

/// Facts about the process's surroundings that decide colouring and layout.
#[derive(Debug, Default, Clone, Copy)]
pub struct Environment {
    pub stdout_is_terminal: bool,
    pub stderr_is_terminal: bool,
    /// `NO_COLOR` is set to a non-empty value.
    pub no_color: bool,
    /// `CLICOLOR_FORCE` is set (and not `0`): colour even when not a terminal.
    pub clicolor_force: bool,
    /// Columns to fit tables to: `COLUMNS`, else the terminal's width; none
    /// for a pipe or a file.
    pub width: Option<usize>,
}

/// The clap command, with the completions clap's derive cannot attach
/// without touching the `cuts` arguments (owned with the analyses).
pub fn command() -> clap::Command {
    Cli::command().mut_subcommand("cuts", |cuts| {
        cuts.mut_arg("target", |target| {
            target.add(ArgValueCompleter::new(complete::component))
        })
    })
}

/// Runs `blast` with these arguments (the first is the program name).
pub fn run<I, T>(args: I, environment: &Environment) -> Output
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = match command()
        .try_get_matches_from(args)
        .and_then(|matches| <Cli as clap::FromArgMatches>::from_arg_matches(&matches))
    {
        Ok(cli) => cli,
        Err(e) => {
            let rendered = e.render().to_string();
            return match e.kind() {
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => {
                    Output::stdout(rendered, 0)
                }
                _ => Output {
                    stderr: rendered,
                    code: 2,
                    ..Output::default()
                },
            };
        }
    };
    match commands::dispatch(&cli, environment) {
        Ok(output) => output,
        Err(error) => failure(&cli, &error, environment),
    }
}

/// An error as the process reports it: a message on stderr and exit 2, and
/// under a machine-readable format the same error in that format too, on
/// stdout or in the `--output` file, so a CI reader gets a document, not an
/// empty file.
fn failure(cli: &Cli, error: &Error, environment: &Environment) -> Output {
    let color_err = cli.global.color(environment, environment.stderr_is_terminal);
    let mut output = Output {
        stderr: crate::render::error_text(error, color_err),
        code: error.exit_code(),
        ..Output::default()
    };
    if let Some(format) = error_format(&cli.command) {
        let document = crate::render::error::render(format, error);
        match output_file(&cli.command) {
            Some(path) => output.files.push(OutputFile {
                path: path.clone(),
                contents: document,
            }),
            None => output.stdout = document,
        }
    }
    output
}

/// The machine-readable format a command was asked for, if any.
fn error_format(command: &Command) -> Option<ErrorFormat> {
    match command {
        Command::Check { format, .. } => match format {
            CheckFormat::Json => Some(ErrorFormat::Json),
            CheckFormat::Github => Some(ErrorFormat::Github),
            CheckFormat::Junit => Some(ErrorFormat::Junit),
            CheckFormat::Sarif => Some(ErrorFormat::Sarif),
            CheckFormat::Table | CheckFormat::Markdown => None,
        },
        Command::Validate { format, .. } => match format {
            ValidateFormat::Json => Some(ErrorFormat::Json),
            ValidateFormat::Github => Some(ErrorFormat::Github),
            ValidateFormat::Junit => Some(ErrorFormat::Junit),
            ValidateFormat::Sarif => Some(ErrorFormat::Sarif),
            ValidateFormat::Table => None,
        },
        Command::List {
            format: ListFormat::Json,
            ..
        }
        | Command::Spof {
            format: ReportFormat::Json,
            ..
        }
        | Command::Cuts {
            format: ReportFormat::Json,
            ..
        }
        | Command::Diff {
            format: ReportFormat::Json,
            ..
        } => Some(ErrorFormat::Json),
        _ => None,
    }
}

fn output_file(command: &Command) -> Option<&PathBuf> {
    match command {
        Command::Check { output, .. } | Command::Validate { output, .. } => output.as_ref(),
        _ => None,
    }
}
