//! Generates a data set: `cargo run --release -p accord-gen --example gen -- --leads 10000 --seed 1 --out /tmp/d`
use std::path::PathBuf;
use std::time::Instant;

fn main() {
    let mut config = accord_gen::Config {
        leads: 10_000,
        seed: 1,
    };
    let mut out = PathBuf::from("/tmp/accord-gen");
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let v = args.next().unwrap_or_else(|| usage(&a));
        match a.as_str() {
            "--leads" => config.leads = v.parse().unwrap_or_else(|_| usage(&a)),
            "--seed" => config.seed = v.parse().unwrap_or_else(|_| usage(&a)),
            "--out" => out = PathBuf::from(v),
            _ => usage(&a),
        }
    }
    let t0 = Instant::now();
    match accord_gen::generate(&config, &out) {
        Ok(s) => {
            eprintln!("{s:#?}");
            eprintln!(
                "done in {:.2} s -> {}",
                t0.elapsed().as_secs_f64(),
                out.display()
            );
        }
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    }
}

fn usage(arg: &str) -> ! {
    eprintln!("bad argument {arg}; usage: gen --leads N --seed N --out DIR");
    std::process::exit(2);
}
