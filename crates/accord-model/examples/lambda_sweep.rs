//! Test and inner hold-out ROC AUC per penalty on a table (temporal 0.8):
//! cargo run --release -p accord-model --example lambda_sweep -- FILE TARGET [DROP]
use accord_model::{evaluate::target, logistic, metrics, table, Encoder, Split};

fn main() {
    let a: Vec<String> = std::env::args().collect();
    let (mut f, _) = table::read_csv(a[1].as_ref()).unwrap();
    let y = target(&a[2], &f.take(&a[2]).unwrap()).unwrap();
    for d in a.iter().skip(3) {
        f.take(d).unwrap();
    }
    let (tr, te) = Split::Temporal { fraction: 0.8 }.rows(f.rows());
    let (ftr, fte) = (f.select(&tr), f.select(&te));
    let ytr: Vec<bool> = tr.iter().map(|&i| y[i]).collect();
    let yte: Vec<bool> = te.iter().map(|&i| y[i]).collect();
    let enc = Encoder::fit(&ftr);
    let (dtr, dte) = (enc.encode(&ftr).unwrap(), enc.encode(&fte).unwrap());
    let cut = ytr.len() * 4 / 5;
    for l in [1e-4, 3e-4, 1e-3, 2e-3, 3e-3, 5e-3, 1e-2, 3e-2, 1e-1] {
        let w = logistic::fit(&dtr, &ytr, l);
        let test = metrics::roc_auc(&logistic::logits(&dte, &w), &yte).unwrap();
        let wi = logistic::fit(&dtr.slice(0..cut), &ytr[..cut], l);
        let inner = metrics::roc_auc(
            &logistic::logits(&dtr.slice(cut..ytr.len()), &wi),
            &ytr[cut..],
        )
        .unwrap();
        println!("lambda {l:<8} test {test:.4} inner {inner:.4}");
    }
}
