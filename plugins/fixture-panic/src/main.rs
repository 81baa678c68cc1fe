//! The fixture as a stdio plugin.

fn main() -> std::io::Result<()> {
    resolver_sdk::serve_stdio::<resolver_fixture_panic::Fixture>()
}
