//! One module per subcommand.

pub mod list;
pub mod load;
pub mod mock;
mod routed;
pub mod run;
pub mod snapshot;
pub mod validate;
