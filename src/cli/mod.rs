//! The command line: parse the arguments, run one command, say what to
//! write and how to exit. [`args`] holds the clap types, `commands` one
//! function per command.

pub mod args;
mod commands;

use std::ffi::OsString;

use clap::Parser;

use crate::cli::args::Cli;

/// What the process should write and how it should exit.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Output {
    pub stdout: String,
    pub stderr: String,
    pub code: u8,
}

impl Output {
    /// Results on stdout, nothing on stderr.
    fn stdout(stdout: String, code: u8) -> Self {
        Output {
            stdout,
            stderr: String::new(),
            code,
        }
    }
}

/// Facts about the process's surroundings that decide colouring.
#[derive(Debug, Default, Clone, Copy)]
pub struct Environment {
    pub stdout_is_terminal: bool,
    pub stderr_is_terminal: bool,
    /// `NO_COLOR` is set to a non-empty value.
    pub no_color: bool,
}

/// Runs `blast` with these arguments (the first is the program name).
pub fn run<I, T>(args: I, environment: &Environment) -> Output
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let rendered = e.render().to_string();
            return match e.kind() {
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => {
                    Output::stdout(rendered, 0)
                }
                _ => Output {
                    stdout: String::new(),
                    stderr: rendered,
                    code: 2,
                },
            };
        }
    };
    let color_err = cli.global.color(environment.no_color, environment.stderr_is_terminal);
    match commands::dispatch(&cli, environment) {
        Ok(output) => output,
        Err(error) => Output {
            stdout: String::new(),
            stderr: crate::render::error_text(&error, color_err),
            code: error.exit_code(),
        },
    }
}
