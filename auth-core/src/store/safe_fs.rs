//! The file store's file operations, which trust nothing found in its directory: no symbolic
//! link is followed, only regular files are read and at most a bounded number of bytes of them,
//! new files are created exclusively under random names, readable by the owner only, and a
//! directory that another user could write to is refused.

use std::fs::File;
use std::io::{ErrorKind, Read, Write};
use std::path::{Path, PathBuf};

use super::StoreError;

/// What reading a store file found.
pub(super) enum Found {
    /// No such file.
    Absent,
    /// The file's text.
    Text(String),
    /// Something that is not a store file: why, for a warning (no content).
    Damaged(&'static str),
}

/// Reads the regular file at `path`, at most `limit` bytes, without following a symbolic link
/// and without blocking on a FIFO or a device.
pub(super) fn read_bounded(path: &Path, limit: u64) -> std::io::Result<Found> {
    let file = match open(path, Access::Read) {
        Ok(file) => file,
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(Found::Absent),
        Err(e) if is_link(&e) => return Ok(Found::Damaged("it is a symbolic link")),
        Err(e) => return Err(e),
    };
    let metadata = file.metadata()?;
    if !metadata.is_file() {
        return Ok(Found::Damaged("it is not a regular file"));
    }
    if metadata.len() > limit {
        return Ok(Found::Damaged("it is larger than the store's limit"));
    }
    let mut bytes = Vec::new();
    // One byte over the limit tells a file that grew since the check.
    file.take(limit.saturating_add(1)).read_to_end(&mut bytes)?;
    if u64::try_from(bytes.len()).unwrap_or(u64::MAX) > limit {
        return Ok(Found::Damaged("it is larger than the store's limit"));
    }
    Ok(String::from_utf8(bytes).map_or(Found::Damaged("it is not UTF-8 text"), Found::Text))
}

/// Writes `text` to `path` atomically (readers see the old file or the new one), through a
/// temporary created exclusively under a random name beside it: a symbolic link planted at
/// `path` is replaced, never written through.
pub(super) fn write_atomically(path: &Path, text: &str) -> std::io::Result<()> {
    let temporary = temporary_name(path);
    let mut file = open(&temporary, Access::CreateNew)?;
    let written = file
        .write_all(text.as_bytes())
        .and_then(|()| file.sync_all())
        // A rename within one directory is atomic, and replaces a link rather than its target.
        .and_then(|()| std::fs::rename(&temporary, path));
    if written.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    written
}

/// Opens (creating it, owner-only) the lock file at `path`, its content kept. A symbolic link
/// or other non-regular file found there is removed and replaced by a regular file, with a
/// warning: no store of this version made it, and locking or writing through it would reach
/// another file.
pub(super) fn open_lock_file(path: &Path) -> std::io::Result<File> {
    match open_regular(path) {
        Ok(Some(file)) => return Ok(file),
        Ok(None) => {}
        Err(e) if is_link(&e) => {}
        Err(e) => return Err(e),
    }
    tracing::warn!(
        path = %path.display(),
        "a store lock file was a symbolic link or not a regular file; replaced"
    );
    // Only a link or a non-regular file is removed: a regular file another process created
    // meanwhile is its lock, and is used as found.
    let replaceable = std::fs::symlink_metadata(path).is_ok_and(|m| !m.file_type().is_file());
    if replaceable
        && let Err(e) = std::fs::remove_file(path)
        && e.kind() != ErrorKind::NotFound
    {
        return Err(e);
    }
    open_regular(path)?.ok_or_else(|| {
        std::io::Error::new(
            ErrorKind::InvalidInput,
            format!("{} is not a regular file", path.display()),
        )
    })
}

/// The lock file at `path` opened read-write and created if missing; `None` if it is not a
/// regular file.
fn open_regular(path: &Path) -> std::io::Result<Option<File>> {
    let file = open(path, Access::Lock)?;
    Ok(file.metadata()?.is_file().then_some(file))
}

/// `path` with a random tail: a name no other writer guesses.
fn temporary_name(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(format!(".tmp-{}", super::Lease::random_owner()));
    PathBuf::from(name)
}

#[derive(Clone, Copy)]
enum Access {
    Read,
    CreateNew,
    Lock,
}

fn open(path: &Path, access: Access) -> std::io::Result<File> {
    let mut options = std::fs::OpenOptions::new();
    match access {
        Access::Read => options.read(true),
        Access::CreateNew => options.write(true).create_new(true),
        Access::Lock => options.read(true).write(true).create(true).truncate(false),
    };
    #[cfg(unix)]
    {
        use rustix::fs::OFlags;
        use std::os::unix::fs::OpenOptionsExt;
        // Without NOFOLLOW, a link planted at the path is opened as its target; without
        // NONBLOCK, opening a FIFO waits for a writer forever.
        let flags = OFlags::NOFOLLOW | OFlags::NONBLOCK;
        options
            .mode(0o600)
            .custom_flags(i32::try_from(flags.bits()).unwrap_or(0));
    }
    options.open(path)
}

/// Whether opening failed because the path is a symbolic link (O_NOFOLLOW's ELOOP).
fn is_link(error: &std::io::Error) -> bool {
    #[cfg(unix)]
    let refused_link = Some(rustix::io::Errno::LOOP.raw_os_error());
    #[cfg(not(unix))]
    let refused_link = None;
    refused_link.is_some() && error.raw_os_error() == refused_link
}

/// Creates `dir` owner-only if missing, then checks it as [`check_dir`] does.
pub(super) fn create_private_dir(dir: &Path) -> Result<(), StoreError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .map_err(super::file::io)?;
    }
    #[cfg(not(unix))]
    std::fs::create_dir_all(dir).map_err(super::file::io)?;
    check_dir(dir)
}

