//! Workspace automation for the uberall SDK: endpoint docs → OpenAPI → progenitor client.
//!
//! The pipeline is pure until the last step: [`pipeline::build`] reads the docs and returns
//! every output file's text in memory, so `generate` writes nothing when any doc is bad and
//! `check` compares without touching the tree.
pub mod api_diff;
pub mod baseline;
pub mod codegen;
pub mod diff;
pub mod doc_examples;
pub mod example;
pub mod model;
pub mod naming;
pub mod openapi;
pub mod parse;
pub mod pipeline;
