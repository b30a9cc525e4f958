//! `[routing]`: the stage whose entry routes a lead (`on`), the rules tried in
//! order (`[[routing.rules]]`), and when reps are at work, in their own time
//! zone (`[routing.hours]`).

use chrono_tz::{Tz, TZ_VARIANTS};

use super::*;

const DAYS_EXAMPLE: &str = "[\"mon\", \"tue\", \"wed\", \"thu\", \"fri\"]";

impl Reader<'_> {
    pub(super) fn routing(&mut self, v: &Val<'_>) -> Option<Routing> {
        let t = self.table(v, "routing")?;
        self.check_keys(&t, &["on", "rules", "hours"]);
        let on = match t.t.get("on") {
            Some(v) => self.routing_on(v),
            None => Some("mql".to_string()),
        };
        let rules = self.routing_rules(&t);
        let hours = match t.t.get("hours") {
            Some(v) => self.working_hours(v).map(Some),
            None => Some(None),
        };
        Some(Routing {
            rules: rules?,
            on: on?,
            hours: hours?,
        })
    }

    /// `on`: a declared stage.
    fn routing_on(&mut self, v: &Val<'_>) -> Option<String> {
        let DeValue::String(s) = v.get_ref() else {
            self.wrong_type(v, "routing.on", "a string", "\"mql\"");
            return None;
        };
        let stages = self.vocab.stages.clone();
        // Without declared stages, [stages] already has its own error.
        if stages.is_empty() {
            return None;
        }
        let known: Vec<&str> = stages.iter().map(String::as_str).collect();
        self.one_of(s, v.span(), "stage", &known)
            .then(|| s.to_string())
    }

    fn routing_rules(&mut self, t: &Tbl<'_, '_>) -> Option<Vec<RoutingRule>> {
        let tables = self
            .get(t, "rules", "[...]  (or [[routing.rules]] sections)")
            .and_then(|v| self.rule_tables(v, "routing.rules"));
        let mut rules = Vec::new();
        let mut ok = tables.is_some();
        for rt in tables.iter().flatten() {
            self.check_keys(rt, &["name", "team", "when", "assign", "respect_capacity"]);
            let name = self
                .get(rt, "name", "\"territory\"")
                .and_then(|v| self.name_string(v, "routing.rules.name"));
            let team = match rt.t.get("team") {
                Some(v) => self.string(v, "routing.rules.team").and_then(|s| {
                    let known = self.one_of(&s, v.span(), "team", Team::NAMES);
                    known.then(|| Team::from_name(&s)).flatten().map(Some)
                }),
                None => Some(None),
            };
            let when = self
                .get(rt, "when", "\"rep.region == lead.region\"")
                .and_then(|v| self.expr(v, "routing.rules.when", RuleKind::Routing));
            let assign = self.get(rt, "assign", "\"round_robin\"").and_then(|v| {
                let s = self.string(v, "routing.rules.assign")?;
                self.one_of(&s, v.span(), "assignment", Assign::NAMES)
                    .then(|| Assign::from_name(&s))
                    .flatten()
            });
            let respect_capacity = self.flag(
                rt,
                "respect_capacity",
                "routing.rules.respect_capacity",
                true,
            );
            match (name, team, when, assign, respect_capacity) {
                (Some(name), Some(team), Some(when), Some(assign), Some(respect_capacity)) => rules
                    .push(RoutingRule {
                        name,
                        team,
                        when,
                        assign,
                        respect_capacity,
                    }),
                _ => ok = false,
            }
        }
        if ok && rules.is_empty() {
            self.push(
                Diagnostic::new(self.first_line(t.span.clone()), "no routing rules", "empty")
                    .help("add at least one [[routing.rules]], e.g. name = \"territory\", team = \"sdr\", when = \"rep.region == lead.region\", assign = \"round_robin\""),
            );
            return None;
        }
        ok.then_some(rules)
    }

    fn working_hours(&mut self, v: &Val<'_>) -> Option<WorkingHours> {
        let t = self.table(v, "routing.hours")?;
        self.check_keys(&t, &["zones", "days", "start", "end"]);
        let zones = match t.t.get("zones") {
            Some(v) => self.zones(v),
            None => Some(Vec::new()),
        };
        let days = match t.t.get("days") {
            Some(v) => self.days(v),
            None => Some(WorkingHours::DEFAULT_DAYS.to_vec()),
        };
        let start = t.t.get("start");
        let end = t.t.get("end");
        let start_minute = match start {
            Some(v) => self.clock(v, "routing.hours.start", "\"09:00\""),
            None => Some(WorkingHours::DEFAULT_START_MINUTE),
        };
        let end_minute = match end {
            Some(v) => self.clock(v, "routing.hours.end", "\"17:00\""),
            None => Some(WorkingHours::DEFAULT_END_MINUTE),
        };
        let (start_minute, end_minute) = (start_minute?, end_minute?);
        if start_minute >= end_minute {
            let by_default =
                |given: Option<&Val<'_>>| if given.is_some() { "" } else { " by default" };
            let mut d = Diagnostic::new(
                end.or(start).map_or(t.span.clone(), |v| v.span()),
                format!(
                    "working hours must end after they start: start {}{}, end {}{}",
                    print::hhmm(start_minute),
                    by_default(start),
                    print::hhmm(end_minute),
                    by_default(end),
                ),
                "not after the start",
            )
            .help("hours lie within one local day, from `start` to `end` (\"24:00\" is midnight at the end of the day); a shift past midnight cannot be written");
            if let (Some(s), Some(_)) = (start, end) {
                d = d.related(s.span(), "the start");
            }
            self.push(d);
            return None;
        }
        Some(WorkingHours {
            zones: zones?,
            days: days?,
            start_minute,
            end_minute,
        })
    }

    /// `zones`: per region, an IANA time zone name.
    fn zones(&mut self, v: &Val<'_>) -> Option<Vec<(String, String)>> {
        let zt = self.table(v, "routing.hours.zones")?;
        if self.too_many_keys(&zt, MAX_NAMES, "regions") {
            return None;
        }
        let mut out = Vec::new();
        let mut ok = true;
        for (k, v) in entries(zt.t) {
            let region: &str = k.get_ref();
            let known = self.one_of(region, k.span(), "region", expr::REGIONS);
            let zone = match v.get_ref() {
                DeValue::String(z) => self.time_zone(z, v.span()),
                _ => {
                    self.wrong_type(
                        v,
                        &format!("routing.hours.zones.{region}"),
                        "a string",
                        "\"America/New_York\"",
                    );
                    None
                }
            };
            match (known, zone) {
                (true, Some(zone)) => out.push((region.to_string(), zone)),
                _ => ok = false,
            }
        }
        ok.then_some(out)
    }

    fn time_zone(&mut self, name: &str, span: Range<usize>) -> Option<String> {
        if name.parse::<Tz>().is_ok() {
            return Some(name.to_string());
        }
        let help = match suggest_zone(name) {
            Some(zone) => format!(
                "did you mean `{zone}`? (a zone is an IANA time zone name, Area/City)"
            ),
            None => "write an IANA time zone name, Area/City, such as \"America/New_York\", \"Europe/London\" or \"Asia/Singapore\" (all of them: https://en.wikipedia.org/wiki/List_of_tz_database_time_zones)".to_string(),
        };
        self.push(
            Diagnostic::new(
                span,
                format!("unknown time zone `{name}`"),
                "unknown time zone",
            )
            .help(help),
        );
        None
    }

    /// `days`: day names, ascending in the result.
    fn days(&mut self, v: &Val<'_>) -> Option<Vec<u8>> {
        let list = self.str_list(v, "routing.hours.days", DAYS_EXAMPLE)?;
        if list.is_empty() {
            self.push(
                Diagnostic::new(v.span(), "no working days", "empty").help(format!(
                    "list the days reps work, e.g. days = {DAYS_EXAMPLE}; with none, no rep would ever be routed a lead"
                )),
            );
            return None;
        }
        let mut days = Vec::new();
        let mut ok = true;
        for (name, span) in list {
            match WorkingHours::DAY_NAMES.iter().position(|d| *d == name) {
                Some(i) => days.push(i as u8),
                None => {
                    self.one_of(&name, span, "day", &WorkingHours::DAY_NAMES);
                    ok = false;
                }
            }
        }
        days.sort_unstable();
        ok.then_some(days)
    }

    /// A time of day, `HH:MM`, as minutes after midnight.
    fn clock(&mut self, v: &Val<'_>, path: &str, example: &str) -> Option<u32> {
        let DeValue::String(s) = v.get_ref() else {
            self.wrong_type(v, path, "a string", example);
            return None;
        };
        let minute = minute_of_day(s);
        if minute.is_none() {
            self.push(
                Diagnostic::new(
                    v.span(),
                    format!("`{path}` is \"{s}\", not a time of day"),
                    "not HH:MM",
                )
                .help(format!(
                    "write a 24-hour time \"HH:MM\" in the rep's own time zone, e.g. {path} = {example} (\"24:00\" is midnight at the end of the day)"
                )),
            );
        }
        minute
    }
}

