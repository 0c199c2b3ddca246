//! The generated source keeps doc text as written: one `///` line per line, never a `/** */`
//! block that rustfmt re-indents into code blocks (broken links, `ignore` examples parsed).

use xtask::pipeline;

#[path = "common/seed_doc.rs"]
mod seed_doc;
use seed_doc::seed;

#[test]
fn docs_are_line_comments_and_links_keep_their_definitions() {
    let build = pipeline::build_from(&[seed()]).expect("seed generates");
    let client = &build.outputs[1].contents;
    assert!(!client.contains("/**"), "a block doc comment is left");
    // progenitor's builder doc: the link definition is a doc line of its own, not code.
    assert!(client.contains("///[`Client::post_users_logout`]: super::Client::post_users_logout"));
    assert!(client.contains("    ///```ignore\n"));
}
