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
    /// Show each workflow: summary, inputs, steps and outputs.
    List {
        /// An Arazzo document (YAML or JSON).
        file: PathBuf,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
    },
}

/// How results are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// For people: diagnostics with the source line and a caret.
    Human,
    /// One JSON document on stdout, for tools.
    Json,
}
