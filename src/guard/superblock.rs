//! A removable medium's file-system identity (type, UUID or serial, label), read from the
//! first bytes of its block device the way `blkid` does, without udev. The guard names a
//! medium by what its superblock says, because the source text in mountinfo is chosen by
//! whoever mounts it (facts and offsets: `../shared/research/guard.md` §3).
//!
//! It never writes, and it reads a bounded number of bytes: the first 4 KiB, then at most
//! [`MAX_DIR_BYTES`] of the root directory (FAT and exFAT keep the label users see there).
//! On-disk values are untrusted: a hostile one gives an error or `None`, never a panic.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

/// How much of the device's start is read: the ext superblock ends at byte 2048.
const HEAD_LEN: u64 = 4096;
/// The most read of a root directory, whatever its cluster size claims.
pub const MAX_DIR_BYTES: u64 = 64 * 1024;
/// One FAT or exFAT directory entry.
const ENTRY_LEN: usize = 32;

/// The file-system families the guard recognises on removable media.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FsKind {
    /// ext2, ext3 or ext4 (one superblock layout).
    Ext,
    /// FAT12, FAT16 or FAT32.
    Fat,
    /// exFAT.
    Exfat,
}

impl FsKind {
    /// The name used in events and settings: `ext`, `fat` or `exfat`.
    pub fn as_str(self) -> &'static str {
        match self {
            FsKind::Ext => "ext",
            FsKind::Fat => "fat",
            FsKind::Exfat => "exfat",
        }
    }
}

/// What a medium's superblock says it is, as `blkid` prints it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Identity {
    /// The file-system family.
    pub kind: FsKind,
    /// ext: the UUID (`c15f6d77-e5fd-…`); FAT and exFAT: the serial (`0982-BC94`).
    pub uuid: String,
    /// The volume label, if one is set (trailing NULs and spaces trimmed).
    pub label: Option<String>,
}

/// Why a medium's identity could not be read.
#[derive(Debug, thiserror::Error)]
pub enum SuperblockError {
    /// Opening or reading the device failed (it may have been pulled out).
    #[error("{path}: {source}")]
    Io {
        /// The device.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: io::Error,
    },
    /// Reading an already open source failed ([`identify`] does not know its path).
    #[error("reading the medium failed: {0}")]
    Read(#[source] io::Error),
    /// The superblock names a known file system but its fields point nowhere sensible.
    #[error("malformed superblock: {what}")]
    Malformed {
        /// Which field is wrong.
        what: String,
    },
}

fn malformed(what: &str) -> SuperblockError {
    SuperblockError::Malformed { what: what.to_owned() }
}

/// Read the identity of the file system on `device` (a block device or an image file).
/// `Ok(None)`: no file system this module knows (ext, FAT, exFAT) is there.
pub fn read_identity(device: &Path) -> Result<Option<Identity>, SuperblockError> {
    let at_device = |source| SuperblockError::Io {
        path: device.to_owned(),
        source,
    };
    let mut file = File::open(device).map_err(at_device)?;
    identify(&mut file).map_err(|err| match err {
        SuperblockError::Read(source) => at_device(source),
        other => other,
    })
}

/// Read the identity of the file system that starts at byte 0 of `source`; see [`read_identity`].
pub fn identify<R: Read + Seek>(source: &mut R) -> Result<Option<Identity>, SuperblockError> {
    let head = read_upto(source, 0, HEAD_LEN)?;
    // exFAT boot sectors end in 0x55AA too, so exFAT is tried before FAT. ext comes last: its
    // magic sits at byte 1080, which on FAT12/16 can be a FAT entry, while mke2fs zeroes the
    // first sectors, so no boot sector survives on ext.
    if let Some(found) = exfat(source, &head)? {
        return Ok(Some(found));
    }
    if let Some(found) = fat(source, &head)? {
        return Ok(Some(found));
    }
    Ok(ext(&head))
}

/// Up to `len` bytes from `offset`; fewer at the end of the source.
fn read_upto<R: Read + Seek>(source: &mut R, offset: u64, len: u64) -> Result<Vec<u8>, SuperblockError> {
    source.seek(SeekFrom::Start(offset)).map_err(SuperblockError::Read)?;
    let mut bytes = Vec::new();
    source
        .take(len)
        .read_to_end(&mut bytes)
        .map_err(SuperblockError::Read)?;
    Ok(bytes)
}

fn field(bytes: &[u8], at: usize, len: usize) -> Option<&[u8]> {
    bytes.get(at..at.checked_add(len)?)
}

fn byte(bytes: &[u8], at: usize) -> Option<u8> {
    bytes.get(at).copied()
}

fn le16(bytes: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(field(bytes, at, 2)?.try_into().ok()?))
}

