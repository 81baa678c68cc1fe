//! The BER/DER walker that takes the content out of a signed `.mobileconfig`
//! (`emailprof_sign::signed_content`). Oracle: no panic, and the content is never larger than
//! the input it was taken from.

pub fn check(data: &[u8]) {
    if let Ok(content) = emailprof_sign::signed_content(data) {
        assert!(
            content.len() <= data.len(),
            "{} bytes of content from {} bytes of input",
            content.len(),
            data.len()
        );
    }
}