/// Refuses a store directory that another user could write to (its group or others may
/// write, or another user than this one or root owns it), as ssh refuses such a key file:
/// whoever can write there can plant entries, links or lock files. A missing directory passes.
pub(super) fn check_dir(dir: &Path) -> Result<(), StoreError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{MetadataExt, PermissionsExt};
        let metadata = match std::fs::metadata(dir) {
            Ok(metadata) => metadata,
            Err(e) if e.kind() == ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(super::file::io(e)),
        };
        if metadata.permissions().mode() & 0o022 != 0 {
            return Err(StoreError::UnsafeDirectory {
                path: dir.to_owned(),
                problem: "group or others can write to it",
                fix: format!("chmod go-w {}", dir.display()),
            });
        }
        let me = rustix::process::geteuid().as_raw();
        let owner = metadata.uid();
        if owner != 0 && owner != me {
            return Err(StoreError::UnsafeDirectory {
                path: dir.to_owned(),
                problem: "another user owns it",
                fix: format!(
                    "chown $(id -u) {}, or use a directory of your own",
                    dir.display()
                ),
            });
        }
        // The path may be a link (`/tmp/tokens` -> a directory of ours): whoever owns the link
        // can point it elsewhere between this check and a later open.
        if let Ok(link) = std::fs::symlink_metadata(dir)
            && link.file_type().is_symlink()
            && link.uid() != 0
            && link.uid() != me
        {
            return Err(StoreError::UnsafeDirectory {
                path: dir.to_owned(),
                problem: "it is a link another user owns",
                fix: "give the directory's own path, not the link".to_owned(),
            });
        }
        // Above it, a directory others may write to without the sticky bit (which `/tmp` has)
        // lets them rename ours away and put their own in its place.
        let real = std::fs::canonicalize(dir).map_err(super::file::io)?;
        let given_parent = dir.parent().map(Path::to_path_buf);
        for ancestor in real
            .ancestors()
            .skip(1)
            .map(Path::to_path_buf)
            .chain(given_parent)
        {
            let Ok(above) = std::fs::metadata(&ancestor) else {
                continue;
            };
            let mode = above.permissions().mode();
            if mode & 0o002 != 0 && mode & 0o1000 == 0 {
                return Err(StoreError::UnsafeDirectory {
                    path: ancestor.clone(),
                    problem: "others can write to this directory above the store, and it is not sticky",
                    fix: format!("chmod o-w {}", ancestor.display()),
                });
            }
            if above.uid() != 0 && above.uid() != me {
                return Err(StoreError::UnsafeDirectory {
                    path: ancestor.clone(),
                    problem: "another user owns this directory above the store",
                    fix: "keep the store below directories of your own or root's".to_owned(),
                });
            }
        }
    }
    let _ = dir;
    Ok(())
}

