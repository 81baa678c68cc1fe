//! Checks of the committed deployment examples under `deploy/` (they are not run in CI: no
//! cluster or registry is reachable there).

#[cfg(all(test, unix))]
mod tests {
    use std::collections::BTreeMap;
    use std::os::unix::fs::PermissionsExt;
    use std::process::Command;

    use clap::Parser;
    use emailprof_cli::cli::{Cli, Command as Sub};
    use serde_json::Value;

    use crate::codegen::workspace_root;

    /// The indexed Job runs one `emailprof batch` per completion index, and the shards of the
    /// pods (the shell expression evaluated for each JOB_COMPLETION_INDEX, parsed by the real
    /// command line) are exactly 1..=N of N, N being `completions`: every user is emitted by
    /// exactly one pod.
    #[test]
    fn the_indexed_job_covers_every_shard_once() {
        let root = workspace_root();
        let text = std::fs::read_to_string(root.join("deploy/k8s/emailprof-batch-job.yaml"))
            .expect("the manifest is committed");
        let job: Value = serde_saphyr::from_str(&text).expect("the manifest is YAML");
        assert_eq!(job["apiVersion"], "batch/v1");
        assert_eq!(job["kind"], "Job");
        let spec = &job["spec"];
        assert_eq!(spec["completionMode"], "Indexed");
        let completions = spec["completions"]
            .as_u64()
            .expect("completions is a number");
        assert!(completions >= 1);
        let parallelism = spec["parallelism"]
            .as_u64()
            .expect("parallelism is a number");
        assert!((1..=completions).contains(&parallelism));
        assert_eq!(spec["template"]["spec"]["restartPolicy"], "Never");

        let containers = spec["template"]["spec"]["containers"]
            .as_array()
            .expect("containers");
        assert_eq!(containers.len(), 1);
        let command: Vec<&str> = containers[0]["command"]
            .as_array()
            .expect("command is a list")
            .iter()
            .map(|c| c.as_str().expect("command words are strings"))
            .collect();
        let [shell, "-c", script] = command.as_slice() else {
            panic!("the command is not `sh -c SCRIPT`: {command:?}");
        };
        assert_eq!(*shell, "/bin/sh");
        assert!(
            script.contains("--shard $((JOB_COMPLETION_INDEX+1))/"),
            "{script}"
        );

        // Run the script as the pod would, with a stand-in `emailprof` on PATH that prints
        // the arguments it was given.
        let dir = std::env::temp_dir().join(format!("emailprof-deploy-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let fake = dir.join("emailprof");
        std::fs::write(&fake, "#!/bin/sh\nprintf '%s\\0' \"$@\"\n").unwrap();
        std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();
        let path = format!(
            "{}:{}",
            dir.display(),
            std::env::var("PATH").unwrap_or_default()
        );

        let mut pods_of_shard: BTreeMap<u64, Vec<u64>> = BTreeMap::new();
        let mut outs = Vec::new();
        for index in 0..completions {
            let out = Command::new(shell)
                .args(["-c", script])
                .env("PATH", &path)
                .env("JOB_COMPLETION_INDEX", index.to_string())
                .output()
                .unwrap();
            assert!(out.status.success(), "pod {index}: {out:?}");
            let args: Vec<String> = String::from_utf8(out.stdout)
                .unwrap()
                .split_terminator('\0')
                .map(str::to_owned)
                .collect();
            let cli = Cli::try_parse_from(std::iter::once("emailprof".to_owned()).chain(args))
                .unwrap_or_else(|e| panic!("pod {index}: the command line does not parse: {e}"));
            let Sub::Batch(batch) = cli.command else {
                panic!("pod {index} does not run `emailprof batch`");
            };
            let shard = batch.shard.expect("every pod takes a shard");
            assert_eq!(shard.n, completions, "pod {index}: N is not `completions`");
            assert_eq!(shard.k, index + 1, "pod {index}");
            pods_of_shard.entry(shard.k).or_default().push(index);
            outs.push(batch.out.expect("each pod writes a directory"));
        }
        let _ = std::fs::remove_dir_all(&dir);

        let expected: Vec<u64> = (1..=completions).collect();
        assert_eq!(pods_of_shard.keys().copied().collect::<Vec<_>>(), expected);
        assert!(
            pods_of_shard.values().all(|pods| pods.len() == 1),
            "{pods_of_shard:?}"
        );
        // Shards do not share an output directory (its manifest and report are per run).
        outs.sort();
        outs.dedup();
        assert_eq!(outs.len() as u64, completions, "{outs:?}");
    }
}
