// `embed_migrations!` does not track new files: rebuild when a migration changes.
fn main() {
    println!("cargo:rerun-if-changed=../../migrations");
}
