//! The `blast` binary: the only place that touches the process. It answers
//! shell completion requests, reads the environment, runs the library,
//! writes what it returned and exits with its code.

use std::io::{IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;

fn main() -> ExitCode {
    // `COMPLETE=bash blast ...` is the shell asking for completions.
    clap_complete::CompleteEnv::with_factory(blast_radius::cli::command).complete();
    let stderr_is_terminal = std::io::stderr().is_terminal();
    if stderr_is_terminal {
        clear_progress_on_interrupt();
    }
    let stdout_is_terminal = std::io::stdout().is_terminal();
    let environment = blast_radius::Environment {
        stdout_is_terminal,
        stderr_is_terminal,
        no_color: set(std::env::var_os("NO_COLOR")),
        clicolor_force: std::env::var_os("CLICOLOR_FORCE").is_some_and(|v| !v.is_empty() && v != "0"),
        width: width(stdout_is_terminal),
    };
    let outcome = blast_radius::run(std::env::args_os(), &environment);
    match write(&outcome) {
        Ok(()) => ExitCode::from(outcome.code),
        Err(message) => {
            let _ = std::io::stderr().lock().write_all(message.as_bytes());
            ExitCode::from(2)
        }
    }
}

fn set(value: Option<std::ffi::OsString>) -> bool {
    value.is_some_and(|v| !v.is_empty())
}

/// The width tables are sized to: `COLUMNS` when set, else the terminal's;
/// none for a pipe or a file, which get whole lines.
fn width(stdout_is_terminal: bool) -> Option<usize> {
    let columns = std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse::<usize>().ok());
    columns.filter(|c| *c > 0).or_else(|| {
        stdout_is_terminal
            .then(|| console::Term::stdout().size_checked())
            .flatten()
            .map(|(_, cols)| usize::from(cols))
    })
}

/// Ctrl-C while a progress bar is drawn (`spof` on a big topology) would
/// leave the half-drawn line on the terminal: clear it, show the cursor,
/// and exit 130 as a shell does for SIGINT.
fn clear_progress_on_interrupt() {
    let _ = ctrlc::set_handler(|| {
        // Held until the process is gone: a bar drawn from another thread
        // (spof's workers report as they go) cannot come back after the clear.
        let mut stderr = std::io::stderr().lock();
        let _ = stderr.write_all(b"\r\x1b[2K\x1b[?25h");
        std::process::exit(130);
    });
}

/// Writes the report files, stdout and stderr. A failed write is an error
/// (exit 2, with a message): a CI job must not upload an empty report as if
/// all were well. A closed stdout pipe (`blast ... | head -1`) is not.
fn write(outcome: &blast_radius::Output) -> Result<(), String> {
    for file in &outcome.files {
        write_atomically(&file.path, file.contents.as_bytes()).map_err(|e| {
            format!(
                "error: cannot write `{}`: {e}\n  = help: check the directory exists and is writable\n",
                blast_radius::text::path(&file.path)
            )
        })?;
    }
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(outcome.stdout.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => return Ok(()),
        Err(e) => {
            return Err(format!(
                "error: cannot write the output to stdout: {e}\n{}",
                outcome.stderr
            ));
        }
    }
    // Nowhere is left to report a failure to write to stderr.
    let _ = std::io::stderr().lock().write_all(outcome.stderr.as_bytes());
    Ok(())
}

/// Writes `contents` to `path` through a temporary file in the same
/// directory, renamed over it once complete: a reader never sees half a report.
fn write_atomically(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let mut file = tempfile::NamedTempFile::new_in(dir)?;
    file.write_all(contents)?;
    // A report is for others to read: not the temporary file's private mode.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        file.as_file().set_permissions(std::fs::Permissions::from_mode(0o644))?;
    }
    file.as_file().sync_all()?;
    file.persist(path).map_err(|e| e.error)?;
    Ok(())
}
