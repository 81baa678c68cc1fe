//! Integration tests of the Android emitters, against the managed properties they declare.

mod apps;
mod declared;
mod drops;
mod fixture;
mod snapshots;
