//! A report's rows, and how they are ordered, cut and written: an aligned
//! text table, JSON (one object per row, one row per line) or CSV.

use std::cmp::Ordering;
use std::io::{self, Write};

/// One value of a row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cell {
    Count(u64),
    /// A signed number (an errno, a time in milliseconds).
    Int(i64),
    Text(String),
    /// Nothing to say (an unknown name, a time no record carried).
    Empty,
}

impl Cell {
    fn text(&self) -> String {
        match self {
            Cell::Count(n) => n.to_string(),
            Cell::Int(n) => n.to_string(),
            Cell::Text(text) => text.clone(),
            Cell::Empty => String::new(),
        }
    }

    pub(super) fn is_numeric(&self) -> bool {
        matches!(self, Cell::Count(_) | Cell::Int(_))
    }

    /// Numbers before text before empty; numbers by value, text by its
    /// characters.
    pub(super) fn order(&self, other: &Cell) -> Ordering {
        let rank = |cell: &Cell| match cell {
            Cell::Count(_) | Cell::Int(_) => 0,
            Cell::Text(_) => 1,
            Cell::Empty => 2,
        };
        match (self, other) {
            (Cell::Count(a), Cell::Count(b)) => a.cmp(b),
            (Cell::Int(a), Cell::Int(b)) => a.cmp(b),
            (Cell::Count(a), Cell::Int(b)) => i128::from(*a).cmp(&i128::from(*b)),
            (Cell::Int(a), Cell::Count(b)) => i128::from(*a).cmp(&i128::from(*b)),
            (Cell::Text(a), Cell::Text(b)) => a.cmp(b),
            _ => rank(self).cmp(&rank(other)),
        }
    }
}

impl From<u64> for Cell {
    fn from(n: u64) -> Self {
        Cell::Count(n)
    }
}

impl From<String> for Cell {
    fn from(text: String) -> Self {
        Cell::Text(text)
    }
}

impl From<&str> for Cell {
    fn from(text: &str) -> Self {
        Cell::Text(text.to_owned())
    }
}

impl<T: Into<Cell>> From<Option<T>> for Cell {
    fn from(value: Option<T>) -> Self {
        value.map_or(Cell::Empty, Into::into)
    }
}

/// How a report is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OutputFormat {
    /// Columns aligned under a header line.
    #[default]
    Text,
    /// One JSON object per row and line, keyed by column name.
    Json,
    /// RFC 4180: a header line, fields quoted where they must be.
    Csv,
}

/// A report: named columns and rows of cells, one per column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    pub columns: Vec<&'static str>,
    pub rows: Vec<Vec<Cell>>,
}

impl Table {
    pub fn new(columns: &[&'static str]) -> Self {
        Table {
            columns: columns.to_vec(),
            rows: Vec::new(),
        }
    }

    pub fn push(&mut self, row: Vec<Cell>) {
        debug_assert_eq!(row.len(), self.columns.len());
        self.rows.push(row);
    }

    /// The index of the column called `name`.
    pub fn column(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|column| *column == name)
    }

    /// Orders the rows by column `key`: numbers largest first, text in
    /// ascending order; ties keep their order (so an earlier sort breaks
    /// them).
    pub fn sort_by(&mut self, key: usize) {
        sort_rows(&mut self.rows, key);
    }

    /// Keeps the first `n` rows.
    pub fn truncate(&mut self, n: usize) {
        self.rows.truncate(n);
    }

    pub fn write(&self, format: OutputFormat, out: &mut dyn Write) -> io::Result<()> {
        match format {
            OutputFormat::Text => self.write_text(out),
            OutputFormat::Json => self.write_json(out),
            OutputFormat::Csv => self.write_csv(out),
        }
    }

