//! Runtime-expression fixtures (see `specs/expr/`).