#[cfg(test)]
#[cfg(unix)]
mod tests {
    use std::os::unix::fs::symlink;

    use super::*;

    #[test]
    fn a_directory_above_that_others_can_write_to_is_refused_unless_sticky() {
        use std::os::unix::fs::PermissionsExt;
        let tmp = tempfile::tempdir().unwrap();
        let above = tmp.path().join("shared");
        let store = above.join("store");
        std::fs::create_dir_all(&store).unwrap();
        std::fs::set_permissions(&store, std::fs::Permissions::from_mode(0o700)).unwrap();
        std::fs::set_permissions(&above, std::fs::Permissions::from_mode(0o777)).unwrap();
        let err = check_dir(&store).unwrap_err();
        assert!(
            err.to_string().contains("chmod o-w") && err.to_string().contains("shared"),
            "{err}"
        );
        // Sticky, as `/tmp` is: others cannot rename what is ours.
        std::fs::set_permissions(&above, std::fs::Permissions::from_mode(0o1777)).unwrap();
        assert!(check_dir(&store).is_ok());
        // Reached through a link of ours: the real directories are what is checked.
        let link = tmp.path().join("link");
        symlink(&store, &link).unwrap();
        assert!(check_dir(&link).is_ok());
        std::fs::set_permissions(&above, std::fs::Permissions::from_mode(0o777)).unwrap();
        assert!(check_dir(&link).is_err());
    }

    #[test]
    fn links_fifos_and_large_files_are_damage_not_content() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        let target = dir.join("target");
        std::fs::write(&target, "secret of another file").unwrap();
        symlink(&target, dir.join("link")).unwrap();
        assert!(matches!(
            read_bounded(&dir.join("link"), 1024).unwrap(),
            Found::Damaged("it is a symbolic link")
        ));
        symlink("/dev/zero", dir.join("zero")).unwrap();
        assert!(matches!(
            read_bounded(&dir.join("zero"), 1024).unwrap(),
            Found::Damaged(_)
        ));
        let fifo = dir.join("fifo");
        assert!(
            std::process::Command::new("mkfifo")
                .arg(&fifo)
                .status()
                .unwrap()
                .success()
        );
        assert!(matches!(
            read_bounded(&fifo, 1024).unwrap(),
            Found::Damaged("it is not a regular file")
        ));
        std::fs::write(dir.join("big"), vec![b'x'; 1025]).unwrap();
        assert!(matches!(
            read_bounded(&dir.join("big"), 1024).unwrap(),
            Found::Damaged("it is larger than the store's limit")
        ));
        assert!(matches!(
            read_bounded(&dir.join("none"), 1024).unwrap(),
            Found::Absent
        ));
        assert!(matches!(
            read_bounded(&target, 1024).unwrap(),
            Found::Text(text) if text == "secret of another file"
        ));
    }

    #[test]
    fn writes_replace_a_planted_link_and_never_write_through_it() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        let target = dir.join("target");
        std::fs::write(&target, "untouched").unwrap();
        symlink(&target, dir.join("entry")).unwrap();
        write_atomically(&dir.join("entry"), "new").unwrap();
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "untouched");
        assert_eq!(std::fs::read_to_string(dir.join("entry")).unwrap(), "new");
        symlink(&target, dir.join("lock")).unwrap();
        let mut lock = open_lock_file(&dir.join("lock")).unwrap();
        lock.write_all(b"1").unwrap();
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "untouched");
        assert!(
            !std::fs::symlink_metadata(dir.join("lock"))
                .unwrap()
                .file_type()
                .is_symlink()
        );
    }

    #[test]
    fn a_directory_others_can_write_to_is_refused_with_the_fix() {
        use std::os::unix::fs::PermissionsExt;
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("store");
        create_private_dir(&dir).unwrap();
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o777)).unwrap();
        let refused = create_private_dir(&dir).unwrap_err();
        let message = refused.to_string();
        assert!(
            message.contains(&format!("chmod go-w {}", dir.display())),
            "{message}"
        );
        assert!(message.contains("group or others can write"), "{message}");
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        check_dir(&dir).unwrap();
    }
}
