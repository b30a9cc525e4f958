//! Writes each target's seeds into `<dir>/<target>/`, the starting corpus of
//! a cargo-fuzz run (`fuzz/run` calls it).

use accord_fuzz::{seeds, Target};

fn main() -> std::io::Result<()> {
    let Some(dir) = std::env::args_os().nth(1) else {
        eprintln!("usage: accord-fuzz-seeds DIR");
        std::process::exit(2);
    };
    let dir = std::path::PathBuf::from(dir);
    for target in Target::ALL {
        let folder = dir.join(target.name());
        std::fs::create_dir_all(&folder)?;
        let corpus = seeds::get().corpus(target);
        for (i, input) in corpus.iter().enumerate() {
            std::fs::write(folder.join(format!("seed-{i:03}")), input)?;
        }
        println!("{}: {} seeds", target.name(), corpus.len());
    }
    Ok(())
}
