//! The Arazzo workflow engine (work in progress: see the `arazzo run` issue).
