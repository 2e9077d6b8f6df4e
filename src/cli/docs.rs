//! What `blast` says about itself: the JSON Schema of its formats, the shell
//! completion code, and the man pages (`blast(1)` and one `blast-COMMAND(1)`
//! per command, each with EXIT STATUS, ENVIRONMENT and EXAMPLES).

use std::path::Path;

use crate::cli::args::{Cli, IMPORT_HELP, OPERATION_HELP};
use crate::cli::{Output, OutputFile};
use crate::error::{Diagnostic, Error, Result};

pub(crate) fn schema(plan: bool) -> Output {
    let schema = if plan {
        crate::input::raw::plan_schema()
    } else {
        crate::input::raw::topology_schema()
    };
    Output::stdout(crate::render::json::to_string(&schema), 0)
}

/// The shell code that registers `blast`'s completer: it calls `blast` back
/// with `COMPLETE=SHELL`, which completes scenario names, component ids and
/// operations from the topology on the command line.
pub(crate) fn completions(shell: clap_complete::Shell) -> Result<Output> {
    use clap_complete::env::{Bash, Elvish, EnvCompleter, Fish, Powershell, Zsh};
    let completer: &dyn EnvCompleter = match shell {
        clap_complete::Shell::Bash => &Bash,
        clap_complete::Shell::Elvish => &Elvish,
        clap_complete::Shell::Fish => &Fish,
        clap_complete::Shell::PowerShell => &Powershell,
        clap_complete::Shell::Zsh => &Zsh,
        _ => {
            return Err(Error::usage(Diagnostic::new(format!("no completions for {shell}"))));
        }
    };
    let mut buffer = Vec::new();
    completer
        .write_registration("COMPLETE", "blast", "blast", "blast", &mut buffer)
        .map_err(|e| Error::usage(Diagnostic::new(format!("cannot write completions: {e}"))))?;
    Ok(Output::stdout(String::from_utf8_lossy(&buffer).into_owned(), 0))
}

const EXIT_STATUS: &str = "\
0: the gate passes (validate: the topology is valid; list, spof, cuts, graph, schema, import: done; diff: no customer gained a single point of failure, and none is at --fail-on in NEW before any operation).
1: the gate fails: a customer app reaches --fail-on, or any policy violation (diff: a customer gained a single point of failure, or one is at --fail-on in NEW before any operation).
2: bad input or usage (import --strict: any warning); the message names the file, line and column where there is one. Under --format json, github, junit or sarif the error is also written in that format.
130: interrupted (Ctrl-C).";

const ENVIRONMENT: &str = "\
NO_COLOR: when set and not empty, no colours unless --color always.
CLICOLOR_FORCE: when set and not 0, colours even when the output is not a terminal (NO_COLOR wins).
COLUMNS: the width tables are fitted to; by default the terminal's, and none for a pipe or a file.
COMPLETE: set by the shell code of `blast completions` to ask blast for completions.";

/// Examples per command, for its page (the root page lists a few of each).
fn examples(command: &str) -> &'static str {
    match command {
        "check" => {
            "blast check topologies/us-east-1.yaml --scenario s3-2017\n\
             blast check topo.yaml --op 'remove-capacity s3.index count=80' --quiet\n\
             blast check topo.yaml --plan plans/*.yaml --format sarif --output blast.sarif\n\
             blast check topo.yaml --all-scenarios --format junit > blast-junit.xml"
        }
        "validate" => "blast validate topo.yaml\nblast validate topo.yaml --format github",
        "explain" => "blast explain topo.yaml --scenario s3-2017 trello",
        "list" => {
            "blast list topo.yaml\nblast list topo.yaml 's3.*'\nblast list topo.yaml --kind database --format json"
        }
        "spof" => "blast spof topo.yaml --top 10",
        "cuts" => "blast cuts topo.yaml --target acme --max-size 3",
        "diff" => "blast diff old.yaml new.yaml --format markdown",
        "graph" => "blast graph topo.yaml --op 'fail-zone demo-1a' | dot -Tpng > blast.png",
        "schema" => "blast schema > blast-topology.schema.json",
        "completions" => "echo 'source <(blast completions bash)' >> ~/.bashrc",
        "man" => "blast man check | man -l -\nblast man --dir /usr/local/share/man/man1",
        "import" | "import-backstage" => {
            "blast import backstage catalog/ > topology.yaml\n\
             blast import backstage catalog-info.yaml --customers-from system --default-region eu-west-1\n\
             blast import backstage catalog/ --strict --output topology.yaml"
        }
        _ => {
            "blast validate topo.yaml\n\
             blast check topo.yaml --scenario s3-2017\n\
             blast list topo.yaml --kind database\n\
             blast man check"
        }
    }
}

