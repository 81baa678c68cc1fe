//! `emailprof serve`: the schema-driven profile form and an emit endpoint, on loopback.

use std::net::SocketAddr;

use clap::Args;

use crate::{Reporter, invalid};

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on; loopback by default.
    #[arg(long, default_value = "127.0.0.1:8787")]
    pub addr: SocketAddr,
}

pub(crate) fn run(args: ServeArgs, _reporter: &Reporter) -> anyhow::Result<u8> {
    invalid!("serve is not available yet (would listen on {})", args.addr)
}
