//! Shards: which files of a corpus one `agora count --shard I/N` counts.
//!
//! A speech belongs to shard `fnv1a64(speech id) mod N`, where the speech id
//! is its path relative to its `--input` folder, `/`-separated (prefixed with
//! the folder's name when several inputs are given), as UTF-8 bytes, and
//! FNV-1a is the 64-bit variant (offset basis 0xcbf29ce484222325, prime
//! 0x100000001b3). The function is fixed here, not taken from a library
//! whose hash may change between versions, so a shard's content depends only
//! on the speech ids: not on the machine, the listing order or the Rust
//! version. Every shard still lists the whole corpus (to find metadata tables
//! and check that all shards saw the same files); it reads only its own.
//!
//! This module does not read files or merge counts.

use anyhow::{bail, Context, Result};

/// FNV-1a, 64-bit, of some bytes.
pub fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// One shard of N.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// This shard, from 0 to `count - 1`.
    pub index: u32,
    /// Number of shards.
    pub count: u32,
}

/// Environment variables that give the shard index, in the order tried.
pub const INDEX_VARS: &[&str] = &[
    "AGORA_SHARD_INDEX",
    "SLURM_ARRAY_TASK_ID",
    "JOB_COMPLETION_INDEX",
];
/// Environment variables that give the number of shards, in the order tried.
pub const COUNT_VARS: &[&str] = &["AGORA_SHARD_COUNT", "SLURM_ARRAY_TASK_COUNT"];

impl Shard {
    /// Whether a speech id belongs to this shard.
    pub fn holds(&self, speech_id: &str) -> bool {
        fnv1a64(speech_id.as_bytes()) % u64::from(self.count) == u64::from(self.index)
    }

    /// Parses `I/N`, or `env`: the index from the first of [`INDEX_VARS`]
    /// that is set, the count from `count` (`--shards N`) or the first of
    /// [`COUNT_VARS`] that is set. `var` looks a variable up (the process
    /// environment, or a test's).
    pub fn parse(
        text: &str,
        count: Option<u32>,
        var: impl Fn(&str) -> Option<String>,
    ) -> Result<Shard> {
        let (index, n) = if text == "env" {
            let (name, index) = INDEX_VARS
                .iter()
                .find_map(|v| var(v).map(|x| (*v, x)))
                .with_context(|| {
                    format!(
                        "--shard env: none of {} is set (is this a scheduler's array task?)",
                        INDEX_VARS.join(", ")
                    )
                })?;
            let index: u32 = index
                .trim()
                .parse()
                .with_context(|| format!("--shard env: {name}={index:?} is not a number"))?;
            let n = match count {
                Some(n) => n,
                None => {
                    let (name, n) = COUNT_VARS
                        .iter()
                        .find_map(|v| var(v).map(|x| (*v, x)))
                        .with_context(|| {
                            format!(
                                "--shard env: the number of shards is not known: pass --shards N \
                                 or set one of {}",
                                COUNT_VARS.join(", ")
                            )
                        })?;
                    n.trim()
                        .parse()
                        .with_context(|| format!("--shard env: {name}={n:?} is not a number"))?
                }
            };
            (index, n)
        } else {
            let (i, n) = text
                .split_once('/')
                .with_context(|| format!("--shard {text:?}: expected I/N (e.g. 0/4) or env"))?;
            let parse = |s: &str| -> Result<u32> {
                s.trim()
                    .parse()
                    .with_context(|| format!("--shard {text:?}: {s:?} is not a number"))
            };
            let (i, n) = (parse(i)?, parse(n)?);
            if let Some(c) = count {
                if c != n {
                    bail!("--shard {text} says {n} shards, --shards says {c}");
                }
            }
            (i, n)
        };
        if n == 0 {
            bail!("--shard: the number of shards must be at least 1");
        }
        if index >= n {
            bail!(
                "--shard: shard {index} of {n} does not exist (shards count from 0 to {})",
                n - 1
            );
        }
        Ok(Shard { index, count: n })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv1a64_matches_the_published_test_vectors() {
        assert_eq!(fnv1a64(b""), 0xcbf29ce484222325);
        assert_eq!(fnv1a64(b"a"), 0xaf63dc4c8601ec8c);
        assert_eq!(fnv1a64(b"foobar"), 0x85944171f73967e8);
    }

    #[test]
    fn every_id_is_in_exactly_one_shard() {
        let ids: Vec<String> = (0..500)
            .map(|i| format!("unsc/UNSC_2020_spch{i:03}.txt"))
            .collect();
        let mut sizes = [0; 3];
        for id in &ids {
            let holders: Vec<u32> = (0..3)
                .filter(|&i| Shard { index: i, count: 3 }.holds(id))
                .collect();
            assert_eq!(holders.len(), 1, "{id}");
            sizes[holders[0] as usize] += 1;
        }
        // Roughly even.
        assert!(sizes.iter().all(|&n| n > 130), "{sizes:?}");
    }

    #[test]
    fn parses_i_of_n_and_the_schedulers_variables() {
        let none = |_: &str| None;
        assert_eq!(
            Shard::parse("2/4", None, none).unwrap(),
            Shard { index: 2, count: 4 }
        );
        assert!(Shard::parse("4/4", None, none).is_err());
        assert!(Shard::parse("0/0", None, none).is_err());
        assert!(Shard::parse("1-4", None, none).is_err());
        assert!(Shard::parse("1/4", Some(3), none).is_err());
        let slurm = |v: &str| match v {
            "SLURM_ARRAY_TASK_ID" => Some("3".to_owned()),
            "SLURM_ARRAY_TASK_COUNT" => Some("8".to_owned()),
            _ => None,
        };
        assert_eq!(
            Shard::parse("env", None, slurm).unwrap(),
            Shard { index: 3, count: 8 }
        );
        let k8s = |v: &str| (v == "JOB_COMPLETION_INDEX").then(|| "1".to_owned());
        assert_eq!(
            Shard::parse("env", Some(2), k8s).unwrap(),
            Shard { index: 1, count: 2 }
        );
        let err = Shard::parse("env", None, k8s).unwrap_err();
        assert!(err.to_string().contains("--shards N"), "{err}");
        let err = Shard::parse("env", Some(2), none).unwrap_err();
        assert!(err.to_string().contains("JOB_COMPLETION_INDEX"), "{err}");
    }
}