fn le32(bytes: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(field(bytes, at, 4)?.try_into().ok()?))
}

/// A label as users see it: up to the first NUL, trailing spaces dropped, `None` if empty.
fn clean_label(text: &str) -> Option<String> {
    let text = text.split('\0').next().unwrap_or_default().trim_end_matches(' ');
    (!text.is_empty()).then(|| text.to_owned())
}

fn identity(kind: FsKind, uuid: String, label: Option<String>) -> Identity {
    Identity { kind, uuid, label }
}

/// A FAT or exFAT serial as blkid shows it: `%04X-%04X`, high half first.
fn serial_text(serial: u32) -> String {
    format!("{:04X}-{:04X}", serial >> 16, serial & 0xFFFF)
}

fn ext(head: &[u8]) -> Option<Identity> {
    if le16(head, 1080)? != 0xEF53 {
        return None;
    }
    let uuid = field(head, 1128, 16)?;
    let hex: Vec<String> = uuid.iter().map(|b| format!("{b:02x}")).collect();
    let uuid = [&hex[0..4], &hex[4..6], &hex[6..8], &hex[8..10], &hex[10..16]]
        .map(|group| group.concat())
        .join("-");
    let label = clean_label(&String::from_utf8_lossy(field(head, 1144, 16)?));
    Some(identity(FsKind::Ext, uuid, label))
}

fn exfat<R: Read + Seek>(source: &mut R, head: &[u8]) -> Result<Option<Identity>, SuperblockError> {
    if field(head, 3, 8) != Some(b"EXFAT   ".as_slice()) {
        return Ok(None);
    }
    let fields = (le32(head, 0x58), le32(head, 0x5C), le32(head, 0x60), le32(head, 0x64));
    let (Some(heap), Some(clusters), Some(root), Some(serial)) = fields else {
        return Err(malformed("exFAT boot sector cut short"));
    };
    let (sector_shift, cluster_shift) = (byte(head, 0x6C).unwrap_or(0), byte(head, 0x6D).unwrap_or(u8::MAX));
    // The spec allows 512-byte to 4 KiB sectors and clusters of at most 32 MiB.
    if !(9..=12).contains(&sector_shift) || u32::from(sector_shift) + u32::from(cluster_shift) > 25 {
        return Err(malformed("exFAT sector or cluster size out of range"));
    }
    let index = cluster_index(root.into(), clusters.into())?;
    let cluster_len = 1u64 << (sector_shift + cluster_shift);
    let offset = cluster_offset(u64::from(heap) << sector_shift, index, cluster_len)?;
    let label = exfat_label(&read_dir(source, offset, cluster_len)?);
    Ok(Some(identity(FsKind::Exfat, serial_text(serial), label)))
}

/// The Volume Label entry (type 0x83: up to 11 UTF-16 units) in an exFAT root directory.
fn exfat_label(dir: &[u8]) -> Option<String> {
    let mut entries = dir.chunks_exact(ENTRY_LEN).take_while(|entry| entry[0] != 0x00);
    let entry = entries.find(|entry| entry[0] == 0x83)?;
    let units = usize::from(entry[1].min(11));
    let name = entry[2..2 + 2 * units]
        .chunks_exact(2)
        .map(|u| u16::from_le_bytes([u[0], u[1]]));
    clean_label(&String::from_utf16_lossy(&name.collect::<Vec<u16>>()))
}

/// The zero-based index of data cluster `cluster` (numbering starts at 2), if it is one of `count`.
fn cluster_index(cluster: u64, count: u64) -> Result<u64, SuperblockError> {
    match cluster.checked_sub(2) {
        Some(index) if index < count => Ok(index),
        _ => Err(malformed("root directory cluster out of range")),
    }
}

/// The byte offset of zero-based cluster `index` of a data region at byte `base`.
fn cluster_offset(base: u64, index: u64, cluster_len: u64) -> Result<u64, SuperblockError> {
    let skip = index.checked_mul(cluster_len);
    skip.and_then(|skip| base.checked_add(skip)).ok_or_else(overflow)
}

fn overflow() -> SuperblockError {
    malformed("root directory offset overflows")
}

