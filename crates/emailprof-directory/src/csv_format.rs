//! CSV directory files: a header row, one user per row (RFC 4180 quoting).
//!
//! The user id is the `userId` (`id`, `user`) column if there is one, else the first column.
//! A `proxyAddresses` column holds several values separated by `;` (the `csvde` convention).
//! Rows whose cells are all empty (spreadsheet padding) are skipped.

use crate::record::{Field, RawRecord, clean};
use emailprof_attributes::DirectoryAttributes;

use crate::{ParseError, Parsed};

pub(crate) fn parse(bytes: &[u8]) -> Result<Parsed, ParseError> {
    let users = CsvUsers::open(bytes)?;
    let ignored_fields = users.ignored.clone();
    let records = users.collect::<Result<Vec<_>, _>>()?;
    Ok(Parsed {
        records,
        ignored_fields,
    })
}

/// The users of a CSV directory file, read one row at a time so that a directory of any size
/// is processed in constant memory. Yields each user with its line, or the first error.
pub(crate) struct CsvUsers<R: std::io::Read> {
    rows: csv::StringRecordsIntoIter<std::io::BufReader<R>>,
    header: csv::StringRecord,
    columns: Vec<Option<Field>>,
    id_column: usize,
    ignored: Vec<String>,
    failed: bool,
}

impl<R: std::io::Read> CsvUsers<R> {
    /// Read the header row of `reader`.
    pub(crate) fn open(reader: R) -> Result<Self, ParseError> {
        use std::io::BufRead;
        let mut reader = std::io::BufReader::with_capacity(64 * 1024, reader);
        if reader
            .fill_buf()
            .map_err(|e| (1, e.to_string()))?
            .starts_with(b"\xEF\xBB\xBF")
        {
            reader.consume(3);
        }
        let csv = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(false)
            .from_reader(reader);
        let mut rows = csv.into_records();
        let header = match rows.next() {
            Some(Ok(h)) => h,
            Some(Err(e)) => return Err(csv_error(&e)),
            None => return Err((1, "the file is empty; it needs a header row".to_owned())),
        };
        let mut columns: Vec<Option<Field>> = Vec::with_capacity(header.len());
        for name in header.iter() {
            let field = Field::classify(name);
            if let Some(f) = field
                && let Some(j) = columns.iter().position(|c| *c == Some(f))
            {
                return Err((
                    1,
                    format!(
                        "columns `{}` and `{}` both give the same attribute",
                        header.get(j).unwrap_or("").trim(),
                        name.trim()
                    ),
                ));
            }
            columns.push(field);
        }
        if header.iter().all(|h| h.trim().is_empty()) {
            return Err((1, "the header row is empty".to_owned()));
        }
        let id_column = columns
            .iter()
            .position(|c| *c == Some(Field::UserId))
            .unwrap_or(0);
        let ignored = columns
            .iter()
            .enumerate()
            .filter(|(i, c)| c.is_none() && *i != id_column)
            .map(|(i, _)| header.get(i).unwrap_or("").trim().to_owned())
            .collect();
        Ok(Self {
            rows,
            header,
            columns,
            id_column,
            ignored,
            failed: false,
        })
    }

    fn record(
        &self,
        row: &csv::StringRecord,
    ) -> Result<Option<(DirectoryAttributes, usize)>, ParseError> {
        let line = row.position().map_or(0, |p| p.line() as usize);
        if row.iter().all(|c| c.trim().is_empty()) {
            return Ok(None);
        }
        let mut raw = RawRecord::default();
        for (i, cell) in row.iter().enumerate() {
            if i == self.id_column {
                raw.user_id = clean(cell);
            }
            match self.columns.get(i).copied().flatten() {
                None | Some(Field::UserId) => {}
                Some(Field::ProxyAddresses) => {
                    raw.proxy_addresses
                        .extend(cell.split(';').filter_map(clean));
                }
                Some(field) => {
                    if let Some(slot) = raw.slot(field) {
                        *slot = clean(cell);
                    }
                }
            }
        }
        if raw.user_id.is_none() {
            let name = self.header.get(self.id_column).unwrap_or("").trim();
            return Err((line, format!("the user id column `{name}` is empty")));
        }
        let attrs = raw.finish(|_| None).map_err(|m| (line, m))?;
        Ok(Some((attrs, line)))
    }
}

impl<R: std::io::Read> Iterator for CsvUsers<R> {
    type Item = Result<(DirectoryAttributes, usize), ParseError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed {
            return None;
        }
        loop {
            let row = match self.rows.next()? {
                Ok(row) => row,
                Err(e) => {
                    self.failed = true;
                    return Some(Err(csv_error(&e)));
                }
            };
            match self.record(&row) {
                Ok(None) => continue,
                Ok(Some(r)) => return Some(Ok(r)),
                Err(e) => {
                    self.failed = true;
                    return Some(Err(e));
                }
            }
        }
    }
}

