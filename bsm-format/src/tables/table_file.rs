//! Reading audit_class and audit_event files: `:`-separated fields, one entry a line, `#`
//! comments and blank lines ignored.

use std::fs;
use std::path::Path;

use super::error::{LineProblem, TableError};

/// The data lines of `text` with their 1-based line numbers, comments and blank lines left out.
pub(crate) fn data_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines()
        .enumerate()
        .map(|(index, line)| (index + 1, line))
        .filter(|(_, line)| {
            let line = line.trim_start();
            !line.is_empty() && !line.starts_with('#')
        })
}

/// Splits `line` into exactly one field for each of `names` (which name the fields in errors).
pub(crate) fn split_fields<'a, const N: usize>(
    line: &'a str,
    names: [&'static str; N],
) -> Result<[&'a str; N], LineProblem> {
    let mut fields = [""; N];
    let mut parts = line.split(':');
    for (field, name) in fields.iter_mut().zip(names) {
        *field = parts.next().ok_or(LineProblem::MissingField(name))?;
    }
    let extra = parts.count();
    if extra > 0 {
        return Err(LineProblem::TooManyFields {
            expected: N,
            found: N + extra,
        });
    }
    Ok(fields)
}

/// `field` without surrounding blanks, or a missing-field problem when nothing is left.
pub(crate) fn required<'a>(field: &'a str, name: &'static str) -> Result<&'a str, LineProblem> {
    let field = field.trim();
    if field.is_empty() {
        Err(LineProblem::MissingField(name))
    } else {
        Ok(field)
    }
}

/// Ties a line problem to its line number.
pub(crate) fn at_line(line: usize) -> impl Fn(LineProblem) -> TableError {
    move |problem| TableError::Line { line, problem }
}

/// The text of a host table file such as /etc/security/audit_event. Bytes that are not UTF-8
/// become U+FFFD rather than failing the whole file over one description.
pub(crate) fn read(path: &Path) -> Result<String, TableError> {
    let bytes = fs::read(path).map_err(|source| TableError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// Names the file that a parse error came from.
pub(crate) fn in_file(path: &Path) -> impl Fn(TableError) -> TableError {
    move |error| TableError::InFile {
        path: path.to_path_buf(),
        source: Box::new(error),
    }
}
