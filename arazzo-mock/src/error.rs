//! Why a mock cannot start.

use std::net::SocketAddr;

use arazzo_sources::SourceError;

/// A mock server could not be built or started.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MockError {
    /// An OpenAPI description cannot be read (see [`arazzo_sources::OpenApi::read`]).
    #[error(transparent)]
    Source(#[from] SourceError),
    /// The descriptions define no operation under `paths`.
    #[error("the OpenAPI descriptions have no operation to serve")]
    NoOperations,
    /// A fault that cannot be parsed or matches no operation, e.g. `/nowhere=500`.
    ///
    /// Resolution: use a path template of the description (`/pets/{petId}`) or a concrete path
    /// (`/pets/1`), and an error status from 400 to 599.
    #[error("fault `{fault}`: {reason}")]
    Fault {
        /// The fault as written.
        fault: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The address cannot be listened on, e.g. a port already in use.
    #[error("cannot listen on {addr}: {reason}")]
    Bind {
        /// The address asked for.
        addr: SocketAddr,
        /// Why, e.g. `address already in use`.
        reason: String,
    },
}
