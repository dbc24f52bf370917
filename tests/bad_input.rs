//! Hostile and broken input: every class the hardening issue lists, each
//! with the message, the `errors.csv` row and the exit status it must end
//! in (0 counted, 1 files skipped, 2 usage/dictionary/metadata, 3 I/O), and
//! never a panic. The figures in docs/reliability.md count these classes.

mod common;

use std::fs;
use std::path::Path;
use std::process::Output;

use common::*;

const DICTIONARY: &str =
    "[themes.women]\nterms = [\"women\"]\n[themes.displacement]\nterms = [\"refugee*\"]\n";

/// Runs `agora run ARGS`, expecting exit status `code` and no panic.
fn expect(args: &[&str], code: i32) -> Output {
    let output = run_ok(args, code);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    output
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Whether this process runs as root, which reads and writes files whatever
/// their permissions (told by the owner of a file it creates).
#[cfg(unix)]
fn is_root(dir: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    let probe = dir.join(".probe");
    fs::write(&probe, "").unwrap();
    let uid = fs::metadata(&probe).unwrap().uid();
    fs::remove_file(probe).unwrap();
    uid == 0
}

/// Every bad speech file at once: one run, and the whole of `errors.csv`.
#[cfg(unix)]
#[test]
fn bad_speech_files_are_reported_and_the_rest_counted() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let junk: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    write_files(
        root,
        &[
            ("themes.toml", DICTIONARY.as_bytes()),
            ("corpus/empty.txt", b""),
            // Only a speaker header: the header is not speech.
            (
                "corpus/UNSC_2020_SPV.8001_spch001.txt",
                b"Mr. Dupont (France) (spoke in French):\n",
            ),
            ("corpus/binary.txt", &junk),
            // UTF-8 (C\xc3\xb4te) with one bad byte on line 2, at offset 1 + 2 + 18 + 1 + 2.
            (
                "corpus/damaged.txt",
                b"C\xc3\xb4te d'Ivoire women.\nna\xffve refugees.\n",
            ),
            // A folder named like a speech is a folder: what is in it is read.
            ("corpus/folder.txt/inner.txt", b"Women and refugees."),
        ],
    );
    let corpus = root.join("corpus");
    std::os::unix::fs::symlink(".", corpus.join("loop")).unwrap();
    std::os::unix::fs::symlink("nowhere", corpus.join("dangling.txt")).unwrap();
    let fifo = std::process::Command::new("mkfifo")
        .arg(corpus.join("pipe.txt"))
        .status();
    assert!(fifo.is_ok_and(|s| s.success()), "mkfifo");
    // Over the size limit, lowered to 1 MiB so the test stays fast.
    fs::write(
        corpus.join("oneline.txt"),
        "women and refugees ".repeat(60_000),
    )
    .unwrap();
    let unreadable = !is_root(root);
    if unreadable {
        fs::write(corpus.join("locked.txt"), "Women.").unwrap();
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(corpus.join("locked.txt"), fs::Permissions::from_mode(0o000)).unwrap();
    } else {
        eprintln!("running as root, which reads any file: the unreadable-file case is not tested");
    }

    let out = root.join("out");
    let themes = root.join("themes.toml");
    let (c, t, o) = (s(&corpus), s(&themes), s(&out));
    let output = expect(
        &["-i", c, "-t", t, "-o", o, "--max-file-mb", "1", "-j", "2"],
        1,
    );
    let skipped = if unreadable { 6 } else { 5 };
    assert!(
        stderr(&output).contains(&format!("{skipped} file(s) skipped; see errors.csv")),
        "{}",
        stderr(&output)
    );
    let mut expected = vec![
        "path,line,stage,outcome,message".to_owned(),
        format!("{c}/UNSC_2020_SPV.8001_spch001.txt,,analyze,degraded,no words in the text; counted with 0 tokens"),
        format!("{c}/binary.txt,,read,skipped,\"looks like a binary file, not text (many control bytes); skipped\""),
        format!("{c}/damaged.txt,2,read,degraded,\"byte 24 is not valid UTF-8 though other characters are: the file was decoded as Windows-1252 as a whole, so its non-ASCII characters may read wrong (é as Ã©); repair the bytes or save the file again as UTF-8\""),
        format!("{c}/dangling.txt,,discover,skipped,a link to nothing (its target does not exist); skipped"),
        format!("{c}/empty.txt,,analyze,degraded,empty file; counted with 0 tokens"),
    ];
    if unreadable {
        expected.push(format!(
            "{c}/locked.txt,,read,skipped,cannot be read: Permission denied (os error 13); check that it still exists and that Agora may read it"
        ));
    }
    expected.extend([
        format!("{c}/loop,,discover,skipped,a link loop: this folder links back to one of its parents; skipped"),
        format!("{c}/oneline.txt,,read,skipped,\"larger than 1048576 bytes, the --max-file-mb limit: too large for one speech; split it into speeches, or raise the limit (at most 1024 MiB)\""),
        format!("{c}/pipe.txt,,discover,skipped,\"named like a speech but not a regular file (a FIFO, socket or device); skipped\""),
    ]);
    assert_eq!(
        read(&out, "errors.csv").lines().collect::<Vec<_>>(),
        expected
    );
    // The counted files: ids, encodings, tokens, sentences.
    let speeches: Vec<String> = read(&out, "speeches.csv")
        .lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            format!("{} {} {} {}", f[0], f[13], f[14], f[15])
        })
        .collect();
    assert_eq!(
        speeches,
        [
            "UNSC_2020_SPV.8001_spch001.txt utf-8 0 0",
            // The mojibake the report warns of: `Côte` read as `CÃ´te`, two
            // words (´ is not a letter); `naÿve` starts no new sentence.
            "damaged.txt windows-1252 6 1",
            "empty.txt utf-8 0 0",
            "folder.txt/inner.txt utf-8 3 1",
        ]
    );
    let manifest: serde_json::Value = serde_json::from_str(&read(&out, "manifest.json")).unwrap();
    assert_eq!(manifest["counts"]["skipped"], skipped);
}

