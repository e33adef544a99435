//! The typst `World` of one document: its source, its data and its files, over the printer's
//! fonts and library, and the rendering of typst's diagnostics as "line L, column C: message".

use std::collections::HashMap;
use std::sync::LazyLock;

use typst::Library;
use typst::World;
use typst::WorldExt;
use typst::diag::{FileError, FileResult, SourceDiagnostic};
use typst::foundations::{Bytes, Datetime, Duration};
use typst::syntax::{FileId, Lines, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;

use crate::{PrintError, Printer};

/// Where the template's data is found.
const DATA_PATH: &str = "/data.json";
const MAIN_PATH: &str = "/main.typ";

/// The main file's id, the same for every document so typst's caches can be reused.
static MAIN: LazyLock<FileId> =
    LazyLock::new(|| project_file(MAIN_PATH).expect("the main path is a valid virtual path"));

fn project_file(path: &str) -> Result<FileId, String> {
    let path = VirtualPath::new(path).map_err(|e| e.to_string())?;
    Ok(RootedPath::new(VirtualRoot::Project, path).intern())
}

pub(crate) struct Document<'a> {
    printer: &'a Printer,
    main: Source,
    files: HashMap<FileId, Bytes>,
}

impl<'a> Document<'a> {
    pub(crate) fn new(
        printer: &'a Printer,
        source: &str,
        data: &serde_json::Value,
        extra: &[(&str, &[u8])],
    ) -> Result<Document<'a>, PrintError> {
        let data_id = project_file(DATA_PATH).map_err(|problem| PrintError::FileName {
            name: DATA_PATH.to_owned(),
            problem,
        })?;
        let mut files = HashMap::with_capacity(extra.len() + 1);
        files.insert(data_id, Bytes::from_string(data.to_string()));
        for (name, bytes) in extra {
            let refuse = |problem: &str| PrintError::FileName {
                name: (*name).to_owned(),
                problem: problem.to_owned(),
            };
            // Names are relative to the template, which sits at the root.
            let id = project_file(&format!("/{}", name.trim_start_matches('/')))
                .map_err(|problem| refuse(&problem))?;
            if id == *MAIN || id == data_id {
                return Err(refuse("the name is reserved for the template or its data"));
            }
            if files.insert(id, Bytes::new(bytes.to_vec())).is_some() {
                return Err(refuse("two files have this name"));
            }
        }
        Ok(Document {
            printer,
            main: Source::new(*MAIN, source.to_owned()),
            files,
        })
    }

    /// "line L, column C: message" (with the file's name first when it is not the template),
    /// followed by typst's hints.
    pub(crate) fn describe(&self, diagnostic: &SourceDiagnostic) -> String {
        let mut text = match self.position(diagnostic) {
            Some(position) => format!("{position}: {}", diagnostic.message),
            None => diagnostic.message.to_string(),
        };
        for hint in &diagnostic.hints {
            text.push_str("; hint: ");
            text.push_str(&hint.v);
        }
        text
    }

    fn position(&self, diagnostic: &SourceDiagnostic) -> Option<String> {
        let id = diagnostic.span.id()?;
        let range = self.range(diagnostic.span)?;
        let (prefix, line, column) = if id == *MAIN {
            let (line, column) = self.main.lines().byte_to_line_column(range.start)?;
            (String::new(), line, column)
        } else {
            let bytes = self.files.get(&id)?;
            let text = std::str::from_utf8(bytes.as_slice()).ok()?;
            let (line, column) = Lines::new(text).byte_to_line_column(range.start)?;
            let name = id.vpath().get_without_slash().to_owned();
            (format!("{name}, "), line, column)
        };
        Some(format!("{prefix}line {}, column {}", line + 1, column + 1))
    }
}

impl World for Document<'_> {
    fn library(&self) -> &LazyHash<Library> {
        &self.printer.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &self.printer.book
    }

    fn main(&self) -> FileId {
        *MAIN
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == *MAIN {
            Ok(self.main.clone())
        } else if self.files.contains_key(&id) {
            Err(FileError::NotSource)
        } else {
            Err(not_found(id))
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == *MAIN {
            return Ok(Bytes::from_string(self.main.text().to_owned()));
        }
        self.files.get(&id).cloned().ok_or_else(|| not_found(id))
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.printer.fonts.get(index).cloned()
    }

    /// UTC: see the crate's documentation.
    fn today(&self, offset: Option<Duration>) -> Option<Datetime> {
        let hours = offset.map_or(0, |offset| offset.hours().round() as i64);
        crate::today(hours)
    }
}

fn not_found(id: FileId) -> FileError {
    FileError::NotFound(id.vpath().get_with_slash().into())
}