/// `HH:MM` (or `H:MM`), 24-hour, as minutes after midnight: 00:00 to 23:59,
/// and 24:00 (1440, the end of the day).
fn minute_of_day(s: &str) -> Option<u32> {
    let (h, m) = s.split_once(':')?;
    let digits = |p: &str| p.bytes().all(|b| b.is_ascii_digit());
    if !(1..=2).contains(&h.len()) || m.len() != 2 || !digits(h) || !digits(m) {
        return None;
    }
    let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
    match (h, m) {
        (0..=23, 0..=59) => Some(h * 60 + m),
        (24, 0) => Some(24 * 60),
        _ => None,
    }
}

/// The zone a misspelt name most likely means: a zone whose city it names
/// (`New York` → `America/New_York`), else the closest name.
fn suggest_zone(name: &str) -> Option<&'static str> {
    let names = || TZ_VARIANTS.iter().map(|tz| tz.name());
    if name.len() <= 64 {
        let city = name.trim().replace(' ', "_").to_lowercase();
        let by_city = names().find(|zone| {
            zone.rsplit_once('/')
                .is_some_and(|(_, c)| c.to_lowercase() == city)
        });
        if by_city.is_some() {
            return by_city;
        }
    }
    did_you_mean(name, names())
}

#[cfg(test)]
mod tests;