/// A long single-line file (no line break at all) is read and counted
/// whole; the 200 MB case is measured in docs/reliability.md, since a debug
/// build would take minutes on it.
#[test]
fn a_single_line_file_is_counted_whole() {
    let dir = tempfile::tempdir().unwrap();
    let words = 300_000;
    let text = "women and refugees ".repeat(words / 3);
    write_files(
        dir.path(),
        &[
            ("corpus/line.txt", text.as_bytes()),
            ("themes.toml", DICTIONARY.as_bytes()),
        ],
    );
    let out = dir.path().join("out");
    expect(
        &[
            "-i",
            s(&dir.path().join("corpus")),
            "-t",
            s(&dir.path().join("themes.toml")),
            "-o",
            s(&out),
            "--tables",
            "themes",
        ],
        0,
    );
    let counts = read(&out, "theme_counts.csv");
    assert!(
        counts.contains(",,,displacement,100000,300000,3333.333333,1,1\n")
            && counts.contains(",,,women,100000,300000,3333.333333,1,1\n"),
        "{counts}"
    );
    // Just over the limit is refused; exactly at it is read.
    let mib = vec![b'a'; 1 << 20];
    let (corpus, themes) = (dir.path().join("corpus"), dir.path().join("themes.toml"));
    fs::write(dir.path().join("corpus/line.txt"), &mib).unwrap();
    let args = [
        "-i",
        s(&corpus),
        "-t",
        s(&themes),
        "-o",
        s(&out),
        "--max-file-mb",
        "1",
    ];
    expect(&args, 0);
    fs::write(
        dir.path().join("corpus/line.txt"),
        [&mib[..], b"a"].concat(),
    )
    .unwrap();
    expect(&args, 1);
    let errors = read(&out, "errors.csv");
    assert!(errors.contains("larger than 1048576 bytes"), "{errors}");
    let output = run(&["run", "--max-file-mb", "2000"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("2000 is not in 1..=1024"),
        "{}",
        stderr(&output)
    );
}

/// Metadata rows that cannot be used are listed with their line; the run
/// goes on. A table that cannot be read, or lacks the `file` column, stops
/// the run with status 2 before anything is written.
#[test]
fn bad_metadata_rows_are_ignored_with_their_line() {
    let dir = tempfile::tempdir().unwrap();
    write_files(
        dir.path(),
        &[
            ("themes.toml", DICTIONARY.as_bytes()),
            ("corpus/a.txt", b"Women."),
            ("corpus/sub/b.txt", b"Refugees."),
            ("corpus/c.txt", b"Women."),
            (
                "meta.csv",
                b"file,country,year,speaker\n\
                  a.txt,France,2020,Mr. A\n\
                  sub/b.txt,Chad\n\
                  ../../etc/passwd,France,2000,x\n\
                  /etc/passwd,Chad,2001,x\n\
                  C:\\x.txt,Chad,,\n\
                  a.txt,Chad,2001,x\n\
                  nope.txt,Chad,2001,x\n\
                  c.txt,Chad,1999,Ms. \xff\n\
                  sub/b.txt,Narnia,20x0,\n",
            ),
        ],
    );
    let (corpus, themes, meta, out) = (
        dir.path().join("corpus"),
        dir.path().join("themes.toml"),
        dir.path().join("meta.csv"),
        dir.path().join("out"),
    );
    let args = |meta: &Path| {
        vec![
            "-i".to_owned(),
            s(&corpus).to_owned(),
            "-t".to_owned(),
            s(&themes).to_owned(),
            "-m".to_owned(),
            s(meta).to_owned(),
            "-o".to_owned(),
            s(&out).to_owned(),
        ]
    };
    let owned = args(&meta);
    let refs: Vec<&str> = owned.iter().map(String::as_str).collect();
    expect(&refs, 0);
    let m = s(&meta);
    let errors: Vec<String> = read(&out, "errors.csv")
        .lines()
        .map(str::to_owned)
        .collect();
    let not_inside =
        "is not a path inside the input folder (absolute, or climbs out with ..); row not used";
    assert_eq!(
        errors,
        [
            "path,line,stage,outcome,message".to_owned(),
            format!("{}/sub/b.txt,,ingest,degraded,\"country name \"\"Narnia\"\" is not in the country table; kept as country_name with an empty country_iso3\"", s(&corpus)),
            format!("{m},3,metadata,ignored,\"CSV error: record 2 (line: 3, byte: 50): found record with 2 fields, but the previous record has 4 fields; row not used\""),
            format!("{m},4,metadata,ignored,\"file \"\"../../etc/passwd\"\" {not_inside}\""),
            format!("{m},5,metadata,ignored,\"file \"\"/etc/passwd\"\" {not_inside}\""),
            format!("{m},6,metadata,ignored,\"file \"\"C:\\\\x.txt\"\" {not_inside}\""),
            format!("{m},7,metadata,ignored,\"file \"\"a.txt\"\" is listed again (first at {m}:2); this row is not used\""),
            format!("{m},8,metadata,ignored,\"file \"\"nope.txt\"\" is not a speech of the corpus (speech ids are paths relative to the input folder); row not used\""),
            format!("{m},9,metadata,ignored,field 4 is not UTF-8 text; save the table as UTF-8 (CSV UTF-8 in a spreadsheet); row not used"),
            format!("{m},10,metadata,ignored,\"year \"\"20x0\"\" is not a number; the row's year is not used\""),
        ]
    );
    let speeches = read(&out, "speeches.csv");
    assert!(
        speeches.contains("a.txt,") && speeches.contains(",FRA,France,Mr. A,"),
        "{speeches}"
    );

    // Tables that cannot be used at all.
    for (name, text, message) in [
        (
            "nofile.csv",
            &b"name,country\na,b\n"[..],
            "nofile.csv: a metadata table needs a `file` column",
        ),
        (
            "twice.csv",
            b"file,year, Year \na.txt,1,2\n",
            "twice.csv: column \"year\" appears twice (columns 2 and 3)",
        ),
        (
            "empty.csv",
            b"",
            "empty.csv: a metadata table needs a `file` column",
        ),
        (
            "latin1.csv",
            b"\xefile,year\n",
            "cannot read the header row of",
        ),
    ] {
        let path = dir.path().join(name);
        fs::write(&path, text).unwrap();
        let owned = args(&path);
        let refs: Vec<&str> = owned.iter().map(String::as_str).collect();
        let output = expect(&refs, 2);
        assert!(
            stderr(&output).contains(message),
            "{name}: {}",
            stderr(&output)
        );
    }
    let output = expect(
        &args(&dir.path().join("missing.csv"))
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
        2,
    );
    assert!(
        stderr(&output).contains("cannot read metadata table")
            && stderr(&output).contains("missing.csv: No such file"),
        "{}",
        stderr(&output)
    );
    // The tables of the first run are still there, whole.
    assert_eq!(read(&out, "errors.csv").lines().count(), 10);
}

/// Every kind of dictionary error: status 2, the file, the line where there
/// is one, what is wrong; nothing written.
#[test]
fn every_kind_of_dictionary_error_is_refused_with_its_line() {
    let dir = tempfile::tempdir().unwrap();
    write_files(dir.path(), &[("corpus/a.txt", b"Women.")]);
    let corpus = dir.path().join("corpus");
    let out = dir.path().join("out");
    let cases: &[(&[u8], &str)] = &[
        (b"", "line 1: not a valid theme dictionary: missing field `themes`"),
        (b"[themes]\n", "no themes: add at least one `[themes.NAME]` table"),
        (b"[themes.t]\nterms = [\"a\"\n\n", "line 2: not a valid theme dictionary"),
        (b"[themes.t]\nterm = [\"a\"]\n", "line 2: not a valid theme dictionary: unknown field `term`"),
        (b"[themes.t]\nterms = [1]\n", "line 2: not a valid theme dictionary"),
        (b"[themes.t]\nterms = \"women\"\n", "line 2: not a valid theme dictionary"),
        (b"[themes.t]\nterms = [\"a\"]\n[themes.t]\nterms = [\"b\"]\n", "line 3: not a valid theme dictionary"),
        (b"[themes.t]\nterms = []\n", "line 1: theme \"t\" has no terms"),
        (b"[themes.\" t\"]\nterms = [\"a\"]\n", "line 1: theme name \" t\" is empty, has blanks around it or a control character"),
        (b"[themes.t]\nterms = [\"ok\", \"\"]\n", "line 2: term \"\" of theme \"t\""),
        (b"[themes.t]\nterms = [\"!!\"]\n", "line 2: term \"!!\" of theme \"t\""),
        (b"[themes.t]\nterms = [\"ter*ism\"]\n", "may only end a single word"),
        (b"[themes.t]\nterms = [\"*\"]\n", "line 2: term \"*\" of theme \"t\""),
        (b"[themes.t]\nterms = [\n\"x\",\n\"peace oper*\"]\n", "line 4: term \"peace oper*\" of theme \"t\""),
        (b"[themes.t]\nterms = [\"peace *\"]\n", "line 2: term \"peace *\" of theme \"t\""),
        (b"[themes.t]\nterms = [\"refugees\",\n\"refugee\"]\n", "line 3: term \"refugee\" of theme \"t\" matches the same words as \"refugees\" (line 2)"),
        (b"[themes.t]\nterms = [\"caf\xe9\"]\n", "the file is not UTF-8 text; save it as UTF-8"),
    ];
    for (k, (text, message)) in cases.iter().enumerate() {
        let themes = dir.path().join(format!("themes{k}.toml"));
        fs::write(&themes, text).unwrap();
        let output = expect(&["-i", s(&corpus), "-t", s(&themes), "-o", s(&out)], 2);
        let err = stderr(&output);
        assert!(
            err.contains(s(&themes)) && err.contains(message),
            "case {k}: want {message:?} in:\n{err}"
        );
        assert!(!out.exists(), "case {k}: nothing is written");
    }
    let output = expect(
        &[
            "-i",
            s(&corpus),
            "-t",
            s(&dir.path().join("none.toml")),
            "-o",
            s(&out),
        ],
        2,
    );
    assert!(
        stderr(&output).contains("cannot read the theme dictionary")
            && stderr(&output).contains("none.toml: No such file"),
        "{}",
        stderr(&output)
    );
    let output = expect(
        &[
            "-i",
            s(&corpus),
            "--stopwords",
            s(&dir.path().join("none.txt")),
            "-o",
            s(&out),
        ],
        2,
    );
    assert!(
        stderr(&output).contains("cannot read the stop words"),
        "{}",
        stderr(&output)
    );
}

/// `--out` that cannot be written: status 3, a message naming it, and the
/// file in the way untouched.
#[test]
fn out_that_cannot_be_written_is_an_io_error() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("file");
    fs::write(&file, "mine").unwrap();
    // Under a regular file: no folder can be made there, even by root.
    let output = expect(&["-o", s(&file.join("out"))], 3);
    assert!(
        stderr(&output).contains(&format!("cannot create {}", file.display())),
        "{}",
        stderr(&output)
    );
    assert_eq!(fs::read_to_string(&file).unwrap(), "mine");
    // A folder without write permission.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if is_root(dir.path()) {
            eprintln!(
                "running as root, which writes anywhere: the read-only folder case is not tested"
            );
            return;
        }
        let locked = dir.path().join("locked");
        fs::create_dir(&locked).unwrap();
        fs::set_permissions(&locked, fs::Permissions::from_mode(0o555)).unwrap();
        let output = expect(&["-o", s(&locked.join("out"))], 3);
        assert!(
            stderr(&output).contains("(is the folder writable?)"),
            "{}",
            stderr(&output)
        );
        fs::set_permissions(&locked, fs::Permissions::from_mode(0o755)).unwrap();
    }
}

