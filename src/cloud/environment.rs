//! Where a user's sync clients keep their files: the home directory and the XDG base
//! directories, taken from an environment that tests inject (research/cloud-sync.md: every
//! detector takes `HOME` and `XDG_*` from outside), and the catalogue's path templates
//! expanded in it (`~`, `{config}`, `{state}`, `{data}`, `{runtime}`, one `*` per component).

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::{Component, Path, PathBuf};

/// At most this many paths come from one template's `*` (a hostile home cannot make a scan
/// read without end).
const MAX_GLOB_MATCHES: usize = 64;

/// One user's view of where configuration lives.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Environment {
    /// The home directory (`~`).
    pub home: PathBuf,
    /// `$XDG_CONFIG_HOME`, else `~/.config`.
    pub config: PathBuf,
    /// `$XDG_STATE_HOME`, else `~/.local/state`.
    pub state: PathBuf,
    /// `$XDG_DATA_HOME`, else `~/.local/share`.
    pub data: PathBuf,
    /// `$XDG_RUNTIME_DIR`, when set.
    pub runtime: Option<PathBuf>,
    /// The variables the catalogue names that move a client's files (`STCONFDIR` …).
    pub vars: BTreeMap<String, OsString>,
}

impl Environment {
    /// A home with the XDG defaults and no variables set (the guard's view of another user).
    pub fn for_home(home: &Path) -> Environment {
        Environment {
            home: home.to_path_buf(),
            config: home.join(".config"),
            state: home.join(".local/state"),
            data: home.join(".local/share"),
            runtime: None,
            vars: BTreeMap::new(),
        }
    }

    /// The environment `lookup` describes (`std::env::var_os`, or a test's map); `None`
    /// without an absolute `HOME`. Relative XDG values are ignored, as the XDG spec says.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<OsString>) -> Option<Environment> {
        let absolute = |name: &str| lookup(name).map(PathBuf::from).filter(|p| p.is_absolute());
        let home = absolute("HOME")?;
        let mut env = Environment::for_home(&home);
        if let Some(dir) = absolute("XDG_CONFIG_HOME") {
            env.config = dir;
        }
        if let Some(dir) = absolute("XDG_STATE_HOME") {
            env.state = dir;
        }
        if let Some(dir) = absolute("XDG_DATA_HOME") {
            env.data = dir;
        }
        env.runtime = absolute("XDG_RUNTIME_DIR");
        let catalogue = crate::cloud::catalogue::Catalogue::bundled();
        for provider in &catalogue.providers {
            for config in &provider.platforms.linux.config {
                for name in &config.env {
                    if let Some(value) = lookup(name).filter(|v| !v.is_empty()) {
                        env.vars.insert(name.clone(), value);
                    }
                }
            }
        }
        Some(env)
    }

    /// The environments to scan for this process: its own (`HOME`, `XDG_*`), and the home the
    /// password database gives its user when that differs (a changed `HOME` hides nothing).
    pub fn of_this_process() -> Vec<Environment> {
        Environment::of_process(|n| std::env::var_os(n), password_database_home())
    }

    /// [`Environment::of_this_process`] for the variables `lookup` gives and the password
    /// database's `home`.
    pub fn of_process(lookup: impl Fn(&str) -> Option<OsString>, home: Option<PathBuf>) -> Vec<Environment> {
        let mut out: Vec<Environment> = Environment::from_lookup(lookup).into_iter().collect();
        // The defaults of the password database's home, unless that is exactly what the
        // variables say: `XDG_CONFIG_HOME=/empty` must not hide `~/.config`.
        if let Some(home) = home {
            let defaults = Environment::for_home(&home);
            if !out.contains(&defaults) {
                out.push(defaults);
            }
        }
        out
    }

    /// The paths a catalogue template names here, existing or not (a `*` component matches
    /// the existing entries of its directory, at most [`MAX_GLOB_MATCHES`]). `env` names
    /// variables that move the client's directory: a directory value replaces the template's
    /// client directory (`{config}/syncthing`), a file value is the file itself.
    pub fn expand(&self, template: &str, env: &[String]) -> Vec<PathBuf> {
        // What a variable names, and the default place as well: a variable set to somewhere
        // empty must not hide the file the client may still read.
        let mut moved = Vec::new();
        for name in env {
            if let Some(value) = self.vars.get(name) {
                let value = PathBuf::from(value);
                if !value.is_absolute() {
                    continue;
                }
                if !value.is_dir() {
                    moved.push(value);
                    continue;
                }
                // `<base>/<client directory>/<rest>`: the value stands for the first two.
                let rest: PathBuf = Path::new(template).components().skip(2).collect();
                moved.extend(glob(&value.join(rest)));
            }
        }
        let mut all = moved;
        for path in self.expand_default(template) {
            if !all.contains(&path) {
                all.push(path);
            }
        }
        all
    }

    /// The template in the default places (no variable applied).
    fn expand_default(&self, template: &str) -> Vec<PathBuf> {
        let (base, rest) = template.split_once('/').unwrap_or((template, ""));
        let base = match base {
            "~" => self.home.clone(),
            "{config}" => self.config.clone(),
            "{state}" => self.state.clone(),
            "{data}" => self.data.clone(),
            "{runtime}" => match &self.runtime {
                Some(dir) => dir.clone(),
                None => return Vec::new(),
            },
            "" => PathBuf::from("/"),
            _ => return Vec::new(),
        };
        glob(&base.join(rest))
    }
}