fn csv_error(e: &csv::Error) -> ParseError {
    let line = e.position().map_or(0, |p| p.line() as usize);
    let message = match e.kind() {
        csv::ErrorKind::Utf8 { .. } => "the file is not valid UTF-8".to_owned(),
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => format!("the row has {len} fields but the header has {expected_len}"),
        _ => e.to_string(),
    };
    (line, message)
}

#[cfg(test)]
mod tests {
    use crate::{Directory, DirectoryError, DirectoryFormat};

    fn parse(text: &str) -> Result<Directory, DirectoryError> {
        Directory::parse(text.as_bytes(), DirectoryFormat::Csv)
    }

    #[test]
    fn header_aliases_and_first_column_id() {
        let d = parse(
            "login,UPN,Mail,SAM,Domain,NetBIOS\n\
             user1,user1@contoso.com,u1@contoso.com,user1,contoso.com,CONTOSO\n",
        )
        .unwrap();
        let u = d.get("user1").unwrap();
        assert_eq!(u.user_principal_name.as_deref(), Some("user1@contoso.com"));
        assert_eq!(u.primary_smtp_address.as_deref(), Some("u1@contoso.com"));
        assert_eq!(u.sam_account_name.as_deref(), Some("user1"));
        assert_eq!(u.domain_fqdn.as_deref(), Some("contoso.com"));
        assert_eq!(u.netbios_name.as_deref(), Some("CONTOSO"));
        assert!(d.ignored_fields().is_empty());
    }

    #[test]
    fn user_id_column_anywhere_and_first_column_attribute() {
        let d = parse("upn,userId\nalice@contoso.com,alice\n").unwrap();
        let u = d.get("alice").unwrap();
        assert_eq!(u.user_principal_name.as_deref(), Some("alice@contoso.com"));
        // First column named like an attribute and no id column: it is both.
        let d = parse("upn,mail\nbob@contoso.com,robert@contoso.com\n").unwrap();
        let u = d.get("bob@contoso.com").unwrap();
        assert_eq!(u.user_principal_name.as_deref(), Some("bob@contoso.com"));
        assert_eq!(
            u.primary_smtp_address.as_deref(),
            Some("robert@contoso.com")
        );
    }

    #[test]
    fn quoted_fields_empty_cells_and_unknown_columns() {
        let d = parse(
            "id,displayName,upn,sAMAccountName,proxyAddresses\r\n\
             \"user,2\",\"Doe, \"\"JD\"\" John\",user2@contoso.com,,\"smtp:x@contoso.com;SMTP:John.Doe@contoso.com\"\r\n\
             \r\n,,,,\r\n",
        )
        .unwrap();
        assert_eq!(d.len(), 1);
        let u = d.get("user,2").unwrap();
        assert_eq!(u.sam_account_name, None);
        assert_eq!(
            u.primary_smtp_address.as_deref(),
            Some("John.Doe@contoso.com")
        );
        assert_eq!(d.ignored_fields(), ["displayName"]);
    }

    #[test]
    fn errors_name_lines() {
        let e = parse("id,upn\nu1,u1@contoso.com\nu2\n").unwrap_err();
        assert_eq!(
            e.to_string(),
            "CSV line 3: the row has 1 fields but the header has 2"
        );
        let e =
            parse("id,upn\nu1,a@contoso.com\nu2,b@contoso.com\nu1,c@contoso.com\n").unwrap_err();
        assert_eq!(
            e,
            DirectoryError::DuplicateUser {
                user_id: "u1".into(),
                first_line: 2,
                second_line: 4
            }
        );
        let e = parse("id,upn,userPrincipalName\n").unwrap_err();
        assert!(
            e.to_string().contains("`upn` and `userPrincipalName`"),
            "{e}"
        );
        let e = parse("id,upn\n,a@contoso.com\n").unwrap_err();
        assert_eq!(
            e.to_string(),
            "CSV line 2: the user id column `id` is empty"
        );
        let e = parse("").unwrap_err();
        assert!(e.to_string().starts_with("CSV line 1:"), "{e}");
        let e = Directory::parse(b"id,upn\nu\xff,x\n", DirectoryFormat::Csv).unwrap_err();
        assert!(e.to_string().contains("UTF-8"), "{e}");
    }

    #[test]
    fn byte_order_mark_is_skipped() {
        let d = Directory::parse(
            b"\xEF\xBB\xBFuserId,upn\nu1,u1@contoso.com\n",
            DirectoryFormat::Csv,
        )
        .unwrap();
        assert!(d.get("u1").is_some());
    }
}
