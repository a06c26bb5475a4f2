use super::*;

const HOME: &str = "/home/u";

fn read(format: ConfigFormat, text: &str, key: Option<&str>) -> Vec<PathBuf> {
    roots(format, text.as_bytes(), key, Path::new(HOME))
        .unwrap()
        .into_iter()
        .map(|r| r.path)
        .collect()
}

#[test]
fn syncthing_folders_are_roots_and_the_defaults_template_is_not() {
    let xml = r#"<configuration version="37">
    <folder id="abc" label="Sync" path="~/Sync" type="sendreceive"><device id="X"></device></folder>
    <folder id="def" path="/srv/photos &amp; maps/"/>
    <defaults><folder id="" path="~" type="sendreceive"></folder></defaults>
</configuration>"#;
    assert_eq!(
        read(ConfigFormat::SyncthingXml, xml, None),
        [PathBuf::from("/home/u/Sync"), PathBuf::from("/srv/photos & maps")]
    );
    // A real folder at ~ is a root: the whole home is synced.
    let home = r#"<configuration><folder path="~"></folder></configuration>"#;
    assert_eq!(read(ConfigFormat::SyncthingXml, home, None), [PathBuf::from(HOME)]);
    let broken = "<configuration><folder path=\"~/Sync\"></configuration>";
    assert!(matches!(
        roots(ConfigFormat::SyncthingXml, broken.as_bytes(), None, Path::new(HOME)),
        Err(ConfigProblem::Malformed(_))
    ));
}

#[test]
fn qsettings_local_paths_are_unquoted_and_unescaped() {
    let ini = "[General]\nlocalPath=/not/this\n[Accounts]\n0\\Folders\\1\\localPath=/home/u/NC/\n\
               1\\FoldersWithPlaceholders\\1\\localPath=\"/home/u/My Docs, 2024/\"\n\
               1\\Multifolders\\2\\localPath=/home/u/\\x5730\\x56fe\n0\\Folders\\1\\journalPath=.sync_x.db\n";
    assert_eq!(
        read(ConfigFormat::QsettingsIni, ini, None),
        [
            PathBuf::from("/home/u/NC"),
            PathBuf::from("/home/u/My Docs, 2024"),
            PathBuf::from("/home/u/地图")
        ]
    );
}

#[test]
fn key_value_files_skip_comments_and_take_quoted_values() {
    let config = "# sync_dir = \"~/X\"\n; sync_dir = \"~/Y\"\nsync_dir = \"~/OneDrive Work\"\nskip_file = \"~*\"\n";
    assert_eq!(
        read(ConfigFormat::KeyValue, config, Some("sync_dir")),
        [PathBuf::from("/home/u/OneDrive Work")]
    );
    let yandex = "auth=\"/home/u/.config/yandex-disk/passwd\"\ndir=\"/home/u/Yandex.Disk\"\n";
    assert_eq!(
        read(ConfigFormat::KeyValue, yandex, Some("dir")),
        [PathBuf::from("/home/u/Yandex.Disk")]
    );
}

#[test]
fn dropbox_seafile_unison_and_aliyunpan() {
    let info =
        r#"{"personal": {"path": "/home/u/Dropbox", "host": 1}, "business": {"path": "/home/u/Dropbox (Acme)"}}"#;
    assert_eq!(
        read(ConfigFormat::DropboxInfoJson, info, None),
        [
            PathBuf::from("/home/u/Dropbox"),
            PathBuf::from("/home/u/Dropbox (Acme)")
        ]
    );
    assert_eq!(
        read(ConfigFormat::SeafileIni, "\n/home/u/Seafile/.seafile-data\n", None),
        [PathBuf::from("/home/u/Seafile/.seafile-data")]
    );
    let prf = "root = /home/u/data\nroot = ssh://host//srv/data\nauto = true\n";
    assert_eq!(
        read(ConfigFormat::UnisonPrf, prf, None),
        [PathBuf::from("/home/u/data")]
    );
    let json =
        r#"{"syncTaskList": [{"localFolderPath": "/home/u/阿里云盘"}, {"localFolderPath": "/srv/b"}, {"name": "x"}]}"#;
    assert_eq!(
        read(ConfigFormat::AliyunpanJson, json, None),
        [PathBuf::from("/home/u/阿里云盘"), PathBuf::from("/srv/b")]
    );
}

#[test]
fn hostile_files_are_refused_or_read_as_far_as_reliable_never_a_panic() {
    let home = Path::new(HOME);
    let huge = vec![b'a'; MAX_CONFIG_BYTES + 1];
    assert_eq!(
        roots(ConfigFormat::KeyValue, &huge, Some("dir"), home),
        Err(ConfigProblem::TooLarge)
    );
    assert_eq!(
        roots(ConfigFormat::KeyValue, &[0xff, 0xfe, 0x00], Some("dir"), home),
        Err(ConfigProblem::NotText)
    );
    assert!(matches!(
        roots(ConfigFormat::DropboxInfoJson, b"[1, 2]x", None, home),
        Err(ConfigProblem::Malformed(_))
    ));
    // JSON of the wrong shape names no root; a relative path names nothing; a `..` path is
    // kept for the scan to resolve as the client would (dropping it would hide the root).
    assert!(read(ConfigFormat::DropboxInfoJson, "[1, 2]", None).is_empty());
    assert!(
        read(
            ConfigFormat::KeyValue,
            "dir = \"relative/dir\"\ndir = \"/a/../etc\"\n",
            Some("dir")
        ) == [PathBuf::from("/a/../etc")]
    );
    // Deep nesting is refused, not recursed into.
    let deep = format!("{}{}", "<a>".repeat(1000), "</a>".repeat(1000));
    assert!(roots(ConfigFormat::SyncthingXml, deep.as_bytes(), None, home).is_err());
    // Arbitrary bytes in every format: an answer, never a panic.
    const ALPHABET: &[u8] = b"<>/=\"'~\\[]{}:,# \nconfigurationfolderpath";
    let mut rng = 0x9e37_79b9_u64;
    for _ in 0..500 {
        let len = (rng % 200) as usize;
        let bytes: Vec<u8> = (0..len)
            .map(|_| {
                rng ^= rng << 13;
                rng ^= rng >> 7;
                rng ^= rng << 17;
                ALPHABET[(rng % ALPHABET.len() as u64) as usize]
            })
            .collect();
        for format in [
            ConfigFormat::SyncthingXml,
            ConfigFormat::QsettingsIni,
            ConfigFormat::KeyValue,
            ConfigFormat::DropboxInfoJson,
            ConfigFormat::SeafileIni,
            ConfigFormat::UnisonPrf,
            ConfigFormat::AliyunpanJson,
        ] {
            let _ = roots(format, &bytes, Some("path"), home);
        }
    }
}