/// `path` with each `*` component matched against its directory's entries (`prefix*suffix`).
fn glob(path: &Path) -> Vec<PathBuf> {
    let mut found = vec![PathBuf::new()];
    for component in path.components() {
        let Component::Normal(name) = component else {
            found.iter_mut().for_each(|p| p.push(component));
            continue;
        };
        let name = name.to_string_lossy();
        let Some((prefix, suffix)) = name.split_once('*') else {
            found.iter_mut().for_each(|p| p.push(component));
            continue;
        };
        let mut next = Vec::new();
        for dir in &found {
            let Ok(entries) = std::fs::read_dir(dir) else {
                continue;
            };
            let mut names: Vec<PathBuf> = entries
                .flatten()
                .map(|e| e.file_name())
                .filter(|n| {
                    let n = n.to_string_lossy();
                    n.len() >= prefix.len() + suffix.len() && n.starts_with(prefix) && n.ends_with(suffix)
                })
                .map(|n| dir.join(n))
                .collect();
            names.sort();
            next.extend(names);
            if next.len() >= MAX_GLOB_MATCHES {
                next.truncate(MAX_GLOB_MATCHES);
                break;
            }
        }
        found = next;
    }
    found
}

/// The home directory the password database gives this process's real user.
fn password_database_home() -> Option<PathBuf> {
    // SAFETY: getuid has no preconditions and cannot fail.
    let uid = unsafe { libc::getuid() };
    let passwd = std::fs::read_to_string("/etc/passwd").ok()?;
    passwd.lines().find_map(|line| {
        let fields: Vec<&str> = line.split(':').collect();
        let home = PathBuf::from(fields.get(5)?);
        (fields.get(2)?.parse::<u32>().ok()? == uid && home.is_absolute() && home != Path::new("/")).then_some(home)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_expand_under_the_injected_home_and_xdg_directories() {
        let dir = tempfile::tempdir().unwrap();
        let home = dir.path().join("home");
        let vars: BTreeMap<&str, PathBuf> = [
            ("HOME", home.clone()),
            ("XDG_CONFIG_HOME", dir.path().join("cfg")),
            ("XDG_STATE_HOME", PathBuf::from("relative/ignored")),
        ]
        .into_iter()
        .collect();
        let env = Environment::from_lookup(|n| vars.get(n).map(|p| p.clone().into_os_string())).unwrap();
        assert_eq!(env.config, dir.path().join("cfg"));
        assert_eq!(env.state, home.join(".local/state"));
        assert_eq!(
            env.expand("{config}/syncthing/config.xml", &[]),
            [dir.path().join("cfg/syncthing/config.xml")]
        );
        assert_eq!(
            env.expand("~/.dropbox/info.json", &[]),
            [home.join(".dropbox/info.json")]
        );
        assert!(env.expand("{runtime}/x", &[]).is_empty());
        assert!(Environment::from_lookup(|_| None).is_none());

        // `*` matches existing entries only, sorted.
        std::fs::create_dir_all(home.join(".unison")).unwrap();
        for name in ["b.prf", "a.prf", "notes.txt"] {
            std::fs::write(home.join(".unison").join(name), "").unwrap();
        }
        assert_eq!(
            env.expand("~/.unison/*.prf", &[]),
            [home.join(".unison/a.prf"), home.join(".unison/b.prf")]
        );
    }

    #[test]
    fn variables_pointing_elsewhere_never_hide_the_password_databases_home() {
        let vars: BTreeMap<&str, &str> = [("HOME", "/home/u"), ("XDG_CONFIG_HOME", "/tmp/empty")]
            .into_iter()
            .collect();
        let lookup = |n: &str| vars.get(n).map(OsString::from);
        let all = Environment::of_process(lookup, Some(PathBuf::from("/home/u")));
        assert_eq!(all.len(), 2, "{all:?}");
        assert_eq!(all[0].config, Path::new("/tmp/empty"));
        assert_eq!(all[1], Environment::for_home(Path::new("/home/u")));
        // Nothing moved: one environment.
        let plain: BTreeMap<&str, &str> = [("HOME", "/home/u")].into_iter().collect();
        let all = Environment::of_process(|n| plain.get(n).map(OsString::from), Some(PathBuf::from("/home/u")));
        assert_eq!(all, [Environment::for_home(Path::new("/home/u"))]);
    }

    #[test]
    fn a_variable_moves_the_client_directory_or_names_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let moved = dir.path().join("st");
        std::fs::create_dir_all(&moved).unwrap();
        let mut env = Environment::for_home(&dir.path().join("home"));
        env.vars.insert("STCONFDIR".into(), moved.clone().into_os_string());
        let names = ["STCONFDIR".to_string()];
        // The variable's place, and the default one still (a variable cannot hide it).
        let default = dir.path().join("home/.config/syncthing/config.xml");
        assert_eq!(
            env.expand("{config}/syncthing/config.xml", &names),
            [moved.join("config.xml"), default.clone()]
        );
        env.vars
            .insert("STCONFDIR".into(), dir.path().join("rclone.conf").into_os_string());
        assert_eq!(
            env.expand("{config}/syncthing/config.xml", &names),
            [dir.path().join("rclone.conf"), default]
        );
    }
}