/// At most [`MAX_DIR_BYTES`] of a root directory of `len` bytes at `offset`.
fn read_dir<R: Read + Seek>(source: &mut R, offset: u64, len: u64) -> Result<Vec<u8>, SuperblockError> {
    let dir = read_upto(source, offset, len.min(MAX_DIR_BYTES))?;
    if dir.is_empty() {
        return Err(malformed("root directory lies past the end of the medium"));
    }
    Ok(dir)
}

fn fat<R: Read + Seek>(source: &mut R, head: &[u8]) -> Result<Option<Identity>, SuperblockError> {
    if le16(head, 510) != Some(0xAA55) || !fat_bpb_plausible(head) {
        return Ok(None);
    }
    let fat32 = le16(head, 0x16) == Some(0); // FAT12/16 keep their FAT size here
    let ext_bpb = if fat32 { 0x42 } else { 0x26 };
    // 0x29 (or the older 0x28) marks the extended BPB that holds the serial.
    let (Some(0x28 | 0x29), Some(serial)) = (byte(head, ext_bpb), le32(head, ext_bpb + 1)) else {
        return Ok(None);
    };
    let (offset, len) = fat_root_dir(head, fat32)?;
    let label = fat_dir_label(&read_dir(source, offset, len)?);
    let label = label.and_then(|name| clean_label(&String::from_utf8_lossy(&name)));
    Ok(Some(identity(FsKind::Fat, serial_text(serial), label)))
}

/// Whether sector size, cluster size, reserved sectors, FAT count and media byte are ones a
/// FAT formatter writes (an MBR also ends in 0x55AA).
fn fat_bpb_plausible(head: &[u8]) -> bool {
    let sector = le16(head, 0x0B).unwrap_or(0);
    sector.is_power_of_two()
        && (512..=4096).contains(&sector)
        && byte(head, 0x0D).is_some_and(u8::is_power_of_two)
        && le16(head, 0x0E).is_some_and(|reserved| reserved > 0)
        && byte(head, 0x10).is_some_and(|fats| fats > 0)
        && byte(head, 0x15).is_some_and(|media| media >= 0xF8 || media == 0xF0)
}

/// The byte offset and length of a FAT root directory (of its first cluster on FAT32).
fn fat_root_dir(head: &[u8], fat32: bool) -> Result<(u64, u64), SuperblockError> {
    let num8 = |at| byte(head, at).map_or(0, u64::from);
    let num16 = |at| le16(head, at).map_or(0, u64::from);
    let num32 = |at| le32(head, at).map_or(0, u64::from);
    let (sector, cluster_sectors) = (num16(0x0B), num8(0x0D));
    let fat_sectors = if fat32 { num32(0x24) } else { num16(0x16) };
    let after_fats = num8(0x10)
        .checked_mul(fat_sectors)
        .and_then(|fats| fats.checked_add(num16(0x0E)));
    let after_fats = after_fats.ok_or_else(overflow)?; // in sectors
    let base = after_fats.checked_mul(sector).ok_or_else(overflow)?;
    if !fat32 {
        return Ok((base, num16(0x11) * ENTRY_LEN as u64));
    }
    let total = match num16(0x13) {
        0 => num32(0x20),
        small => small,
    };
    let clusters = total
        .saturating_sub(after_fats)
        .checked_div(cluster_sectors)
        .unwrap_or(0);
    let index = cluster_index(num32(0x2C), clusters)?;
    let cluster_len = cluster_sectors.checked_mul(sector).ok_or_else(overflow)?;
    Ok((cluster_offset(base, index, cluster_len)?, cluster_len))
}

