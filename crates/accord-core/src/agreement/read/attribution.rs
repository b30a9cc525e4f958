//! `[attribution]`: the lookback, time-decay half-life and the models
//! reports compute.

use super::*;

impl Reader<'_> {
    pub(super) fn attribution(&mut self, v: &Val<'_>) -> Option<Attribution> {
        let t = self.table(v, "attribution")?;
        self.check_keys(&t, &["lookback_days", "half_life_days", "models"]);
        let lookback = self
            .get(&t, "lookback_days", "90")
            .and_then(|v| self.duration(v, "attribution.lookback_days", 24, false));
        let half_life = self.get(&t, "half_life_days", "7.0").and_then(|v| {
            self.float(
                v,
                "attribution.half_life_days",
                |x| x > 0.0,
                "a half-life must be more than 0 days",
                "7.0",
            )
        });
        let models = self
            .get(&t, "models", "[\"linear\", \"time_decay\"]")
            .and_then(|v| {
                let list =
                    self.str_list(v, "attribution.models", "[\"linear\", \"time_decay\"]")?;
                let mut out = Vec::new();
                let mut ok = true;
                for (m, span) in list {
                    if self.one_of(&m, span, "attribution model", Model::NAMES) {
                        out.extend(Model::from_name(&m));
                    } else {
                        ok = false;
                    }
                }
                ok.then_some(out)
            });
        Some(Attribution {
            lookback: lookback?,
            half_life_days: half_life?,
            models: models?,
        })
    }
}
