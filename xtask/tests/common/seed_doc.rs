//! The checked-in seed doc, as `(file name, text)` for `pipeline::build_from`.

/// `spec/endpoints/post_users_logout.md` as checked in.
pub fn seed() -> (String, String) {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../spec/endpoints/post_users_logout.md"
    );
    (
        "spec/endpoints/post_users_logout.md".to_string(),
        std::fs::read_to_string(path).expect("seed doc"),
    )
}
