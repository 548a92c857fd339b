//! Runtime expressions, templates and success criteria of Arazzo 1.0.x.
