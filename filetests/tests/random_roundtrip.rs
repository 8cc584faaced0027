//! Property test: random valid functions verify, and `parse(print(f)) == f` with printing
//! idempotent. 10,000 functions by default (`ROUNDTRIP_CASES` changes it).

use gantry_codegen::verifier::verify_function;
use gantry_filetests::random::random_function;
use gantry_reader::parse_functions;

#[test]
fn random_functions_round_trip() {
    let cases: u64 = std::env::var("ROUNDTRIP_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10_000);
    for seed in 0..cases {
        let f = random_function(seed);
        if let Err(e) = verify_function(&f) {
            panic!("seed {seed}: the generator made an invalid function:\n{e}\n{f}");
        }
        let text = f.to_string();
        let parsed = parse_functions(&text).unwrap_or_else(|e| panic!("seed {seed}: {e}\n{text}"));
        assert_eq!(parsed.len(), 1);
        assert_eq!(
            parsed[0].to_string(),
            text,
            "seed {seed}: printing is not idempotent"
        );
        assert!(parsed[0] == f, "seed {seed}: parse(print(f)) != f\n{text}");
    }
}
