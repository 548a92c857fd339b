//! The command line, parsed by clap.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

/// Run, validate and inspect Arazzo 1.0.x workflows.
#[derive(Debug, Parser)]
#[command(name = "arazzo", version, about)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check Arazzo documents against the specification; exit 3 when one is invalid.
    Validate {
        /// Arazzo documents (YAML or JSON).
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
    },
    /// Run a workflow against its APIs; exit 0 passed, 1 failed, 3 invalid, 4 runtime error.
    Run(RunArgs),
    /// Show each workflow: summary, inputs, steps and outputs.
    List {
        /// An Arazzo document (YAML or JSON).
        file: PathBuf,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
    },
}

/// The arguments of `arazzo run`.
#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// The Arazzo document (YAML or JSON).
    pub file: PathBuf,
    /// The workflow to run (optional when the document has one).
    #[arg(long, short = 'w', value_name = "ID")]
    pub workflow: Option<String>,
    /// An input, typed by the workflow's inputs schema (`meterValue=5` is a number).
    #[arg(long = "input", short = 'i', value_name = "NAME=VALUE")]
    pub inputs: Vec<String>,
    /// A JSON or YAML file of inputs, or `-` for standard input.
    #[arg(long = "inputs", value_name = "FILE")]
    pub inputs_file: Option<PathBuf>,
    /// Send the requests of a source description to this base URL instead of its servers.
    #[arg(long = "server", short = 's', value_name = "SOURCE=URL")]
    pub servers: Vec<String>,
    /// Allow source descriptions to be fetched over http(s).
    #[arg(long)]
    pub allow_remote: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Also write the JSON report to this file.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Show each request and response (secrets redacted).
    #[arg(long, short = 'v')]
    pub verbose: bool,
}

/// How results are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// For people: diagnostics with the source line and a caret.
    Human,
    /// One JSON document on stdout, for tools.
    Json,
}