/// Text as roff: backslashes escaped, and no line may start a request.
fn roff_text(text: &str) -> String {
    text.lines()
        .map(|line| {
            let line = line.replace('\\', "\\e");
            if line.starts_with(['.', '\'']) {
                format!("\\&{line}")
            } else {
                line
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// A section of lines `TAG: text` as tagged paragraphs.
fn tagged_section(title: &str, text: &str) -> String {
    let mut out = format!(".SH \"{title}\"\n");
    for line in text.lines() {
        let (tag, body) = line.split_once(": ").unwrap_or((line, ""));
        out.push_str(&format!(".TP\n\\fB{}\\fR\n{}\n", roff_text(tag), roff_text(body)));
    }
    out
}

fn preformatted_section(title: &str, text: &str) -> String {
    format!(".SH \"{title}\"\n.nf\n{}\n.fi\n", roff_text(text))
}

/// One page: clap_mangen's sections, then ours.
fn page(command: &clap::Command, name: &str, pages: &[String]) -> Result<String> {
    let man = clap_mangen::Man::new(command.clone());
    let mut buffer = Vec::new();
    let failed = |e: std::io::Error| Error::usage(Diagnostic::new(format!("cannot render the man page: {e}")));
    man.render_title(&mut buffer).map_err(failed)?;
    man.render_name_section(&mut buffer).map_err(failed)?;
    man.render_synopsis_section(&mut buffer).map_err(failed)?;
    man.render_description_section(&mut buffer).map_err(failed)?;
    man.render_options_section(&mut buffer).map_err(failed)?;
    if command.get_subcommands().next().is_some() {
        man.render_subcommands_section(&mut buffer).map_err(failed)?;
    }
    let mut out = String::from_utf8_lossy(&buffer).into_owned();
    if matches!(name, "check" | "explain") {
        out.push_str(&preformatted_section("OPERATIONS", OPERATION_HELP));
    }
    if name == "import-backstage" {
        out.push_str(&preformatted_section("ANNOTATIONS", IMPORT_HELP));
    }
    out.push_str(&tagged_section("EXIT STATUS", EXIT_STATUS));
    out.push_str(&tagged_section("ENVIRONMENT", ENVIRONMENT));
    out.push_str(&preformatted_section("EXAMPLES", examples(name)));
    let see_also: Vec<String> = pages
        .iter()
        .filter(|p| p.as_str() != name)
        .map(|p| {
            if p.is_empty() {
                "blast(1)".to_string()
            } else {
                format!("blast-{p}(1)")
            }
        })
        .collect();
    out.push_str(&format!(".SH \"SEE ALSO\"\n{}\n", roff_text(&see_also.join(", "))));
    Ok(out)
}

/// The built command and the names of its pages ("" for `blast` itself): one
/// per command, and one per nested command as `PARENT-CHILD`
/// (`import-backstage`, the page `blast-import-backstage(1)`).
fn commands() -> (clap::Command, Vec<String>) {
    let mut root = <Cli as clap::CommandFactory>::command()
        .disable_help_subcommand(true)
        .mut_subcommand("import", |import| import.disable_help_subcommand(true));
    root.build();
    let mut names = vec![String::new()];
    for command in root.get_subcommands() {
        names.push(command.get_name().to_string());
        names.extend(
            command
                .get_subcommands()
                .map(|nested| format!("{}-{}", command.get_name(), nested.get_name())),
        );
    }
    (root, names)
}

/// The command a page name stands for: `check`, or `import-backstage`.
fn find<'a>(root: &'a clap::Command, name: &str) -> Option<&'a clap::Command> {
    if let Some(command) = root.find_subcommand(name) {
        return Some(command);
    }
    let (parent, child) = name.split_once('-')?;
    root.find_subcommand(parent)?.find_subcommand(child)
}

/// `blast man [COMMAND]` prints one page; `--dir DIR` writes them all.
pub(crate) fn man(command: Option<&str>, dir: Option<&Path>) -> Result<Output> {
    let (root, names) = commands();
    if let Some(dir) = dir {
        let mut files = Vec::new();
        for name in &names {
            let (cmd, file) = match name.as_str() {
                "" => (&root, "blast.1".to_string()),
                sub => match find(&root, sub) {
                    Some(cmd) => (cmd, format!("blast-{sub}.1")),
                    None => continue,
                },
            };
            files.push(OutputFile {
                path: dir.join(file),
                contents: page(cmd, name, &names)?,
            });
        }
        return Ok(Output {
            files,
            ..Output::default()
        });
    }
    let name = command.unwrap_or("");
    let cmd = match name {
        "" => &root,
        sub => find(&root, sub).ok_or_else(|| {
            Error::usage(
                Diagnostic::new(format!("no command `{}`", crate::text::shown(sub)))
                    .help(format!("the pages are for: {}", names[1..].join(", "))),
            )
        })?,
    };
    Ok(Output::stdout(page(cmd, name, &names)?, 0))
}