    /// Numbers right-aligned, text left-aligned, two spaces between
    /// columns; the last column unpadded.
    fn write_text(&self, out: &mut dyn Write) -> io::Result<()> {
        let texts: Vec<Vec<String>> = self
            .rows
            .iter()
            .map(|row| row.iter().map(Cell::text).collect())
            .collect();
        let widths: Vec<usize> = (0..self.columns.len())
            .map(|i| {
                texts
                    .iter()
                    .map(|row| row[i].chars().count())
                    .chain([self.columns[i].len()])
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        let right: Vec<bool> = (0..self.columns.len())
            .map(|i| self.rows.iter().any(|row| row[i].is_numeric()))
            .collect();
        let line = |cells: &[String]| {
            let mut line = String::new();
            for (i, cell) in cells.iter().enumerate() {
                let last = i + 1 == cells.len();
                let pad = widths[i].saturating_sub(cell.chars().count());
                if i > 0 {
                    line.push_str("  ");
                }
                if right[i] {
                    line.extend(std::iter::repeat_n(' ', pad));
                    line.push_str(cell);
                } else {
                    line.push_str(cell);
                    if !last {
                        line.extend(std::iter::repeat_n(' ', pad));
                    }
                }
            }
            line.truncate(line.trim_end().len());
            line.push('\n');
            line
        };
        let header: Vec<String> = self.columns.iter().map(|c| (*c).to_owned()).collect();
        out.write_all(line(&header).as_bytes())?;
        for row in &texts {
            out.write_all(line(row).as_bytes())?;
        }
        Ok(())
    }

    /// Keys in column order; counts as JSON numbers (exact: a count never
    /// nears 2^53), signed values too; an empty cell is null.
    fn write_json(&self, out: &mut dyn Write) -> io::Result<()> {
        for row in &self.rows {
            let mut line = String::from("{");
            for (i, (column, cell)) in self.columns.iter().zip(row).enumerate() {
                if i > 0 {
                    line.push(',');
                }
                line.push_str(&serde_json::Value::from(*column).to_string());
                line.push(':');
                match cell {
                    Cell::Count(n) => line.push_str(&n.to_string()),
                    Cell::Int(n) => line.push_str(&n.to_string()),
                    Cell::Text(text) => {
                        line.push_str(&serde_json::Value::from(text.as_str()).to_string())
                    }
                    Cell::Empty => line.push_str("null"),
                }
            }
            line.push_str("}\n");
            out.write_all(line.as_bytes())?;
        }
        Ok(())
    }

    fn write_csv(&self, out: &mut dyn Write) -> io::Result<()> {
        let line = |cells: &mut dyn Iterator<Item = String>| {
            let fields: Vec<String> = cells.map(|cell| csv_field(&cell)).collect();
            fields.join(",") + "\r\n"
        };
        out.write_all(line(&mut self.columns.iter().map(|c| (*c).to_owned())).as_bytes())?;
        for row in &self.rows {
            out.write_all(line(&mut row.iter().map(Cell::text)).as_bytes())?;
        }
        Ok(())
    }
}

/// Orders rows by their cell `key`, as [`Table::sort_by`] does.
pub(super) fn sort_rows(rows: &mut [Vec<Cell>], key: usize) {
    let numeric = rows.iter().any(|row| row[key].is_numeric());
    rows.sort_by(|a, b| {
        let order = a[key].order(&b[key]);
        if numeric { order.reverse() } else { order }
    });
}

/// A CSV field, quoted if it holds a comma, a quote or a line break.
fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Table {
        let mut table = Table::new(&["name", "count"]);
        table.push(vec!["b".into(), 7.into()]);
        table.push(vec!["a,\"x\"".into(), 12.into()]);
        table.push(vec![Cell::Empty, 7.into()]);
        table
    }

    fn written(table: &Table, format: OutputFormat) -> String {
        let mut out = Vec::new();
        table.write(format, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn text_aligns_numbers_right_and_text_left() {
        assert_eq!(
            written(&sample(), OutputFormat::Text),
            concat!(
                "name   count\n",
                "b          7\n",
                "a,\"x\"     12\n",
                "           7\n"
            )
        );
    }

    #[test]
    fn csv_quotes_what_must_be_quoted() {
        assert_eq!(
            written(&sample(), OutputFormat::Csv),
            "name,count\r\nb,7\r\n\"a,\"\"x\"\"\",12\r\n,7\r\n"
        );
    }

    #[test]
    fn json_is_one_object_per_line_with_null_for_empty() {
        assert_eq!(
            written(&sample(), OutputFormat::Json),
            "{\"name\":\"b\",\"count\":7}\n{\"name\":\"a,\\\"x\\\"\",\"count\":12}\n{\"name\":null,\"count\":7}\n"
        );
    }

    #[test]
    fn numbers_sort_largest_first_and_ties_keep_their_order() {
        let mut table = sample();
        table.sort_by(1);
        let names: Vec<Cell> = table.rows.iter().map(|row| row[0].clone()).collect();
        assert_eq!(names, vec!["a,\"x\"".into(), "b".into(), Cell::Empty]);
        table.sort_by(0);
        assert_eq!(table.rows[0][0], "a,\"x\"".into());
        assert_eq!(table.rows[2][0], Cell::Empty);
    }
}
