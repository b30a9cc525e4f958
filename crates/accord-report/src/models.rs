//! Which attribution models the reports show: the agreement's
//! `attribution.models`. Every model is always computed (a model's credit
//! does not depend on the others); the columns of the models not listed are
//! taken out of the finished table ([`Models::show`]), at the table level,
//! so both report paths and the stored reports show the same columns.
//!
//! The columns keep the reports' canonical order (first touch, last touch,
//! linear, U-shaped, time decay), whatever the order of the agreement's
//! list: the same set of models always gives the same CSV header.

use accord_core::agreement::Model;

use crate::Table;

/// The models in the reports' column order.
pub const CANONICAL: [Model; 5] = [
    Model::FirstTouch,
    Model::LastTouch,
    Model::Linear,
    Model::UShaped,
    Model::TimeDecay,
];

/// A set of attribution models (one bit per model of [`CANONICAL`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Models(u8);

impl Default for Models {
    /// Every model (the starter agreement lists all five).
    fn default() -> Self {
        Models::ALL
    }
}

impl Models {
    pub const ALL: Models = Models(0b1_1111);
    pub const NONE: Models = Models(0);

    fn bit(m: Model) -> u8 {
        let i = CANONICAL
            .iter()
            .position(|&c| c == m)
            .expect("every model is canonical");
        1 << i
    }

    /// The models listed (order and repetition do not matter).
    pub fn of(list: &[Model]) -> Models {
        Models(list.iter().fold(0, |acc, &m| acc | Models::bit(m)))
    }

    pub fn contains(self, m: Model) -> bool {
        self.0 & Models::bit(m) != 0
    }

    /// The models of the set in canonical order.
    pub fn iter(self) -> impl Iterator<Item = Model> {
        CANONICAL.into_iter().filter(move |&m| self.contains(m))
    }

    /// Whether column `name` belongs to a model outside the set: a model's
    /// credit (`<model>_usd`) or weight (`<model>_weight`, `--explain`), and
    /// `linear_roi`, the linear model's return.
    fn hides(self, name: &str) -> bool {
        if name == "linear_roi" {
            return !self.contains(Model::Linear);
        }
        CANONICAL.iter().any(|&m| {
            !self.contains(m)
                && name
                    .strip_prefix(m.as_str())
                    .is_some_and(|rest| rest == "_usd" || rest == "_weight")
        })
    }

    /// Takes the columns of the models outside the set out of an attribution
    /// table (`attribution_campaign`, `attribution_channel`, an attribution
    /// explanation); any other table is left as it is. Applying it twice is
    /// applying it once.
    pub fn show(self, table: &mut Table) {
        if self == Models::ALL || !is_attribution(&table.name) {
            return;
        }
        let keep: Vec<bool> = table.columns.iter().map(|c| !self.hides(&c.name)).collect();
        if keep.iter().all(|&k| k) {
            return;
        }
        let mut i = 0;
        table.columns.retain(|_| {
            i += 1;
            keep[i - 1]
        });
        for row in &mut table.rows {
            let mut i = 0;
            row.retain(|_| {
                i += 1;
                keep[i - 1]
            });
        }
    }
}

/// The tables whose columns are per model.
fn is_attribution(name: &str) -> bool {
    matches!(
        name,
        "attribution_campaign" | "attribution_channel" | "attribution explain"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ColumnKind as K, Value};

    fn campaign_table() -> Table {
        let mut t = Table::new("attribution_campaign", crate::attribution::CAMPAIGN_COLUMNS);
        t.push(vec![
            Value::text("C0001"),
            Value::Int(2),
            Value::Money(1000),
            Value::Money(1),
            Value::Money(2),
            Value::Money(3),
            Value::Money(4),
            Value::Money(5),
            Value::Float(0.003),
        ]);
        t
    }

    fn names(t: &Table) -> Vec<&str> {
        t.columns.iter().map(|c| &*c.name).collect()
    }

    #[test]
    fn only_the_listed_models_columns_stay_in_canonical_order() {
        let mut t = campaign_table();
        // Listed in the other order: the columns keep the canonical one.
        Models::of(&[Model::TimeDecay, Model::LastTouch]).show(&mut t);
        assert_eq!(
            names(&t),
            [
                "campaign_id",
                "won_opportunities",
                "cost_usd",
                "last_touch_usd",
                "time_decay_usd"
            ]
        );
        assert_eq!(
            t.rows[0],
            [
                Value::text("C0001"),
                Value::Int(2),
                Value::Money(1000),
                Value::Money(2),
                Value::Money(5)
            ]
        );
    }

    #[test]
    fn linear_roi_goes_and_stays_with_linear() {
        let mut t = campaign_table();
        Models::of(&[Model::Linear]).show(&mut t);
        assert_eq!(
            names(&t),
            [
                "campaign_id",
                "won_opportunities",
                "cost_usd",
                "linear_usd",
                "linear_roi"
            ]
        );
        let mut t = campaign_table();
        Models::NONE.show(&mut t);
        assert_eq!(names(&t), ["campaign_id", "won_opportunities", "cost_usd"]);
        assert_eq!(t.rows[0].len(), 3);
    }

    #[test]
    fn weights_of_an_explanation_go_too_and_other_tables_are_untouched() {
        let mut t = Table::new(
            "attribution explain",
            &[
                ("touch_id", K::Text),
                ("first_touch_weight", K::Float),
                ("u_shaped_weight", K::Float),
                ("first_touch_usd", K::Money),
                ("u_shaped_usd", K::Money),
            ],
        );
        t.push(vec![
            Value::text("T1"),
            Value::Float(1.0),
            Value::Float(0.4),
            Value::Money(10),
            Value::Money(4),
        ]);
        Models::of(&[Model::UShaped]).show(&mut t);
        assert_eq!(names(&t), ["touch_id", "u_shaped_weight", "u_shaped_usd"]);
        assert_eq!(t.rows[0][2], Value::Money(4));
        let mut other = Table::new("kpi", &[("linear_usd", K::Money)]);
        other.push(vec![Value::Money(1)]);
        Models::NONE.show(&mut other);
        assert_eq!(names(&other), ["linear_usd"]);
    }

    #[test]
    fn showing_twice_is_showing_once() {
        let m = Models::of(&[Model::FirstTouch, Model::Linear]);
        let mut once = campaign_table();
        m.show(&mut once);
        let mut twice = once.clone();
        m.show(&mut twice);
        assert_eq!(once, twice);
        assert_eq!(
            m.iter().collect::<Vec<_>>(),
            [Model::FirstTouch, Model::Linear]
        );
        assert_eq!(Models::of(&CANONICAL), Models::ALL);
    }
}
