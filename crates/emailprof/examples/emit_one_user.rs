//! Emit one user's iOS and Windows artifacts with the emailprof library.
use emailprof::{EmitRequest, MaterialReader, UserSource, emit_user, profile};
use emailprof_core::{EmitOptions, Format, ValidationOptions};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples");
    let bytes = std::fs::read(format!("{root}/minimal.yaml"))?;
    let options = ValidationOptions::default();
    let (loaded, _warnings) = profile::load(&bytes, Format::Yaml, options, root.into())
        .map_err(|findings| format!("{} problem(s) in the profile", findings.len()))?;
    let users = UserSource::directory(Some(format!("{root}/directory.csv").as_ref()))?;
    let reader = MaterialReader::plain(&loaded.base_dir);
    for platform in ["ios", "windows"] {
        let options = EmitOptions::default();
        let request = EmitRequest {
            platform,
            users: &users,
            user: Some("avance"),
            options,
        };
        for artifact in emit_user(&loaded, &request, &reader)?.emission.artifacts {
            println!(
                "{platform}: {} ({} bytes)",
                artifact.file_name,
                artifact.bytes.len()
            );
        }
    }
    Ok(())
}
