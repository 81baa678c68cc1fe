fn main() {
    println!("{}", serde_json::to_string_pretty(&emailprof_core::schema::base_schema()).unwrap());
}