/// The name in the volume-label entry of a FAT root directory, as blkid finds it: attribute
/// 0x08 without 0x10, no cluster, not deleted (0xE5), not a long-name part.
fn fat_dir_label(dir: &[u8]) -> Option<[u8; 11]> {
    const VOLUME_ID: u8 = 0x08;
    const DIRECTORY: u8 = 0x10;
    let entries = dir.chunks_exact(ENTRY_LEN).take_while(|entry| entry[0] != 0x00);
    let mut labels = entries.filter(|entry| {
        let no_cluster = entry[20..22] == [0, 0] && entry[26..28] == [0, 0];
        entry[0] != 0xE5 && entry[11] & 0x3F != 0x0F && no_cluster
    });
    let entry = labels.find(|entry| entry[11] & (VOLUME_ID | DIRECTORY) == VOLUME_ID)?;
    let mut name: [u8; 11] = entry[..11].try_into().ok()?;
    if name[0] == 0x05 {
        name[0] = 0xE5; // a name that starts with 0xE5 is stored as 0x05
    }
    Some(name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;
    use std::os::unix::fs::FileExt;
    use std::process::Command;

    const EXT_UUID: &str = "c15f6d77-e5fd-4439-a8f6-381b69e73b63";

    fn put(buf: &mut [u8], at: usize, bytes: &[u8]) {
        buf[at..at + bytes.len()].copy_from_slice(bytes);
    }

    fn le32s(values: &[u32]) -> Vec<u8> {
        values.iter().flat_map(|v| v.to_le_bytes()).collect()
    }

    fn id(buf: &[u8]) -> Result<Option<Identity>, SuperblockError> {
        identify(&mut Cursor::new(buf))
    }

    fn found(kind: FsKind, uuid: &str, label: Option<&str>) -> Option<Identity> {
        Some(identity(kind, uuid.to_owned(), label.map(str::to_owned)))
    }

    fn ext4() -> Vec<u8> {
        let mut buf = vec![0; 4096];
        put(&mut buf, 1080, &0xEF53u16.to_le_bytes());
        put(
            &mut buf,
            1128,
            &0xc15f6d77_e5fd_4439_a8f6_381b69e73b63u128.to_be_bytes(),
        );
        put(&mut buf, 1144, b"MEDIUM 1");
        buf
    }

    /// FAT32, 512-byte sectors, 1 a cluster, 32 reserved, 2 FATs of 1 sector, media 0xF8,
    /// 40 sectors; root directory at cluster 2 = sector 34.
    fn fat32() -> Vec<u8> {
        let mut buf = vec![0; 40 * 512];
        put(&mut buf, 0x0B, &[0, 2, 1, 32, 0, 2, 0, 0, 0, 0, 0xF8]);
        put(&mut buf, 0x20, &le32s(&[40, 1]));
        put(&mut buf, 0x2C, &le32s(&[2]));
        buf[0x42] = 0x29;
        put(&mut buf, 0x43, &0x0982_BC94u32.to_le_bytes());
        put(&mut buf, 0x47, b"BOOTONLY   "); // blkid's LABEL_FATBOOT, not its LABEL
        put(&mut buf, 510, &[0x55, 0xAA]);
        let root = 34 * 512;
        put(&mut buf, root, b"\xE5LD LABEL  \x08"); // deleted
        put(&mut buf, root + 32, b"Ax\0y\0z\0\0\0\0\0\x0F"); // a long-name part
        put(&mut buf, root + 64, b"FAT32 LBL  \x08");
        buf
    }

    /// FAT16, 512-byte sectors, 4 a cluster, 1 reserved, 2 FATs of 1 sector, 512 root entries;
    /// root directory at sector 3: a file, then the label.
    fn fat16() -> Vec<u8> {
        let mut buf = vec![0; 8 * 512];
        put(&mut buf, 0x0B, &[0, 2, 4, 1, 0, 2, 0, 2, 0, 0, 0xF8, 1, 0]);
        put(&mut buf, 1080, &0xEF53u16.to_le_bytes()); // a FAT entry that looks like ext's magic
        put(&mut buf, 0x26, &[0x29, 0xEA, 0xDA, 0x82, 0x09]);
        put(&mut buf, 0x2B, b"F16BOOT    ");
        put(&mut buf, 510, &[0x55, 0xAA]);
        put(&mut buf, 3 * 512, b"README  TXT\x20");
        buf[3 * 512 + 26] = 5; // its first cluster
        put(&mut buf, 3 * 512 + 32, b"F16LBL     \x08");
        buf
    }

    /// exFAT, 512-byte sectors and clusters, heap at sector 8, root at cluster 4 (byte 5120).
    fn exfat_image() -> Vec<u8> {
        let mut buf = vec![0; 16 * 512];
        put(&mut buf, 3, b"EXFAT   ");
        put(&mut buf, 0x58, &le32s(&[8, 8, 4, 0x7F77_D098])); // heap, cluster count, root cluster, serial
        buf[0x6C] = 9;
        put(&mut buf, 510, &[0x55, 0xAA]);
        buf[5120] = 0x81; // allocation bitmap
        let name: Vec<u8> = "EXLABEL".encode_utf16().flat_map(u16::to_le_bytes).collect();
        put(&mut buf, 5152, &[0x83, 7]);
        put(&mut buf, 5154, &name);
        buf
    }

    #[test]
    fn hand_built_media_are_identified() {
        let (mut fat16_deleted_label, mut exfat_deleted_label) = (fat16(), exfat_image());
        fat16_deleted_label[3 * 512 + 32] = 0xE5;
        exfat_deleted_label[5152] = 0x03;
        let cases = [
            (ext4(), FsKind::Ext, EXT_UUID, Some("MEDIUM 1")),
            (fat32(), FsKind::Fat, "0982-BC94", Some("FAT32 LBL")),
            (fat16(), FsKind::Fat, "0982-DAEA", Some("F16LBL")),
            (fat16_deleted_label, FsKind::Fat, "0982-DAEA", None),
            (exfat_image(), FsKind::Exfat, "7F77-D098", Some("EXLABEL")),
            (exfat_deleted_label, FsKind::Exfat, "7F77-D098", None),
        ];
        for (buf, kind, uuid, label) in cases {
            assert_eq!(id(&buf).unwrap(), found(kind, uuid, label));
        }
        assert_eq!(FsKind::Exfat.as_str(), "exfat");
    }

    #[test]
    fn unknown_and_short_media_are_none() {
        assert!(id(&[]).unwrap().is_none());
        assert!(id(&[0; 8192]).unwrap().is_none());
        assert!(id(&ext4()[..1100]).unwrap().is_none());
        let mut mbr = vec![0; 512];
        put(&mut mbr, 510, &[0x55, 0xAA]);
        mbr[0x26] = 0x29;
        assert!(id(&mbr).unwrap().is_none());
    }

    fn is_malformed(result: Result<Option<Identity>, SuperblockError>) -> bool {
        matches!(result, Err(SuperblockError::Malformed { .. }))
    }

    #[test]
    fn hostile_fields_are_errors() {
        assert!(is_malformed(id(&fat32()[..1024])));
        assert!(is_malformed(id(&exfat_image()[..4096])));
        for (at, value) in [(0x6C, 40), (0x6C, 8), (0x6D, 30)] {
            let mut buf = exfat_image();
            buf[at] = value;
            assert!(is_malformed(id(&buf)), "byte {at:#x} = {value}");
        }
        for root in [0, 1, 10, u32::MAX] {
            let mut buf = exfat_image();
            put(&mut buf, 0x60, &root.to_le_bytes());
            assert!(is_malformed(id(&buf)), "exFAT root cluster {root}");
            let mut buf = fat32();
            put(&mut buf, 0x2C, &root.to_le_bytes());
            assert!(is_malformed(id(&buf)), "FAT32 root cluster {root}");
        }
        let mut far = exfat_image();
        put(&mut far, 0x58, &le32s(&[u32::MAX; 3]));
        far[0x6C..0x6E].copy_from_slice(&[12, 13]);
        assert!(is_malformed(id(&far)));
        let mut huge = fat32();
        put(&mut huge, 0x0B, &4096u16.to_le_bytes());
        put(&mut huge, 0x20, &le32s(&[u32::MAX; 2]));
        assert!(is_malformed(id(&huge)));
    }

    #[test]
    fn mutated_headers_never_panic() {
        let mut state = 0x2545_F491_4F6C_DD1Du64;
        for base in [ext4(), fat32(), fat16(), exfat_image()] {
            for _ in 0..2000 {
                let mut buf = base.clone();
                for _ in 0..4 {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    let span = if state & 1 == 0 { 0x70 } else { buf.len() as u64 };
                    buf[((state >> 8) % span) as usize] = (state >> 40) as u8;
                }
                let _ = id(&buf);
            }
        }
    }

    /// A device that is pulled out after its first 4 KiB.
    struct Vanishing(Cursor<Vec<u8>>);

    impl Read for Vanishing {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            if self.0.position() >= HEAD_LEN {
                return Err(io::Error::from_raw_os_error(libc::EIO));
            }
            self.0.read(buf)
        }
    }

    impl Seek for Vanishing {
        fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
            self.0.seek(to)
        }
    }

    #[test]
    fn a_vanishing_device_is_a_read_error() {
        let result = identify(&mut Vanishing(Cursor::new(fat32())));
        assert!(matches!(result, Err(SuperblockError::Read(_))), "{result:?}");
        let missing = read_identity(Path::new("/nonexistent/strongroom-device"));
        assert!(matches!(missing, Err(SuperblockError::Io { .. })), "{missing:?}");
    }

    /// The path of a system tool, or `None` (the test then skips, or fails under `CI`).
    fn tool(name: &str) -> Option<PathBuf> {
        let path = std::env::var_os("PATH").unwrap_or_default();
        let mut dirs: Vec<PathBuf> = std::env::split_paths(&path).collect();
        dirs.extend(["/usr/sbin", "/sbin"].map(PathBuf::from));
        let found = dirs.into_iter().map(|dir| dir.join(name)).find(|p| p.is_file());
        if found.is_none() {
            let ci = std::env::var("CI").is_ok_and(|v| v == "true" || v == "1");
            assert!(!ci, "`{name}` is missing; CI must run every test");
            let test = std::thread::current().name().unwrap_or("a test").to_owned();
            eprintln!("\nSKIPPED {test}: needs `{name}`");
        }
        found
    }

    /// A 64 MiB image in `dir` formatted by `mkfs args…`, and blkid; `None` if a tool is missing.
    fn formatted(dir: &Path, mkfs: &str, args: &[&str]) -> Option<(PathBuf, PathBuf)> {
        let (mkfs, blkid) = (tool(mkfs)?, tool("blkid")?);
        let image = dir.join("medium.img");
        File::create(&image).unwrap().set_len(64 << 20).unwrap();
        let out = Command::new(mkfs).args(args).arg(&image).output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        Some((image, blkid))
    }

    /// What `blkid -p` says of `image` (`-o value` does not escape spaces as `-o export` does).
    fn blkid_identity(blkid: &Path, image: &Path, kind: FsKind) -> Identity {
        let value = |key: &str| {
            let out = Command::new(blkid)
                .args(["-p", "-o", "value", "-s", key])
                .arg(image)
                .output()
                .unwrap();
            Some(String::from_utf8(out.stdout).unwrap().trim_end().to_owned()).filter(|v| !v.is_empty())
        };
        identity(kind, value("UUID").unwrap(), value("LABEL"))
    }

    #[test]
    fn ext4_matches_blkid() {
        let dir = tempfile::tempdir().unwrap();
        let args = ["-q", "-F", "-U", EXT_UUID, "-L", "MEDIUM 1"];
        let Some((image, blkid)) = formatted(dir.path(), "mkfs.ext4", &args) else {
            return;
        };
        let expected = blkid_identity(&blkid, &image, FsKind::Ext);
        assert_eq!(expected.label.as_deref(), Some("MEDIUM 1"));
        assert_eq!(read_identity(&image).unwrap(), Some(expected));
    }

    #[test]
    fn fat32_matches_blkid_with_a_stale_boot_label() {
        let dir = tempfile::tempdir().unwrap();
        let args = ["-F", "32", "-n", "FAT32 LBL", "-i", "0982BC94"];
        let Some((image, blkid)) = formatted(dir.path(), "mkfs.vfat", &args) else {
            return;
        };
        let file = File::options().write(true).open(&image).unwrap();
        file.write_all_at(b"BOOTONLY   ", 0x47).unwrap();
        let expected = found(FsKind::Fat, "0982-BC94", Some("FAT32 LBL"));
        assert_eq!(Some(blkid_identity(&blkid, &image, FsKind::Fat)), expected);
        assert_eq!(read_identity(&image).unwrap(), expected);
        // With the root-directory entry deleted, blkid shows no LABEL (only LABEL_FATBOOT).
        let head = read_upto(&mut File::open(&image).unwrap(), 0, HEAD_LEN).unwrap();
        file.write_all_at(&[0xE5], fat_root_dir(&head, true).unwrap().0)
            .unwrap();
        let expected = blkid_identity(&blkid, &image, FsKind::Fat);
        assert_eq!(expected.label, None);
        assert_eq!(read_identity(&image).unwrap(), Some(expected));
    }

    #[test]
    fn exfat_matches_blkid() {
        let dir = tempfile::tempdir().unwrap();
        let Some((image, blkid)) = formatted(dir.path(), "mkfs.exfat", &["-L", "EXLABEL"]) else {
            return;
        };
        let expected = blkid_identity(&blkid, &image, FsKind::Exfat);
        assert_eq!(expected.label.as_deref(), Some("EXLABEL"));
        assert_eq!(read_identity(&image).unwrap(), Some(expected));
    }
}
