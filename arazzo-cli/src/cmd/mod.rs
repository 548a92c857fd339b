//! One module per subcommand.

pub mod fix;
pub mod list;
pub mod load;
pub mod mock;
pub mod run;
pub mod snapshot;
pub mod test;
pub mod validate;
