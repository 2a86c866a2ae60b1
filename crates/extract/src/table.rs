//! A list people keep in a spreadsheet, read as rows of cell texts: the first sheet of an
//! .xlsx/.xls workbook, or a CSV file in UTF-8 (with or without a BOM) or GB18030, the two
//! encodings Excel saves CSV in on Chinese systems. Used for imports (the organisation list).

use crate::sniff::{Kind, sniff};
use crate::{Error, charset, sheet};

/// The most cell text read from a list (about 8 MB): a list is hundreds of rows, not millions.
pub const MAX_TEXT: usize = 8 * 1024 * 1024;

/// The rows of the list, every cell trimmed; trailing empty cells and wholly empty rows are kept
/// as they are so a row index stays a row number (`rows[0]` is the file's first line).
pub fn rows(bytes: &[u8]) -> Result<Vec<Vec<String>>, Error> {
    match sniff(bytes) {
        Some(Kind::Xlsx | Kind::Xls) => {
            let sheets = sheet::sheets(bytes, MAX_TEXT)?;
            let first = sheets.into_iter().next().unwrap_or_default();
            Ok(first
                .filled_rows()
                .into_iter()
                .map(|r| r.into_iter().map(|c| c.trim().to_string()).collect())
                .collect())
        }
        Some(_) => Err(Error::NotList),
        None => csv_rows(bytes),
    }
}

fn csv_rows(bytes: &[u8]) -> Result<Vec<Vec<String>>, Error> {
    if charset::looks_binary(bytes) {
        return Err(Error::NotList);
    }
    let text = charset::decode(bytes)?;
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(&text);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut out = Vec::new();
    let mut read = 0usize;
    for record in reader.records() {
        let record = record.map_err(|_| Error::BadCsv)?;
        let row: Vec<String> = record.iter().map(|c| c.trim().to_string()).collect();
        read += row.iter().map(String::len).sum::<usize>();
        if read > MAX_TEXT {
            return Err(Error::TooLarge);
        }
        out.push(row);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_in_utf8_with_a_bom_and_quotes() {
        let text = "\u{FEFF}机构名称\u{2c}别名\n市财政局\u{2c}\"财政局\u{3001}市财政\"\n";
        let rows = rows(text.as_bytes()).unwrap();
        assert_eq!(rows[0], vec!["机构名称", "别名"]);
        assert_eq!(rows[1], vec!["市财政局", "财政局\u{3001}市财政"]);
    }

    #[test]
    fn csv_in_gb18030() {
        let (bytes, _, _) =
            encoding_rs::GB18030.encode("机构名称\u{2c}上级机构\n市教育局\u{2c}市人民政府\n");
        let rows = rows(&bytes).unwrap();
        assert_eq!(rows[1], vec!["市教育局", "市人民政府"]);
    }

    #[test]
    fn the_first_sheet_of_a_workbook() {
        let mut wb = rust_xlsxwriter::Workbook::new();
        let ws = wb.add_worksheet();
        ws.write(0, 0, "机构名称").unwrap();
        ws.write(1, 0, " 市审计局 ").unwrap();
        ws.write(1, 1, 7).unwrap();
        let bytes = wb.save_to_buffer().unwrap();
        let rows = rows(&bytes).unwrap();
        assert_eq!(rows[1], vec!["市审计局", "7"]);
    }

    #[test]
    fn other_files_are_refused() {
        assert_eq!(rows(b"%PDF-1.4 binary\x00\x01"), Err(Error::NotList));
        assert_eq!(rows(b"\x00\x01\x02\x03garbage"), Err(Error::NotList));
    }
}