/// Cells that a spreadsheet would run as formulas (`=`, `+`, `-`, `@`, tab,
/// CR first) come out with a leading `'` in text columns; numbers, negative
/// ones included, are written as they are.
#[test]
fn formula_like_text_is_neutralized_and_numbers_are_not() {
    let dir = tempfile::tempdir().unwrap();
    write_files(
        dir.path(),
        &[
            (
                "themes.toml",
                b"[themes.\"=cmd\"]\nterms = [\"women\"]\n[themes.climate]\nterms = [\"climate\"]\n",
            ),
            // Sentences {=cmd}, {=cmd}, {climate}, {climate}, {both}: the pair's
            // pmi is log2(1·5 / (3·3)) < 0.
            ("corpus/-dash.txt", b"Women. Women. Climate. Climate. Women and climate."),
            (
                "meta.csv",
                b"file,country,date,speaker,post\n\
                  -dash.txt,@SUM(A1),-2020,\"=HYPERLINK(\"\"http://x\"\",\"\"click\"\")\",+1 555\n",
            ),
        ],
    );
    let (corpus, out) = (dir.path().join("corpus"), dir.path().join("out"));
    let (themes, meta) = (dir.path().join("themes.toml"), dir.path().join("meta.csv"));
    expect(
        &[
            "-i",
            s(&corpus),
            "-t",
            s(&themes),
            "-m",
            s(&meta),
            "-o",
            s(&out),
        ],
        0,
    );
    let c = s(&corpus);
    assert_eq!(
        read(&out, "speeches.csv").lines().nth(1).unwrap(),
        format!(
            "'-dash.txt,{c}/-dash.txt,,'@SUM(A1),\"'=HYPERLINK(\"\"http://x\"\",\"\"click\"\")\",\
             none,'+1 555,,'-2020,,,,,utf-8,7,5"
        )
    );
    assert_eq!(
        read(&out, "theme_counts.csv").lines().nth(1).unwrap(),
        ",'@SUM(A1),,'=cmd,3,7,4285.714286,1,1"
    );
    // Cells [[1, 2], [2, 0]] against E = [[9/5, 6/5], [6/5, 4/5]]: pmi = log2(5/9),
    // npmi = pmi / log2(5), G² = 2·(ln(5/9) + 4·ln(5/3)), jaccard = 1/5.
    assert_eq!(
        read(&out, "theme_cooccurrence.csv").lines().nth(1).unwrap(),
        ",'@SUM(A1),sentence,'=cmd,climate,5,3,3,1,-0.847997,-0.365212,2.911032,0.200000"
    );
    assert_eq!(
        read(&out, "keyword_counts.csv").lines().nth(1).unwrap(),
        ",'@SUM(A1),'=cmd,women,3"
    );
    let errors = read(&out, "errors.csv");
    assert!(
        errors.contains(&format!(
            "{c}/-dash.txt,,ingest,degraded,\"country name \"\"@SUM(A1)\"\" is not in the country table"
        )),
        "{errors}"
    );
}
