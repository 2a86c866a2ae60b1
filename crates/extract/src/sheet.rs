//! Excel workbooks (.xlsx, and .xls in the old binary format) through calamine: every sheet's
//! rows of cell texts, and the merged regions so a caller can fill a merged value into the cells
//! it covers.

use std::io::Cursor;

use calamine::{Data, Reader as _, Sheets};

use crate::{Error, Office, check_zip};

/// One sheet: its rows from the first used row and column (so a row index is a position in
/// `rows`, not an Excel row number), cells as text.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Sheet {
    pub name: String,
    pub rows: Vec<Vec<String>>,
    /// Merged regions, in `rows` coordinates.
    pub merges: Vec<Merge>,
}

/// A merged region, inclusive, in [`Sheet::rows`] coordinates; its value is in the top-left cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Merge {
    pub first_row: usize,
    pub first_col: usize,
    pub last_row: usize,
    pub last_col: usize,
}

impl Merge {
    /// Whether the cell is covered by the region but is not its top-left cell.
    pub fn covers_copy(&self, row: usize, col: usize) -> bool {
        (self.first_row..=self.last_row).contains(&row)
            && (self.first_col..=self.last_col).contains(&col)
            && (row, col) != (self.first_row, self.first_col)
    }
}

impl Sheet {
    /// The rows with every merged region's value filled into each cell it covers.
    pub fn filled_rows(&self) -> Vec<Vec<String>> {
        self.filled_rows_where(|_, _| true)
    }

    /// The rows with a merged value filled into the covered cells `fill(merge, col)` accepts.
    pub fn filled_rows_where(&self, fill: impl Fn(&Merge, usize) -> bool) -> Vec<Vec<String>> {
        let mut rows = self.rows.clone();
        for m in &self.merges {
            let Some(value) = self
                .rows
                .get(m.first_row)
                .and_then(|r| r.get(m.first_col))
                .cloned()
            else {
                continue;
            };
            for (r, row) in rows
                .iter_mut()
                .enumerate()
                .take(m.last_row + 1)
                .skip(m.first_row)
            {
                for (c, cell) in row
                    .iter_mut()
                    .enumerate()
                    .take(m.last_col + 1)
                    .skip(m.first_col)
                {
                    if m.covers_copy(r, c) && cell.is_empty() && fill(m, c) {
                        cell.clone_from(&value);
                    }
                }
            }
        }
        rows
    }
}

/// Every sheet of a workbook (.xlsx or .xls, told apart by content). An .xlsx is checked for zip
/// bombs first. Reading stops once about `max_text` bytes of cells are collected.
pub fn sheets(bytes: &[u8], max_text: usize) -> Result<Vec<Sheet>, Error> {
    if bytes.starts_with(b"PK") {
        check_zip(bytes, Office::Xlsx)?;
    }
    let mut wb =
        calamine::open_workbook_auto_from_rs(Cursor::new(bytes)).map_err(|_| Error::Spreadsheet)?;
    let mut out = Vec::new();
    let mut collected = 0usize;
    for name in wb.sheet_names() {
        let Ok(range) = wb.worksheet_range(&name) else {
            continue;
        };
        let (r0, c0) = range.start().unwrap_or((0, 0));
        let rows: Vec<Vec<String>> = range
            .rows()
            .map(|row| row.iter().map(cell_text).collect())
            .collect();
        collected += rows.iter().flatten().map(String::len).sum::<usize>();
        let merges = merged_regions(&mut wb, &name)
            .into_iter()
            .filter_map(|d| {
                let (sr, sc) = d.start;
                let (er, ec) = d.end;
                Some(Merge {
                    first_row: sr.checked_sub(r0)? as usize,
                    first_col: sc.checked_sub(c0)? as usize,
                    last_row: er.checked_sub(r0)? as usize,
                    last_col: ec.checked_sub(c0)? as usize,
                })
            })
            .collect();
        out.push(Sheet { name, rows, merges });
        if collected >= max_text {
            break;
        }
    }
    Ok(out)
}

fn merged_regions(wb: &mut Sheets<Cursor<&[u8]>>, name: &str) -> Vec<calamine::Dimensions> {
    match wb {
        Sheets::Xlsx(x) => x.merge_cells_by_sheet_name(name).unwrap_or_default(),
        Sheets::Xls(x) => x.merge_cells_by_sheet_name(name).unwrap_or_default(),
        _ => Vec::new(),
    }
}

/// A cell as text: whole numbers without `.0` (long numbers such as card numbers keep every
/// digit), dates as `2017年6月30日`.
fn cell_text(c: &Data) -> String {
    match c {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e17 => format!("{}", *f as i64),
        Data::DateTime(d) if d.is_datetime() => {
            let (y, m, day, h, min, _, _) = d.to_ymd_hms_milli();
            if (h, min) == (0, 0) {
                format!("{y}年{m}月{day}日")
            } else {
                format!("{y}年{m}月{day}日 {h:02}:{min:02}")
            }
        }
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_merges_and_dates() {
        let mut wb = rust_xlsxwriter::Workbook::new();
        let ws = wb.add_worksheet();
        ws.set_name("名单").unwrap();
        ws.write_string(0, 0, "姓名").unwrap();
        ws.write_string(0, 1, "卡号").unwrap();
        ws.merge_range(1, 0, 2, 0, "王某", &rust_xlsxwriter::Format::new())
            .unwrap();
        ws.write_number(1, 1, 6217000123456788.0).unwrap();
        ws.write_number(2, 1, 1.5).unwrap();
        let date = rust_xlsxwriter::ExcelDateTime::from_ymd(2017, 6, 30).unwrap();
        let fmt = rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd");
        ws.write_datetime_with_format(3, 1, &date, &fmt).unwrap();
        let bytes = wb.save_to_buffer().unwrap();
        let s = sheets(&bytes, usize::MAX).unwrap();
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].name, "名单");
        assert_eq!(s[0].rows[1], vec!["王某", "6217000123456788"]);
        assert_eq!(s[0].rows[2], vec!["", "1.5"]);
        assert_eq!(s[0].rows[3], vec!["", "2017年6月30日"]);
        let filled = s[0].filled_rows();
        assert_eq!(filled[2], vec!["王某", "1.5"]);
        assert_eq!(filled[3][0], "");
        // a merged copy can be left out by column
        assert_eq!(s[0].filled_rows_where(|_, c| c != 0)[2][0], "");
    }

    #[test]
    fn damaged_workbooks_are_refused() {
        assert_eq!(
            sheets(b"PK\x03\x04garbage", usize::MAX),
            Err(Error::NotZip(Office::Xlsx))
        );
        assert_eq!(
            sheets(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1broken", usize::MAX),
            Err(Error::Spreadsheet)
        );
    }
}
